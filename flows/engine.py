"""The conversation engine: one pure step per event, no I/O, no clock, no environment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from faq.matcher import MatchResult
from faq.model import Faq, FaqEntry
from faq.normalize import Normalized, normalize
from flows.language import choose_language
from flows.messages import (
    HUMAN_OPTION,
    Action,
    BuyerMessage,
    Event,
    Forward,
    HandOff,
    HandoffReason,
    NotifySeller,
    Option,
    Say,
    SellerReleased,
    SellerWrote,
    Tick,
)
from flows.signals import Signals, option_by_position, read_signals
from flows.state import Conversation, Stage
from flows.texts import Texts

NOT_THIS = ":not_this"  # the option under a hedged answer; flows.messages will own it

Verdict = Literal["answer", "clarify", "handoff", "fallback", "small_talk", "forward", "media"]
_FALLBACK_TOPICS = 3


@dataclass(frozen=True)
class Policy:
    """How this shop's bot behaves (from config.yaml)."""

    shop_name: str = "Toko Kami"
    language: str = "id"
    texts: Texts = field(default_factory=Texts)
    max_fallbacks: int = 2  # fallbacks in a row before a person takes over
    sla_minutes: float = 5  # a seller answers within this; else remind and reassure
    idle_hours: float = 12  # a handed-off chat with no seller activity goes back to the bot
    hours: tuple[str, str] | None = None  # ("08:00", "21:00") in the shop's local time

    def open_at(self, now: datetime) -> bool:
        """Whether sellers are around at ``now`` (given in the shop's time zone)."""
        if self.hours is None:
            return True
        opens, closes = self.hours
        clock = now.strftime("%H:%M")
        if opens <= closes:
            return opens <= clock < closes
        return clock >= opens or clock < closes  # open past midnight


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine decided for one buyer message, before it is put into words."""

    verdict: Verdict
    entry: FaqEntry | None = None
    options: tuple[FaqEntry, ...] = ()
    score: float = 0.0
    reason: HandoffReason | None = None
    small_talk: str | None = None
    hedged: bool = False  # answered as the only real candidate, with a way to say "not this"
    why: str = ""  # one line for `japri faq try`: which rule decided
    signals: tuple[str, ...] = ()  # the signals that fired (flows.signals)
    salam: bool = False  # the buyer opened with "assalamualaikum": answer it first


def step(
    conversation: Conversation, event: Event, faq: Faq, policy: Policy, now: datetime
) -> tuple[Conversation, list[Action]]:
    """Advance one chat by one event.

    Args:
        conversation: the chat's state before the event.
        event: a buyer's message, or a seller giving the chat back.
        faq: the FAQ in force (swap it freely between calls).
        policy: the shop's settings.
        now: the caller's clock (the engine reads none).

    Returns:
        The new state and what to do: messages to the buyer, a handoff, forwards.
    """
    stamp = now.timestamp()
    if isinstance(event, SellerReleased):
        return _released(conversation), [NotifySeller("released", event.seller)]
    if isinstance(event, SellerWrote):
        return _seller_wrote(conversation, event, stamp)
    if isinstance(event, Tick):
        return _tick(conversation, policy, now)
    message = event
    language = choose_language(
        conversation.language, message.text, message.language_hint, policy.language
    )
    conv = conversation.evolve(
        language=language, last_message_at=stamp, turns=conversation.turns + 1
    )
    if conv.stage is Stage.HANDED_OFF:
        return conv, [Forward(message)]
    decision = decide(conv, message, faq)
    return respond(conv, message, decision, policy, now)


def _released(conv: Conversation) -> Conversation:
    """Back to the bot; the buyer is not messaged on hand-back."""
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
    )


def _seller_wrote(
    conv: Conversation, event: SellerWrote, stamp: float
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
    return handed, [NotifySeller("claimed", event.seller)] if claimed else []


def _tick(conv: Conversation, policy: Policy, now: datetime) -> tuple[Conversation, list[Action]]:
    """Keep the promises of a handoff: remind once, reassure once, give back when idle."""
    due = _due(conv, policy, now)
    if due == "idle":
        return _released(conv), [NotifySeller("idle_released")]
    if due == "remind":
        assert conv.handed_off_at is not None  # noqa: S101 - _due checked it
        lang = conv.language or policy.language
        key = "holding" if policy.open_at(now) else "after_hours"
        opens = policy.hours[0] if policy.hours else ""
        waited = now.timestamp() - conv.handed_off_at
        actions: list[Action] = [
            NotifySeller("reminder", waited_minutes=int(waited // 60)),
            Say(policy.texts.get(key, lang, opens=opens)),
        ]
        return conv.evolve(reminded=True), actions
    return conv, []


def timer_due(conv: Conversation, policy: Policy, now: datetime) -> bool:
    """Whether a ``Tick`` would change anything for this chat now (cheap to ask often)."""
    return _due(conv, policy, now) is not None


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


def decide(conversation: Conversation, message: BuyerMessage, faq: Faq) -> Decision:
    """What to do with a buyer's message while the bot owns the chat."""
    if message.kind not in ("text", "choice") and not message.text.strip():
        verdict: Verdict = "small_talk" if message.kind == "sticker" else "media"
        return Decision(verdict, small_talk="sticker" if message.kind == "sticker" else None)
    chosen = _chosen_option(conversation, message, faq)
    if chosen == HUMAN_OPTION:
        return Decision("handoff", reason="human", why="tapped the person option")
    if chosen == NOT_THIS:
        others = tuple(e for e in (faq.get(i) for i in conversation.options[1:]) if e)
        return Decision("fallback", options=others, why="not the hedged answer")
    if isinstance(chosen, FaqEntry):
        return _answer(chosen, 1.0, why="chose an option")
    norm = normalize(message.text, faq.matcher.lexicon)
    signals = read_signals(norm.text, message.text)
    match = faq.matcher.decide(norm)
    decision = _judge(conversation, norm, signals, match, faq)
    if _SALAM.intersection(norm.words):
        decision = replace(decision, salam=True)
    return decision


