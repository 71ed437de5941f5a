"""An order: what was bought, by which chat, where it is, and every change made to it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal, get_args

from bot.errors import BotError

Status = Literal["new", "paid", "shipped", "delivered", "cancelled", "returned"]
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN_STATUSES: frozenset[Status] = frozenset({"new", "paid", "shipped"})

# Where an order may go from each status. Skipping ahead is allowed (a COD order is shipped
# without being paid first; a shop system may report "delivered" for an order we never saw
# shipped); going back is not: a delivered parcel is not "paid" again.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    "new": frozenset({"paid", "shipped", "delivered", "cancelled"}),
    "paid": frozenset({"shipped", "delivered", "cancelled"}),
    "shipped": frozenset({"delivered", "returned", "cancelled"}),
    "delivered": frozenset({"returned"}),
    "cancelled": frozenset(),
    "returned": frozenset(),
}


class OrderError(BotError):
    """An order operation that cannot be done; the message says why, naming the order."""


class InvalidTransition(OrderError):
    """A status change the rules do not allow (e.g. delivered → paid)."""

    def __init__(self, number: str, current: Status, wanted: Status) -> None:
        self.number = number
        self.current = current
        self.wanted = wanted
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (final)"
        super().__init__(
            f"order {number}: cannot go from '{current}' to '{wanted}' (allowed: {allowed})"
        )


@dataclass(frozen=True, slots=True)
class Change:
    """One line of an order's history: who changed what, when."""

    at: datetime
    who: str  # "seller:Budi", "webhook", "buyer", "tracking:biteship", "import"
    field: str  # "status", "tracking_number", "created", ...
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Order:
    """One buyer's order. Amounts and items are kept as the seller wrote them."""

    number: str  # "JP-2412-0007"
    chat_key: str
    items: str
    created_at: datetime
    total: str = ""
    cod: bool = False
    payment: str = ""  # as written: "transfer", "COD", "BCA" ...
    status: Status = "new"
    buyer_name: str = ""
    phone: str = ""
    address: str = ""
    courier: str = ""  # normalised display name: "J&T Express"
    tracking_number: str = ""  # exactly as written
    tracking_link: str = ""
    tracking_status: str = ""  # last known (tracking.TrackStatus) or ""
    tracking_note: str = ""  # the courier's last scan, as the provider reported it
    tracking_checked_at: datetime | None = None  # the provider was last asked then
    eta: datetime | None = None  # the provider's delivery estimate, if any
    promised_ship_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    closed_at: datetime | None = None  # cancelled or returned
    external_id: str = ""  # a shop system's order_id (webhook, CSV)
    history: tuple[Change, ...] = ()
    # after-sale bookkeeping (flows.orders decides; the store keeps it)
    late_notices: tuple[str, ...] = ()  # "ship", "deliver": apologies already sent
    feedback_asked_at: datetime | None = None
    feedback: str = ""  # puas | biasa | masalah

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def with_history(self, change: Change) -> Order:
        return replace(self, history=(*self.history, change))


def can_move(current: Status, wanted: Status) -> bool:
    """Whether the rules allow ``current`` → ``wanted``."""
    return wanted in TRANSITIONS[current]


def move(order: Order, wanted: Status, *, at: datetime, who: str, **fields: Any) -> Order:
    """The order in status ``wanted``, with ``fields`` set and the change in its history.

    Raises:
        InvalidTransition: the rules do not allow this move.
    """
    if wanted not in STATUSES:
        raise OrderError(f"order {order.number}: unknown status '{wanted}'")
    if not can_move(order.status, wanted):
        raise InvalidTransition(order.number, order.status, wanted)
    stamps: dict[str, Any] = {}
    if wanted == "shipped":
        stamps["shipped_at"] = at
    elif wanted == "delivered":
        stamps["delivered_at"] = at
    elif wanted in ("cancelled", "returned"):
        stamps["closed_at"] = at
    moved = replace(order, status=wanted, **stamps)
    moved = moved.with_history(Change(at, who, "status", order.status, wanted))
    return edit(moved, at=at, who=who, **fields)


def edit(order: Order, *, at: datetime, who: str, **fields: Any) -> Order:
    """The order with ``fields`` changed (not its status), each change in its history."""
    if "status" in fields:
        raise OrderError(f"order {order.number}: change the status with move()")
    current = order
    for name, value in fields.items():
        old = getattr(current, name)
        if old == value:
            continue
        current = replace(current, **{name: value}).with_history(
            Change(at, who, name, _text(old), _text(value))
        )
    return current


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def order_number(created_at: datetime, sequence: int, prefix: str = "JP") -> str:
    """A short, human order number: prefix, year and month, and the month's sequence.

    ``order_number(datetime(2024, 12, 3), 7)`` is ``"JP-2412-0007"``; the store hands out
    the sequence, so numbers are unique per shop. Past 9999 in a month it just grows.
    """
    return f"{prefix}-{created_at:%y%m}-{sequence:04d}"


def number_key(text: str) -> str:
    """How an order number is compared: ``#jp-2412-0007`` and ``JP 2412 0007`` are one."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def phone_key(phone: str) -> str:
    """How phone numbers are compared: ``0812-3456``, ``+62 812 3456`` and ``628123456`` are
    one number (Indonesian 0/62 and Malaysian 0/60 prefixes dropped)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in ("62", "60", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 7:
            return digits[len(prefix) :]
    return digits


_TIMES = ("created_at", "promised_ship_at", "shipped_at", "delivered_at", "closed_at",
          "feedback_asked_at", "tracking_checked_at", "eta")  # fmt: skip


def to_dict(order: Order) -> dict[str, Any]:
    """The order as JSON-able values (ISO times with offsets), for a store or an export."""
    data: dict[str, Any] = {}
    for name in Order.__dataclass_fields__:
        value = getattr(order, name)
        if name == "history":
            value = [
                {
                    "at": c.at.isoformat(),
                    "who": c.who,
                    "field": c.field,
                    "old": c.old,
                    "new": c.new,
                }
                for c in value
            ]
        elif name == "late_notices":
            value = list(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        data[name] = value
    return data


def from_dict(data: dict[str, Any]) -> Order:
    """The order ``to_dict`` wrote. Raises ``OrderError`` on a malformed record."""
    try:
        values = {k: v for k, v in data.items() if k in Order.__dataclass_fields__}
        for name in _TIMES:
            if values.get(name):
                values[name] = datetime.fromisoformat(values[name])
        values["history"] = tuple(
            Change(datetime.fromisoformat(c["at"]), c["who"], c["field"], c["old"], c["new"])
            for c in values.get("history", ())
        )
        values["late_notices"] = tuple(values.get("late_notices", ()))
        if values.get("status", "new") not in STATUSES:
            raise OrderError(f"unknown status {values.get('status')!r}")
        return Order(**values)
    except (KeyError, TypeError, ValueError) as exc:
        raise OrderError(f"malformed order record: {exc}") from None
