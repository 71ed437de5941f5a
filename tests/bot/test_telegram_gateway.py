"""POST /webhook/telegram end to end: secret, parsing, replies, taps, media, redelivery."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot.gateway_kit import (
    SECRET,
    SELLER_CHAT,
    FakeClock,
    running,
    tg_media,
    tg_tap,
    tg_text,
    write_config,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"


async def test_first_question_is_greeted_and_answered_as_written(config: Path) -> None:
    async with running(config) as bot:
        response = await bot.telegram(tg_text("kak, brp ongkir ke bdg?"))
        assert response.status_code == 200
        calls = await bot.tg.wait_for(lambda c: any(x.method == "sendMessage" for x in c))
        message = calls[0]
        assert message.chat == "42"
        assert "Toko Batik Sari" in message.text
        assert "Rp9.000" in message.text  # the seller's answer, characters intact
        assert "parse_mode" not in message.params


async def test_missing_or_wrong_secret_is_refused_and_nothing_is_sent(config: Path) -> None:
    async with running(config) as bot:
        assert (await bot.telegram(tg_text("halo"), secret=None)).status_code == 401
        assert (await bot.telegram(tg_text("halo"), secret="nope")).status_code == 403
        assert await bot.gateway.store.chats_with_pending_inbound() == []
        assert bot.tg.calls == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2, 3]", b'{"message": {}}'])
async def test_malformed_bodies_get_400_and_the_bot_stays_up(config: Path, body: bytes) -> None:
    async with running(config) as bot:
        response = await bot.client.post(
            "/webhook/telegram",
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert response.status_code == 400
        assert (await bot.client.get("/healthz")).status_code == 200


async def test_a_huge_body_is_refused_before_it_is_read(config: Path) -> None:
    async with running(config) as bot:
        response = await bot.client.post(
            "/webhook/telegram",
            content=b"x" * 2_000_000,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert response.status_code == 413


async def test_a_redelivered_update_is_answered_once(config: Path) -> None:
    update = tg_text("ada garansi gk kak?")
    async with running(config) as bot:
        assert (await bot.telegram(update)).status_code == 200
        assert (await bot.telegram(update)).status_code == 200
        await bot.tg.wait_for(lambda c: len(c) >= 1)
        await bot.gateway.outbox.close()  # let everything in flight finish
        assert len(bot.tg.sent("sendMessage", "42")) == 1


async def test_a_100kb_message_gets_a_reply_not_a_crash(config: Path) -> None:
    async with running(config) as bot:
        assert (await bot.telegram(tg_text("kak tolong dibaca ya " * 5000))).status_code == 200
        await bot.tg.wait_for(lambda c: len(c) >= 1)
        assert all(len(c.text) <= 4096 for c in bot.tg.sent("sendMessage"))


async def test_clarify_offers_buttons_whose_callback_names_the_faq(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("pengiriman"))
        calls = await bot.tg.wait_for(lambda c: len(c) >= 1)
        keyboard = calls[0].params["reply_markup"]["inline_keyboard"]
        data = [row[0]["callback_data"] for row in keyboard]
        assert {"faq:ongkir", "faq:lama-kirim"} <= set(data)

        await bot.telegram(tg_tap("faq:lama-kirim"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage")) >= 2)
        assert bot.tg.sent("answerCallbackQuery")
        assert "hari kerja" in bot.tg.sent("sendMessage")[-1].text


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_media_gets_a_polite_reply(config: Path, kind: str) -> None:
    async with running(config) as bot:
        assert (await bot.telegram(tg_media(kind))).status_code == 200
        calls = await bot.tg.wait_for(lambda c: len(c) >= 1)
        assert calls[0].method == "sendMessage"


async def test_groups_other_than_the_seller_chat_are_ignored(config: Path) -> None:
    update = tg_text("halo semua")
    update["message"]["chat"] = {"id": -100999, "title": "Grup Arisan", "type": "supergroup"}
    async with running(config) as bot:
        assert (await bot.telegram(update)).status_code == 200
        await bot.gateway.runtime.close()
        assert bot.tg.calls == []


async def test_429_is_retried_after_retry_after_and_the_webhook_does_not_wait(
    config: Path,
) -> None:
    clock = FakeClock()
    async with running(config, clock=clock) as bot:
        bot.tg.fail(
            "sendMessage",
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            },
        )
        assert bot.gateway.outbox.limits.overall_rate("telegram") == 0  # no cap of our own
        started = clock.now
        response = await bot.telegram(tg_text("halo kak"))
        assert response.status_code == 200
        calls = await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage")) >= 2)
        assert calls[0].text == calls[1].text  # the same message, sent again
        assert clock.now - started >= 1  # ... after the second Telegram asked for
        # ... until Telegram said "too many": then its documented pace, for a while
        assert bot.gateway.outbox.limits.overall_rate("telegram") == 30


async def test_a_blocked_bot_is_recorded_not_retried_forever(config: Path) -> None:
    async with running(config) as bot:
        forbidden = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}
        bot.tg.fail("sendMessage", 403, forbidden)
        await bot.telegram(tg_text("halo kak"))
        await bot.tg.wait_for(lambda c: len(c) >= 1)
        await bot.gateway.outbox.close()
        assert await bot.gateway.store.outbox_depth() == 0
        assert len(bot.tg.sent("sendMessage")) == 1


async def test_a_seller_message_about_no_buyer_gets_a_hint_in_the_seller_chat(
    config: Path,
) -> None:
    from tests.bot.gateway_kit import tg_seller

    async with running(config) as bot:
        await bot.telegram(tg_seller("ada yang tau stok batik merah?"))
        calls = await bot.tg.wait_for(lambda c: len(c) >= 1)
        assert calls[0].chat == str(SELLER_CHAT)
        assert all(c.chat == str(SELLER_CHAT) for c in calls)


async def test_polling_mode_takes_updates_without_a_webhook(tmp_path: Path) -> None:
    from tests.bot.fakes import FakeBotApi
    from tests.bot.gateway_kit import TOKEN

    api = FakeBotApi(TOKEN)
    api.updates = [tg_text("halo kak", user_id=31), tg_text("bisa cod?", user_id=31)]
    config = write_config(tmp_path, telegram={"mode": "polling"})
    async with running(config, tg=api):
        await api.wait_for(lambda c: len(api.sent("sendMessage", "31")) >= 2)
        assert api.sent("deleteWebhook")
        assert "COD" in api.sent("sendMessage", "31")[1].text


@pytest.mark.parametrize(
    ("fixture", "replies"),
    [
        ("text_private.json", True),
        ("photo_with_caption.json", True),
        ("sticker_older_api.json", True),  # fields PTB requires are missing: still answered
        ("edited_message.json", True),
        ("channel_post.json", False),
    ],
)
async def test_recorded_update_shapes_are_taken_not_refused(
    config: Path, fixture: str, replies: bool
) -> None:
    update = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    async with running(config) as bot:
        assert (await bot.telegram(update)).status_code == 200
        if replies:
            await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", "5012345678")) >= 1)
        await bot.gateway.runtime.close()
        assert bot.tg.calls == [] or replies