_SALAM = frozenset(
    "assalamualaikum asalamualaikum assalamualaikom assalamu salamualaikum aslm askum "
    "assalamualaikumwarahmatullahiwabarakatuh".split()
)


def _judge(
    conversation: Conversation, norm: Normalized, signals: Signals, match: MatchResult, faq: Faq
) -> Decision:
    best = faq.get(match.best) if match.best else None
    confident = match.decision == "answer" and best is not None
    fired = signals.fired()

    def decided(verdict: Verdict, why: str, **fields: Any) -> Decision:
        return Decision(verdict, score=match.score, why=why, signals=fired, **fields)

    if signals.angry:
        return decided("handoff", "upset", reason="complaint")
    if signals.human and not (confident and signals.info_question and best and not best.handoff):
        entry = best if confident else None
        return decided("handoff", "asks for a person", entry=entry, reason="human")
    if signals.closing:
        entry = best if confident and best and best.handoff else None
        return decided("handoff", "paying or bargaining", entry=entry, reason="closing")
    policy = signals.policy_question
    sole = _sole_candidate(match, faq)
    if signals.intent and not policy:
        entry = best if confident and best and best.handoff else None
        return decided("handoff", "wants to buy", entry=entry, reason="closing")
    if signals.unhappy and not policy:
        return decided("handoff", "reports a problem", reason="complaint")
    if confident and best is not None:
        return replace(_answer(best, match.score, "one entry clearly best"), signals=fired)
    if signals.never_mind:
        return decided("small_talk", "drops the question", small_talk="never_mind")
    if match.decision == "fallback" and (norm.small_talk or signals.opener or not norm.keys):
        kind = "greeting" if "greeting" in norm.small_talk else min(norm.small_talk, default="")
        return decided("small_talk", "small talk", small_talk=kind or "opener")
    if sole is not None:
        answered = _answer(sole, match.score, "the only real candidate")
        if answered.verdict == "answer":
            others = _options_of(match, faq, exclude=sole.id)
            answered = replace(answered, hedged=True, options=others)
        return replace(answered, signals=fired)
    if match.decision == "clarify":
        # several close entries: a real choice; one weak one: "did you mean this?"
        options = _strong_options(match, faq)
        why = "several entries fit" if len(options) > 1 else "one entry fits, weakly"
        return decided("clarify", why, options=options)
    if conversation.follow_up_of is not None and norm.keys:
        return decided("handoff", "answers a follow-up", reason="follow_up")
    if signals.swearing:
        return decided("handoff", "swears", reason="complaint")
    # the nearest entries first (closer to what was asked than the FAQ's first ones)
    near = [faq.get(c.entry_id) for c in match.candidates]
    topics: dict[str, FaqEntry] = {}
    for entry in (*near, *faq.entries):
        if entry is not None and not entry.handoff and len(topics) < _FALLBACK_TOPICS:
            topics.setdefault(entry.id, entry)
    return decided("fallback", "no entry fits", options=tuple(topics.values()))


