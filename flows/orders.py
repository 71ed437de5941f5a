"""After the sale, the buyer's side: "where is my order?", returns, feedback, opt-out, and
what to say and schedule when a seller records, ships, delivers or cancels an order.

Pure: no I/O, no clock (``now`` is passed in, aware, in the shop's time zone). The router
calls, for one chat:

- ``handle(view, message, now, settings) -> OrderOutcome | None`` on each buyer message, before
  the FAQ engine; None means "not about orders, carry on" (``OrderOutcome.handled`` False: the
  same, but save ``OrderOutcome.state``).
- ``on_order_event(view, order, event, now, settings) -> OrderOutcome`` after a seller command,
  the orders webhook or an import changed an order (``event``: recorded, paid, shipped,
  delivered, cancelled, returned).
- ``on_timer(view, kind, now, settings) -> OrderOutcome`` when a timer set by ``SetTimer`` fires.
- ``plan_timers(order, settings, state)`` — the timers an order wants in its status
  (``on_order_event`` already includes them; use it after an import or a restart).

``view`` is an ``OrdersView``: the chat's ``OrdersState`` (kept in the conversation's
flow slot, ``to_dict``/``from_dict``), the buyer's orders as ``OrderView`` values (newest
first), the chat language, shop name and buyer's display name. ``OrderOutcome.state`` is the
new ``OrdersState``; ``OrderOutcome.effects`` are the engine's own actions
(``flows.messages``), in order:

- ``Say(text, options)``, a reply to the buyer, and ``ShopMessage(text, options,
  "order_update", params)``, a message the shop starts (WhatsApp: the ``order_update``
  template with ``params`` outside the 24-hour window) — never one when the buyer opted out
  (``NotifySeller`` says so);
- ``HandOff(reason, message, note)`` the chat to a seller (reason: order_lookup, return,
  complaint, late);
- ``NotifySeller("order", text=...)`` a line in the seller chat about this buyer;
- ``UpdateOrder(number, change, value)`` for the order store (``delivered``,
  ``return_requested``, ``feedback``, ``feedback_asked``, ``late_notice``);
- ``SetTimer(kind, at, data)`` / ``CancelTimer(kind)`` per chat; kinds
  ``order_late_ship:<no>``, ``order_late_deliver:<no>``, ``order_feedback:<no>``.

A buyer's opt-out (or back in) is ``OrdersState.opted_out``, no action.

Everything is importable from here; the values live in ``flows.order_model``, the
after-sale decisions in ``flows.order_aftersale``, recognition in ``flows.order_intents``,
texts in ``flows.order_texts``, the order form in ``flows.order_form``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from flows.messages import (
    BuyerMessage,
    CancelTimer,
    HandOff,
    NotifySeller,
    Option,
    Say,
    SetTimer,
    ShopMessage,
    UpdateOrder,
)
from flows.order_aftersale import on_order_event, on_timer, plan_timers
from flows.order_intents import feeling, recognise, return_reason, says_no
from flows.order_model import (
    FEEDBACK,
    FEEDBACK_GAP,
    FEEL,
    LATE_DELIVER,
    LATE_SHIP,
    LOOKBACK,
    NO_PHOTO,
    OPEN,
    PICK,
    REASON,
    TIMER_KINDS,
    Effect,
    HandOffReason,
    OrderChangeKind,
    OrderEvent,
    OrderOutcome,
    OrderSettings,
    OrdersState,
    OrderStatus,
    OrdersView,
    OrderView,
    lang_for,
    number_key,
    order_values,
    parse_timer_kind,
    shorten,
    timer_kind,
)
from flows.order_texts import language_of

__all__ = [
    "FEEDBACK", "FEEDBACK_GAP", "LATE_DELIVER", "LATE_SHIP", "OPEN", "TIMER_KINDS",
    "CancelTimer", "Effect", "HandOff", "HandOffReason", "NotifySeller",
    "OrderChangeKind", "OrderEvent", "OrderOutcome", "OrderSettings", "OrderStatus", "OrderView",
    "OrdersState", "OrdersView", "Say", "SetTimer", "ShopMessage", "UpdateOrder",
    "close_case", "handle", "on_order_event", "on_timer", "parse_timer_kind", "plan_timers",
    "timer_kind",
]  # fmt: skip


# ---- buyer messages ----------------------------------------------------------------------


def handle(
    view: OrdersView, message: BuyerMessage, now: datetime, settings: OrderSettings
) -> OrderOutcome | None:
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
    if intent == "return" and view.orders:  # no order at all: the FAQ's policy, or a
        return flow.start_return(message)  # complaint handoff, answers it
    if intent == "arrived":
        return flow.arrived()
    if intent == "where":
        return flow.where(message)
    if state is not view.state:
        return OrderOutcome(state, handled=False)  # our question was dropped; the FAQ answers
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
        lang = lang_for(key, self.lang, self.settings)
        if order is not None:
            values = {**order_values(order, lang, self.settings), **values}
        return self.settings.texts.get(key, lang, shop=self.view.shop, **values)

    def seller_word(self, key: str) -> str:
        return self.settings.texts.get(key, language_of(self.settings.seller_language))

    def order(self, number: str) -> OrderView | None:
        wanted = number_key(number)
        return next((o for o in self.view.orders if number_key(o.number) == wanted), None)

    def mentioned(self, text: str) -> OrderView | None:
        """An order whose number the buyer typed (``#JP-2412-0007``, ``2412-0007``, ``0007``)."""
        folded = number_key(text)
        if not folded:
            return None
        for order in self.view.orders:
            key = number_key(order.number)
            if key in folded:
                return order
        for order in self.view.orders:  # the month and sequence alone: "2412-0007"
            tail = number_key(order.number.split("-", 1)[-1])
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
            if o.created_at is None or self.now - o.created_at <= LOOKBACK
        ][:1]

    def pick(self, orders: Sequence[OrderView], awaiting: str, key: str) -> OrderOutcome:
        options = tuple(
            Option(f"{PICK}{o.number}", shorten(f"#{o.number} · {o.items}", 60)) for o in orders
        )
        state = replace(self.state, awaiting=awaiting, about="")
        return OrderOutcome(state, (Say(self.t(key), options[:10]),))

    # -- where is my order --

    def where(self, message: BuyerMessage) -> OrderOutcome:
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
        return OrderOutcome(state, (Say(self.t("ask_order_number")),))

    def lookup_handoff(self, message: BuyerMessage) -> OrderOutcome:
        state = replace(self.state, awaiting="", about="")
        note = message.text
        return OrderOutcome(
            state,
            (Say(self.t("lookup_handoff")), HandOff("order_lookup", message, note)),
        )

    def status_of(self, order: OrderView) -> OrderOutcome:
        state = replace(self.state, awaiting="", about="")
        effects: list[Effect] = []
        if order.status in ("new", "paid"):
            late = order.promised_ship_at is not None and self.now > order.promised_ship_at
            effects.append(Say(self.t("preparing_late" if late else "preparing", order)))
            if late:
                effects.append(
                    NotifySeller("order", text=self.t("seller_not_shipped_asked", order))
                )
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
        return OrderOutcome(state, tuple(effects))

    # -- the buyer says it arrived --

    def arrived(self) -> OrderOutcome | None:
        shipped = [o for o in self.view.orders if o.status == "shipped"]
        if not shipped:
            return None  # nothing on its way: a plain "thanks", the engine answers it
        order = shipped[0]
        effects: list[Effect] = [
            UpdateOrder(order.number, "delivered"),
            Say(self.t("arrived_thanks")),
        ]
        effects.extend(
            plan_timers(
                replace(order, status="delivered", delivered_at=self.now),
                self.settings,
                self.state,
            )
        )
        return OrderOutcome(replace(self.state, awaiting="", about=""), tuple(effects))

    # -- returns --

    def start_return(self, message: BuyerMessage) -> OrderOutcome:
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
            return OrderOutcome(
                replace(self.state, awaiting=""),
                (Say(text), HandOff("return", message, note)),
            )
        return self.return_for(order, return_reason(message.text) or "")

    def return_for(self, order: OrderView, reason: str) -> OrderOutcome:
        policy = self.settings.return_policy
        state = replace(self.state, about=order.number, reason=reason)
        if reason:
            text = "\n\n".join(t for t in (policy, self.t("return_photo")) if t)
            photo = (Option(NO_PHOTO, self.t("no_photo")),)
            return OrderOutcome(replace(state, awaiting="return_photo"), (Say(text, photo),))
        text = "\n\n".join(t for t in (policy, self.t("return_start", order)) if t)
        options = tuple(
            Option(f"{REASON}{r}", self.t(f"reason_{r}"))
            for r in ("damaged", "wrong", "mismatch", "other")
        )
        return OrderOutcome(replace(state, awaiting="return_reason"), (Say(text, options),))

    def finish_return(self, message: BuyerMessage | None, photo: bool) -> OrderOutcome:
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
            UpdateOrder(number, "return_requested", reason_key),
            CancelTimer(timer_kind(FEEDBACK, number)),
            HandOff("return", message or BuyerMessage(), note),
        ]
        return OrderOutcome(state, tuple(effects))

    # -- opt-out --

    def opt_out(self) -> OrderOutcome:
        if self.state.opted_out:
            return OrderOutcome(self.state)  # confirmed once already
        state = replace(self.state, opted_out=True, awaiting="", about="")
        return OrderOutcome(state, (Say(self.t("opt_out")),))

    def opt_in(self) -> OrderOutcome | None:
        if not self.state.opted_out:
            return None
        state = replace(self.state, opted_out=False)
        return OrderOutcome(state, (Say(self.t("opt_in")),))

    # -- answers to our own questions --

    def tapped(self, choice: str, message: BuyerMessage) -> OrderOutcome | None:
        if choice.startswith(PICK):
            order = self.order(choice[len(PICK) :])
            if order is None:
                return None
            if self.state.awaiting == "return_order":
                return self.return_for(order, self.state.reason)
            return self.status_of(order)
        if choice.startswith(FEEL):
            feel, _, number = choice[len(FEEL) :].partition(":")
            if feel in ("good", "ok", "problem"):
                return self.feedback(number, feel, message)
            return None
        if choice.startswith(REASON) and self.state.about:
            reason = choice[len(REASON) :]
            state = replace(self.state, reason=reason, awaiting="return_photo")
            options = (Option(NO_PHOTO, self.t("no_photo")),)
            return OrderOutcome(state, (Say(self.t("return_photo"), options),))
        if choice == NO_PHOTO and self.state.about:
            return self.finish_return(message, photo=False)
        return None

    def pending(self, message: BuyerMessage) -> OrderOutcome | None:
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
            options = (Option(NO_PHOTO, self.t("no_photo")),)
            return OrderOutcome(state, (Say(self.t("return_photo"), options),))
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

    def feedback(self, number: str, feel: str, message: BuyerMessage) -> OrderOutcome:
        order = self.order(number)
        state = replace(self.state, awaiting="", about="")
        change = UpdateOrder(number, "feedback", feel)
        if feel == "good":
            return OrderOutcome(state, (change, Say(self.t("feedback_thanks_good"))))
        if feel == "ok":
            return OrderOutcome(state, (change, Say(self.t("feedback_thanks_ok"))))
        if order is not None:
            note = self.t("seller_problem", order)
        else:
            note = self.t("seller_problem", number=number, items="-")
        state = replace(state, open_case=f"complaint:{number}")
        return OrderOutcome(
            state, (change, Say(self.t("feedback_sorry")), HandOff("complaint", message, note))
        )


_REASONS = ("damaged", "wrong", "mismatch", "other")


def _by_items(orders: Sequence[OrderView], text: str) -> OrderView | None:
    """The one order whose items share a word with what the buyer typed (``"yang sepatu"``)."""
    words = {w for w in _words(text) if len(w) >= 3}
    hits = [o for o in orders if words & _words(o.items)]
    return hits[0] if len(hits) == 1 else None


def _words(text: str) -> set[str]:
    return set("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())
