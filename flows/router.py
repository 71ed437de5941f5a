"""The engine's entry point: one pure step per event, routed to the flow it belongs to.

Flows are modules with one job each: ``flows.faq`` (answer, ask back, admit not knowing),
``flows.handoff`` (a seller takes over and gives back). A flow that holds a multi-turn
exchange names itself in ``Conversation.flow``; its messages go to it first. A new flow
registers in ``FLOWS`` (buyer messages) and claims its timer kinds in ``TIMERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from faq.model import Faq
from flows import faq as faq_flow
from flows import handoff, order_flow
from flows.language import choose_language
from flows.messages import (
    Action,
    BuyerMessage,
    Event,
    HandOff,
    OrderUpdate,
    Outcome,
    SellerReleased,
    SellerWrote,
    Tick,
)
from flows.order_intents import recognise
from flows.policy import Policy
from flows.state import Conversation, Stage

Result = tuple[Conversation, list[Action]]
MessageFlow = Callable[[Conversation, BuyerMessage, Faq, Policy, datetime], Result | None]
TickFlow = Callable[[Conversation, Tick, Faq, Policy, datetime], Result]
UpdateFlow = Callable[[Conversation, OrderUpdate, Policy, datetime], Result]

# Flows offered a buyer message before the FAQ, in order: each returns None to pass (or
# a new state with no actions: it keeps that state and passes).
FLOWS: tuple[MessageFlow, ...] = (order_flow.on_message,)


def _handoff_tick(
    conv: Conversation, event: Tick, faq: Faq, policy: Policy, now: datetime
) -> Result:
    return handoff.tick(conv, policy, now)


ORDERS: UpdateFlow = order_flow.on_update  # the flow that tells the buyer about their orders

# Which flow a timer of each kind belongs to (a kind may end in ":<ref>", e.g. an order).
TIMERS: Mapping[str, TickFlow] = {
    **dict.fromkeys(handoff.TIMER_KINDS, _handoff_tick),
    **dict.fromkeys(order_flow.TIMER_KINDS, order_flow.on_tick),
}


def step(
    conversation: Conversation, event: Event, faq: Faq, policy: Policy, now: datetime
) -> Result:
    """Advance one chat by one event.

    Args:
        conversation: the chat's state before the event.
        event: a buyer's message, a seller's move, or a timer of this chat firing.
        faq: the FAQ in force (swap it freely between calls).
        policy: the shop's settings.
        now: the caller's clock, in the shop's time zone (the engine reads none).

    Returns:
        The new state and what to do: messages, a handoff, forwards, timers.
    """
    match event:
        case SellerReleased():  # a return or complaint the seller handled is closed too
            conv, actions = handoff.released(conversation, event)
            return order_flow.close_case(conv), actions
        case SellerWrote():
            return handoff.seller_wrote(conversation, event, policy, now.timestamp())
        case Tick(kind=kind):
            flow = TIMERS.get(kind) or TIMERS.get(kind.split(":", 1)[0])
            return flow(conversation, event, faq, policy, now) if flow else (conversation, [])
        case OrderUpdate():
            return ORDERS(conversation, event, policy, now)
        case BuyerMessage():
            return _buyer(conversation, event, faq, policy, now)


def _buyer(
    conversation: Conversation, message: BuyerMessage, faq: Faq, policy: Policy, now: datetime
) -> Result:
    language = choose_language(
        conversation.language, message.text, message.language_hint, policy.language
    )
    conv = conversation.evolve(
        language=language, last_message_at=now.timestamp(), turns=conversation.turns + 1
    )
    if conv.stage is Stage.HANDED_OFF:
        answer = _clear_answer(conv, message, faq, policy)
        conv, actions = handoff.while_handed_off(conv, message, answer)
        return conv, [*actions, Outcome("answer" if answer else "forward")]
    for flow in FLOWS:
        result = flow(conv, message, faq, policy, now)
        if result is not None:
            conv, actions = result
            if not actions:
                continue
            if not any(isinstance(a, Outcome) for a in actions):
                actions = [*actions, Outcome("order")]
            return conv, actions
    decision = faq_flow.decide(conv, message, faq)
    conv, actions = faq_flow.respond(conv, message, decision, policy, now)
    return conv, [*actions, _outcome(decision, actions)]


def _outcome(decision: faq_flow.Decision, actions: list[Action]) -> Outcome:
    """The turn in one word: a handoff names its reason (two misses in a row hand off too),
    also where no seller is set up to take it (the buyer is told how to reach the shop)."""
    entry = decision.entry.id if decision.entry else None
    options = tuple(e.id for e in decision.options)
    for action in actions:
        if isinstance(action, HandOff):
            return Outcome("handoff", action.reason, entry, options, decision.score)
    reason = (decision.reason or "human") if decision.verdict == "handoff" else None  # as said
    return Outcome(decision.verdict, reason, entry, options, decision.score)


def _clear_answer(
    conv: Conversation, message: BuyerMessage, faq: Faq, policy: Policy
) -> str | None:
    """The FAQ's answer when the message is a clear FAQ question (while a seller is awaited).
    A question about the buyer's own order is not one: the seller, who has the order at
    hand, answers it (a generic FAQ text about shipping would not)."""
    if conv.seller is not None or message.kind not in ("text", "choice"):
        return None
    if recognise(message.text) is not None:
        return None
    decision = faq_flow.decide(conv.evolve(options=(), follow_up_of=None), message, faq)
    entry = decision.entry
    if decision.verdict != "answer" or decision.hedged or entry is None or entry.answer is None:
        return None  # only what the bot is sure of, while a seller is awaited
    return entry.answer.get(conv.language or policy.language, policy.language)
