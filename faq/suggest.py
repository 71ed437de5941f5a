"""Turning lessons into FAQ suggestions: similar questions grouped, counted, ranked."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeAlias

from rapidfuzz import fuzz, process

from faq.lessons import AskedForPerson, Clarified, Corrected, HandedOff, Lesson
from faq.model import Faq
from faq.normalize import fold, normalize
from faq.wording import learnable

_SAME_WORDING = 85.0  # rapidfuzz score between normalised keys to count as one question
_RESEMBLES = 75.0  # rapidfuzz score for a seller's answer to count as an FAQ answer
_RESEMBLES_LEAD = 5.0  # ... and its lead over the next entry's answer
_EXAMPLES = 3
_HANDOFF_PHRASE_WORDS = 5  # longer texts are questions, not ways of asking for a person


@dataclass(frozen=True, slots=True)
class AddQuestion:
    """Add ``question`` to entry ``entry_id``: buyers asked it and meant that entry.

    ``question`` is the part of their words worth learning (``faq.wording.learnable``: the
    clauses that ask, not the chat around them); ``examples`` are their messages as written.
    """

    id: str
    entry_id: str
    question: str
    count: int
    examples: tuple[str, ...]
    kind: str = "add_question"


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A question the FAQ does not cover (the part that asks, as for ``AddQuestion``);
    ``draft_answer`` is a seller's own reply, if any."""

    id: str
    question: str
    count: int
    draft_answer: str | None
    examples: tuple[str, ...]
    kind: str = "new_entry"


@dataclass(frozen=True, slots=True)
class AddHandoffWord:
    """Buyers who were not understood asked for a person this way."""

    id: str
    phrase: str
    count: int
    examples: tuple[str, ...]
    kind: str = "add_handoff_word"


Suggestion: TypeAlias = AddQuestion | NewEntry | AddHandoffWord


@dataclass(frozen=True, slots=True)
class Group:
    """Lessons about one question (similar wording), most common wording first."""

    question: str
    lessons: tuple[Lesson, ...]
    count: int  # distinct buyers when lessons carry a buyer key, else lessons
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ambiguity:
    """A question buyers ask that the FAQ now answers with "which one?"."""

    question: str
    entry_ids: tuple[str, ...]
    count: int


def suggestion_id(kind: str, target: str, question: str) -> str:
    """Stable across runs and FAQ edits, so a dismissal is remembered."""
    digest = hashlib.sha256(f"{kind}\0{target}\0{fold(question)}".encode())
    return digest.hexdigest()[:12]


def to_dict(suggestion: Suggestion) -> dict[str, Any]:
    data = asdict(suggestion)
    data["examples"] = list(suggestion.examples)
    return data


def edited(
    suggestion: Suggestion, text: str | None = None, answer: str | None = None
) -> Suggestion:
    """The suggestion as the seller changed it (the question/phrase, a new entry's answer);
    its id stays, so accepting it still settles the original."""
    if isinstance(suggestion, AddHandoffWord):
        return replace(suggestion, phrase=text.strip()) if text else suggestion
    if text:
        suggestion = replace(suggestion, question=text.strip())
    if answer is not None and isinstance(suggestion, NewEntry):
        suggestion = replace(suggestion, draft_answer=answer.strip() or None)
    return suggestion


def resembling(answer: str, faq: Faq) -> str | None:
    """The entry whose answer a seller's hand-written answer repeats, if one clearly does.

    A seller retypes part of an answer ("Halal kak, sudah ada sertifikatnya"), so it is
    compared with each answer as a whole and line by line.
    """
    said = fold(answer)
    if not said:
        return None
    scorer = fuzz.token_set_ratio if len(said.split()) >= 3 else fuzz.ratio
    scores = sorted(
        (
            (max(scorer(said, part) for part in parts), entry_id)
            for entry_id, parts in _answers(faq)
        ),
        reverse=True,
    )
    if not scores or scores[0][0] < _RESEMBLES:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < _RESEMBLES_LEAD:
        return None
    return scores[0][1]


_ANSWERS: dict[int, tuple[Faq, list[tuple[str, list[str]]]]] = {}


