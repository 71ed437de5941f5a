"""After the sale, the buyer's side: "where is my order?", returns, feedback, opt-out, and
what to say and schedule when a seller records, ships, delivers or cancels an order.

Pure: no I/O, no clock (``now`` is passed in, aware, in the shop's time zone). The router
calls, for one chat:

- ``handle(view, message, now, settings) -> Outcome | None`` on each buyer message, before
  the FAQ engine; None means "not about orders, carry on" (``Outcome.handled`` False: the
  same, but save ``Outcome.state``).
- ``on_order_event(view, order, event, now, settings) -> Outcome`` after a seller command,
  the orders webhook or an import changed an order (``event``: recorded, paid, shipped,
  delivered, cancelled, returned).
- ``on_timer(view, kind, now, settings) -> Outcome`` when a timer set by ``SetTimer`` fires.
- ``plan_timers(order, settings, state)`` — the timers an order wants in its status
  (``on_order_event`` already includes them; use it after an import or a restart).

``view`` is an ``OrdersView``: the chat's ``OrdersState`` (kept in the conversation's
flow slot, ``to_dict``/``from_dict``), the buyer's orders as ``OrderView`` values (newest
first), the chat language, shop name and buyer's display name. ``Outcome.state`` is the
new ``OrdersState``; ``Outcome.effects`` are, in order:

- ``Say(text, options)``, a reply to the buyer, and ``ShopSay(text, options, params)``, a
  message the shop starts (WhatsApp: the ``order_update`` template with ``params`` outside
  the 24-hour window) — never one when the buyer opted out (``NotifySeller`` says so);
- ``HandOff(reason, note)`` the chat to a seller (reason: order_lookup, return,
  complaint, late);
- ``NotifySeller(text)`` a line in the seller chat about this buyer;
- ``OrderChange(number, change, value)`` for the order store (``delivered``,
  ``return_requested``, ``feedback``, ``feedback_asked``, ``late_notice``);
- ``SetTimer(kind, due_at, data)`` / ``CancelTimer(kind)`` per chat; kinds
  ``order_late_ship:<no>``, ``order_late_deliver:<no>``, ``order_feedback:<no>``;
- ``SetOptOut(opted_out)`` for the contact book (the state carries it too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from flows.messages import BuyerMessage, Option
from flows.order_intents import feeling, recognise, return_reason, says_no
from flows.order_templates import order_update_params
from flows.order_texts import OrderTexts, format_date, language_of

OrderStatus = Literal["new", "paid", "shipped", "delivered", "cancelled", "returned"]
OrderEvent = Literal["recorded", "paid", "shipped", "delivered", "cancelled", "returned"]
OPEN: frozenset[str] = frozenset({"new", "paid", "shipped"})
FEEDBACK_GAP = timedelta(days=30)  # at most one feedback request per buyer in this time
_LOOKBACK = timedelta(days=60)  # a closed order older than this is not "my order" any more

LATE_SHIP = "order_late_ship"
LATE_DELIVER = "order_late_deliver"
FEEDBACK = "order_feedback"
TIMER_KINDS = (LATE_SHIP, LATE_DELIVER, FEEDBACK)

# Option ids (FAQ ids hold no ':', so these never collide with an FAQ entry).
_PICK = ":ord:"  # + number: "which order?"
_FEEL = ":fb:"  # + good|ok|problem + ":" + number
_REASON = ":ret:"  # + damaged|wrong|mismatch|other
_NO_PHOTO = ":ret-nophoto"


# ---- values in ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderView:
    """One of the buyer's orders, as much as the flow needs (``bot.orders.model.Order``
    maps onto it)."""

    number: str
    status: OrderStatus
    items: str
    total: str = ""
    payment: str = ""
    cod: bool = False
    created_at: datetime | None = None
    promised_ship_at: datetime | None = None
    courier: str = ""
    tracking_number: str = ""  # exactly as written
    tracking_link: str = ""
    tracking_status: str = ""  # bot.orders.tracking.TrackStatus, "" = nothing known
    tracking_note: str = ""  # the courier's last scan, as reported
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    eta: datetime | None = None  # a provider's delivery estimate, if any
    late_notices: tuple[str, ...] = ()  # "ship", "deliver": apologies already sent
    feedback_asked_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN


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


# ---- effects out -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Say:
    """A reply to the buyer's message."""

    text: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True)
