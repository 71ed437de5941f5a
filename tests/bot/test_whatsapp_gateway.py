"""GET/POST /webhook/whatsapp end to end, and how messages are shaped for the Cloud API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.whatsapp import message_bodies, parse_notification
from bot.commands import Say
from tests.bot.gateway_kit import (
    PHONE_ID,
    VERIFY,
    FakeClock,
    running,
    wa_envelope,
    wa_message,
    wa_text,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "whatsapp"


async def test_meta_verification_echoes_the_challenge(config: Path) -> None:
    async with running(config) as bot:
        ok = await bot.client.get(
            "/webhook/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158"},
        )
        assert (ok.status_code, ok.text) == (200, "1158")
        bad = await bot.client.get(
            "/webhook/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "9"},
        )
        assert bad.status_code == 403


async def test_unsigned_or_badly_signed_posts_are_refused(config: Path) -> None:
    async with running(config) as bot:
        body = json.dumps(wa_text("halo kak")).encode()
        unsigned = await bot.client.post("/webhook/whatsapp", content=body)
        assert unsigned.status_code == 401
        assert (await bot.whatsapp(body, key="wrong")).status_code == 403
        assert bot.wa.calls == []


async def test_malformed_json_is_a_400(config: Path) -> None:
    async with running(config) as bot:
        assert (await bot.whatsapp(b"{not json")).status_code == 400
        assert (await bot.client.get("/healthz")).status_code == 200


async def test_a_text_is_read_and_answered_with_the_faq_answer(config: Path) -> None:
    async with running(config) as bot:
        assert (await bot.whatsapp(wa_text("bahannya apa kak?"))).status_code == 200
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        reply = bot.wa.sent("messages")[0]
        assert reply.params["to"] == "6281234567890"
        assert "katun combed" in reply.text
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("mark_read")) >= 1)


async def test_several_messages_in_one_delivery_are_all_answered(config: Path) -> None:
    first = wa_message({"type": "text", "text": {"body": "halo"}}, "6281111111111")
    second = wa_message({"type": "text", "text": {"body": "halo"}}, "6282222222222")
    body = wa_envelope({"messages": [first, second]})
    async with running(config) as bot:
        assert (await bot.whatsapp(body)).status_code == 200
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 2)
        recipients = {c.params["to"] for c in bot.wa.sent("messages")}
        assert recipients == {"6281111111111", "6282222222222"}


async def test_a_redelivered_message_is_answered_once(config: Path) -> None:
    body = wa_text("ada garansi gk kak?")
    async with running(config) as bot:
        await bot.whatsapp(body)
        await bot.whatsapp(body)
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await bot.gateway.runtime.close()
        await bot.gateway.outbox.close()
        assert len(bot.wa.sent("messages")) == 1


async def test_a_button_tap_answers_the_chosen_faq(config: Path) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("pengiriman"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        offered = bot.wa.sent("messages")[0].params["interactive"]
        ids = [b["reply"]["id"] for b in offered["action"]["buttons"]]
        assert "faq:ongkir" in ids
        tap = wa_message(
            {
                "type": "interactive",
                "interactive": {
                    "type": "button_reply",
                    "button_reply": {"id": "faq:ongkir", "title": "Berapa ongkirnya?"},
                },
            }
        )
        await bot.whatsapp(wa_envelope({"messages": [tap]}))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 2)
        assert "Rp9.000" in bot.wa.sent("messages")[1].text


async def test_status_callbacks_are_recorded_against_the_sent_message(config: Path) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("halo kak"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await bot.gateway.outbox.close()
        status = {"id": "wamid.OUT1", "status": "read", "timestamp": "1", "recipient_id": "1"}
        assert (await bot.whatsapp(wa_envelope({"statuses": [status]}))).status_code == 200
        history = await bot.gateway.store.history("whatsapp:6281234567890")
        assert history[-1]["status"] == "read"
        assert len(bot.wa.sent("messages")) == 1  # a receipt is never answered


async def test_outside_the_24_hour_window_is_given_up_not_retried(config: Path) -> None:
    async with running(config) as bot:
        error = {"error": {"code": 131047, "message": "Re-engagement message"}}
        bot.wa.fail("messages", 400, error)
        await bot.whatsapp(wa_text("halo kak"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await bot.gateway.outbox.close()
        assert await bot.gateway.store.outbox_depth() == 0
        assert len(bot.wa.sent("messages")) == 1


async def test_throughput_limit_130429_is_retried(config: Path) -> None:
    async with running(config, clock=FakeClock()) as bot:
        bot.wa.fail("messages", 429, {"error": {"code": 130429, "message": "Rate limit hit"}})
        await bot.whatsapp(wa_text("halo kak"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 2, timeout=8)
        assert bot.wa.sent("messages")[0].text == bot.wa.sent("messages")[1].text


def test_up_to_three_options_are_buttons_with_short_titles() -> None:
    options = (("ongkir", "Berapa ongkos kirim ke kota saya kak?"), ("lama-kirim", "Berapa lama"))
    [body] = message_bodies("628", Say("Yang mana?", options))
    buttons = body["interactive"]["action"]["buttons"]
    assert body["interactive"]["type"] == "button"
    assert [b["reply"]["id"] for b in buttons] == ["faq:ongkir", "faq:lama-kirim"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)


def test_four_to_ten_options_are_a_list_and_more_are_numbered_text() -> None:
    options = tuple((f"faq-{n}", f"Pertanyaan nomor {n} yang cukup panjang") for n in range(6))
    [body] = message_bodies("628", Say("Pilih ya", options))
    rows = body["interactive"]["action"]["sections"][0]["rows"]
    assert body["interactive"]["type"] == "list"
    assert len(rows) == 6
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    many = tuple((f"faq-{n}", f"Topik {n}") for n in range(12))
    [text] = message_bodies("628", Say("Pilih ya", many))
    assert text["type"] == "text"
    assert "12. Topik 11" in text["text"]["body"]


def test_a_long_text_is_split_under_the_4096_limit() -> None:
    bodies = message_bodies("628", Say("kata " * 2000))
    assert len(bodies) == 3
    assert all(len(b["text"]["body"]) <= 4096 for b in bodies)


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        ("text.json", "text"),
        ("image_with_caption.json", "photo"),
        ("list_reply.json", "choice"),
        ("reaction.json", None),
    ],
)
def test_recorded_shapes_parse(fixture: str, kind: str | None) -> None:
    data = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    messages, statuses = parse_notification(data, PHONE_ID)
    assert statuses == []
    if kind is None:
        assert messages == []
    else:
        assert messages[0].event.kind == kind
        assert messages[0].event.profile.phone == "+6281234567890"


def test_a_message_for_another_number_is_not_ours() -> None:
    data = wa_text("halo")
    data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert parse_notification(data, PHONE_ID) == ([], [])