def _answers(faq: Faq) -> list[tuple[str, list[str]]]:
    """Each entry's answers, whole and line by line, folded (once per loaded FAQ)."""
    known = _ANSWERS.get(id(faq))
    if known is not None and known[0] is faq:
        return known[1]
    parts = [
        (entry.id, [p for t in entry.answer.texts.values() for p in _pieces(t)])
        for entry in faq.entries
        if entry.answer is not None
    ]
    if len(_ANSWERS) >= 4:  # a few FAQs in force at once at most (reloads replace them)
        _ANSWERS.clear()
    _ANSWERS[id(faq)] = (faq, [(i, ps) for i, ps in parts if ps])
    return _ANSWERS[id(faq)][1]


def _pieces(text: str) -> list[str]:
    return [f for f in (fold(p) for p in (text, *text.splitlines())) if f]


def group(lessons: Iterable[Lesson], faq: Faq) -> list[Group]:
    """Lessons about the same question together (person requests apart), biggest first."""
    clusters: list[list[Lesson]] = []
    keys: dict[bool, list[str]] = {False: [], True: []}  # questions, person requests
    index_of: dict[bool, list[int]] = {False: [], True: []}
    where: dict[tuple[bool, str], int] = {}
    for lesson in sorted(lessons, key=lambda item: item.at):
        person = isinstance(lesson, AskedForPerson)
        key = _wording(lesson.question, faq)
        index = where.get((person, key))
        if index is None:
            found = process.extractOne(
                key, keys[person], scorer=fuzz.ratio, score_cutoff=_SAME_WORDING
            )
            index = index_of[person][found[2]] if found else None
        if index is None:
            index = len(clusters)
            clusters.append([])
            keys[person].append(key)
            index_of[person].append(index)
        where[(person, key)] = index
        clusters[index].append(lesson)
    groups = [_group(members) for members in clusters]
    groups.sort(key=lambda g: (-g.count, fold(g.question)))
    return groups


def _wording(text: str, faq: Faq) -> str:
    """The message's normalised keys, sorted (slang, stems and synonyms already folded)."""
    norm = normalize(text, faq.matcher.lexicon)
    keys = list(dict.fromkeys(norm.keys)) or list(norm.words)
    return " ".join(sorted(keys))


def _group(members: Sequence[Lesson]) -> Group:
    wordings = Counter(m.question.strip() for m in members)
    ranked = sorted(wordings, key=lambda w: (-wordings[w], len(w)))
    return Group(ranked[0], tuple(members), _count(members), tuple(ranked[:_EXAMPLES]))


def _count(members: Sequence[Lesson]) -> int:
    return len({m.buyer if m.buyer is not None else f"#{i}" for i, m in enumerate(members)})


def suggest(
    lessons: Iterable[Lesson],
    faq: Faq,
    dismissed: Iterable[str] = (),
    since: float | None = None,
    min_unanswered: int = 2,
) -> list[Suggestion]:
    """Suggestions from lessons (at or after ``since``), most asked first.

    Suggestions the FAQ already makes moot (the question is there, or is now answered by
    the suggested entry) and dismissed ones (by id) are left out. A question nobody has
    yet answered becomes a new entry only once ``min_unanswered`` buyers asked it.
    """
    gone = set(dismissed)
    recent = [m for m in lessons if since is None or m.at >= since]
    memo: dict[str, str | None] = {}

    def resembles(m: HandedOff) -> str | None:
        if m.resembles_id is not None:
            return m.resembles_id
        if m.seller_answer not in memo:
            memo[m.seller_answer] = resembling(m.seller_answer, faq)
        return memo[m.seller_answer]

    known = {fold(q) for e in faq.entries for q in e.phrasings}
    found: list[Suggestion] = []
    # Wording a seller answered with an FAQ answer was a question, not a way of asking for
    # a person.
    answered = {
        _wording(m.question, faq) for m in recent if isinstance(m, HandedOff) and resembles(m)
    }
    for g in group(recent, faq):
        if isinstance(g.lessons[0], AskedForPerson) and _wording(g.question, faq) in answered:
            continue
        made = _suggestion(g, faq, min_unanswered, known, resembles)
        if made is not None and not _dismissed(made, g, gone):
            found.append(made)
    order = {"add_question": 0, "new_entry": 1, "add_handoff_word": 2}
    found.sort(key=lambda s: (-s.count, order[s.kind], fold(_text(s))))
    return found