class ShopSay:
    """A message the shop starts (thank-you, tracking, apology, feedback request): on
    WhatsApp outside the 24-hour window it goes as the ``order_update`` template with
    ``params`` ({{1}} order number, {{2}} one line of news, {{3}} link), else is held."""

    text: str
    options: tuple[Option, ...] = ()
    params: tuple[str, ...] = ()


HandOffReason = Literal["order_lookup", "return", "complaint", "late"]


@dataclass(frozen=True, slots=True)
class HandOff:
    reason: HandOffReason
    note: str = ""  # the case card for the seller chat
    message: BuyerMessage | None = None  # the buyer's message to show the seller


@dataclass(frozen=True, slots=True)
class NotifySeller:
    text: str


OrderChangeKind = Literal[
    "delivered", "return_requested", "feedback", "feedback_asked", "late_notice"
]


@dataclass(frozen=True, slots=True)
class OrderChange:
    number: str
    change: OrderChangeKind
    value: str = ""  # feedback: good|ok|problem; late_notice: ship|deliver; reason


@dataclass(frozen=True, slots=True)
class SetTimer:
    kind: str
    due_at: datetime
    data: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CancelTimer:
    kind: str


@dataclass(frozen=True, slots=True)
class SetOptOut:
    opted_out: bool


Effect = Say | ShopSay | HandOff | NotifySeller | OrderChange | SetTimer | CancelTimer | SetOptOut


@dataclass(frozen=True, slots=True)
class Outcome:
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


# ---- buyer messages ----------------------------------------------------------------------


def handle(
    view: OrdersView, message: BuyerMessage, now: datetime, settings: OrderSettings
) -> Outcome | None:
    """The order flow's answer to a buyer message, or None when it is not about orders."""
    flow = _Flow(view, now, settings)
    state = view.state
    if message.choice and message.choice.startswith(":"):
        tapped = flow.tapped(message.choice, message)
        if tapped is not None:
            return tapped
    if state.awaiting:
        pending = flow.pending(message)
        if pending is not None:
            return pending
        state = replace(state, awaiting="", about="", reason="")
        flow = _Flow(replace(view, state=state), now, settings)
    intent = recognise(message.text) if message.text else None
    if intent == "opt_out":
        return flow.opt_out()
    if intent == "opt_in":
        return flow.opt_in()
    if intent == "return":
        return flow.start_return(message)
    if intent == "arrived":
        return flow.arrived()
    if intent == "where":
        return flow.where(message)
    if state is not view.state:
        return Outcome(state, handled=False)  # our question was dropped; the FAQ answers
    return None


def close_case(state: OrdersState) -> OrdersState:
    """A seller resolved the return or complaint: feedback may be asked again."""
    return replace(state, open_case="")


