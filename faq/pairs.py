"""Twin entries: pairs of alike entries buyers keep choosing between, and their words.

Learning a wording for one of two alike entries sends the other's questions back to "which
one?" (bench/README.md, "Twin entries"): only the seller can end it, by writing what sets the
two apart. Per-question warnings scatter that lesson; here the lessons are gathered per
unordered pair of entries: how many buyers meant each one, a few of their questions, and the
words those buyers use that the other entry's questions lack.

A lesson speaks for a pair when the buyer chose between its two entries: a pick in "which
one?" (paired with the strongest other option offered, options being ranked best first), a
"bukan ini" to one entry followed by the other, or a question that lands on both entries
today (buyers not understood or handed to a seller; a seller's answer that repeats one
entry's answer says which one they meant). A pair is shown while the FAQ still leaves one of
its buyers' questions undecided between the two, or answers it with the other entry.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeAlias

from faq.lessons import (
    EMAIL,
    NAME,
    NUMBER,
    ORDER,
    PHONE,
    Clarified,
    Corrected,
    Fallback,
    HandedOff,
    Lesson,
)
from faq.matcher import MatchResult
from faq.model import Faq, FaqEntry
from faq.normalize import NUMBER as NUMBER_CONCEPT
from faq.normalize import fold, normalize
from faq.suggest import group, suggestion_id

EXAMPLES = 3  # buyer questions shown per side
WORDS = 4  # hint words shown per side
_FEW = 5  # questions on a side from which a hint word needs two of them
_MASKS = re.compile("|".join(re.escape(m) for m in (EMAIL, ORDER, PHONE, NUMBER, NAME)))
_NUMBER_KEY = "@" + NUMBER_CONCEPT
_Decide: TypeAlias = Callable[[str], MatchResult]


@dataclass(frozen=True, slots=True)
class Side:
    """The buyers of a pair who meant ``entry_id``.

    ``words`` are words their questions use (most telling first) that the other entry's
    questions lack, and that the other side's buyers use less.
    """

    entry_id: str
    count: int  # distinct buyers (lessons without a buyer key count one each)
    examples: tuple[str, ...]  # their questions as written, most asked first
    words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pair:
    """Two entries buyers keep choosing between; the side more buyers meant first."""

    sides: tuple[Side, Side]
    count: int  # every buyer of the pair: both sides and those who did not say
    unsure: int  # buyers whose question lands on both and who did not say which they meant
    undecided: int  # distinct questions of theirs the FAQ still does not answer as meant

    @property
    def entry_ids(self) -> tuple[str, str]:
        return self.sides[0].entry_id, self.sides[1].entry_id


@dataclass(frozen=True, slots=True)
class _Vote:
    """One lesson's word on a pair: which entry the buyer meant (None: not said)."""

    pair: tuple[str, str]  # sorted
    meant: str | None
    lesson: Lesson


def confused_pairs(
    lessons: Iterable[Lesson], faq: Faq, dismissed: Iterable[str] = ()
) -> list[Pair]:
    """The pairs of entries buyers keep choosing between, most buyers first.

    Questions whose suggestion the seller dismissed (to add to either entry, or as a new
    entry) are left out: the seller said not to bring them up again.
    """
    decided: dict[str, MatchResult] = {}

    def decide(text: str) -> MatchResult:
        key = fold(text)
        if key not in decided:
            decided[key] = faq.matcher.decide(text)
        return decided[key]

    lessons = list(lessons)
    gone = _dismissed(lessons, faq, set(dismissed))
    by_pair: dict[tuple[str, str], list[_Vote]] = defaultdict(list)
    for vote in _votes(lessons, faq, decide):
        if not gone(vote):
            by_pair[vote.pair].append(vote)
    found = [
        pair
        for votes in by_pair.values()
        if (pair := _pair(votes, faq, decide)) is not None and pair.undecided
    ]
    found.sort(key=lambda p: (-p.count, p.entry_ids))
    return found


def _dismissed(lessons: Sequence[Lesson], faq: Faq, gone: set[str]) -> Callable[[_Vote], bool]:
    """Whether the seller dismissed a vote's question: under any wording of its group (as
    `faq.suggest` remembers a dismissal), for either entry of the pair or as a new entry."""
    if not gone:
        return lambda vote: False
    wordings: dict[int, frozenset[str]] = {}
    for g in group(lessons, faq):
        said = frozenset(m.question.strip() for m in g.lessons)
        wordings.update((id(m), said) for m in g.lessons)

    def dismissed(vote: _Vote) -> bool:
        said = wordings.get(id(vote.lesson), frozenset({vote.lesson.question.strip()}))
        ids = {suggestion_id("new_entry", "", w) for w in said}
        ids |= {suggestion_id("add_question", e, w) for e in vote.pair for w in said}
        return bool(ids & gone)

    return dismissed


