"""After-sale decisions: what a recorded, shipped, delivered or cancelled order tells the
buyer, which timers an order wants, and what a timer does when it fires."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from flows.messages import CancelTimer, NotifySeller, Option, SetTimer, ShopMessage, UpdateOrder
from flows.order_model import (
    FEEDBACK,
    FEEDBACK_GAP,
    FEEL,
    LATE_DELIVER,
    LATE_SHIP,
    TIMER_KINDS,
    Effect,
    OrderEvent,
    OrderOutcome,
    OrderSettings,
    OrdersState,
    OrdersView,
    OrderView,
    lang_for,
    number_key,
    order_values,
    parse_timer_kind,
    timer_kind,
)
from flows.order_templates import order_update_params
from flows.order_texts import language_of

# ---- seller-side events -------------------------------------------------------


def on_order_event(
    view: OrdersView, order: OrderView, event: OrderEvent, now: datetime, settings: OrderSettings
) -> OrderOutcome:
    """What the buyer is told (unless they opted out) and which timers change when a seller
    or a shop system records ``event`` on ``order`` (``order`` already in its new state)."""
    lang = language_of(view.language)
    values = order_values(order, lang, settings)
    key = {"recorded": "thank_you", "shipped": "shipped", "cancelled": "cancelled"}.get(event)
    effects: list[Effect] = []
    if key is not None:
        if view.state.opted_out:
            seller = language_of(settings.seller_language)
            note = settings.texts.get(
                "seller_opted_out", seller, buyer=view.buyer or "-",
                **order_values(order, seller, settings),
            )  # fmt: skip
            effects.append(NotifySeller("order", text=note))
        else:
            text = settings.texts.get(key, lang, shop=view.shop, **values)
            effects.append(ShopMessage(text, params=order_update_params(order, event, lang)))
    effects.extend(_timers(order, settings, view.state))
    return OrderOutcome(view.state, tuple(effects))


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
            timers.append(SetTimer(kind, want[base].timestamp(), {"order": order.number}))
        else:
            timers.append(CancelTimer(kind))
    return timers


def on_timer(view: OrdersView, kind: str, now: datetime, settings: OrderSettings) -> OrderOutcome:
    """What to do when a timer fires. Each check is made again against the order as it is
    now: a timer that is no longer due (shipped meanwhile, already apologised, a complaint
    open, feedback asked within 30 days, buyer opted out) does nothing for the buyer."""
    parsed = parse_timer_kind(kind)
    state = view.state
    if parsed is None:
        return OrderOutcome(state)
    base, number = parsed
    order = next((o for o in view.orders if number_key(o.number) == number_key(number)), None)
    if order is None:
        return OrderOutcome(state)
    buyer_lang = language_of(view.language)

    def text(key: str) -> str:
        lang = lang_for(key, buyer_lang, settings)
        values = order_values(order, lang, settings)
        return settings.texts.get(key, lang, shop=view.shop, buyer=view.buyer or "-", **values)

    if base == LATE_SHIP:
        if order.status not in ("new", "paid") or "ship" in order.late_notices:
            return OrderOutcome(state)
        return OrderOutcome(
            state,
            _apology(
                state, order, "ship", text("late_ship"), text("seller_late_ship"), buyer_lang
            ),
        )
    if base == LATE_DELIVER:
        if order.status != "shipped" or "deliver" in order.late_notices:
            return OrderOutcome(state)
        return OrderOutcome(
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
        return OrderOutcome(state)
    if state.opted_out or state.open_case:
        return OrderOutcome(state)
    stamp = now.timestamp()
    if (
        state.last_feedback_at is not None
        and stamp - state.last_feedback_at < FEEDBACK_GAP.total_seconds()
    ):
        return OrderOutcome(state)
    options = tuple(
        Option(f"{FEEL}{feel}:{order.number}", settings.texts.get(f"feedback_{feel}", buyer_lang))
        for feel in ("good", "ok", "problem")
    )
    new_state = replace(state, awaiting="feedback", about=order.number, last_feedback_at=stamp)
    return OrderOutcome(
        new_state,
        (
            ShopMessage(
                text("feedback_ask"),
                options,
                params=order_update_params(order, "feedback", buyer_lang),
            ),
            UpdateOrder(order.number, "feedback_asked"),
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
        effects.append(
            ShopMessage(buyer_text, params=order_update_params(order, "late", language))
        )
    effects += [
        NotifySeller("order", text=seller_text),
        UpdateOrder(order.number, "late_notice", which),
    ]
    return tuple(effects)
