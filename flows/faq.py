"""The FAQ flow: judge a buyer's message against the FAQ and put the verdict into words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from faq.followup import already_answered
from faq.matcher import Candidate, MatchResult
from faq.model import Faq, FaqEntry
from faq.normalize import Normalized, normalize
from faq.split import split_clauses
from flows.clauses import (
    answer_says_all,
    asked_clause,
    clauses_agree,
    question_nearest,
)
from flows.handoff import hand_off
from flows.handoff_words import says_handoff_word
from flows.hedging import (
    MAX_OPTIONS,
    lone_idea_at,
    options_of,
    second_guess,
    sole_candidate,
    strong_options,
    well_founded,
)
from flows.messages import (
    HUMAN_OPTION,
    NOT_THIS,
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
    hedged: bool = False  # answered as the only real candidate, with a way to say "not this"
    why: str = ""  # one line for `japri faq try`: which rule decided
    signals: tuple[str, ...] = ()  # the signals that fired (flows.signals)
    salam: bool = False  # the buyer opened with "assalamualaikum": answer it first
    nearest: tuple[Candidate, ...] = ()  # the best-scoring entries, for explanations


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
    if not signals.human and says_handoff_word(message.text, faq):  # the seller's own words
        signals = replace(signals, human=True)
    match = faq.matcher.decide(norm)
    decision = _judge(conversation, norm, signals, match, faq, message.text)
    salam = bool(_SALAM.intersection(norm.words))
    return replace(decision, salam=salam, nearest=match.candidates[:3])


_THANKS_FIRST = re.compile(
    r"^(terima kasih|makasih|makasi|thanks|thank you|thank u|thx|tengkyu|syukron|"
    r"alhamdulillah)\b"
)
_SALAM = frozenset(
    "assalamualaikum asalamualaikum assalamualaikom assalamu salamualaikum aslm askum "
    "assalamualaikumwarahmatullahiwabarakatuh".split()
)


def _judge(
    conversation: Conversation,
    norm: Normalized,
    signals: Signals,
    match: MatchResult,
    faq: Faq,
    text: str,
) -> Decision:
    best = faq.get(match.best) if match.best else None
    # an answer needs a word the entry's questions use: its answer text alone ("berat
    # paket" in the shipping answer) is evidence for asking, not for answering
    confident = match.decision == "answer" and best is not None and match.candidates[0].asked > 0
    fired = signals.fired()

    def decided(verdict: Verdict, why: str, **fields: Any) -> Decision:
        return Decision(verdict, score=match.score, why=why, signals=fired, **fields)

    if signals.angry:
        return decided("handoff", "upset", reason="complaint")
    if signals.human and not (confident and signals.info_question and best and not best.handoff):
        entry = best if confident and best and best.handoff else None
        return decided("handoff", "asks for a person", entry=entry, reason="human")
    if signals.closing:
        entry = best if confident and best and best.handoff else None
        return decided("handoff", "paying or bargaining", entry=entry, reason="closing")
    policy = signals.policy_question
    sole = sole_candidate(match, faq)
    if signals.intent and not policy:
        entry = best if confident and best and best.handoff else None
        return decided("handoff", "wants to buy", entry=entry, reason="closing")
    if signals.unhappy and not policy:
        return decided("handoff", "reports a problem", reason="complaint")
    if confident and best is not None:
        why = (
            "told apart from close entries by how each is phrased"
            if match.tie_broken
            else "one entry clearly best"
        )
        return replace(_answer(best, match.score, why), signals=fired)
    if _THANKS_FIRST.match(norm.text) and not signals.question:  # "makasih, enak banget"
        return decided("small_talk", "thanks", small_talk="thanks")
    if signals.never_mind:
        return decided("small_talk", "drops the question", small_talk="never_mind")
    if match.decision == "fallback" and (norm.small_talk or signals.opener or not norm.keys):
        kind = "greeting" if "greeting" in norm.small_talk else min(norm.small_talk, default="")
        return decided("small_talk", "small talk", small_talk=kind or "opener")
    parts = split_clauses(text)
    if sole is not None:
        why = "the only real candidate"
    elif match.decision in ("clarify", "answer") and not match.foreign:
        if sole := asked_clause(parts, match, faq):
            why = "the question itself fits one entry, the rest is context"
        elif sole := clauses_agree(parts, match, faq):
            why = "every part of the message that fits an entry fits this one"
        elif sole := answer_says_all(match, faq):
            why = "its answer says every word of the message"
    if sole is not None:
        answered = _answer(sole, match.score, why)
        if answered.verdict == "answer":
            others = options_of(match, faq, exclude=sole.id)
            answered = replace(answered, hedged=True, options=others)
        return replace(answered, signals=fired)
    if match.decision in ("clarify", "answer"):  # "answer": only its answer text fits
        # several close entries: a real choice; one weak one: "did you mean this?"
        options = strong_options(match, faq)
        if len(options) == 1 and options[0].handoff and well_founded(match, lone_idea_at(faq)):
            # asking back would hand off anyway
            return decided(
                "handoff", "near the seller's handoff entry", entry=options[0], reason="faq"
            )
        why = "several entries fit" if len(options) > 1 else "one entry fits, weakly"
        if len(options) == 1 and (guess := second_guess(match, faq)):
            options += guess
            why += "; or another with a word of its own"
        if first := question_nearest(parts, options, faq):
            options = (first, *options)[:MAX_OPTIONS]
            why += "; the question itself is nearest another"
        if match.foreign:  # what a seller could add, or another trade altogether
            why += f"; names what the FAQ never mentions: {', '.join(sorted(match.foreign))}"
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
    for entry in offered:  # the typed title of a button, in any language it was shown in
        if typed and any(typed == normalize(n, faq.matcher.lexicon).text for n in entry.names()):
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
            topic = (
                entry.title_for(lang, policy.language)
                if entry.titles is not None
                else entry.id.replace("-", " ").replace("_", " ")
            )
            hedge = texts.get("hedged", lang, topic=topic)
            not_this = Option(NOT_THIS, texts.get("not_this_option", lang))
            actions.append(Say(f"{hedge}\n\n{answer}", (not_this,)))
            others = tuple(e.id for e in decision.options)
            return conv.evolve(fallbacks=0, options=(NOT_THIS, *others)), actions
        actions.append(Say(answer))
        if entry.follow_up is not None and not already_answered(entry, message.text):
            actions.append(Say(entry.follow_up.get(lang, policy.language)))
            conv = conv.evolve(follow_up_of=entry.id)
        return conv.evolve(fallbacks=0), actions
    if verdict == "clarify":
        options = _options(decision.options, lang, policy.language)
        key = "clarify" if len(options) > 1 else "clarify_single"
        if len(options) == 1:  # "did you mean this?": or a person, if not
            options = (*options, Option(HUMAN_OPTION, texts.get("human_option", lang)))
        actions.append(Say(texts.get(key, lang), options))
        offered = tuple(o.id for o in options if o.id != HUMAN_OPTION)
        return conv.evolve(options=offered), actions
    if verdict == "handoff":
        return hand_off(conv, message, decision.reason or "human", policy, now, actions)
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
        return hand_off(conv, message, "not_understood", policy, now, actions)
    human = Option(HUMAN_OPTION, texts.get("human_option", lang))
    topics = _options(decision.options, lang, policy.language)
    actions.append(Say(texts.get("fallback", lang), (*topics, human)))
    return conv.evolve(fallbacks=fallbacks), actions


def _options(entries: Sequence[FaqEntry], lang: str, default: str) -> tuple[Option, ...]:
    """Buttons for entries, titled in the buyer's language where the seller wrote one."""
    return tuple(Option(e.id, e.title_for(lang, default)) for e in entries)
