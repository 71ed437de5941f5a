"""The harness's orders-* scenarios walked through the pure pieces (service + flow), with
the same expectations, so the wiring has nothing left to decide."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from bot.orders.bridge import apply_change, order_view
from bot.orders.commands import parse
from bot.orders.service import Applied, Buyer, OrderService, ServiceSettings
from bot.orders.store import MemoryOrderStore
from flows.messages import BuyerMessage
from flows.orders import (
    HandOff,
    NotifySeller,
    OrderOutcome,
    OrderSettings,
    OrdersState,
    OrdersView,
    Say,
    SetTimer,
    ShopMessage,
    UpdateOrder,
    handle,
    on_order_event,
    on_timer,
)

WIB = timezone(timedelta(hours=7))
NOW = datetime(2024, 12, 2, 21, 30, tzinfo=WIB)  # after hours: the promise is next morning
THANKS = re.compile(r"terima ?kasih|makasih|thank", re.IGNORECASE)
ORDER_NO = re.compile(
    r"(#|\b(no|nomor|order|pesanan|ref|id|kode)\b\.?\s*[:#]?)\s*[A-Z0-9][A-Z0-9-]*\d"
)
TRACKING_LIKE = re.compile(r"\b[A-Z]{0,4}\d{9,}[A-Z]{0,2}\b")
NOT_UNDERSTOOD = re.compile(r"belum paham|kurang paham|tidak paham|maksudnya (yang )?mana")


class Chat:
    """One buyer's chat: the flow state, the store, what the buyer and seller got."""

    def __init__(self, settings: OrderSettings | None = None) -> None:
        self.service = OrderService(MemoryOrderStore(), ServiceSettings())
        self.settings = settings or OrderSettings()
        self.state = OrdersState()
        self.buyer = Buyer("telegram:77", "Putri")
        self.to_buyer: list[Say | ShopMessage] = []
        self.to_seller: list[str] = []
        self.timers: dict[str, datetime] = {}

    async def view(self) -> OrdersView:
        orders = await self.service.store.for_chat(self.buyer.chat_key)
        return OrdersView(self.state, tuple(order_view(o) for o in orders), "id", "Toko", "Putri")

    def take(self, outcome: OrderOutcome) -> OrderOutcome:
        self.state = outcome.state
        for effect in outcome.effects:
            if isinstance(effect, Say | ShopMessage):
                self.to_buyer.append(effect)
            elif isinstance(effect, NotifySeller):
                self.to_seller.append(effect.text)
            elif isinstance(effect, HandOff) and effect.message != BuyerMessage():
                self.to_seller.append(effect.message.text)
            elif isinstance(effect, SetTimer):
                self.timers[effect.kind] = datetime.fromtimestamp(effect.at, WIB)
        return outcome

    async def seller(self, text: str, at: datetime) -> Applied:
        command = parse(text)
        assert command is not None
        applied = await self.service.run(command, self.buyer, at)
        self.to_seller.append(applied.reply)
        if applied.order is not None and applied.event is not None:
            view = await self.view()
            self.take(on_order_event(view, order_view(applied.order), applied.event, at,
                                     self.settings))  # fmt: skip
        return applied

    async def says(self, text: str, at: datetime) -> OrderOutcome | None:
        outcome = handle(await self.view(), BuyerMessage(text=text), at, self.settings)
        return self.take(outcome) if outcome is not None else None

    async def tick(self, at: datetime) -> None:
        for kind, due in sorted(self.timers.items(), key=lambda item: item[1]):
            if due <= at:
                del self.timers[kind]
                self.take(on_timer(await self.view(), kind, at, self.settings))


async def test_20_record_ship_and_track() -> None:
    chat = Chat()
    await chat.seller("/order 2x Sepatu Canvas 41 Rp500.000 transfer", NOW)
    (thanks,) = chat.to_buyer
    assert THANKS.search(thanks.text)
    assert ORDER_NO.search(thanks.text)
    assert not thanks.text.lstrip().startswith("/order")
    await chat.seller("/resi JNE CGK1234567890", NOW + timedelta(minutes=1))
    tracking = chat.to_buyer[-1].text
    assert "CGK1234567890" in tracking
    assert "JNE" in tracking
    assert re.search(r"https?://\S+", tracking)
    await chat.says("kak paket saya udah sampe mana ya?", NOW + timedelta(minutes=2))
    answer = chat.to_buyer[-1].text
    assert "CGK1234567890" in answer
    assert not NOT_UNDERSTOOD.search(answer)


async def test_21_no_order_asks_then_a_seller() -> None:
    chat = Chat()
    await chat.says("resi saya berapa kak?", NOW)
    (asked,) = chat.to_buyer
    assert re.search(r"pesanan|order|nomor|atas nama|pemesan|transaksi|invoice", asked.text)
    assert not TRACKING_LIKE.search(asked.text)
    await chat.says("atas nama Rina kak, pesannya minggu lalu", NOW + timedelta(seconds=5))
    assert any("minggu lalu" in line for line in chat.to_seller)
    assert not any(TRACKING_LIKE.search(s.text) for s in chat.to_buyer)


async def test_22_one_feedback_request_after_delivery() -> None:
    chat = Chat(OrderSettings(feedback_after_hours=0.0015))  # 5.4 s
    await chat.seller("/order 1x Sepatu Canvas 40 Rp250.000 transfer", NOW)
    await chat.seller("/resi SiCepat 004471239988", NOW + timedelta(seconds=1))
    assert "004471239988" in chat.to_buyer[-1].text
    delivered_at = NOW + timedelta(seconds=2)
    await chat.seller("/sampai", delivered_at)
    sent = len(chat.to_buyer)
    await chat.tick(delivered_at + timedelta(seconds=9))
    (ask,) = chat.to_buyer[sent:]
    assert len(ask.options) >= 2
    assert re.search(r"puas|gimana|bagaimana|penilaian|ulasan|review|feedback|pendapat|kesan",
                     ask.text)  # fmt: skip
    # the order now says it was asked: a timer firing again sends nothing
    applied = await chat.service.store.for_chat(chat.buyer.chat_key)
    await chat.service.store.update(
        apply_change(applied[0], UpdateOrder(applied[0].number, "feedback_asked"), NOW)
    )
    chat.timers["order_feedback:" + applied[0].number] = delivered_at
    await chat.tick(delivered_at + timedelta(seconds=15))
    assert len(chat.to_buyer) == sent + 1


async def test_26_opted_out_buyer_gets_no_updates() -> None:
    chat = Chat()
    await chat.seller("/order 1x Sepatu Canvas 38 Rp250.000 transfer", NOW)
    assert THANKS.search(chat.to_buyer[-1].text)
    await chat.says("berhenti kirim pesan ya", NOW + timedelta(seconds=5))
    sent = len(chat.to_buyer)
    await chat.seller("/resi JNE CGK5550001112", NOW + timedelta(seconds=10))
    assert len(chat.to_buyer) == sent
    assert any(
        re.search(r"berhenti|\bstop|opt.?out|tidak (mau|ingin|bersedia)|jangan|no more messages",
                  line)
        for line in chat.to_seller
    )  # fmt: skip
