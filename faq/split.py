"""A buyer's message cut into clauses: the one rule the engine's decisions
(``flows.clauses``) and the learned wordings (``faq.wording``) both use.

A clause ends at:

- a question or exclamation mark ("bisa cod? di bekasi"); the clause *asks* when its
  marks hold a "?";
- a comma or semicolon, except a comma between two digits ("1,5 kg");
- a line break;
- a " / " between alternatives ("coklat / keju ada?"; not "s/d" or "1/2");
- an ellipsis ("..", "...", spaced or not: "bagus..cuma");
- one full stop followed by a space or the end of the message, unless it closes an
  abbreviation: a single letter or a word with a full stop inside ("a.n. Dinda", "J.
  Smith", "e.g."), or a short form in ``ABBREVIATIONS`` ("Mr. Smith", "no. 5", "Bu.
  Rina", "jl. Kenari"). A full stop with no space after it is no end: inside a number
  ("Rp9.000", "25.000"), a web address, "a.n.".

Whether a clause asks is read from its question mark only (``Clause.asks``). Buyers also
ask without one: a question word first or a question tag last ("ada tokonya ga sih",
"how long is shipping"), tested apart by ``reads_as_question`` on the normalised text;
each consumer says which of the two it heeds (the engine: the mark; a learned wording:
either).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from faq.normalize import Lexicon, normalize

# Short forms a full stop closes without ending the clause (lower case, no dots). Kept
# small and plain: a word that also ends sentences ("pak", "ya", "ok") is not here.
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "nr", "tel", "telp", "ext",
        "jl", "jln", "bu", "bpk", "sdr", "yth", "hj", "rp", "pt", "cv", "tbk", "sdn", "bhd",
        "inc", "ltd", "dll", "dsb", "dst", "tsb", "etc", "vs", "kec", "kab",
    }
)  # fmt: skip

_END = re.compile(
    # ?, !, ; or a comma not between digits ("1,5"), with the marks that trail them ("?!",
    # ",?", "?.") and the full stops before them ("ok.?")
    r"(?P<run>\.*(?:[?!;]|(?<!\d),|,(?!\d))[?!.,;]*)"
    r"|\n"
    r"|\s+/\s+"
    r"|\.{2,}"  # an ellipsis, spaced or not ("bagus..cuma")
    r"|(?P<stop>\.)(?=\s|$)"  # one full stop before a space or the end (checked below)
)
_LAST_WORD = re.compile(r"(\S+)$")
_EMPTY = " \t\r\n,;.!?/"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: its words as written, without the marks that end it, and whether it asks
    (its marks hold a "?"). ``mark`` is "?" when it asks, "!" when it ends in an
    exclamation mark, else ""; it is not compared: a clause is its words and whether it
    asks."""

    text: str
    asks: bool
    mark: str = field(default="", compare=False)

    @property
    def written(self) -> str:
        """The clause with its closing "?" or "!", once ("bisa cod?" for "bisa cod??!")."""
        return self.text + self.mark


def split_clauses(text: str) -> tuple[Clause, ...]:
    """The message's clauses, in order (see the module docstring for the rule)."""
    parts: list[Clause] = []
    start = 0
    for end in _END.finditer(text):
        if end.group("stop") and _abbreviation(text[start : end.start()]):
            continue
        piece = text[start : end.start()].strip()
        if piece.strip(_EMPTY):
            run = end.group("run") or ""
            mark = "?" if "?" in run else "!" if "!" in run else ""
            parts.append(Clause(piece, mark == "?", mark))
        start = end.end()
    rest = text[start:].strip()
    if rest.strip(_EMPTY):
        parts.append(Clause(rest, asks=False))
    return tuple(parts)


def _abbreviation(before: str) -> bool:
    """Whether the word that ends ``before`` (a full stop follows it) is a short form."""
    found = _LAST_WORD.search(before)
    if found is None:
        return False
    word = found.group(1).lstrip("([\"'").lower()
    letters = word.replace(".", "")
    return "." in word or (len(letters) == 1 and letters.isalpha()) or letters in ABBREVIATIONS


# On the normalised (slang-expanded) text: a clause that opens with a question word or
# closes with a question tag asks, even without a question mark.
_ASKS_FROM = re.compile(
    r"^(apa|apakah|adakah|ada|bisa|boleh|bagaimana|macam mana|kapan|bila|berapa|di mana|"
    r"dimana|mana|kenapa|mengapa|can|could|do|does|is|are|will|would|how|what|when|where|"
    r"which|why)\b"
)
_ASKS_TAG = re.compile(r"\b(tidak|kah|ke|belum|bukan|or not)$")


def reads_as_question(text: str, lexicon: Lexicon) -> bool:
    """Whether a clause reads as a question without its mark: a question word first or a
    question tag last, on the normalised text ("ada tokonya ga sih", "warnanya luntur
    tak", "how long is shipping"; not "pengen liat langsung")."""
    flat = normalize(text, lexicon).text
    return bool(_ASKS_FROM.search(flat) or _ASKS_TAG.search(flat))