class _Flow:
    def __init__(self, view: OrdersView, now: datetime, settings: OrderSettings) -> None:
        self.view = view
        self.state = view.state
        self.now = now
        self.settings = settings
        self.lang = language_of(view.language)

    def t(self, key: str, order: OrderView | None = None, **values: str) -> str:
        lang = _lang_for(key, self.lang, self.settings)
        if order is not None:
            values = {**_order_values(order, lang, self.settings), **values}
        return self.settings.texts.get(key, lang, shop=self.view.shop, **values)

    def seller_word(self, key: str) -> str:
        return self.settings.texts.get(key, language_of(self.settings.seller_language))

    def order(self, number: str) -> OrderView | None:
        wanted = _key(number)
        return next((o for o in self.view.orders if _key(o.number) == wanted), None)

    def mentioned(self, text: str) -> OrderView | None:
        """An order whose number the buyer typed (``#JP-2412-0007``, ``2412-0007``, ``0007``)."""
        folded = _key(text)
        if not folded:
            return None
        for order in self.view.orders:
            key = _key(order.number)
            if key in folded:
                return order
        for order in self.view.orders:  # the month and sequence alone: "2412-0007"
            tail = _key(order.number.split("-", 1)[-1])
            if len(tail) >= 4 and tail in folded:
                return order
        return None

    def recent(self) -> list[OrderView]:
        """Open orders, else closed ones from the last weeks (newest first)."""
        open_orders = [o for o in self.view.orders if o.is_open]
        if open_orders:
            return open_orders
        return [
            o
            for o in self.view.orders
            if o.created_at is None or self.now - o.created_at <= _LOOKBACK
        ][:1]

    def pick(self, orders: Sequence[OrderView], awaiting: str, key: str) -> Outcome:
        options = tuple(
            Option(f"{_PICK}{o.number}", _short(f"#{o.number} · {o.items}", 60)) for o in orders
        )
        state = replace(self.state, awaiting=awaiting, about="")
        return Outcome(state, (Say(self.t(key), options[:10]),))

    # -- where is my order --

    def where(self, message: BuyerMessage) -> Outcome:
        candidates = self.recent()
        chosen = self.mentioned(message.text)
        if chosen is None and len(candidates) > 1:
            chosen = _by_items(candidates, message.text)  # "paket sepatu saya di mana?"
        if chosen is not None:
            return self.status_of(chosen)
        if len(candidates) == 1:
            return self.status_of(candidates[0])
        if candidates:
            return self.pick(candidates, "which_order", "which_order")
        if self.state.asked_number:
            return self.lookup_handoff(message)
        state = replace(self.state, awaiting="order_number", asked_number=True)
        return Outcome(state, (Say(self.t("ask_order_number")),))

    def lookup_handoff(self, message: BuyerMessage) -> Outcome:
        state = replace(self.state, awaiting="", about="")
        note = message.text
        return Outcome(
            state,
            (Say(self.t("lookup_handoff")), HandOff("order_lookup", note, message)),
        )

    def status_of(self, order: OrderView) -> Outcome:
        state = replace(self.state, awaiting="", about="")
        effects: list[Effect] = []
        if order.status in ("new", "paid"):
            late = order.promised_ship_at is not None and self.now > order.promised_ship_at
            effects.append(Say(self.t("preparing_late" if late else "preparing", order)))
            if late:
                effects.append(NotifySeller(self.t("seller_not_shipped_asked", order)))
        elif order.status == "shipped":
            text = self.t("shipped", order)
            words = self.settings.texts.status(order.tracking_status, self.lang)
            if words:  # only what a provider reported: never a guessed status
                detail = f"{words} — {order.tracking_note}" if order.tracking_note else words
                text += "\n" + self.t("status_line", status=detail)
            effects.append(Say(text))
        elif order.status == "delivered":
            effects.append(Say(self.t("delivered", order)))
        elif order.status == "cancelled":
            effects.append(Say(self.t("cancelled_status", order)))
        else:
            effects.append(Say(self.t("returned_status", order)))
        return Outcome(state, tuple(effects))

    # -- the buyer says it arrived --

    def arrived(self) -> Outcome | None:
        shipped = [o for o in self.view.orders if o.status == "shipped"]
        if not shipped:
            return None  # nothing on its way: a plain "thanks", the engine answers it
        order = shipped[0]
        effects: list[Effect] = [
            OrderChange(order.number, "delivered"),
            Say(self.t("arrived_thanks")),
        ]
        effects.extend(
            _timers(
                replace(order, status="delivered", delivered_at=self.now),
                self.settings,
                self.state,
            )
        )
        return Outcome(replace(self.state, awaiting="", about=""), tuple(effects))

    # -- returns --

    def start_return(self, message: BuyerMessage) -> Outcome:
        chosen = self.mentioned(message.text)
        candidates = [o for o in self.view.orders if o.status in ("delivered", "shipped")]
        if chosen is None and len(candidates) > 1:
            reason = return_reason(message.text) or ""
            outcome = self.pick(candidates, "return_order", "return_which")
            return replace(outcome, state=replace(outcome.state, reason=reason))
        order = chosen or (candidates[0] if candidates else None)
        if order is None:
            texts = [self.settings.return_policy, self.t("return_none")]
            text = "\n\n".join(t for t in texts if t)
            note = self.t(
                "seller_return",
                items="-",
                number="?",
                reason=message.text,
                photo=self.seller_word("no"),
            )
            return Outcome(
                replace(self.state, awaiting=""),
                (Say(text), HandOff("return", note, message)),
            )
        return self.return_for(order, return_reason(message.text) or "")

    def return_for(self, order: OrderView, reason: str) -> Outcome:
        policy = self.settings.return_policy
        state = replace(self.state, about=order.number, reason=reason)
        if reason:
            text = "\n\n".join(t for t in (policy, self.t("return_photo")) if t)
            photo = (Option(_NO_PHOTO, self.t("no_photo")),)
            return Outcome(replace(state, awaiting="return_photo"), (Say(text, photo),))
        text = "\n\n".join(t for t in (policy, self.t("return_start", order)) if t)
        options = tuple(
            Option(f"{_REASON}{r}", self.t(f"reason_{r}"))
            for r in ("damaged", "wrong", "mismatch", "other")
        )
        return Outcome(replace(state, awaiting="return_reason"), (Say(text, options),))

    def finish_return(self, message: BuyerMessage | None, photo: bool) -> Outcome:
        order = self.order(self.state.about)
        number = order.number if order else self.state.about
        reason_key = self.state.reason or "other"
        reason = self.seller_word(f"reason_{reason_key}") if reason_key in _REASONS else reason_key
        photo_text = self.seller_word("yes" if photo else "no")
        if order is not None:
            note = self.t("seller_return", order, reason=reason, photo=photo_text)
        else:
            note = self.t(
                "seller_return", number=number, items="-", reason=reason, photo=photo_text
            )
        state = replace(self.state, awaiting="", about="", reason="", open_case=f"return:{number}")
        effects: list[Effect] = [
            Say(self.t("return_handoff")),
            OrderChange(number, "return_requested", reason_key),
            CancelTimer(timer_kind(FEEDBACK, number)),
            HandOff("return", note, message),
        ]
        return Outcome(state, tuple(effects))

    # -- opt-out --

    def opt_out(self) -> Outcome:
        if self.state.opted_out:
            return Outcome(self.state)  # confirmed once already
        state = replace(self.state, opted_out=True, awaiting="", about="")
        return Outcome(state, (Say(self.t("opt_out")), SetOptOut(True)))

    def opt_in(self) -> Outcome | None:
        if not self.state.opted_out:
            return None
        state = replace(self.state, opted_out=False)
        return Outcome(state, (Say(self.t("opt_in")), SetOptOut(False)))

    # -- answers to our own questions --

    def tapped(self, choice: str, message: BuyerMessage) -> Outcome | None:
        if choice.startswith(_PICK):
            order = self.order(choice[len(_PICK) :])
            if order is None:
                return None
            if self.state.awaiting == "return_order":
                return self.return_for(order, self.state.reason)
            return self.status_of(order)
        if choice.startswith(_FEEL):
            feel, _, number = choice[len(_FEEL) :].partition(":")
            if feel in ("good", "ok", "problem"):
                return self.feedback(number, feel, message)
            return None
        if choice.startswith(_REASON) and self.state.about:
            reason = choice[len(_REASON) :]
            state = replace(self.state, reason=reason, awaiting="return_photo")
            options = (Option(_NO_PHOTO, self.t("no_photo")),)
            return Outcome(state, (Say(self.t("return_photo"), options),))
        if choice == _NO_PHOTO and self.state.about:
            return self.finish_return(message, photo=False)
        return None

    def pending(self, message: BuyerMessage) -> Outcome | None:
        awaiting = self.state.awaiting
        text = message.text
        if awaiting == "order_number":
            chosen = self.mentioned(text)
            if chosen is not None:
                return self.status_of(chosen)
            if recognise(text) in ("opt_out", "return"):
                return None
            return self.lookup_handoff(message)  # still no order: a seller looks it up
        if awaiting in ("which_order", "return_order"):
            chosen = self.mentioned(text) or _by_items(self.view.orders, text)
            if chosen is None:
                return None
            if awaiting == "return_order":
                return self.return_for(chosen, self.state.reason)
            return self.status_of(chosen)
        if awaiting == "return_reason":
            if recognise(text) == "opt_out":
                return None
            reason = return_reason(text) or (text.strip()[:200] if text.strip() else "")
            if not reason:
                return None
            state = replace(self.state, reason=reason, awaiting="return_photo")
            options = (Option(_NO_PHOTO, self.t("no_photo")),)
            return Outcome(state, (Say(self.t("return_photo"), options),))
        if awaiting == "return_photo":
            if message.kind in ("photo", "video", "document"):
                return self.finish_return(message, photo=True)
            if says_no(text):
                return self.finish_return(message, photo=False)
            return None
        if awaiting == "feedback":
            feel = feeling(text)
            if feel is None:
                return None
            return self.feedback(self.state.about, feel, message)
        return None

    def feedback(self, number: str, feel: str, message: BuyerMessage) -> Outcome:
        order = self.order(number)
        state = replace(self.state, awaiting="", about="")
        change = OrderChange(number, "feedback", feel)
        if feel == "good":
            return Outcome(state, (change, Say(self.t("feedback_thanks_good"))))
        if feel == "ok":
            return Outcome(state, (change, Say(self.t("feedback_thanks_ok"))))
        if order is not None:
            note = self.t("seller_problem", order)
        else:
            note = self.t("seller_problem", number=number, items="-")
        state = replace(state, open_case=f"complaint:{number}")
        return Outcome(
            state, (change, Say(self.t("feedback_sorry")), HandOff("complaint", note, message))
        )


