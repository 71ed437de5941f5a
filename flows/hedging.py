"""Which entries are a real choice for a message, and when one weak candidate is answered,
hedged ("Kalau maksud kakak soal ukuran: ...", with a way to say "bukan ini") instead of
asked about. Pure decisions over the matcher's candidates; ``flows.faq`` words them."""

from __future__ import annotations

from faq.matcher import Candidate, MatchResult
from faq.model import Faq, FaqEntry


def strong_options(match: MatchResult, faq: Faq, sole: bool = False) -> tuple[FaqEntry, ...]:
    """The offered entries that are about the question: close to the best, and each tied
    to the message by a word of its own (an option that shares only the best's words is
    the best's echo, not a real choice). With ``sole`` (is the best the only real
    candidate?), a rival that only its answer's wording ties to the message is no choice
    beside a best whose questions use the message's words (measured on Bitext with 3
    phrasings: 132 more right answers, 1 wrong, 1 out of scope; CLINC unchanged)."""
    if not match.candidates:
        return ()
    best = match.candidates[0]
    floor = max(faq.matcher.thresholds.clarify, best.score - TIE_BAND)
    kept = [best]
    for rival in match.candidates[1:]:
        if rival.entry_id not in match.options:
            continue
        if rival.score < floor and not faq.matcher.asks_the_same(best, rival):
            continue
        if rival.evidence < best.evidence or not rival.evidence:
            continue
        if sole and best.asked and rival.answer_only:
            continue
        kept.append(rival)
    return tuple(e for e in (faq.get(c.entry_id) for c in kept[:MAX_OPTIONS]) if e is not None)


def second_guess(match: MatchResult, faq: Faq) -> tuple[FaqEntry, ...]:
    """Beside a weak lone candidate, the next entry if its own questions share a word of
    the message that the first does not know, or that the first has only in its answer
    (a returns answer that mentions the warranty, a warranty entry whose questions ask
    about it): the buyer may have meant that one (measured:
    chat-eval 4 more right options, Bitext/CLINC 22, answers unchanged)."""
    best = match.candidates[0]
    for rival in match.candidates[1:2]:
        own = (rival.evidence - best.evidence) | (rival.asks - best.asks)
        entry = faq.get(rival.entry_id)
        if (
            entry is not None
            and not entry.handoff
            and rival.score >= faq.matcher.thresholds.clarify * _SECOND_GUESS
            and rival.asked
            and own
        ):
            return (entry,)
    return ()


def hedge_floor(faq: Faq) -> float:
    """The least score of an entry answered, hedged, as the only real candidate."""
    below = _HEDGE_BELOW + (_HEDGE_BELOW_RICH - _HEDGE_BELOW) * faq.matcher.richness
    return max(faq.matcher.answer_at - below, _HEDGE_FLOOR)


def sole_candidate(match: MatchResult, faq: Faq) -> FaqEntry | None:
    """The entry to answer (hedged) when it is the only real candidate."""
    if match.decision != "clarify" or match.score < hedge_floor(faq) or match.foreign:
        return None
    options = strong_options(match, faq, sole=True)
    return options[0] if len(options) == 1 and well_founded(match, lone_idea_at(faq)) else None


def well_founded(match: MatchResult, lone_idea_at: float) -> bool:
    """Whether the best entry is tied to the message by more than chance: a word its
    questions use (not only its answer), not one word alone of a longer message (unless
    it is a shop idea few entries ask about, at a good score: ``_lone_idea``), a lead
    over the next entry, and no idea that only other entries ask about unless it is
    one, the best shares more words with its own questions (or its one word is clearly
    the rarer), and it is a commoner idea than the best's most specific word ("how soon
    can I expect my order?": 'expect' is the delivery-time entry's and rarer than
    'order': ask, do not answer tracking)."""
    best = match.candidates[0]
    runner_up = match.candidates[1].score if len(match.candidates) > 1 else 0.0
    if not best.asked or (best.lone_word and not _lone_idea(best, lone_idea_at)):
        return False
    # another entry's idea is outweighed by more of the best's own question words, or,
    # when the best has one, by that word being clearly the rarer ("boleh bayar tunai bila
    # *barang* sampai?": the goods are everyone's, cash on delivery is the COD entry's)
    clearly_rarer = best.elsewhere_weight <= _COMMONER * best.asked_weight
    allowed = best.asked - 1 if best.asked > 1 else int(clearly_rarer)
    if best.elsewhere and (
        best.elsewhere > min(_ELSEWHERE, allowed) or best.elsewhere_weight >= best.asked_weight
    ):
        return False
    return best.score - runner_up >= _HEDGE_LEAD


