"""What flows into the engine (buyer messages, seller events) and what it asks for (actions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
HandoffReason = Literal["closing", "human", "complaint", "not_understood", "follow_up", "faq"]

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


@dataclass(frozen=True, slots=True)
class OrderView:
    """One of the buyer's orders as the engine knows it (the orders table is the record;
    this is the chat's snapshot of it, refreshed by every ``OrderUpdate``)."""

    number: str
    status: OrderStatus = "new"
    items: str = ""
    total: str = ""
    payment: str = ""  # as the seller wrote it ("transfer", "COD", ...)
    courier: str | None = None
    tracking: str | None = None  # exactly as written
    link: str | None = None  # the courier's tracking page
    tracking_status: str | None = None  # last known: in_transit, delivered, ... (tracking.py)
    ordered_at: float = 0.0
    promised_ship_at: float | None = None
    shipped_at: float | None = None
    delivered_at: float | None = None


OrderChange = Literal[
    "created", "paid", "shipped", "delivered", "cancelled", "returned", "tracked"
]


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """An order of this chat was recorded or moved (seller command, inbox, shop system)."""

    order: OrderView
    change: OrderChange
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


@dataclass(frozen=True, slots=True)
class Forward:
    """While a seller owns the chat: pass the buyer's message on, say nothing to the buyer."""

    message: BuyerMessage


SellerNoteKind = Literal["claimed", "reminder", "released", "idle_released"]


@dataclass(frozen=True, slots=True)
class NotifySeller:
    """Tell the seller chat something about this buyer: who took the chat, a reminder that
    the buyer is waiting, that the chat went back to the bot."""

    kind: SellerNoteKind
    seller: str | None = None
    waited_minutes: int = 0


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


Action = Say | HandOff | Forward | NotifySeller | SetTimer | CancelTimer | ShopMessage | Outcome
