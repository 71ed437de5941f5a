"""What accepting a suggestion would undo: questions answered today that it would turn into
a question asked back, or an answer from another entry.

An added question shifts close calls beyond its own wording: its words start to count for
its entry, and for no other. Before a seller accepts, the questions the shop knows the
answer to are asked again of the FAQ as it would be: the FAQ's own questions, and the
questions buyers asked whose entry a lesson settled (picked after "which one?", or answered
by a seller with that entry's answer). Those the FAQ answers today and would not answer the
same way afterwards are the suggestion's side effects, shown to the seller with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from faq.lessons import Clarified, Corrected, HandedOff, Lesson
from faq.model import Faq, FaqEntry, Localized
from faq.normalize import fold
from faq.suggest import AddQuestion, NewEntry, Suggestion, resembling

_NEW_ID = ":suggested"  # the id a suggested new entry has while it is tried (ids hold no ':')
_RECENT = 500  # settled wordings replayed at most (the most recent): ~50 ms a suggestion


@dataclass(frozen=True, slots=True)
class SideEffect:
    """``question`` is answered with ``entry_id`` today; afterwards the bot would ask back
    (``becomes`` "clarify"), not know (``"fallback"``) or answer with another entry (its
    id; ``"new entry"`` for the suggested one)."""

    question: str
    entry_id: str
    becomes: str


def known_answers(
    lessons: Iterable[Lesson], faq: Faq, own_questions: bool = True
) -> list[tuple[str, str]]:
    """Questions and the entry that answers them, as the FAQ and its lessons say: each
    entry's own questions (unless ``own_questions`` is False), then buyers' questions a
    lesson settled (distinct wordings, the most recent first, at most ``_RECENT``)."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []

    def add(text: str, entry_id: str | None) -> None:
        key = fold(text)
        if entry_id is not None and key and key not in seen and faq.get(entry_id) is not None:
            seen.add(key)
            found.append((text.strip(), entry_id))

    for entry in faq.entries:
        for question in entry.phrasings:
            if own_questions:
                add(question, entry.id)
            else:
                seen.add(fold(question))  # the FAQ's own wording is no buyer's lesson
    memo: dict[str, str | None] = {}
    settled_from = len(found)
    for lesson in sorted(lessons, key=lambda m: -m.at):  # the most recent wording first
        if len(found) - settled_from >= _RECENT:
            break
        if isinstance(lesson, Clarified):
            add(lesson.text, lesson.picked_id)
        elif isinstance(lesson, Corrected):
            add(lesson.text, lesson.then_id)
        elif isinstance(lesson, HandedOff):
            target = lesson.resembles_id
            if target is None:
                if lesson.seller_answer not in memo:
                    memo[lesson.seller_answer] = resembling(lesson.seller_answer, faq)
                target = memo[lesson.seller_answer]
            add(lesson.text, target)
    return found


def with_suggestion(faq: Faq, suggestion: Suggestion) -> Faq | None:
    """The FAQ in memory as if ``suggestion`` were accepted; None when it changes no
    matching (a handoff word, or an entry that is gone)."""
    if isinstance(suggestion, AddQuestion):
        entry = faq.get(suggestion.entry_id)
        if entry is None:
            return None
        grown = replace(entry, learned=(*entry.learned, suggestion.question))
        entries = tuple(grown if e.id == entry.id else e for e in faq.entries)
    elif isinstance(suggestion, NewEntry):
        answer = Localized.plain(suggestion.draft_answer) if suggestion.draft_answer else None
        entries = (*faq.entries, FaqEntry(_NEW_ID, (suggestion.question,), answer))
    else:
        return None
    return replace(faq, entries=entries)


def side_effects(
    suggestion: Suggestion,
    faq: Faq,
    lessons: Iterable[Lesson] = (),
    known: Sequence[tuple[str, str]] | None = None,
) -> tuple[SideEffect, ...]:
    """The questions answered today (``known``, else ``known_answers(lessons, faq)``) that
    accepting ``suggestion`` would no longer answer with the same entry."""
    after = with_suggestion(faq, suggestion)
    if after is None:
        return ()
    asked = fold(getattr(suggestion, "question", ""))
    found = []
    for text, entry_id in known if known is not None else known_answers(lessons, faq):
        if fold(text) == asked:
            continue  # the suggestion's own wording: answering it is the point
        today = faq.matcher.decide(text)
        if today.decision != "answer" or today.best != entry_id:
            continue
        then = after.matcher.decide(text)
        if then.decision == "answer" and then.best == entry_id:
            continue
        becomes = then.decision if then.decision != "answer" else str(then.best)
        found.append(SideEffect(text, entry_id, "new entry" if becomes == _NEW_ID else becomes))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Misanswer:
    """Buyers asked ``question`` meaning ``meant`` (None: not ``answered``, they said "not
    this" to it), and the FAQ answers it with ``answered`` now."""

    question: str
    meant: str | None
    answered: str


def misanswered(lessons: Iterable[Lesson], faq: Faq) -> list[Misanswer]:
    """Questions buyers settled that the FAQ answers with another entry (for `japri faq
    check`): a pick, a seller's answer or a "not this" the FAQ does not agree with."""
    lessons = list(lessons)
    found = []
    for text, entry_id in known_answers(lessons, faq, own_questions=False):
        result = faq.matcher.decide(text)
        if result.decision == "answer" and result.best not in (None, entry_id):
            found.append(Misanswer(text, entry_id, str(result.best)))
    seen = {fold(m.question) for m in found}
    for lesson in lessons:
        if not isinstance(lesson, Corrected) or fold(lesson.text) in seen:
            continue
        result = faq.matcher.decide(lesson.text)
        if result.decision == "answer" and result.best == lesson.hedged_id:
            seen.add(fold(lesson.text))
            found.append(Misanswer(lesson.text.strip(), None, lesson.hedged_id))
    return found