def lone_idea_at(faq: Faq) -> float:
    """The score at which one shop idea alone may tie a longer message to an entry: a
    little over the answer threshold for an FAQ with a few questions an entry, sliding
    to the matcher's ``lone_word`` for one with 10+ (measured: at 10 phrasings it
    answered CLINC's out-of-scope questions)."""
    matcher = faq.matcher
    sparse = matcher.answer_at + _LONE_IDEA_ABOVE
    return sparse + (max(matcher.thresholds.lone_word, sparse) - sparse) * matcher.richness


def _lone_idea(best: Candidate, lone_idea_at: float) -> bool:
    """Whether the one word that ties a longer message to ``best`` is a shop idea few
    entries ask about (a vocabulary concept such as @halal or @cod, not a bare word), at a
    good score, and the rest of the message names no other idea (none that another entry
    asks about, none of the vocabulary's that the FAQ never mentions): the buyer asks
    about this entry's topic in words the FAQ does not use ("one pack isinya how many
    pcs?"). Measured on Bitext/CLINC with 3 phrasings (5 splits): at the answer threshold
    itself 33 more right answers, 10 wrong ("cancellation *penalties*" -> cancel order)
    and 4 out-of-scope ones; at +0.05, 12 right and 1 wrong."""
    (key,) = best.evidence
    return (
        key.startswith("@")
        and best.elsewhere == 0
        and best.unexplained_ideas == 0
        and best.asked_weight >= _LONE_IDEA
        and best.score >= lone_idea_at
    )


def options_of(match: MatchResult, faq: Faq, exclude: str) -> tuple[FaqEntry, ...]:
    ids = [i for i in match.options if i != exclude]
    return tuple(e for e in (faq.get(i) for i in ids) if e is not None and not e.handoff)


TIE_BAND = 0.15  # rivals this close to the best are a real choice
MAX_OPTIONS = 3  # entries offered when asking back
_SECOND_GUESS = 0.75  # a second guess scores at least this share of the clarify threshold
# A lone candidate scoring this little below the FAQ's answer threshold is answered,
# hedged. With ~3 questions an entry a middling score is all a paraphrase can get; with
# 10+ the answer threshold is already lower and a middling score means less (measured:
# hedging there answered CLINC's out-of-scope questions), so the band narrows.
_HEDGE_BELOW = 0.13
_HEDGE_BELOW_RICH = 0.02
_HEDGE_FLOOR = 0.5  # ... and never below this
_HEDGE_LEAD = 0.05  # ... and leads the next entry by this much
# ... unless one word alone ties a longer message to it (measured: allowing one more word
# around it answered as many wrong as right on Bitext), see lone_idea
_LONE_IDEA_ABOVE = 0.05  # ... at this much over the answer threshold (see lone_idea_at)
_LONE_IDEA = 0.5  # ... or that word is a shop concept this specific (IDF weight; 1 = one entry)
# ... and the message names at most this many ideas only other entries' questions know,
# fewer than the words it shares with the best entry's own questions, none rarer than
# the best's most specific one (measured: without that last check Bitext's wrong
# answers rose 3.9 -> 4.5 %, with it they stay at 3.9 % and chat-eval gains the same)
_ELSEWHERE = 1
# ... or, with one word of its own questions, the other idea weighs at most this share of
# it (measured on Bitext/CLINC, 5 splits: 0.7 answered 23 more right and none wrong; 1.0
# 61 more right and 1 wrong)
_COMMONER = 0.7
