"""The values the order flow takes and gives: the buyer's orders as the flow sees them,
the chat's order state, the shop's after-sale settings, the effects, timer kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from flows.messages import (
    OPEN_STATUSES,
    CancelTimer,
    HandOff,
    NotifySeller,
    Say,
    SetTimer,
    ShopMessage,
    UpdateOrder,
)
from flows.messages import OrderChangeKind as OrderChangeKind
from flows.messages import OrderEvent as OrderEvent
from flows.messages import OrderStatus as OrderStatus
from flows.messages import OrderView as OrderView
from flows.order_texts import OrderTexts, format_date, language_of

OPEN = OPEN_STATUSES
FEEDBACK_GAP = timedelta(days=30)  # at most one feedback request per buyer in this time
LOOKBACK = timedelta(days=60)  # a closed order older than this is not "my order" any more

LATE_SHIP = "order_late_ship"
LATE_DELIVER = "order_late_deliver"
FEEDBACK = "order_feedback"
TIMER_KINDS = (LATE_SHIP, LATE_DELIVER, FEEDBACK)

# Option ids (FAQ ids hold no ':', so these never collide with an FAQ entry).
PICK = ":ord:"  # + number: "which order?"
FEEL = ":fb:"  # + good|ok|problem + ":" + number
REASON = ":ret:"  # + damaged|wrong|mismatch|other
NO_PHOTO = ":ret-nophoto"


# ---- values in (OrderView lives in flows.messages) ---------------------------------


@dataclass(frozen=True, slots=True)
class OrdersState:
    """What the order flow remembers about a chat between messages."""

    awaiting: str = ""  # "", which_order, order_number, return_order, return_reason,
    # return_photo, feedback
    about: str = ""  # the order number the question is about
    reason: str = ""  # the return reason given
    asked_number: bool = False  # "which order number?" was asked once (no order found)
    opted_out: bool = False
    open_case: str = ""  # "return:<no>" / "complaint:<no>" until a seller closes it
    last_feedback_at: float | None = None  # epoch seconds of the last feedback request

    def to_dict(self) -> dict[str, Any]:
        return {
            "awaiting": self.awaiting,
            "about": self.about,
            "reason": self.reason,
            "asked_number": self.asked_number,
            "opted_out": self.opted_out,
            "open_case": self.open_case,
            "last_feedback_at": self.last_feedback_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> OrdersState:
        data = data or {}
        last = data.get("last_feedback_at")
        return cls(
            awaiting=str(data.get("awaiting") or ""),
            about=str(data.get("about") or ""),
            reason=str(data.get("reason") or ""),
            asked_number=bool(data.get("asked_number")),
            opted_out=bool(data.get("opted_out")),
            open_case=str(data.get("open_case") or ""),
            last_feedback_at=float(last) if isinstance(last, int | float) else None,
        )


@dataclass(frozen=True, slots=True)
class OrdersView:
    """One chat as the order flow sees it."""

    state: OrdersState = field(default_factory=OrdersState)
    orders: tuple[OrderView, ...] = ()  # newest first
    language: str = "id"
    shop: str = "Toko Kami"
    buyer: str = ""  # display name, for seller notes


@dataclass(frozen=True, slots=True)
class OrderSettings:
    """The shop's order keys (config.yaml: ``after_sale.*``, ``orders.*``)."""

    feedback_after_hours: float = 48  # 0 = never ask
    delay_grace_days: float = 1
    delivery_days: float = 3  # estimate after shipping when the provider gives none
    return_policy: str = ""  # the shop's returns FAQ answer, in the chat's language
    seller_language: str = "id"  # notes to the seller chat (shop.language)
    texts: OrderTexts = field(default_factory=OrderTexts)


# ---- effects out: the engine's own actions ------------------------------------------

HandOffReason = Literal["order_lookup", "return", "complaint", "late"]
# The actions the order flow asks for (a slice of ``flows.messages.Action``). A buyer's
# opt-out is no action: ``OrdersState.opted_out`` carries it onto the Conversation.
Effect = Say | ShopMessage | HandOff | NotifySeller | UpdateOrder | SetTimer | CancelTimer


@dataclass(frozen=True, slots=True)
class OrderOutcome:
    """The chat's new order state and what to do. ``handled`` False: the message was not
    the flow's after all (a question it had asked was dropped); keep ``state`` and let the
    FAQ engine answer the message."""

    state: OrdersState
    effects: tuple[Effect, ...] = ()
    handled: bool = True


def timer_kind(base: str, number: str) -> str:
    return f"{base}:{number}"


def parse_timer_kind(kind: str) -> tuple[str, str] | None:
    """``"order_feedback:JP-2412-0007"`` → ("order_feedback", "JP-2412-0007")."""
    base, _, number = kind.partition(":")
    return (base, number) if base in TIMER_KINDS and number else None


# ---- helpers shared by the flow modules ----------------------------------------------


def lang_for(key: str, buyer_language: str, settings: OrderSettings) -> str:
    """Notes for the seller chat are in the shop's language, the rest in the buyer's."""
    return language_of(settings.seller_language if key.startswith("seller_") else buyer_language)


def order_values(order: OrderView, lang: str, settings: OrderSettings) -> dict[str, str]:
    summary = " · ".join(p for p in (order.items, order.total, order.payment) if p)
    ship = order.promised_ship_at
    same_day = (
        ship is not None
        and order.created_at is not None
        and (ship - order.created_at < timedelta(days=1))
    )
    return {
        "number": order.number,
        "items": shorten(order.items, 80),
        "summary": summary,
        "ship_date": format_date(ship, lang, with_time=same_day) if ship else "-",
        "date": format_date(order.delivered_at, lang) if order.delivered_at else "-",
        "courier": order.courier or "-",
        "tracking": order.tracking_number or "-",
        "link": order.tracking_link or "-",
    }


def number_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
