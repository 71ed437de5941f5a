"""Carrying out order commands, webhook posts and tracking news against an ``OrderStore``.

Each call returns an ``Applied``: the order as it now is, the ``event`` to hand to
``flows.orders.on_order_event`` (which words the buyer gets and which timers change), and
``reply``, a line for the seller chat (an acknowledgement, or what was wrong).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.orders.commands import (
    BadCommand,
    Cancel,
    ListOrders,
    MarkDelivered,
    OrderCommand,
    RecordOrder,
    Ship,
    Target,
)
from bot.orders.couriers import normalize, tracking_link
from bot.orders.csvio import ImportRow
from bot.orders.model import (
    OPEN_STATUSES,
    Change,
    InvalidTransition,
    Order,
    Status,
    edit,
    move,
)
from bot.orders.seller_texts import SELLER_TEXTS
from bot.orders.store import OrderStore
from bot.orders.tracking import TrackResult
from bot.orders.webhook import WebhookOrder
from bot.orders.workdays import WorkWeek, promised_ship_at
from flows.order_texts import format_date, language_of
from flows.orders import OrderEvent

_EVENT_OF: dict[Status, OrderEvent] = {
    "new": "recorded",
    "paid": "paid",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "returned": "returned",
}


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    ship_days: float = 1  # orders.ship_days
    week: WorkWeek = field(default_factory=WorkWeek)  # from shop.hours / shop.workdays
    prefix: str = "JP"
    links: Mapping[str, str] = field(default_factory=dict)  # tracking.links
    language: str = "id"  # the seller chat's language (shop.language)
    poll_every_hours: float = 4
    poll_give_up_days: float = 14


@dataclass(frozen=True, slots=True)
class Applied:
    order: Order | None = None
    event: OrderEvent | None = None  # for flows.orders.on_order_event; None = buyer not told
    reply: str = ""  # for the seller chat
    orders: tuple[Order, ...] = ()  # /pesanan


@dataclass(frozen=True, slots=True)
class Buyer:
    """The buyer a command is about, when known from the topic (or the webhook)."""

    chat_key: str
    name: str = ""
    phone: str = ""


class OrderService:
    """Order operations over a store; no messages are sent here."""

    def __init__(self, store: OrderStore, settings: ServiceSettings | None = None) -> None:
        self.store = store
        self.settings = settings or ServiceSettings()

    def _say(self, key: str, **values: str) -> str:
        lang = language_of(self.settings.language)
        return SELLER_TEXTS[lang][key].format(**values)

    # ---- seller commands ----

    async def run(
        self,
        command: OrderCommand | BadCommand,
        buyer: Buyer | None,
        now: datetime,
        who: str = "seller",
    ) -> Applied:
        """Carry out a seller command about ``buyer`` (None: outside a buyer's topic)."""
        if isinstance(command, BadCommand):
            return Applied(reply=self._say("usage", usage=command.usage))
        if isinstance(command, RecordOrder):
            return await self._record(command, buyer, now, who)
        orders, problem = await self._orders_for(command.target, buyer)
        if problem:
            return Applied(reply=problem)
        if isinstance(command, ListOrders):
            return self._list(orders)
        if isinstance(command, Ship):
            return await self._ship(command, orders, buyer, now, who)
        wanted: Status = "delivered" if isinstance(command, MarkDelivered) else "cancelled"
        # /sampai means the parcel on its way first; /batal the newest open order
        target = _latest(orders, ("shipped",)) if wanted == "delivered" else None
        target = target or _latest(orders, tuple(OPEN_STATUSES))
        if command.target and command.target.order_number and orders:
            target = orders[0]
        if target is None:
            return Applied(reply=self._say("no_order", usage="/order …"))
        reason = command.reason if isinstance(command, Cancel) else ""
        return await self._move(target, wanted, now, who, reason=reason)

    async def _orders_for(
        self, target: Target | None, buyer: Buyer | None
    ) -> tuple[list[Order], str]:
        if target is not None and target.order_number:
            found = await self.store.get(target.order_number)
            if found is None:
                return [], self._say("not_found", target="#" + target.order_number)
            return [found], ""
        if target is not None and target.phone:
            found_by_phone = await self.store.by_phone(target.phone)
            if not found_by_phone:
                return [], self._say("not_found", target=target.phone)
            return found_by_phone, ""
        if buyer is None:
            return [], self._say("no_buyer")
        return await self.store.for_chat(buyer.chat_key), ""

    async def _record(
        self, command: RecordOrder, buyer: Buyer | None, now: datetime, who: str
    ) -> Applied:
        chat_key = buyer.chat_key if buyer else ""
        phone = buyer.phone if buyer else ""
        if command.target is not None and command.target.phone:
            phone = command.target.phone
            known = await self.store.by_phone(phone)
            chat_key = known[0].chat_key if known else chat_key
        if not chat_key:
            return Applied(reply=self._say("no_buyer"))
        order = Order(
            number="",
            chat_key=chat_key,
            items=command.items,
            total=command.total,
            payment=command.payment,
            cod=command.cod,
            created_at=now,
            buyer_name=buyer.name if buyer else "",
            phone=phone,
            promised_ship_at=promised_ship_at(now, self.settings.ship_days, self.settings.week),
        )
        order = await self.store.create(_created(order, now, who), self.settings.prefix)
        return Applied(order, "recorded", self._ack("recorded", order))

    async def _ship(
        self, command: Ship, orders: list[Order], buyer: Buyer | None, now: datetime, who: str
    ) -> Applied:
        courier = normalize(command.courier)
        link = tracking_link(courier, command.number, self.settings.links)
        fields = {"courier": courier, "tracking_number": command.number, "tracking_link": link,
                  "tracking_status": "", "tracking_note": ""}  # fmt: skip
        target = _latest(orders, ("paid", "new"))
        if target is None:
            shipped = _latest(orders, ("shipped",))
            if shipped is not None:  # a corrected tracking number: tell the buyer again
                order = await self.store.update(edit(shipped, at=now, who=who, **fields))
                return Applied(order, "shipped", self._ack("shipped", order))
            if buyer is None:
                return Applied(reply=self._say("no_order", usage="/order …"))
            # a shipment with no order recorded: record it, so the buyer still gets the number
            draft = Order(number="", chat_key=buyer.chat_key, items="", created_at=now,
                          buyer_name=buyer.name, phone=buyer.phone)  # fmt: skip
            target = await self.store.create(_created(draft, now, who), self.settings.prefix)
        return await self._move(target, "shipped", now, who, **fields)

    async def _move(
        self,
        order: Order,
        wanted: Status,
        now: datetime,
        who: str,
        reason: str = "",
        **fields: str,
    ) -> Applied:
        try:
            moved = move(order, wanted, at=now, who=who, **fields)
        except InvalidTransition:
            return Applied(order, None, self._say("invalid", number=order.number,
                                                  status=order.status, wanted=wanted))  # fmt: skip
        if reason:
            moved = moved.with_history(_note(now, who, "reason", reason))
        saved = await self.store.update(moved)
        return Applied(saved, _EVENT_OF[wanted], self._ack(_EVENT_OF[wanted], saved))

    def _list(self, orders: list[Order]) -> Applied:
        if not orders:
            return Applied(reply=self._say("list_empty"))
        lines = []
        for order in orders[:20]:
            extra = f" · {order.courier} {order.tracking_number}" if order.tracking_number else ""
            lines.append(self._say("list_line", number=order.number, status=order.status,
                                   items=order.items or "-", extra=extra))  # fmt: skip
        return Applied(reply="\n".join(lines), orders=tuple(orders))

    def _ack(self, event: str, order: Order) -> str:
        lang = language_of(self.settings.language)
        if event not in SELLER_TEXTS[lang]:
            return ""
        summary = " · ".join(p for p in (order.items, order.total, order.payment) if p) or "-"
        ship = order.promised_ship_at
        return self._say(
            event,
            number=order.number,
            summary=summary,
            ship_date=format_date(ship, lang, with_time=True) if ship else "-",
            courier=order.courier,
            tracking=order.tracking_number,
        )

    # ---- a shop system's webhook ----

    async def from_webhook(
        self, body: WebhookOrder, chat_key: str, now: datetime
    ) -> Applied | None:
        """Apply one verified webhook post for the buyer's ``chat_key``; None when this
        ``(order_id, status)`` was processed before (answer 200, send nothing)."""
        if await self.store.seen_event(body.order_id, body.status):
            return None
        who = "webhook"
        order = await self.store.by_external_id(body.order_id)
        if order is None:
            order = Order(
                number="",
                chat_key=chat_key,
                items=body.items,
                total=body.total,
                created_at=now,
                buyer_name=body.buyer.name,
                external_id=body.order_id,
                promised_ship_at=promised_ship_at(
                    now, self.settings.ship_days, self.settings.week
                ),
            )
            order = await self.store.create(_created(order, now, who), self.settings.prefix)
            if body.status == "new":
                return Applied(order, "recorded", self._ack("recorded", order))
        fields: dict[str, str] = {}
        if body.items and body.items != order.items:
            fields["items"] = body.items
        if body.total and body.total != order.total:
            fields["total"] = body.total
        if body.tracking_number:
            courier = normalize(body.courier) if body.courier else order.courier
            fields.update(
                courier=courier,
                tracking_number=body.tracking_number,
                tracking_link=tracking_link(courier, body.tracking_number, self.settings.links),
            )
        if body.status == order.status:
            if not fields:
                return Applied(order, None, "")
            saved = await self.store.update(edit(order, at=now, who=who, **fields))
            shipped = "tracking_number" in fields and saved.status == "shipped"
            event: OrderEvent | None = "shipped" if shipped else None
            return Applied(saved, event, self._ack(event, saved) if event else "")
        return await self._move(order, body.status, now, who, **fields)

    # ---- CSV import ----

    async def import_row(self, row: ImportRow, chat_key: str, now: datetime) -> Applied:
        """Create or update the order one import row describes (matched by number, then
        external id); ``chat_key`` is the buyer's chat (the caller resolves a phone).
        Buyers are not told about imported history: ``event`` is set only for a status
        the row changes, and the caller decides whether to notify."""
        who = "import"
        existing = None
        if row.number:
            existing = await self.store.get(row.number)
        if existing is None and row.external_id:
            existing = await self.store.by_external_id(row.external_id)
        fields: dict[str, object] = {
            name: value
            for name, value in (
                ("items", row.items), ("total", row.total), ("payment", row.payment),
                ("buyer_name", row.buyer_name), ("phone", row.phone),
                ("address", row.address),
            )
            if value
        }  # fmt: skip
        if row.tracking_number:
            courier = normalize(row.courier) if row.courier else ""
            fields.update(
                courier=courier,
                tracking_number=row.tracking_number,
                tracking_link=tracking_link(courier, row.tracking_number, self.settings.links),
            )
        if existing is None:
            created = row.created_at or now
            order = Order(
                number=row.number, chat_key=row.chat_key or chat_key, items=row.items,
                created_at=created, cod=row.cod, external_id=row.external_id,
                promised_ship_at=promised_ship_at(created, self.settings.ship_days,
                                                  self.settings.week),
            )  # fmt: skip
            order = await self.store.create(_created(order, now, who), self.settings.prefix)
            existing = order
        if row.status == existing.status:
            saved = await self.store.update(edit(existing, at=now, who=who, **fields))
            return Applied(saved, None, "")
        return await self._move(
            existing, row.status, now, who, **{k: str(v) for k, v in fields.items()}
        )

    # ---- tracking news ----

    def should_poll(self, order: Order, now: datetime) -> bool:
        """Whether to ask the provider about ``order`` now: shipped, with a number, not
        asked within ``poll_every_hours``, shipped less than ``poll_give_up_days`` ago."""
        if order.status != "shipped" or not order.tracking_number or order.shipped_at is None:
            return False
        if now - order.shipped_at > timedelta(days=self.settings.poll_give_up_days):
            return False
        last = order.tracking_checked_at
        return last is None or now - last >= timedelta(hours=self.settings.poll_every_hours)

    async def from_tracking(self, order: Order, result: TrackResult, now: datetime) -> Applied:
        """Record what a provider reported; a delivered parcel marks the order delivered."""
        who = "tracking"
        note = result.last_note
        fields: dict[str, object] = {"tracking_status": result.status, "tracking_note": note}
        if result.link and not order.tracking_link:
            fields["tracking_link"] = result.link
        updated = replace(order, tracking_checked_at=now)
        if result.status == "delivered" and order.status == "shipped":
            return await self._move(updated, "delivered", now, who, **{
                k: str(v) for k, v in fields.items()
            })  # fmt: skip
        if result.status == "returned" and order.status in ("shipped", "delivered"):
            return await self._move(updated, "returned", now, who, **{
                k: str(v) for k, v in fields.items()
            })  # fmt: skip
        saved = await self.store.update(edit(updated, at=now, who=who, **fields))
        return Applied(saved, None, "")


def _created(order: Order, now: datetime, who: str) -> Order:
    return order.with_history(_note(now, who, "created", order.items or "-"))


def _note(now: datetime, who: str, name: str, value: str) -> Change:
    return Change(now, who, name, None, value)


def _latest(orders: list[Order], statuses: tuple[Status, ...]) -> Order | None:
    matching = [o for o in orders if o.status in statuses]
    return max(matching, key=lambda o: (o.created_at, o.number)) if matching else None
