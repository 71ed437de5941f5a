"""A buyer's message in clauses: the question it asks, and what is said around it, and
the decisions that read the question apart from its context.

Buyers put context beside the question: "bisa dianter hari ini? buat arisan nanti sore",
"boleh dropship tak? sy jual kat fb". Words the FAQ does not know, or another entry's
idea, in that context are not what was asked; in the question itself they are ("cara
download invoice?"). The message is cut by ``faq.split.split_clauses``, the rule the
learned wordings use too: at a question or exclamation mark, a comma or semicolon, a " / "
between alternatives, a line break, or a full stop that closes no abbreviation ("Mr.
Smith", "no. 5" and "Rp9.000" stay whole). A clause asks when it ends in a question mark.
"""

from __future__ import annotations

import re

from faq.matcher import MatchResult
from faq.model import Faq, FaqEntry
from faq.normalize import normalize
from faq.split import Clause
from flows.hedging import TIE_BAND, hedge_floor, sole_candidate
from flows.signals import read_signals

# a question about "it" leaves what it is to the rest of the message ("I do not use the
# Gold account, how to cancel it?"): that rest is not context then
_POINTS_BACK = re.compile(r"\b(it|them)\b", re.IGNORECASE)


def the_question(parts: tuple[Clause, ...]) -> Clause | None:
    """The one clause that asks, when the message also says something around it."""
    asking = [c for c in parts if c.asks]
    return asking[0] if len(parts) > 1 and len(asking) == 1 else None


def points_back(clause: Clause) -> bool:
    """Whether the clause asks about something it names only by a pronoun."""
    return _POINTS_BACK.search(clause.text) is not None


def _fit_alone(clause: Clause, faq: Faq) -> tuple[FaqEntry | None, MatchResult]:
    """The entry one clause fits on its own as well as an answer needs (answered by the
    matcher, or the only real candidate at the answer threshold), and its match."""
    matcher = faq.matcher
    alone = matcher.decide(normalize(clause.text, matcher.lexicon))
    if alone.foreign or not alone.candidates:
        return None, alone
    top = alone.candidates[0]
    if alone.decision == "answer" and top.asked:
        return faq.get(top.entry_id), alone
    if top.score >= matcher.answer_at:
        return sole_candidate(alone, faq), alone
    return None, alone


def asked_clause(parts: tuple[Clause, ...], match: MatchResult, faq: Faq) -> FaqEntry | None:
    """The entry the message's one question fits on its own, as well as an answer needs,
    when the rest is context ("kak bisa kirim ke Tawau? aku kerja di sana"): an idea of
    another entry's, or words the FAQ does not know, around the question are not what
    was asked. Not when the question names what it asks about only by a pronoun ("how
    to cancel it?"), when a word the entry does not explain comes back in the rest
    ("bila nak restock bawal voile? asyik sold out": the stock is what the buyer is
    about), or when the rest reads as a second question nearer another entry ("kuenya
    halal ga, bisa diantar?"). The entry must be among the whole message's candidates.
    Measured: chat-eval +3 / +10 / +3 answered right, none wrong; Bitext/CLINC 3 more
    right, none wrong."""
    question = the_question(parts)
    if question is None or points_back(question):
        return None
    entry, alone = _fit_alone(question, faq)
    if entry is None or entry.id not in {c.entry_id for c in match.candidates}:
        return None
    matcher = faq.matcher
    unexplained = (
        set(matcher.query_weights(normalize(question.text, matcher.lexicon)))
        - alone.candidates[0].evidence
        - matcher.lexicon.function_keys
    )
    for other in parts:
        if other is question:
            continue
        norm = normalize(other.text, matcher.lexicon)
        if unexplained.intersection(matcher.query_weights(norm)):
            return None  # the word again: what the buyer is about
        asks = read_signals(norm.text, other.text)
        if (asks.question or asks.info_question) and matcher.decide(norm).best not in (
            None,
            entry.id,
        ):
            return None  # a second question ("kuenya halal ga, bisa diantar?")
    return entry


def clauses_agree(parts: tuple[Clause, ...], match: MatchResult, faq: Faq) -> FaqEntry | None:
    """The best entry, when two or more parts of the message each fit it on their own and
    no part fits another ("is all your food halal? i only eat halal"; "bawal yg 50 tu
    jatuh paras mana? nak yg betul2 tutup dada"), a word of its questions ties one of
    them, and the whole message scores at least the hedge floor: said twice, an idea is
    what the buyer asks about. Measured: chat-eval +2 / +1 / +2 answered right, none
    wrong; Bitext/CLINC 8 more right, 1 wrong (a CLINC shopping-list twin)."""
    best = match.candidates[0]
    if len(parts) < 2 or best.score < hedge_floor(faq):
        return None
    fitting, asked = 0, False
    for part in parts:
        alone = faq.matcher.decide(normalize(part.text, faq.matcher.lexicon))
        if alone.decision == "fallback":
            continue
        if alone.best != best.entry_id:
            return None
        fitting += 1
        asked = asked or alone.candidates[0].asked > 0
    return faq.get(best.entry_id) if fitting > 1 and asked else None


def answer_says_all(match: MatchResult, faq: Faq) -> FaqEntry | None:
    """The best entry when only its answer ties it to the message but names every idea of
    it, three or more ("ada model busui friendly ga kak?" and an answer about nursing-
    friendly models), at the answer threshold, with no close entry whose questions use a
    word of the message. Two answer words are chance (measured: 10 wrong answers on
    Bitext, "what time customer service is available" -> change order); at three,
    chat-eval tudung +1 answered and nothing on Bitext/CLINC/xSID qualifies."""
    best = match.candidates[0]
    if best.asked or best.unexplained or len(best.evidence) < _ANSWER_IDEAS:
        return None
    if best.score < faq.matcher.answer_at:
        return None
    floor = best.score - TIE_BAND
    if any(r.asked and r.score >= floor for r in match.candidates[1:]):
        return None
    return faq.get(best.entry_id)


def question_nearest(
    parts: tuple[Clause, ...], options: tuple[FaqEntry, ...], faq: Faq
) -> FaqEntry | None:
    """The entry the message's one question is nearest on its own, when the options of
    the whole message leave it out ("charger ni laju tak cas? phone sy ambik 3 jam baru
    penuh": the context's words pulled in other entries): offered first. Measured:
    chat-eval gadget +1 right option; Bitext/CLINC 2 more right options, answers
    unchanged."""
    question = the_question(parts)
    if question is None:
        return None
    alone = faq.matcher.decide(normalize(question.text, faq.matcher.lexicon))
    if alone.decision == "fallback" or alone.foreign or not alone.candidates[0].asked:
        return None
    entry = faq.get(alone.candidates[0].entry_id)
    return None if entry is None or entry.handoff or entry in options else entry


_ANSWER_IDEAS = 3  # an entry only its answer ties to a message must name this many of it