def _votes(lessons: Sequence[Lesson], faq: Faq, decide: _Decide) -> Iterable[_Vote]:
    ordered = sorted(lessons, key=lambda m: m.at)
    # "bukan ini" leaves no entry of its own; the buyer's next pick (the same buyer, the
    # same question) says which one was meant instead of the one turned down
    turned_down: dict[tuple[str | None, str], tuple[str, float]] = {
        (m.buyer, fold(m.text)): (m.hedged_id, m.at)
        for m in ordered
        if isinstance(m, Corrected) and m.then_id is None and m.buyer is not None
    }
    last_pick: dict[tuple[str | None, str], float] = {
        (m.buyer, fold(m.text)): m.at
        for m in ordered
        if isinstance(m, Clarified) and m.buyer is not None
    }
    for m in ordered:
        vote: _Vote | None = None
        if isinstance(m, Clarified):
            hedged, at = turned_down.get((m.buyer, fold(m.text)), (None, m.at))
            if hedged is not None and at <= m.at:
                vote = _vote(hedged, m.picked_id, m.picked_id, m)
            elif m.picked_id in m.options:
                other = next((o for o in m.options if o != m.picked_id), None)
                vote = _vote(m.picked_id, other, m.picked_id, m)
        elif isinstance(m, Corrected) and m.then_id is not None:
            vote = _vote(m.hedged_id, m.then_id, m.then_id, m)
        elif isinstance(m, Fallback | HandedOff | Corrected):
            if isinstance(m, Corrected) and last_pick.get((m.buyer, fold(m.text)), -1.0) >= m.at:
                continue  # the pick that followed speaks for it
            result = decide(m.text)
            if result.decision == "clarify" and len(result.options) >= 2:
                first, second = result.options[:2]
                meant = m.resembles_id if isinstance(m, HandedOff) else None
                vote = _vote(first, second, meant if meant in (first, second) else None, m)
        if vote is not None and all(faq.get(e) is not None for e in vote.pair):
            yield vote


def _vote(a: str, b: str | None, meant: str | None, lesson: Lesson) -> _Vote | None:
    if b is None or a == b:
        return None
    first, second = sorted((a, b))
    return _Vote((first, second), meant, lesson)


def _pair(votes: Sequence[_Vote], faq: Faq, decide: _Decide) -> Pair | None:
    a, b = votes[0].pair
    entry_a, entry_b = faq.get(a), faq.get(b)
    if entry_a is None or entry_b is None:
        return None
    meant_a = [v.lesson for v in votes if v.meant == a]
    meant_b = [v.lesson for v in votes if v.meant == b]
    open_ = [v.lesson for v in votes if v.meant is None]
    undecided: set[str] = set()
    for lessons, other in ((meant_a, b), (meant_b, a)):
        for m in lessons:
            result = decide(m.question)
            on_both = result.decision == "clarify" and {a, b} <= set(result.options)
            if on_both or (result.decision == "answer" and result.best == other):
                undecided.add(fold(m.question))
    undecided |= {fold(m.question) for m in open_}  # they land on both today
    side_a = _side(entry_a, entry_b, meant_a, meant_b, faq)
    side_b = _side(entry_b, entry_a, meant_b, meant_a, faq)
    sides = sorted((side_a, side_b), key=lambda s: (-s.count, s.entry_id))
    said = _buyers(meant_a) | _buyers(meant_b)
    everyone = said | _buyers(open_)
    return Pair((sides[0], sides[1]), len(everyone), len(everyone - said), len(undecided))


def _buyers(lessons: Sequence[Lesson]) -> set[str]:
    """Buyer keys; a lesson without one counts as a buyer of its own."""
    return {m.buyer if m.buyer is not None else f"#{id(m)}" for m in lessons}


def _side(
    entry: FaqEntry, other: FaqEntry, mine: Sequence[Lesson], theirs: Sequence[Lesson], faq: Faq
) -> Side:
    wordings = Counter(" ".join(m.question.split()) for m in mine)
    examples = sorted(wordings, key=lambda w: (-wordings[w], len(w), w))[:EXAMPLES]
    return Side(entry.id, len(_buyers(mine)), tuple(examples), _words(other, mine, theirs, faq))


def _words(
    other: FaqEntry, mine: Sequence[Lesson], theirs: Sequence[Lesson], faq: Faq
) -> tuple[str, ...]:
    """Words of ``mine`` (buyers' questions) that tell them from ``other``, most telling
    first: none of the word's match keys (stems, concepts: "cek" and "lihat" are one idea)
    is in ``other``'s questions, and more of ``mine`` use it than of ``theirs``.

    ``other``'s answer is not searched: answers are prose, and one "details" in it (the
    idea of "check", "see", "find") hid the words of check_invoice's buyers on Bitext.
    Once a side has ``_FEW`` questions, a word needs two of them (not a typo of one buyer),
    and one idea is shown in two spellings at most. The vocabulary's function words count
    like any other: "check", "see" and "look" (one idea) told check_invoice's buyers from
    get_invoice's on Bitext (37 of 42 against 4 of 35), better than any topic word.
    """
    lexicon = faq.matcher.lexicon
    known = {k for text in other.phrasings for k in normalize(text, lexicon).keys}

    @cache  # a word is looked up for every question that uses it
    def keys(word: str) -> frozenset[str]:
        return frozenset(normalize(word, lexicon).keys) - {_NUMBER_KEY}

    def words(text: str) -> set[str]:
        return {w for w in fold(_MASKS.sub(" ", text)).split() if keys(w)}

    def asked(lessons: Sequence[Lesson]) -> list[frozenset[str]]:
        return [frozenset().union(*(keys(w) for w in words(m.question))) for m in lessons]

    def uses(questions: Sequence[frozenset[str]], said: frozenset[str]) -> int:
        """How many of the questions use a word that stands for one of ``said``."""
        return sum(bool(q & said) for q in questions)

    my_keys, their_keys = asked(mine), asked(theirs)
    least = 2 if len(mine) >= _FEW else 1
    spelled = Counter(w for m in mine for w in words(m.question))
    found = []
    for word, count in spelled.items():
        said = keys(word)
        if said & known:
            continue
        used = uses(my_keys, said)  # "cek" and "lihat" count together
        lead = used - uses(their_keys, said)
        if lead > 0 and used >= least:
            found.append((-lead, -used, -count, word, said))
    shown: list[str] = []
    ideas: Counter[frozenset[str]] = Counter()
    for *_, word, said in sorted(found, key=lambda f: f[:4]):
        if ideas[said] < 2 and len(shown) < WORDS:
            shown.append(word)
            ideas[said] += 1
    return tuple(shown)
