"""The handoff flow: hand a chat to a seller, keep the promises made then, give it back.

Promises are timers: "handoff_remind" (no seller within ``sla_minutes``: remind the seller
chat, reassure the buyer once) and "handoff_idle" (no seller activity for ``idle_hours``:
the chat goes back to the bot). Until a seller writes or takes the chat, the bot still
answers clear FAQ questions (the router asks the FAQ flow); it never hands off twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flows.messages import (
    Action,
    BuyerMessage,
    CancelTimer,
    Forward,
    HandOff,
    HandoffReason,
    NotifySeller,
    Say,
    SellerReleased,
    SellerWrote,
    SetTimer,
)
from flows.policy import Policy
from flows.state import Conversation, Stage

REMIND = "handoff_remind"
IDLE = "handoff_idle"
LEGACY = "handoff"  # a tick without timers of its own (chats handed off by older versions)
TIMER_KINDS = frozenset({REMIND, IDLE, LEGACY})


def hand_off(
    conv: Conversation,
    message: BuyerMessage,
    reason: HandoffReason,
    policy: Policy,
    now: datetime | None,
    actions: list[Action],
) -> tuple[Conversation, list[Action]]:
    """Tell the buyer a seller will answer, and give the chat to the sellers."""
    stamp = now.timestamp() if now is not None else 0.0
    lang = conv.language or policy.language
    texts = policy.texts
    if not policy.sellers:  # nobody can take it here: say how to reach the shop, keep helping
        told = texts.get("handoff_unavailable", lang, shop=policy.shop_name)
        if policy.contact:
            told += "\n\n" + policy.contact
        actions.append(Say(told))
        return conv.evolve(fallbacks=0), actions
    told = texts.get(f"handoff_{reason}", lang, shop=policy.shop_name)
    closed = now is not None and policy.hours is not None and not policy.open_at(now)
    if closed:
        assert policy.hours is not None  # noqa: S101 - closed implies hours
        told += "\n\n" + texts.get("after_hours", lang, opens=policy.hours[0])
    else:
        minutes = f"{policy.sla_minutes:g}"
        told += "\n\n" + texts.get("reply_within", lang, minutes=minutes)
    actions.append(Say(told))
    actions.append(HandOff(reason, message))
    handed = conv.evolve(
        stage=Stage.HANDED_OFF,
        handoff_reason=reason,
        handed_off_at=stamp,
        fallbacks=0,
        seller=None,
        seller_answered_at=None,
        seller_last_at=None,
        reminded=False,
        told_hours=closed,
    )
    return handed, [*actions, *_timers(handed, policy)]


def released(conv: Conversation, event: SellerReleased) -> tuple[Conversation, list[Action]]:
    """Back to the bot (``/done``, the button); the buyer is not messaged on hand-back."""
    return _back_to_bot(conv), [
        NotifySeller("released", event.seller),
        CancelTimer(REMIND),
        CancelTimer(IDLE),
    ]


def seller_wrote(
    conv: Conversation, event: SellerWrote, policy: Policy, stamp: float
) -> tuple[Conversation, list[Action]]:
    """A seller steps in (or answers): the chat is theirs; the first one claims it."""
    claimed = conv.seller is None
    handed = conv.evolve(
        stage=Stage.HANDED_OFF,
        handoff_reason=conv.handoff_reason or "seller",
        handed_off_at=conv.handed_off_at or stamp,
        seller=conv.seller or event.seller,
        seller_answered_at=conv.seller_answered_at or (stamp if event.answered else None),
        seller_last_at=stamp,
    )
    notes: list[Action] = [NotifySeller("claimed", event.seller)] if claimed else []
    return handed, [*notes, *_timers(handed, policy)]


def while_handed_off(
    conv: Conversation, message: BuyerMessage, answer: str | None
) -> tuple[Conversation, list[Action]]:
    """A buyer message during a handoff reaches the seller; until a seller is there, a clear
    FAQ ``answer`` (the FAQ flow's, or None) is given too. Nothing else is said: the buyer
    heard once, at the handoff, that a seller will follow up."""
    actions: list[Action] = [Forward(message)]
    if answer is not None and conv.seller is None:
        actions.append(Say(answer))
    return conv, actions


def tick(conv: Conversation, policy: Policy, now: datetime) -> tuple[Conversation, list[Action]]:
    """Keep the promises of a handoff: remind once, reassure once, give back when idle."""
    due = _due(conv, policy, now)
    if due == "idle":
        return _back_to_bot(conv), [NotifySeller("idle_released"), CancelTimer(REMIND)]
    actions: list[Action] = []
    if due == "remind":
        assert conv.handed_off_at is not None  # noqa: S101 - _due checked it
        lang = conv.language or policy.language
        waited = now.timestamp() - conv.handed_off_at
        actions.append(NotifySeller("reminder", waited_minutes=int(waited // 60)))
        if policy.open_at(now):
            actions.append(Say(policy.texts.get("holding", lang)))
        elif not conv.told_hours:  # said once per handoff, not again five minutes later
            opens = policy.hours[0] if policy.hours else ""
            actions.append(Say(policy.texts.get("after_hours", lang, opens=opens)))
        conv = conv.evolve(reminded=True, told_hours=conv.told_hours or not policy.open_at(now))
    return conv, [*actions, *_timers(conv, policy)]


def timer_due(conv: Conversation, policy: Policy, now: datetime) -> bool:
    """Whether a ``Tick`` would change anything for this chat now (cheap to ask often)."""
    return _due(conv, policy, now) is not None


def _timers(conv: Conversation, policy: Policy) -> list[Action]:
    """The timers that keep this handoff's remaining promises."""
    if conv.stage is not Stage.HANDED_OFF or conv.handed_off_at is None:
        return [CancelTimer(REMIND), CancelTimer(IDLE)]
    idle_since = max(conv.seller_last_at or 0.0, conv.handed_off_at)
    timers: list[Action] = [SetTimer(IDLE, idle_since + policy.idle_hours * 3600)]
    if conv.seller is None and not conv.reminded:
        timers.append(SetTimer(REMIND, conv.handed_off_at + policy.sla_minutes * 60))
    else:
        timers.append(CancelTimer(REMIND))
    return timers


def _due(conv: Conversation, policy: Policy, now: datetime) -> Literal["idle", "remind"] | None:
    """Which promise of a handoff falls due now, if any."""
    if conv.stage is not Stage.HANDED_OFF or conv.handed_off_at is None:
        return None
    stamp = now.timestamp()
    idle_since = max(conv.seller_last_at or 0.0, conv.handed_off_at)  # sellers' silence
    if stamp - idle_since >= policy.idle_hours * 3600:
        return "idle"
    waited = stamp - conv.handed_off_at
    if conv.seller is None and not conv.reminded and waited >= policy.sla_minutes * 60:
        return "remind"
    return None


def _back_to_bot(conv: Conversation) -> Conversation:
    return conv.evolve(
        stage=Stage.BOT,
        handoff_reason=None,
        handed_off_at=None,
        options=(),
        follow_up_of=None,
        fallbacks=0,
        seller=None,
        seller_answered_at=None,
        seller_last_at=None,
        reminded=False,
        told_hours=False,
    )
