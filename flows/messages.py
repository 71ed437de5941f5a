"""What flows into the engine (buyer messages, seller events) and what it asks for (actions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

MessageKind = Literal[
    "text",
    "choice",
    "photo",
    "video",
    "voice",
    "audio",
    "document",
    "sticker",
    "location",
    "contact",
    "other",
]
HandoffReason = Literal[
    "closing",
    "human",
    "complaint",
    "not_understood",
    "follow_up",
    "faq",
    "order_lookup",
    "return",
    "late",
]

HUMAN_OPTION = ":human"  # an option id no FAQ entry can have (ids hold no ':')
NOT_THIS = ":not_this"  # the option under a hedged answer: "that is not what I meant"


@dataclass(frozen=True, slots=True)
class BuyerMessage:
    """One message from a buyer, already stripped of platform details.

    ``choice`` is the option id when the buyer tapped a button; ``language_hint`` is what
    the platform says of the buyer's language (Telegram's ``language_code``), if anything.
    """

    text: str = ""
    kind: MessageKind = "text"
    choice: str | None = None
    language_hint: str | None = None


@dataclass(frozen=True, slots=True)
class SellerReleased:
    """A seller gave the chat back to the bot (``/done`` or the button)."""

    seller: str | None = None


@dataclass(frozen=True, slots=True)
class SellerWrote:
    """A seller answered the buyer, or pressed "Take over" (``answered`` False): the chat
    is theirs and the bot stays quiet."""

    seller: str
    answered: bool = True


@dataclass(frozen=True, slots=True)
class Tick:
    """A timer of this chat fired (``kind`` as it was set, with its ``data``): the engine
    keeps the promise it made (remind the seller, reassure the buyer, give an idle chat
    back, send an order update ...)."""

    kind: str = "handoff"
    data: Mapping[str, Any] = field(default_factory=dict)


OrderStatus = Literal["new", "paid", "shipped", "delivered", "cancelled", "returned"]
OPEN_STATUSES: frozenset[str] = frozenset({"new", "paid", "shipped"})


@dataclass(frozen=True, slots=True)
class OrderView:
    """One of the buyer's orders as the engine sees it (``bot.orders.model.Order`` is the
    record, ``bot.orders.bridge.order_view`` maps it; the chat keeps a snapshot)."""

    number: str
    status: OrderStatus = "new"
    items: str = ""
    total: str = ""
    payment: str = ""  # as the seller wrote it ("transfer", "COD", ...)
    cod: bool = False
    created_at: datetime | None = None
    promised_ship_at: datetime | None = None
    courier: str = ""
    tracking_number: str = ""  # exactly as written
    tracking_link: str = ""  # the courier's tracking page
    tracking_status: str = ""  # bot.orders.tracking.TrackStatus, "" = nothing known
    tracking_note: str = ""  # the courier's last scan, as reported
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    eta: datetime | None = None  # a provider's delivery estimate, if any
    late_notices: tuple[str, ...] = ()  # "ship", "deliver": apologies already sent
    feedback_asked_at: datetime | None = None
    buyer_name: str = ""  # as the order was recorded (seller notes name the buyer)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: datetimes as ISO strings."""
        data: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderView:
        """Back from ``to_dict``; unknown keys are ignored.

        Raises:
            ValueError: no number, or a malformed field.
        """
        if not isinstance(data.get("number"), str):
            raise ValueError("an order needs a number")
        values: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            if name not in data:
                continue
            value = data[name]
            if name in _WHEN and value is not None:
                value = (
                    datetime.fromisoformat(value)
                    if isinstance(value, str)
                    else datetime.fromtimestamp(float(value), UTC)
                )
            elif name == "late_notices":
                value = tuple(str(v) for v in value or ())
            values[name] = value
        return cls(**values)


_WHEN = frozenset(
    {"created_at", "promised_ship_at", "shipped_at", "delivered_at", "eta", "feedback_asked_at"}
)

# What happened to an order: the engine's OrderUpdate names it.
OrderEvent = Literal["recorded", "paid", "shipped", "delivered", "cancelled", "returned"]


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """An order of this chat was recorded or moved (seller command, inbox, shop system)."""

    order: OrderView
    change: OrderEvent
    by: str | None = None  # the seller, or the shop system


Event = BuyerMessage | SellerReleased | SellerWrote | Tick | OrderUpdate


@dataclass(frozen=True, slots=True)
class Option:
    """A choice offered to the buyer; channels render it as a button or numbered line."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Say:
    """Send the buyer a message, with options to tap when there are any."""

    text: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class HandOff:
    """Pass the chat to a human seller; the buyer has been told (a ``Say`` before this)."""

    reason: HandoffReason
    message: BuyerMessage = field(default_factory=BuyerMessage)
    note: str = ""  # a case card for the seller chat (an order, a return reason ...)


@dataclass(frozen=True, slots=True)
class Forward:
    """While a seller owns the chat: pass the buyer's message on, say nothing to the buyer."""

    message: BuyerMessage


SellerNoteKind = Literal["claimed", "reminder", "released", "idle_released", "order"]


@dataclass(frozen=True, slots=True)
class NotifySeller:
    """Tell the seller chat something about this buyer: who took the chat, a reminder that
    the buyer is waiting, that the chat went back to the bot."""

    kind: SellerNoteKind
    seller: str | None = None
    waited_minutes: int = 0
    text: str = ""  # kind "order": the words, already in the shop's language


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Wake this chat up at ``at`` (epoch seconds) with ``Tick(kind, data)``; a chat has one
    timer per kind, so setting a kind again moves it."""

    kind: str
    at: float
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CancelTimer:
    """Forget this chat's timer of ``kind`` (nothing happens if there is none)."""

    kind: str


@dataclass(frozen=True, slots=True)
class ShopMessage:
    """A message the shop starts (an order update, a feedback request), not a reply.

    Channels treat it differently from ``Say``: WhatsApp allows it only inside the buyer's
    24-hour window, else as the approved ``template`` (filled with ``params``), else it is
    held until the buyer writes; a buyer who opted out gets none (the engine checks)."""

    text: str
    options: tuple[Option, ...] = ()
    template: str = "order_update"  # the whatsapp.templates key to use outside the window
    params: tuple[str, ...] = ()  # the template's body parameters, in order


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the bot made of a buyer's message, for logs, metrics, statistics and lessons
    (nothing is sent for it): ``action`` is answer, clarify, fallback, small_talk, media,
    handoff (with its ``reason``), forward (during a handoff) or order."""

    action: str
    reason: str | None = None
    faq_id: str | None = None
    options: tuple[str, ...] = ()
    score: float = 0.0

    @property
    def name(self) -> str:
        """``action`` or ``action:reason``, as logs and the store record it."""
        return f"{self.action}:{self.reason}" if self.reason else self.action


OrderChangeKind = Literal[
    "delivered", "return_requested", "feedback", "feedback_asked", "late_notice"
]


@dataclass(frozen=True, slots=True)
class UpdateOrder:
    """Change the order record (the buyer says it arrived, a feedback tap, an apology or
    a feedback request went out): applied by the caller with ``bot.orders.bridge``."""

    number: str
    change: OrderChangeKind
    value: str = ""  # feedback: good|ok|problem; late_notice: ship|deliver; a reason


Action = (
    Say
    | HandOff
    | Forward
    | NotifySeller
    | SetTimer
    | CancelTimer
    | ShopMessage
    | Outcome
    | UpdateOrder
)