def _dismissed(made: Suggestion, g: Group, gone: set[str]) -> bool:
    """Dismissed under any of the group's wordings: the most asked one may change as
    lessons come in, and a dismissal must outlive that."""
    if not gone:
        return False
    target = made.entry_id if isinstance(made, AddQuestion) else ""
    wordings = {m.question.strip() for m in g.lessons}
    return made.id in gone or any(suggestion_id(made.kind, target, w) in gone for w in wordings)


def _text(s: Suggestion) -> str:
    return s.phrase if isinstance(s, AddHandoffWord) else s.question


def _suggestion(
    g: Group,
    faq: Faq,
    min_unanswered: int,
    known: set[str],
    resembles: Callable[[HandedOff], str | None],
) -> Suggestion | None:
    if all(isinstance(m, AskedForPerson) for m in g.lessons):
        return _handoff_word(g, faq)
    if fold(g.question) in known or not normalize(g.question, faq.matcher.lexicon).keys:
        return None
    votes = _votes(g.lessons, resembles)
    if votes:
        entry_id = votes.most_common(1)[0][0]
        if faq.get(entry_id) is None or _answered(g.question, entry_id, faq):
            return None
        return AddQuestion(
            suggestion_id("add_question", entry_id, g.question),
            entry_id,
            learnable(g.question, faq, entry_id),
            g.count,
            g.examples,
        )
    if faq.matcher.decide(g.question).decision == "answer":
        return None  # the FAQ answers it by now
    answers = [m.seller_answer for m in g.lessons if isinstance(m, HandedOff)]
    if not answers and g.count < min_unanswered:
        return None
    draft = answers[-1] if answers else None
    return NewEntry(
        suggestion_id("new_entry", "", g.question),
        learnable(g.question, faq),
        g.count,
        draft,
        g.examples,
    )


def _votes(
    lessons: Sequence[Lesson], resembles: Callable[[HandedOff], str | None]
) -> Counter[str]:
    """Which entry buyers (by picking) and sellers (by answering) said the question is."""
    votes: Counter[str] = Counter()
    for m in lessons:
        if isinstance(m, Clarified):
            votes[m.picked_id] += 1
        elif isinstance(m, Corrected) and m.then_id is not None:
            votes[m.then_id] += 1
        elif isinstance(m, HandedOff):
            target = resembles(m)
            if target is not None:
                votes[target] += 1
    for m in lessons:  # "bukan ini": never suggest the entry the buyer turned down
        if isinstance(m, Corrected) and m.hedged_id in votes:
            votes[m.hedged_id] -= 1
    return +votes


def _answered(question: str, entry_id: str, faq: Faq) -> bool:
    result = faq.matcher.decide(question)
    return result.decision == "answer" and result.best == entry_id


def _handoff_word(g: Group, faq: Faq) -> AddHandoffWord | None:
    phrase = " ".join(g.question.split())
    if len(phrase.split()) > _HANDOFF_PHRASE_WORDS:
        return None
    known = {fold(w) for w in faq.handoff_words}
    if fold(phrase) in known or not fold(phrase):
        return None
    return AddHandoffWord(
        suggestion_id("add_handoff_word", "", phrase), phrase, g.count, g.examples
    )


def ambiguous_questions(lessons: Iterable[Lesson], faq: Faq) -> list[Ambiguity]:
    """Questions buyers asked that now land on two or more entries (for `japri faq check`)."""
    found = []
    for g in group((m for m in lessons if not isinstance(m, AskedForPerson)), faq):
        result = faq.matcher.decide(g.question)
        if result.decision == "clarify" and len(result.options) >= 2:
            found.append(Ambiguity(g.question, result.options, g.count))
    return found