_REASONS = ("damaged", "wrong", "mismatch", "other")


# ---- seller-side events and timers -------------------------------------------------------


def on_order_event(
    view: OrdersView, order: OrderView, event: OrderEvent, now: datetime, settings: OrderSettings
) -> Outcome:
    """What the buyer is told (unless they opted out) and which timers change when a seller
    or a shop system records ``event`` on ``order`` (``order`` already in its new state)."""
    lang = language_of(view.language)
    values = _order_values(order, lang, settings)
    key = {"recorded": "thank_you", "shipped": "shipped", "cancelled": "cancelled"}.get(event)
    effects: list[Effect] = []
    if key is not None:
        if view.state.opted_out:
            seller = language_of(settings.seller_language)
            note = settings.texts.get(
                "seller_opted_out", seller, buyer=view.buyer or "-",
                **_order_values(order, seller, settings),
            )  # fmt: skip
            effects.append(NotifySeller(note))
        else:
            text = settings.texts.get(key, lang, shop=view.shop, **values)
            effects.append(ShopSay(text, (), order_update_params(order, event, lang)))
    effects.extend(_timers(order, settings, view.state))
    return Outcome(view.state, tuple(effects))


def plan_timers(
    order: OrderView, settings: OrderSettings, state: OrdersState | None = None
) -> tuple[SetTimer | CancelTimer, ...]:
    """The timers ``order`` wants in its current status; the others of it are cancelled.

    new/paid: the late-shipping apology at the promised date. shipped: the late-delivery
    apology at the estimate (provider's, or shipped + ``delivery_days``) plus
    ``delay_grace_days``. delivered: the feedback request ``feedback_after_hours`` later
    (0 = never). Apologies already sent and feedback already asked are not set again.
    """
    return tuple(_timers(order, settings, state or OrdersState()))


