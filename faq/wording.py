"""What to learn from a buyer's message: the question it asks, not the chat around it.

A buyer writes "beli sebungkus boleh kak? mau nyobain dulu": the first clause asks, the
second tells why. Added to an entry as it stands, every word of it starts to count for that
entry, and a later buyer who says "nyobain" about something else finds a rival entry
where there was none ("did you mean?" instead of an answer). Words that name *another*
entry's topic do the same harm from inside the question that asks: "warna" in "design
Humaira warna sage ada lagi?" (a stock question) makes the stock entry a rival of the
colour entry, and weakens "warna" as the colour entry's word.

So a suggestion carries the smallest part of the buyer's words that still teaches the
lesson (``learnable``): the clauses that ask, without the words that name another entry's
topic (unless nothing of the entry, and no new idea, would be left); and it is checked:
with that part added, the buyer's own message must be answered with the entry. When a
smaller part fails that check, the next larger one is taken, up to the whole message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from faq.model import Faq, FaqEntry
from faq.normalize import normalize
from faq.split import split_clauses

SUGGESTED_ID = ":suggested"  # a new entry's id while it is tried (entry ids hold no ':')

_TRAILING = re.compile(r"[?!.]+$")


def learnable(text: str, faq: Faq, entry_id: str | None = None) -> str:
    """The part of ``text`` to add to entry ``entry_id`` (None: as a new entry's question).

    Tried from the smallest: the clauses that ask, without words naming another entry's
    topic; the same with them; then the whole message without such words, and as it
    stands. The first that, once added, gets ``text`` itself answered with the entry is
    kept.
    """
    known = _LEARNED.get(id(faq))
    if known is None or known.faq is not faq:
        if len(_LEARNED) >= 4:  # a few FAQs in force at once at most (reloads replace them)
            _LEARNED.clear()
        known = _LEARNED[id(faq)] = _Known(faq, _Topics.of(faq))
    found = known.learnable.get((text, entry_id))
    if found is None:
        found = known.learnable[(text, entry_id)] = _learnable(text, known, entry_id)
    return found


@dataclass(frozen=True, slots=True)
class _Topics:
    """What the FAQ's entries ask about, worked out once per FAQ (every suggestion reads it)."""

    of_entry: dict[str, frozenset[str]]  # each entry's topic (``_topics``)
    asked_anywhere: frozenset[str]  # what any entry's questions or id ask about

    @classmethod
    def of(cls, faq: Faq) -> _Topics:
        asked_anywhere = frozenset().union(*(_asked_keys(e, faq) for e in faq.entries))
        return cls(_topics(faq), asked_anywhere)

    def of_others(self, entry: FaqEntry | None) -> set[str]:
        """The topics of the entries other than ``entry``."""
        skip = entry.id if entry is not None else None
        return set().union(*(t for e, t in self.of_entry.items() if e != skip))


@dataclass(slots=True)
class _Known:
    faq: Faq
    topics: _Topics
    learnable: dict[tuple[str, str | None], str] = field(default_factory=dict)


# A candidate checked for a new entry costs a matcher build (~10 ms at 100 entries, ~200 ms
# at 1,000; one for an entry a few ms: ``Matcher.with_learned``), and the runtime works the
# suggestions out again on each accept: remembered per FAQ.
_LEARNED: dict[int, _Known] = {}


def _learnable(text: str, known: _Known, entry_id: str | None) -> str:
    faq = known.faq
    whole = " ".join(text.split())
    entry = faq.get(entry_id) if entry_id is not None else None
    if entry_id is not None and entry is None:
        return whole
    for candidate in _candidates(text, known, entry):
        if candidate == whole:
            return whole
        if _answers(text, candidate, faq, entry):
            return candidate
    return whole


def _candidates(text: str, known: _Known, entry: FaqEntry | None) -> Iterator[str]:
    faq = known.faq
    whole = " ".join(text.split())
    lexicon = faq.matcher.lexicon
    parts = [p for p in split_clauses(text, question_words=lexicon) if _content(p.text, faq)]
    own = _entry_keys(entry, faq) if entry is not None else set()
    asking = [p.written for p in parts if p.asks]
    others = known.topics.of_others(entry) - own
    bases = [" ".join(asking)] if asking and len(asking) < len(parts) else []
    asked_anywhere = known.topics.asked_anywhere
    seen: set[str] = set()
    for base in (*bases, whole):
        trimmed = _without(base, others, faq)
        # what is left must still say something: a word the entry knows, or an idea (a
        # vocabulary concept) no entry is asked about yet; "bayar pas nyampe bisa?"
        # without "bayar" (the payment entry's word) is chat context alone
        left = _content(trimmed, faq)
        new_ideas = {k for k in left if k.startswith("@")} - asked_anywhere
        speaks = entry is None or bool(left & own or new_ideas)
        for candidate in (trimmed, base) if speaks else (base,):
            if candidate not in seen:
                seen.add(candidate)
                yield candidate


def _answers(text: str, question: str, faq: Faq, entry: FaqEntry | None) -> bool:
    """Whether, with ``question`` added to ``entry`` (or as a new entry), the FAQ answers
    ``text`` with that entry."""
    if entry is None:
        grown = (*faq.entries, FaqEntry(SUGGESTED_ID, (question,)))
        matcher, target = replace(faq, entries=grown).matcher, SUGGESTED_ID
    else:
        # the matcher of the FAQ with the wording learned, without building one
        matcher, target = faq.matcher.with_learned(entry.id, question), entry.id
    result = matcher.decide(text)
    return result.decision == "answer" and result.best == target


def _content(text: str, faq: Faq) -> set[str]:
    lexicon = faq.matcher.lexicon
    return {k for k in normalize(text, lexicon).keys if k not in lexicon.function_keys}


def _id_keys(entry: FaqEntry, faq: Faq) -> set[str]:
    return _content(entry.id.replace("-", " ").replace("_", " "), faq)


def _asked_keys(entry: FaqEntry, faq: Faq) -> set[str]:
    """What an entry's questions and id ask about."""
    return _id_keys(entry, faq).union(*(_content(q, faq) for q in entry.phrasings))


def _entry_keys(entry: FaqEntry, faq: Faq) -> set[str]:
    """What an entry speaks of: its questions, its answer and its id."""
    parts = [*entry.phrasings, entry.id.replace("-", " ").replace("_", " ")]
    if entry.answer is not None:
        parts += list(entry.answer.texts.values())
    return _content(" ".join(parts), faq)


def _topics(faq: Faq) -> dict[str, frozenset[str]]:
    """Each entry's topic: what at least half of its questions ask about and either its id
    names or no other entry's questions ask ("warna" for the entry 'warna', "kedai" for
    'lokasi-butik'; not "order" for 'min-order', as many entries' questions ask about
    orders and its id names the minimum)."""
    asked = {entry.id: [_content(q, faq) for q in entry.questions] for entry in faq.entries}
    askers: dict[str, int] = {}
    for questions in asked.values():
        for key in set().union(*questions):
            askers[key] = askers.get(key, 0) + 1
    topics: dict[str, frozenset[str]] = {}
    for entry in faq.entries:
        mine, named = asked[entry.id], _id_keys(entry, faq)
        topics[entry.id] = frozenset(
            k
            for k in named.union(*mine)
            if (k in named or askers[k] == 1) and 2 * sum(k in a for a in mine) >= len(mine)
        )
    return topics


def _without(text: str, drop: set[str], faq: Faq) -> str:
    """``text`` without the words whose every key is in ``drop`` (their closing "?" kept)."""
    kept: list[str] = []
    for word in text.split():
        keys = _content(word, faq)
        if keys and keys <= drop:
            mark = _TRAILING.search(word)
            if mark and kept and not kept[-1].endswith(mark.group()):
                kept[-1] += mark.group()
            continue
        kept.append(word)
    return " ".join(kept) if any(_content(w, faq) for w in kept) else text
