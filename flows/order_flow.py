"""The order flow plugged into the engine: the router's FLOWS / TIMERS / ORDERS entries.

The flow speaks the engine's actions (``flows.messages``); a ``HandOff`` also moves the
chat to the sellers (``flows.handoff.handed``).

The chat's ``OrdersState`` lives on the ``Conversation``: ``opted_out``,
``feedback_asked_at`` and ``case_open`` in their own fields, the rest (a question the
flow asked) in the flow slot under ``flow == "orders"``. ``Conversation.orders`` holds
the buyer's orders, newest first; the caller refreshes it from the order record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from faq.model import Faq
from flows import handoff
from flows import messages as m
from flows import orders as o
from flows.policy import Policy
from flows.state import Conversation

Result = tuple[Conversation, list[m.Action]]
NAME = "orders"
TIMER_KINDS = o.TIMER_KINDS  # order_late_ship, order_late_deliver, order_feedback
RETURN_FAQ_IDS = ("retur", "return", "returns", "refund", "pengembalian", "tukar-barang")


def on_message(
    conv: Conversation, message: m.BuyerMessage, faq: Faq, policy: Policy, now: datetime
) -> Result | None:
    """FLOWS entry: the order flow's answer, or None to let the FAQ answer."""
    settings = _settings(conv, faq, policy)
    outcome = o.handle(_view(conv, policy), message, now, settings)
    if outcome is None:
        return None
    conv = _with_state(conv, outcome.state)
    if not outcome.handled:
        return conv, []  # our question was dropped: keep the state, the FAQ answers
    conv, actions = _apply(conv, outcome.effects, policy, now)
    return conv, [*actions, m.Outcome("order", reason=_reason(actions))]


def _reason(actions: list[m.Action]) -> str | None:
    return next((a.reason for a in actions if isinstance(a, m.HandOff)), None)


def on_tick(conv: Conversation, tick: m.Tick, faq: Faq, policy: Policy, now: datetime) -> Result:
    """TIMERS entry for order_late_ship / order_late_deliver / order_feedback."""
    outcome = o.on_timer(_view(conv, policy), tick.kind, now, _settings(conv, faq, policy))
    return _apply(_with_state(conv, outcome.state), outcome.effects, policy, now)


def on_update(conv: Conversation, event: m.OrderUpdate, policy: Policy, now: datetime) -> Result:
    """ORDERS entry: a seller, the inbox or a shop system recorded or moved an order."""
    orders = (event.order, *(x for x in conv.orders if x.number != event.order.number))
    conv = conv.evolve(orders=orders)
    settings = _settings(conv, None, policy)
    outcome = o.on_order_event(_view(conv, policy), event.order, event.change, now, settings)
    conv = _with_state(conv, outcome.state)
    conv, actions = _apply(conv, outcome.effects, policy, now)
    return conv, [*actions, m.Outcome("order", reason=event.change)]


def close_case(conv: Conversation) -> Conversation:
    """A seller ended the handoff: a return or complaint is resolved."""
    return conv.evolve(case_open=None)


# ---- the chat as the flow sees it -----------------------------------------------------------


def _view(conv: Conversation, policy: Policy) -> o.OrdersView:
    slot = conv.flow_state if conv.flow == NAME else {}
    state = o.OrdersState.from_dict(
        {
            **slot,
            "opted_out": conv.opted_out,
            "open_case": conv.case_open or "",
            "last_feedback_at": conv.feedback_asked_at,
        }
    )
    return o.OrdersView(
        state=state,
        orders=conv.orders,
        language=conv.language or policy.language,
        shop=policy.shop_name,
        buyer=next((o.buyer_name for o in conv.orders if o.buyer_name), ""),
    )


def _with_state(conv: Conversation, state: o.OrdersState) -> Conversation:
    slot = {
        k: v
        for k, v in state.to_dict().items()
        if k in ("awaiting", "about", "reason", "asked_number") and v
    }
    changes: dict[str, object] = {
        "opted_out": state.opted_out,
        "case_open": state.open_case or None,
        "feedback_asked_at": state.last_feedback_at,
    }
    if slot:
        changes.update(flow=NAME, flow_state=slot)
    elif conv.flow == NAME:
        changes.update(flow=None, flow_state={})
    return conv.evolve(**changes)


def _settings(conv: Conversation, faq: Faq | None, policy: Policy) -> o.OrderSettings:
    settings = policy.orders
    if faq is None or settings.return_policy:
        return settings
    lang = conv.language or policy.language
    for entry_id in RETURN_FAQ_IDS:
        entry = faq.get(entry_id)
        if entry is not None and entry.answer is not None:
            return replace(settings, return_policy=entry.answer.get(lang, policy.language))
    return settings


def _apply(
    conv: Conversation, effects: Iterable[m.Action], policy: Policy, now: datetime
) -> Result:
    """The flow's actions as they are; a handoff also moves the chat to the sellers."""
    actions: list[m.Action] = []
    for action in effects:
        actions.append(action)
        if isinstance(action, m.HandOff):
            conv, actions = handoff.handed(
                conv, action.reason, policy, now.timestamp(), actions=actions
            )
    return conv, actions
