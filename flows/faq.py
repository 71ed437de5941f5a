"""The FAQ flow: judge a buyer's message against the FAQ and put the verdict into words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from faq.matcher import MatchResult
from faq.model import Faq, FaqEntry
from faq.normalize import Normalized, normalize
from flows.handoff import hand_off
from flows.messages import (
    HUMAN_OPTION,
    Action,
    BuyerMessage,
    HandoffReason,
    Option,
    Say,
)
from flows.policy import Policy
from flows.signals import Signals, option_by_position, read_signals
from flows.state import Conversation, Stage

Verdict = Literal["answer", "clarify", "handoff", "fallback", "small_talk", "forward", "media"]
_FALLBACK_TOPICS = 3


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine decided for one buyer message, before it is put into words."""

    verdict: Verdict
    entry: FaqEntry | None = None
    options: tuple[FaqEntry, ...] = ()
    score: float = 0.0
    reason: HandoffReason | None = None
    small_talk: str | None = None


def decide(conversation: Conversation, message: BuyerMessage, faq: Faq) -> Decision:
    """What to do with a buyer's message while the bot owns the chat."""
    if message.kind not in ("text", "choice") and not message.text.strip():
        verdict: Verdict = "small_talk" if message.kind == "sticker" else "media"
        return Decision(verdict, small_talk="sticker" if message.kind == "sticker" else None)
    chosen = _chosen_option(conversation, message, faq)
    if chosen == HUMAN_OPTION:
        return Decision("handoff", reason="human")
    if isinstance(chosen, FaqEntry):
        return _answer(chosen, 1.0)
    norm = normalize(message.text, faq.matcher.lexicon)
    signals = read_signals(norm.text, message.text)
    match = faq.matcher.decide(norm)
    return _judge(conversation, norm, signals, match, faq)


def _judge(
    conversation: Conversation, norm: Normalized, signals: Signals, match: MatchResult, faq: Faq
) -> Decision:
    best = faq.get(match.best) if match.best else None
    confident = match.decision == "answer" and best is not None
    if signals.angry:
        return Decision("handoff", score=match.score, reason="complaint")
    if signals.human and not (confident and signals.info_question and best and not best.handoff):
        return Decision(
            "handoff", entry=best if confident else None, score=match.score, reason="human"
        )
    if signals.closing:
        entry = best if confident and best and best.handoff else None
        return Decision("handoff", entry=entry, score=match.score, reason="closing")
    if confident and best is not None:
        return _answer(best, match.score)
    if signals.never_mind and match.decision != "answer":
        return Decision("small_talk", score=match.score, small_talk="never_mind")
    if norm.small_talk and match.decision == "fallback":
        kind = "greeting" if "greeting" in norm.small_talk else min(norm.small_talk)
        return Decision("small_talk", score=match.score, small_talk=kind)
    if signals.unhappy:
        return Decision("handoff", score=match.score, reason="complaint")
    if match.decision == "clarify":
        options = tuple(e for e in (faq.get(i) for i in match.options) if e is not None)
        return Decision("clarify", options=options, score=match.score)
    if conversation.follow_up_of is not None and norm.keys:
        return Decision("handoff", score=match.score, reason="follow_up")
    if signals.swearing:
        return Decision("handoff", score=match.score, reason="complaint")
    topics = tuple(e for e in faq.entries if not e.handoff)[:_FALLBACK_TOPICS]
    return Decision("fallback", options=topics, score=match.score)


def _answer(entry: FaqEntry, score: float) -> Decision:
    if entry.handoff:
        return Decision("handoff", entry=entry, score=score, reason="faq")
    return Decision("answer", entry=entry, score=score)


def _chosen_option(
    conversation: Conversation, message: BuyerMessage, faq: Faq
) -> FaqEntry | str | None:
    """The option a tap or a typed reply ("2", "yang kedua", the option's words) picks."""
    if message.choice is not None:
        if message.choice == HUMAN_OPTION:
            return HUMAN_OPTION
        return faq.get(message.choice.rsplit(":", 1)[-1])
    if not conversation.options:
        return None
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
    if greet:
        actions.append(Say(texts.get("greeting", lang, shop=shop)))
    conv = conv.evolve(stage=Stage.BOT, options=(), follow_up_of=None)
    verdict = decision.verdict
    if verdict == "answer" and decision.entry is not None:
        entry = decision.entry
        assert entry.answer is not None  # noqa: S101 - the loader guarantees it
        actions.append(Say(entry.answer.get(lang, policy.language)))
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
        return hand_off(conv, message, decision.reason or "human", policy, now, actions)
    if verdict == "small_talk":
        if decision.small_talk in ("thanks", "goodbye", "never_mind") and not greet:
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
        return hand_off(conv, message, "not_understood", policy, now, actions)
    human = Option(HUMAN_OPTION, texts.get("human_option", lang))
    actions.append(Say(texts.get("fallback", lang), (*_options(decision.options), human)))
    return conv.evolve(fallbacks=fallbacks), actions


def _options(entries: Sequence[FaqEntry]) -> tuple[Option, ...]:
    return tuple(Option(e.id, e.title) for e in entries)
