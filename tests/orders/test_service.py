"""Seller commands, webhook posts and tracking news carried out over a memory store."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.orders.bridge import apply_change, order_view
from bot.orders.commands import parse
from bot.orders.model import Order
from bot.orders.service import Applied, Buyer, OrderService, ServiceSettings
from bot.orders.store import MemoryOrderStore
from bot.orders.tracking import TrackEvent, TrackResult
from bot.orders.webhook import parse_body
from bot.orders.workdays import WorkWeek
from flows.messages import UpdateOrder

WIB = timezone(timedelta(hours=7))
NOW = datetime(2024, 12, 2, 10, tzinfo=WIB)  # Monday
PUTRI = Buyer("telegram:42", "Putri", "081234567890")


def service(**settings: object) -> OrderService:
    week = WorkWeek.parse(days=range(6), hours=("08:00", "17:00"))
    return OrderService(MemoryOrderStore(), ServiceSettings(week=week, **settings))  # type: ignore[arg-type]


async def run(
    svc: OrderService, text: str, buyer: Buyer | None = PUTRI, at: datetime = NOW
) -> Applied:
    command = parse(text, bot_username="japri_bot")
    assert command is not None
    return await svc.run(command, buyer, at, who="seller:Budi")


async def test_order_then_resi_then_sampai() -> None:
    svc = service()
    recorded = await run(svc, "/order 2x Sepatu Canvas 41 Rp500.000 transfer")
    assert recorded.order is not None
    assert recorded.event == "recorded"
    assert recorded.order.number == "JP-2412-0001"
    assert recorded.order.promised_ship_at == NOW + timedelta(days=1)
    assert recorded.order.phone == "081234567890"
    assert "JP-2412-0001" in recorded.reply
    shipped = await run(svc, "/resi@japri_bot jnt JP123456789", at=NOW + timedelta(hours=3))
    assert shipped.event == "shipped"
    assert shipped.order is not None
    assert (shipped.order.courier, shipped.order.tracking_number) == ("J&T Express", "JP123456789")
    assert "JP123456789" in shipped.order.tracking_link
    delivered = await run(svc, "/sampai", at=NOW + timedelta(days=2))
    assert delivered.event == "delivered"
    assert delivered.order is not None
    assert [c.who for c in delivered.order.history] == ["seller:Budi"] * 6
    listed = await run(svc, "/pesanan")
    assert "JP-2412-0001" in listed.reply
    assert "delivered" in listed.reply


async def test_resi_twice_corrects_the_number_and_tells_the_buyer_again() -> None:
    svc = service()
    await run(svc, "/order 1x Topi Rp50.000")
    await run(svc, "/resi JNE CGK1")
    fixed = await run(svc, "/resi JNE CGK2")
    assert fixed.event == "shipped"
    assert fixed.order is not None
    assert fixed.order.tracking_number == "CGK2"


async def test_resi_without_an_order_records_one() -> None:
    shipped = await run(service(), "/resi SiCepat 004471239988")
    assert shipped.event == "shipped"
    assert shipped.order is not None
    assert shipped.order.tracking_number == "004471239988"


@pytest.mark.parametrize(
    ("commands", "last", "reply"),
    [
        ([], "/sampai", "Belum ada pesanan"),
        ([], "/batal", "Belum ada pesanan"),
        (["/order 1x Topi", "/batal"], "/sampai #JP-2412-0001", "sudah cancelled"),
        ([], "/pesanan", "Belum ada pesanan"),
        ([], "/resi JNE", "Format: /resi"),
        ([], "/sampai #JP-9999-0001", "#JP-9999-0001 tidak ditemukan"),
    ],
)
async def test_seller_is_told_what_went_wrong(commands: list[str], last: str, reply: str) -> None:
    svc = service()
    for text in commands:
        await run(svc, text)
    result = await run(svc, last)
    assert reply in result.reply
    assert result.event is None


async def test_outside_a_topic_by_number_or_phone() -> None:
    svc = service()
    made = await run(svc, "/order 1x Topi Rp50.000")
    assert made.order is not None
    no_buyer = await run(svc, "/sampai", buyer=None)
    assert "Pembeli belum diketahui" in no_buyer.reply
    by_phone = await run(svc, "/resi +62 812-3456-7890 JNE CGK9", buyer=None)
    assert by_phone.order is not None
    assert by_phone.order.number == made.order.number
    by_number = await run(svc, "/sampai #jp-2412-0001", buyer=None)
    assert by_number.event == "delivered"


async def test_english_seller_chat() -> None:
    result = await run(service(language="en"), "/order 1x Cap RM20 cod")
    assert result.reply.startswith("✅ Order #JP-2412-0001 recorded: 1x Cap · RM20 · cod.")


def webhook(status: str, **extra: str) -> bytes:
    body = {"order_id": "WEB-1", "buyer": {"channel": "telegram", "id": "42", "name": "Nurul"},
            "items": "1x Sepatu", "total": "Rp250.000", "status": status, **extra}  # fmt: skip
    return json.dumps(body).encode()


async def test_webhook_creates_moves_and_is_idempotent() -> None:
    svc = service()
    shipped_body = parse_body(webhook("shipped", courier="SiCepat", tracking_number="0044"))
    first = await svc.from_webhook(shipped_body, "telegram:42", NOW)
    assert first is not None
    assert first.event == "shipped"
    assert first.order is not None
    assert (first.order.external_id, first.order.courier) == ("WEB-1", "SiCepat")
    assert await svc.from_webhook(shipped_body, "telegram:42", NOW) is None
    delivered = await svc.from_webhook(parse_body(webhook("delivered")), "telegram:42", NOW)
    assert delivered is not None
    assert delivered.event == "delivered"
    back = await svc.from_webhook(parse_body(webhook("paid")), "telegram:42", NOW)
    assert back is not None
    assert back.event is None
    assert "tidak bisa" in back.reply


async def test_webhook_new_order_is_recorded() -> None:
    result = await service().from_webhook(parse_body(webhook("new")), "telegram:42", NOW)
    assert result is not None
    assert result.event == "recorded"


async def test_tracking_news() -> None:
    svc = service()
    await run(svc, "/order 1x Topi")
    shipped = await run(svc, "/resi JNE CGK1")
    assert shipped.order is not None
    order = shipped.order
    later = NOW + timedelta(hours=5)
    assert svc.should_poll(order, later)
    moving = TrackResult("in_transit", (TrackEvent(later, "in_transit", "Hub Jakarta"),))
    news = await svc.from_tracking(order, moving, later)
    assert news.event is None
    assert news.order is not None
    assert (news.order.tracking_status, news.order.tracking_note) == ("in_transit", "Hub Jakarta")
    assert not svc.should_poll(news.order, later + timedelta(hours=1))
    assert svc.should_poll(news.order, later + timedelta(hours=4))
    assert not svc.should_poll(news.order, NOW + timedelta(days=15))
    done = await svc.from_tracking(news.order, TrackResult("delivered"), later)
    assert done.event == "delivered"


async def test_bridge_view_and_buyer_changes() -> None:
    svc = service()
    made = await run(svc, "/order 1x Topi Rp50.000 COD")
    shipped = await run(svc, "/resi JNE CGK1")
    assert shipped.order is not None
    view = order_view(shipped.order)
    assert (view.number, view.status, view.cod, view.tracking_number) == (
        "JP-2412-0001", "shipped", True, "CGK1",
    )  # fmt: skip
    order: Order = shipped.order
    for change in (
        UpdateOrder(order.number, "delivered"),
        UpdateOrder(order.number, "feedback_asked"),
        UpdateOrder(order.number, "feedback", "good"),
        UpdateOrder(order.number, "late_notice", "deliver"),
        UpdateOrder(order.number, "late_notice", "deliver"),
        UpdateOrder(order.number, "return_requested", "damaged"),
    ):
        order = apply_change(order, change, NOW)
    assert order.status == "delivered"
    assert order.feedback == "good"
    assert order.feedback_asked_at == NOW
    assert order.late_notices == ("deliver",)
    assert order.history[-1].field == "return_requested"
    assert made.order is not None


async def test_csv_import_creates_then_updates() -> None:
    from bot.orders.csvio import parse_import

    svc = service()
    text = (
        "order_id,nama,no hp,produk,total,status,kurir,resi\n"
        "SHOP-1,Budi,0812,1x Topi,Rp50.000,paid,,\n"
    )
    (row,), _ = parse_import(text, tz=WIB)
    created = await svc.import_row(row, "whatsapp:62812", NOW)
    assert created.order is not None
    assert (created.order.status, created.order.buyer_name, created.order.chat_key) == (
        "paid", "Budi", "whatsapp:62812",
    )  # fmt: skip
    (again,), _ = parse_import(text.replace("paid,,", "shipped,jnt,JP1"), tz=WIB)
    shipped = await svc.import_row(again, "whatsapp:62812", NOW)
    assert shipped.event == "shipped"
    assert shipped.order is not None
    assert shipped.order.number == created.order.number
    assert shipped.order.courier == "J&T Express"
    same = await svc.import_row(again, "whatsapp:62812", NOW)
    assert same.event is None
