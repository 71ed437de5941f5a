"""A buyer's message in clauses: the question it asks, and what is said around it.

Buyers put context beside the question: "bisa dianter hari ini? buat arisan nanti sore",
"boleh dropship tak? sy jual kat fb". Words the FAQ does not know, or another entry's
idea, in that context are not what was asked; in the question itself they are ("cara
download invoice?"). Clauses end at a question or exclamation mark, a comma or
semicolon, a " / " between alternatives, or a line break. A full stop is no end: it
also follows abbreviations ("Mr. Smith", "no. 5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = re.compile(r"([?!;,]+)(?:\s+|$)|\s+/\s+|\n+")
# a question about "it" leaves what it is to the rest of the message ("I do not use the
# Gold account, how to cancel it?"): that rest is not context then
_POINTS_BACK = re.compile(r"\b(it|them)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    asks: bool  # ends in a question mark


def clauses(text: str) -> tuple[Clause, ...]:
    """The message's clauses, in order."""
    parts: list[Clause] = []
    start = 0
    for end in _END.finditer(text):
        piece = text[start : end.start()].strip()
        if piece:
            parts.append(Clause(piece, "?" in (end.group(1) or "")))
        start = end.end()
    rest = text[start:].strip()
    if rest:
        parts.append(Clause(rest, asks=False))
    return tuple(parts)


def the_question(parts: tuple[Clause, ...]) -> Clause | None:
    """The one clause that asks, when the message also says something around it."""
    asking = [c for c in parts if c.asks]
    return asking[0] if len(parts) > 1 and len(asking) == 1 else None


def points_back(clause: Clause) -> bool:
    """Whether the clause asks about something it names only by a pronoun."""
    return _POINTS_BACK.search(clause.text) is not None