def _timers(
    order: OrderView, settings: OrderSettings, state: OrdersState
) -> list[SetTimer | CancelTimer]:
    data = {"order": order.number}
    want: dict[str, datetime] = {}
    if (
        order.status in ("new", "paid")
        and order.promised_ship_at
        and "ship" not in order.late_notices
    ):
        want[LATE_SHIP] = order.promised_ship_at
    elif order.status == "shipped" and "deliver" not in order.late_notices:
        start = order.shipped_at or order.created_at
        estimate = order.eta or (start + timedelta(days=settings.delivery_days) if start else None)
        if estimate is not None:
            want[LATE_DELIVER] = estimate + timedelta(days=settings.delay_grace_days)
    elif (
        order.status == "delivered"
        and settings.feedback_after_hours > 0
        and order.feedback_asked_at is None
        and order.delivered_at is not None
    ):
        want[FEEDBACK] = order.delivered_at + timedelta(hours=settings.feedback_after_hours)
    timers: list[SetTimer | CancelTimer] = []
    for base in TIMER_KINDS:
        kind = timer_kind(base, order.number)
        if base in want:
            timers.append(SetTimer(kind, want[base], data))
        else:
            timers.append(CancelTimer(kind))
    return timers


def on_timer(view: OrdersView, kind: str, now: datetime, settings: OrderSettings) -> Outcome:
    """What to do when a timer fires. Each check is made again against the order as it is
    now: a timer that is no longer due (shipped meanwhile, already apologised, a complaint
    open, feedback asked within 30 days, buyer opted out) does nothing for the buyer."""
    parsed = parse_timer_kind(kind)
    state = view.state
    if parsed is None:
        return Outcome(state)
    base, number = parsed
    order = next((o for o in view.orders if _key(o.number) == _key(number)), None)
    if order is None:
        return Outcome(state)
    buyer_lang = language_of(view.language)

    def text(key: str) -> str:
        lang = _lang_for(key, buyer_lang, settings)
        values = _order_values(order, lang, settings)
        return settings.texts.get(key, lang, shop=view.shop, buyer=view.buyer or "-", **values)

    if base == LATE_SHIP:
        if order.status not in ("new", "paid") or "ship" in order.late_notices:
            return Outcome(state)
        return Outcome(
            state,
            _apology(
                state, order, "ship", text("late_ship"), text("seller_late_ship"), buyer_lang
            ),
        )
    if base == LATE_DELIVER:
        if order.status != "shipped" or "deliver" in order.late_notices:
            return Outcome(state)
        return Outcome(
            state,
            _apology(
                state,
                order,
                "deliver",
                text("late_deliver"),
                text("seller_late_deliver"),
                buyer_lang,
            ),
        )
    # feedback
    if order.status != "delivered" or order.feedback_asked_at is not None:
        return Outcome(state)
    if state.opted_out or state.open_case:
        return Outcome(state)
    stamp = now.timestamp()
    if (
        state.last_feedback_at is not None
        and stamp - state.last_feedback_at < FEEDBACK_GAP.total_seconds()
    ):
        return Outcome(state)
    options = tuple(
        Option(f"{_FEEL}{feel}:{order.number}", settings.texts.get(f"feedback_{feel}", buyer_lang))
        for feel in ("good", "ok", "problem")
    )
    new_state = replace(state, awaiting="feedback", about=order.number, last_feedback_at=stamp)
    return Outcome(
        new_state,
        (
            ShopSay(
                text("feedback_ask"), options, order_update_params(order, "feedback", buyer_lang)
            ),
            OrderChange(order.number, "feedback_asked"),
        ),
    )


