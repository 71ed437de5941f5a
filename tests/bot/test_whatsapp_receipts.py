"""WhatsApp read receipts (blue ticks): a buyer's message is marked read before anything
else reaches their chat, once however often the reply is tried; perf: the receipt rides
with the turn's first reply (one outbox row, one send mark) and goes as a row of its own
only when no reply follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.commands import AckTap, MarkRead, Say, SellerNote, decode, queued
from bot.handlers import _receipt
from tests.bot.gateway_kit import FakeClock, running, wa_text

LANE = "whatsapp:6281234567890"
SELLERS = "telegram:-1001"


def _wamid(body: dict[str, Any]) -> str:
    return str(body["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


def test_the_receipt_rides_with_the_first_reply_to_the_buyer() -> None:
    outgoing = [
        queued(SELLERS, SellerNote(LANE, "🔔 Siti perlu dibantu")),
        queued(LANE, Say("Baik kak, admin segera bantu")),
        queued(LANE, Say("Sambil menunggu ...")),
    ]
    merged = _receipt(outgoing, 0, LANE, "wamid.IN1")
    assert [decode(o.payload) for o in merged] == [
        SellerNote(LANE, "🔔 Siti perlu dibantu"),
        Say("Baik kak, admin segera bantu", read="wamid.IN1"),
        Say("Sambil menunggu ..."),
    ]
    assert [o.log_chat for o in merged] == [o.log_chat for o in outgoing]  # history as before


def test_without_a_plain_reply_the_receipt_is_a_row_of_its_own_in_its_place() -> None:
    tap = queued(LANE, AckTap("t1"))
    assert _receipt([tap], 1, LANE, "wamid.IN1") == [tap, queued(LANE, MarkRead("wamid.IN1"))]
    started = queued(LANE, Say("Pesanan dikirim", initiated=True, template="order_update"))
    assert [decode(o.payload) for o in _receipt([tap, started], 1, LANE, "wamid.IN1")] == [
        AckTap("t1"),
        MarkRead("wamid.IN1"),
        Say("Pesanan dikirim", initiated=True, template="order_update"),
    ]


async def test_a_reply_marks_the_message_read_first_in_one_outbox_row(config: Path) -> None:
    async with running(config) as bot:
        body = wa_text("bahannya apa kak?")
        await bot.whatsapp(body)
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        assert [c.method for c in bot.wa.calls] == ["mark_read", "messages"]
        assert bot.wa.calls[0].params["message_id"] == _wamid(body)
        assert "katun combed" in bot.wa.calls[1].text
        await bot.gateway.outbox.close()
        sent = bot.gateway.metrics.messages_out
        assert sent.labels("whatsapp", "say")._value.get() == 1  # one row carried both
        assert sent.labels("whatsapp", "mark_read")._value.get() == 0


async def test_a_message_while_the_seller_holds_the_chat_is_still_marked_read(
    config: Path,
) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("saya mau bayar sekarang, transfer kemana kak?"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        told = len(bot.wa.sent("messages"))
        later = wa_text("kak? kok diem")
        await bot.whatsapp(later)
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("mark_read")) >= 2)
        assert bot.wa.sent("mark_read")[-1].params["message_id"] == _wamid(later)
        await bot.gateway.outbox.close()
        assert len(bot.wa.sent("messages")) == told  # no reply, only the receipt


async def test_a_failed_receipt_does_not_hold_the_reply_back_nor_come_again(
    config: Path,
) -> None:
    async with running(config, clock=FakeClock()) as bot:
        bot.wa.fail("mark_read", 500, {"error": {"code": 1, "message": "unknown error"}})
        await bot.whatsapp(wa_text("bahannya apa kak?"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await bot.gateway.outbox.close()
        assert [c.method for c in bot.wa.calls] == ["mark_read", "messages"]
        assert await bot.gateway.store.outbox_depth() == 0


async def test_a_reply_retried_after_a_500_goes_out_once(config: Path) -> None:
    async with running(config, clock=FakeClock()) as bot:
        bot.wa.fail("messages", 500, {"error": {"code": 1, "message": "unknown error"}})
        await bot.whatsapp(wa_text("bahannya apa kak?"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 2, timeout=8)
        await bot.gateway.outbox.close()
        assert await bot.gateway.store.outbox_depth() == 0
        # the first try was refused; the retry delivers the reply once, without marking
        # the message read again (the receipt went with the first try)
        assert [c.method for c in bot.wa.calls] == ["mark_read", "messages", "messages"]
