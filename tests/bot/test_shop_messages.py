"""Messages the shop starts, end to end: WhatsApp's 24-hour window (text inside, the
approved template outside, else held until the buyer writes), template refusals, the
monthly count, a Telegram buyer who blocked the bot, a buyer who opted out.

A shop-started message is queued here as the orders flow queues it: a ``Say`` with
``initiated=True`` in the buyer's outbox lane, then the lane is kicked."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp import template_body
from bot.commands import Say, queued
from bot.settings import TemplateSettings
from bot.shop_messages import TEXTS, shop_text
from bot.store import open_store
from bot.store.base import Contact, OutboxRow, Outgoing, Store, Turn
from bot.store.memory import MemoryStore
from bot.store.sqlite import SqliteStore
from tests.bot.fakes import WindowedGraphApi
from tests.bot.gateway_kit import (
    PHONE_ID,
    SELLER_CHAT,
    WA_TOKEN,
    Running,
    running,
    tg_text,
    wa_envelope,
    wa_text,
    write_config,
)

WA_ID = "6281234567890"
CHAT = f"whatsapp:{WA_ID}"
TEMPLATE = {"order_update": {"name": "japri_order_update", "language": "id"}}
NEWS = Say(
    "Pesanan #JP-0001 sudah dikirim dengan J&T, resi JP123456789.",
    initiated=True,
    template="order_update",
    params=("JP-0001", "sudah dikirim dengan J&T,\nno. resi   \tJP123456789", "-"),
)
DAY = 24 * 3600.0


async def shop_says(bot: Running, chat: str = CHAT, say: Say = NEWS) -> None:
    """What the orders flow does: queue a message the shop starts, then send it."""
    await bot.gateway.store.enqueue(queued(chat, say), time.time())
    bot.gateway.outbox.kick(chat)


async def buyer_writes(bot: Running, wa: WindowedGraphApi, text: str = "halo kak") -> None:
    wa.inbound(WA_ID)  # the platform opens the window as the message arrives
    assert (await bot.whatsapp(wa_text(text, WA_ID))).status_code == 200


def seller_posts(bot: Running) -> list[str]:
    return [c.text for c in bot.tg.sent("sendMessage", str(SELLER_CHAT))]


def our_clock_ahead(bot: Running, seconds: float) -> None:
    """Japri's own 24-hour clock (the delivery's), ``seconds`` ahead of now."""
    shop = bot.gateway.outbox.delivery.shop  # type: ignore[attr-defined]
    shop.wall = lambda: time.time() + seconds


def windowed() -> WindowedGraphApi:
    return WindowedGraphApi(WA_TOKEN, PHONE_ID, window_s=3.0)


async def test_inside_the_window_the_shop_message_goes_as_text(tmp_path: Path) -> None:
    wa = windowed()
    async with running(write_config(tmp_path, whatsapp={"templates": TEMPLATE}), wa=wa) as bot:
        await buyer_writes(bot, wa, "bahannya apa kak?")
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        await shop_says(bot)
        await wa.wait_for(lambda c: any("JP123456789" in m.text for m in wa.delivered(WA_ID)))
        assert wa.templates_sent() == []


async def test_refused_for_the_window_it_goes_as_the_template_params_on_one_line(
    tmp_path: Path,
) -> None:
    wa = windowed()
    wa.approve("japri_order_update", "id")
    async with running(write_config(tmp_path, whatsapp={"templates": TEMPLATE}), wa=wa) as bot:
        await buyer_writes(bot, wa)
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        wa.now += 4  # the platform's window closed; Japri's own clock still says open
        await shop_says(bot)
        await wa.wait_for(lambda c: len(wa.templates_sent(WA_ID)) == 1)
        template = wa.templates_sent(WA_ID)[0].params["template"]
        assert (template["name"], template["language"]) == ("japri_order_update", {"code": "id"})
        values = [p["text"] for p in template["components"][0]["parameters"]]
        assert values == ["JP-0001", "sudah dikirim dengan J&T, no. resi JP123456789", "-"]
        # Japri learned the window is closed: the next one goes straight as the template
        refused = len(wa.sent("messages", WA_ID))
        await shop_says(bot, say=Say("Pesanan #JP-0002 dicatat", initiated=True))
        await wa.wait_for(lambda c: len(wa.templates_sent(WA_ID)) == 2)
        assert len(wa.sent("messages", WA_ID)) == refused + 1


async def test_without_a_template_it_is_held_the_seller_told_and_sent_when_the_buyer_writes(
    tmp_path: Path,
) -> None:
    wa = windowed()
    async with running(write_config(tmp_path), wa=wa) as bot:
        await buyer_writes(bot, wa)
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        answered = len(wa.delivered(WA_ID))
        our_clock_ahead(bot, DAY + 60)  # a day later by Japri's own clock: not even tried
        await shop_says(bot)
        await bot.tg.wait_for(lambda c: any("ditahan" in t for t in seller_posts(bot)))
        held = next(t for t in seller_posts(bot) if "ditahan" in t)
        assert "begitu pembeli membalas" in held
        assert "24 jam" in held
        assert len(wa.sent("messages", WA_ID)) == answered
        assert await bot.gateway.store.outbox_depth() == 0

        our_clock_ahead(bot, 0)
        wa.now += DAY
        await buyer_writes(bot, wa, "halo kak, paketnya gimana?")
        await wa.wait_for(lambda c: any("JP123456789" in m.text for m in wa.delivered(WA_ID)))
        assert wa.templates_sent() == []


async def test_a_late_131047_in_a_failed_status_resends_it_as_the_template(
    tmp_path: Path,
) -> None:
    wa = windowed()
    wa.approve("japri_order_update", "id")
    wa.window_s = 10 * DAY  # the real API accepts first and reports the refusal later
    async with running(write_config(tmp_path, whatsapp={"templates": TEMPLATE}), wa=wa) as bot:
        await buyer_writes(bot, wa)
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        await shop_says(bot)
        await wa.wait_for(lambda c: any("JP123456789" in m.text for m in wa.delivered(WA_ID)))
        wamid = "wamid.OUT" + str(len(wa.delivered()))  # the fake numbers what it accepts
        last = wa.delivered(WA_ID)[-1]
        assert last.params["type"] == "text"
        failed = {
            "id": wamid,
            "status": "failed",
            "timestamp": "1",
            "recipient_id": WA_ID,
            "errors": [{"code": 131047, "title": "Re-engagement message"}],
        }
        assert (await bot.whatsapp(wa_envelope({"statuses": [failed]}))).status_code == 200
        await wa.wait_for(lambda c: len(wa.templates_sent(WA_ID)) == 1)


@pytest.mark.parametrize(
    ("approved", "code"),
    [({}, 132001), ({"body_params": 2}, 132000)],
    ids=["not-approved", "wrong-parameter-count"],
)
async def test_a_refused_template_is_not_retried_and_the_seller_is_told(
    tmp_path: Path, approved: dict[str, Any], code: int
) -> None:
    wa = windowed()
    if approved:
        wa.approve("japri_order_update", "id", **approved)
    async with running(write_config(tmp_path, whatsapp={"templates": TEMPLATE}), wa=wa) as bot:
        await buyer_writes(bot, wa)
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        our_clock_ahead(bot, DAY + 60)
        await shop_says(bot)
        await bot.tg.wait_for(lambda c: any("menolak template" in t for t in seller_posts(bot)))
        told = next(t for t in seller_posts(bot) if "menolak template" in t)
        assert "japri_order_update" in told
        assert str(code) in told
        await bot.gateway.outbox.close()
        tries = [c for c in wa.sent("messages", WA_ID) if c.params.get("type") == "template"]
        assert len(tries) == 1
        assert await bot.gateway.store.outbox_depth() == 0


def test_template_parameters_are_one_line_never_empty_and_as_many_as_approved() -> None:
    template = TemplateSettings(name="japri_order_update", language="ms", body_params=3)
    body = template_body(WA_ID, template, ("JP-1", "a\n\nb\tc     d", ""))
    values = [p["text"] for p in body["template"]["components"][0]["parameters"]]
    assert values == ["JP-1", "a b c d", "-"]
    assert body["template"]["language"] == {"code": "ms"}
    short = template_body(WA_ID, template, ("JP-1",))
    assert len(short["template"]["components"][0]["parameters"]) == 3


async def test_the_seller_is_warned_once_at_80_percent_of_the_monthly_allowance(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, whatsapp={"monthly_allowance": 5})
    async with running(config) as bot:
        for n in range(4):
            await bot.whatsapp(wa_text(f"halo kak {n}", f"62811000000{n}"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 4)
        await bot.tg.wait_for(lambda c: any("80%" in t for t in seller_posts(bot)))
        for n in range(4, 7):
            await bot.whatsapp(wa_text(f"halo kak {n}", f"62811000000{n}"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 7)
        await bot.gateway.outbox.close()
        warnings = [t for t in seller_posts(bot) if "80%" in t]
        assert len(warnings) == 1
        assert "4 pesan" in warnings[0]
        assert "5" in warnings[0]
        assert await bot.gateway.store.sent_this_month("whatsapp", time.time()) == 7  # no receipts


async def test_a_telegram_buyer_who_blocked_the_bot_is_unreachable_seller_told_once(
    config: Path,
) -> None:
    chat = "telegram:42"
    blocked = {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    async with running(config) as bot:
        bot.tg.fail("sendMessage", 403, blocked)
        await bot.telegram(tg_text("halo kak"))
        await bot.tg.wait_for(lambda c: any("memblokir" in t for t in seller_posts(bot)))
        assert (await bot.gateway.store.reach(chat)).unreachable
        tried = len(bot.tg.sent("sendMessage", "42"))
        await shop_says(bot, chat)
        await bot.tg.wait_for(lambda c: sum("memblokir" in t for t in seller_posts(bot)) == 2)
        assert len(bot.tg.sent("sendMessage", "42")) == tried  # not attempted
        assert "tidak dikirim" in seller_posts(bot)[-1]

        await bot.telegram(tg_text("kak maaf tadi keblokir"))  # they unblocked and wrote
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", "42")) > tried)
        assert not (await bot.gateway.store.reach(chat)).unreachable


async def test_a_buyer_who_opted_out_gets_no_shop_message_and_the_seller_knows(
    tmp_path: Path,
) -> None:
    wa = windowed()
    async with running(write_config(tmp_path), wa=wa) as bot:
        await buyer_writes(bot, wa)
        await wa.wait_for(lambda c: len(wa.delivered(WA_ID)) >= 1)
        state = await bot.gateway.store.load_state(CHAT) or {}
        turn = Turn(0, CHAT, {**state, "opted_out": True})
        await bot.gateway.store.commit_turn(turn, time.time())  # as the opt-out flow does
        sent = len(wa.sent("messages", WA_ID))
        await shop_says(bot)
        await bot.tg.wait_for(
            lambda c: any("minta tidak dikirimi" in t for t in seller_posts(bot))
        )
        assert len(wa.sent("messages", WA_ID)) == sent


# the store's side, on both implementations --------------------------------------------


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        made: Store = MemoryStore()
    elif request.param == "sqlite":
        made = SqliteStore(str(tmp_path / "s.db"))
    else:
        made = open_store(request.getfixturevalue("postgres_url"))
    await made.open()
    yield made
    await made.close()


async def test_held_rows_wait_and_a_buyer_turn_releases_them_in_order(store: Store) -> None:
    now = time.time()
    contact = Contact(CHAT, "whatsapp", WA_ID, last_seen=now - DAY)
    await store.commit_turn(Turn(0, CHAT, {}, contact=contact), now - DAY)
    first = await store.enqueue(Outgoing(CHAT, {"op": "say", "text": "a"}), now)
    await store.enqueue(Outgoing(CHAT, {"op": "say", "text": "b"}), now)
    await store.hold_outgoing(first, "window closed")
    row = await store.next_outgoing(CHAT)
    assert row is not None
    assert row.payload["text"] == "b"
    await store.mark_sent(row, "wamid.1", now)
    assert await store.next_outgoing(CHAT) is None

    reach = await store.reach(CHAT)
    assert not reach.window_open(now, DAY)
    assert reach.last_inbound == pytest.approx(now - DAY)
    await store.commit_turn(
        Turn(0, CHAT, {}, contact=Contact(CHAT, "whatsapp", WA_ID, last_seen=now)), now
    )
    released = await store.next_outgoing(CHAT)
    assert released is not None
    assert released.payload["text"] == "a"
    assert (await store.reach(CHAT)).window_open(now + 60, DAY)


async def test_reach_marks_and_the_monthly_count(store: Store) -> None:
    now = time.time()
    await store.commit_turn(Turn(0, CHAT, {}, contact=Contact(CHAT, "whatsapp", WA_ID)), now)
    assert await store.mark_reach(CHAT, now, unreachable=True)
    assert not await store.mark_reach(CHAT, now, unreachable=True)  # told once
    await store.mark_reach(CHAT, now + 1, window_closed=True)
    reach = await store.reach(CHAT)
    assert reach.unreachable
    assert not reach.window_open(now + 2, DAY)
    for n in (1, 2):
        out = Outgoing(CHAT, {"op": "say"}, log_chat=CHAT)
        row = OutboxRow(await store.enqueue(out, now), CHAT, {}, 0, 0, now, log_chat=CHAT)
        assert await store.mark_sent(row, None, now) == n
    receipt = OutboxRow(await store.enqueue(Outgoing(CHAT, {}), now), CHAT, {}, 0, 0, now)
    assert await store.mark_sent(receipt, None, now) == 0  # a read receipt is no message
    assert await store.sent_this_month("telegram", now) == 0
    assert (await store.reach("whatsapp:unknown")).last_inbound is None


async def test_a_reply_refused_for_the_window_marks_it_closed_for_the_next_shop_message(
    tmp_path: Path,
) -> None:
    wa = windowed()
    wa.approve("japri_order_update", "id")
    async with running(write_config(tmp_path, whatsapp={"templates": TEMPLATE}), wa=wa) as bot:
        wa.now -= 10  # the buyer's message reaches Japri, but their window is long gone
        await buyer_writes(bot, wa, "bahannya apa kak?")
        wa.now += 10
        await wa.wait_for(lambda c: len(wa.sent("messages", WA_ID)) >= 1)
        await bot.gateway.outbox.close()  # the reply was refused and given up
        assert wa.delivered(WA_ID) == []
        assert not (await bot.gateway.store.reach(CHAT)).window_open(time.time(), DAY)


@pytest.mark.parametrize("language", ["id", "ms", "en"])
def test_the_seller_reads_every_note_in_the_shop_language(language: str) -> None:
    assert set(TEXTS[language]) == set(TEXTS["id"])
    held = shop_text(language, "held", template="order_update", preview="Resi JP1")
    # a seller must understand it waits for the buyer and why (the 24-hour window)
    assert re.search(r"24 ?(jam|hours?)\b", held)
    assert re.search(r"(begitu|sebaik|as soon as) .*(membalas|writes)", held)
    warning = shop_text(language, "allowance", count="800", allowance="1000")
    assert "800" in warning
    assert "80%" in warning