def _apology(
    state: OrdersState,
    order: OrderView,
    which: str,
    buyer_text: str,
    seller_text: str,
    language: str,
) -> tuple[Effect, ...]:
    effects: list[Effect] = []
    if not state.opted_out:
        effects.append(ShopSay(buyer_text, (), order_update_params(order, "late", language)))
    effects += [NotifySeller(seller_text), OrderChange(order.number, "late_notice", which)]
    return tuple(effects)


# ---- helpers -----------------------------------------------------------------------------


def _lang_for(key: str, buyer_language: str, settings: OrderSettings) -> str:
    """Notes for the seller chat are in the shop's language, the rest in the buyer's."""
    return language_of(settings.seller_language if key.startswith("seller_") else buyer_language)


def _order_values(order: OrderView, lang: str, settings: OrderSettings) -> dict[str, str]:
    summary = " · ".join(p for p in (order.items, order.total, order.payment) if p)
    ship = order.promised_ship_at
    same_day = (
        ship is not None
        and order.created_at is not None
        and (ship - order.created_at < timedelta(days=1))
    )
    return {
        "number": order.number,
        "items": _short(order.items, 80),
        "summary": summary,
        "ship_date": format_date(ship, lang, with_time=same_day) if ship else "-",
        "date": format_date(order.delivered_at, lang) if order.delivered_at else "-",
        "courier": order.courier or "-",
        "tracking": order.tracking_number or "-",
        "link": order.tracking_link or "-",
    }


def _key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _by_items(orders: Sequence[OrderView], text: str) -> OrderView | None:
    """The one order whose items share a word with what the buyer typed (``"yang sepatu"``)."""
    words = {w for w in _words(text) if len(w) >= 3}
    hits = [o for o in orders if words & _words(o.items)]
    return hits[0] if len(hits) == 1 else None


def _words(text: str) -> set[str]:
    return set("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())