def _strong_options(match: MatchResult, faq: Faq) -> tuple[FaqEntry, ...]:
    """The offered entries that are about the question: close to the best, and each tied
    to the message by a word of its own (an option that shares only the best's words is
    the best's echo, not a real choice)."""
    if not match.candidates:
        return ()
    best = match.candidates[0]
    floor = max(faq.matcher.thresholds.clarify, best.score - _TIE_BAND)
    kept = [best]
    for rival in match.candidates[1:]:
        if rival.score < floor or rival.entry_id not in match.options:
            continue
        if rival.evidence < best.evidence or not rival.evidence:
            continue
        kept.append(rival)
    return tuple(e for e in (faq.get(c.entry_id) for c in kept[:3]) if e is not None)


def _sole_candidate(match: MatchResult, faq: Faq) -> FaqEntry | None:
    """The entry to answer (hedged) when it is the only real candidate."""
    if match.decision != "clarify" or match.score < _HEDGE_FLOOR:
        return None
    options = _strong_options(match, faq)
    best = match.candidates[0]
    runner_up = match.candidates[1].score if len(match.candidates) > 1 else 0.0
    # one word alone, or only the answer's words, tie the message to it: ask instead
    if len(options) != 1 or not best.asked or (_LONE_HEDGE and best.lone_word):
        return None
    if best.score - runner_up < _HEDGE_LEAD or best.elsewhere > _ELSEWHERE:
        return None
    return options[0]


def _options_of(match: MatchResult, faq: Faq, exclude: str) -> tuple[FaqEntry, ...]:
    ids = [i for i in match.options if i != exclude]
    return tuple(e for e in (faq.get(i) for i in ids) if e is not None and not e.handoff)


_TIE_BAND = 0.10  # rivals this close to the best are a real choice
_HEDGE_FLOOR = 0.5  # a lone candidate scoring this is answered, hedged
_HEDGE_LEAD = 0.05  # ... and leads the next entry by this much
_LONE_HEDGE = True  # ... unless one word alone ties a longer message to it
_ELSEWHERE = 0  # ... and the message names no idea only other entries' questions know


def _answer(entry: FaqEntry, score: float, why: str = "") -> Decision:
    if entry.handoff:
        return Decision("handoff", entry=entry, score=score, reason="faq", why=why)
    return Decision("answer", entry=entry, score=score, why=why)


def _chosen_option(
    conversation: Conversation, message: BuyerMessage, faq: Faq
) -> FaqEntry | str | None:
    """The option a tap or a typed reply ("2", "yang kedua", the option's words) picks."""
    if message.choice is not None:
        if message.choice in (HUMAN_OPTION, NOT_THIS):
            return message.choice
        return faq.get(message.choice.rsplit(":", 1)[-1])
    if not conversation.options:
        return None
    if conversation.options[0] == NOT_THIS:  # after a hedged answer only "not this" counts
        words = normalize(message.text, faq.matcher.lexicon).words
        return NOT_THIS if _NOT_THIS_RE.match(" ".join(words)) else None
    offered = [e for e in (faq.get(i) for i in conversation.options) if e is not None]
    norm = normalize(message.text, faq.matcher.lexicon)
    position = option_by_position(norm.words, len(offered))
    if position is not None:
        return offered[position]
    typed = norm.text
    for entry in offered:
        if typed and typed == normalize(entry.title, faq.matcher.lexicon).text:
            return entry
    # the buyer's words fit one offered option clearly better than the others
    ranked = [c for c in faq.matcher.rank(norm, limit=10) if c.entry_id in conversation.options]
    if ranked and ranked[0].score >= faq.matcher.thresholds.clarify:
        rest = ranked[1].score if len(ranked) > 1 else 0.0
        fresh = faq.matcher.decide(norm)
        if ranked[0].score - rest >= faq.matcher.thresholds.margin and (
            fresh.decision != "answer" or fresh.best == ranked[0].entry_id
        ):
            return faq.get(ranked[0].entry_id)
    return None


_NOT_THIS_RE = re.compile(
    r"^(bukan|tidak|no|nope|not|salah|wrong|"
    r"bukan (ini|itu|yang ini|yang itu|begitu|itu maksud saya)|"
    r"not (this|that|it|what i (meant|asked))|wrong (one|answer)|"
    r"bukan yang (saya )?(maksud|tanya))"
    r"( (maksud saya|maksudnya|bukan itu))?$"
)


def respond(
    conv: Conversation,
    message: BuyerMessage,
    decision: Decision,
    policy: Policy,
    now: datetime | None,
) -> tuple[Conversation, list[Action]]:
    """Put a decision into words and the state it leaves the chat in (``now``, in the shop's
    time zone, tells whether sellers are around; None: assume they are)."""
    lang = conv.language or policy.language
    texts = policy.texts
    shop = policy.shop_name
    actions: list[Action] = []
    greet = conv.stage is Stage.NEW
    if decision.salam:
        actions.append(Say(texts.get("salam", lang)))
    if greet:
        actions.append(Say(texts.get("greeting", lang, shop=shop)))
    conv = conv.evolve(stage=Stage.BOT, options=(), follow_up_of=None)
    verdict = decision.verdict
    if verdict == "answer" and decision.entry is not None:
        entry = decision.entry
        assert entry.answer is not None  # noqa: S101 - the loader guarantees it
        answer = entry.answer.get(lang, policy.language)
        if decision.hedged:
            topic = entry.id.replace("-", " ").replace("_", " ")
            hedge = texts.get("hedged", lang, topic=topic)
            not_this = Option(NOT_THIS, texts.get("not_this_option", lang))
            actions.append(Say(f"{hedge}\n\n{answer}", (not_this,)))
            others = tuple(e.id for e in decision.options)
            return conv.evolve(fallbacks=0, options=(NOT_THIS, *others)), actions
        actions.append(Say(answer))
        if entry.follow_up is not None:
            actions.append(Say(entry.follow_up.get(lang, policy.language)))
            conv = conv.evolve(follow_up_of=entry.id)
        return conv.evolve(fallbacks=0), actions
    if verdict == "clarify":
        options = _options(decision.options)
        key = "clarify" if len(options) > 1 else "clarify_single"
        actions.append(Say(texts.get(key, lang), options))
        return conv.evolve(options=tuple(o.id for o in options)), actions
    if verdict == "handoff":
        return _hand_off(conv, message, decision.reason or "human", policy, now, actions)
    if verdict == "small_talk":
        if decision.small_talk == "opener" and greet:
            pass  # "Waalaikumsalam" (and the greeting) is the reply; "mau tanya" waits
        elif decision.small_talk == "opener":
            actions.append(Say(texts.get("ask_away", lang)))
        elif decision.small_talk in ("thanks", "goodbye", "never_mind") and not greet:
            actions.append(Say(texts.get(decision.small_talk, lang, shop=shop)))
        elif decision.small_talk == "sticker" and not greet:
            actions.append(Say(texts.get("sticker", lang)))
        else:
            actions.append(Say(texts.get("how_can_i_help", lang)))
        return conv, actions
    if verdict == "media":
        human = Option(HUMAN_OPTION, texts.get("human_option", lang))
        actions.append(Say(texts.get("media", lang), (human,)))
        return conv, actions
    fallbacks = conv.fallbacks + 1
    if fallbacks >= policy.max_fallbacks:
        return _hand_off(conv, message, "not_understood", policy, now, actions)
    human = Option(HUMAN_OPTION, texts.get("human_option", lang))
    actions.append(Say(texts.get("fallback", lang), (*_options(decision.options), human)))
    return conv.evolve(fallbacks=fallbacks), actions


def _hand_off(
    conv: Conversation,
    message: BuyerMessage,
    reason: HandoffReason,
    policy: Policy,
    now: datetime | None,
    actions: list[Action],
) -> tuple[Conversation, list[Action]]:
    stamp = now.timestamp() if now is not None else 0.0
    lang = conv.language or policy.language
    told = policy.texts.get(f"handoff_{reason}", lang, shop=policy.shop_name)
    if now is not None and policy.hours is not None and not policy.open_at(now):
        told += "\n\n" + policy.texts.get("after_hours", lang, opens=policy.hours[0])
    else:
        minutes = f"{policy.sla_minutes:g}"
        told += "\n\n" + policy.texts.get("reply_within", lang, minutes=minutes)
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
    )
    return handed, actions


def _options(entries: Sequence[FaqEntry]) -> tuple[Option, ...]:
    return tuple(Option(e.id, e.title) for e in entries)
