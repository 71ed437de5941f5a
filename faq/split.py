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

Whether a clause asks is read from its question mark (``Clause.asks``). Buyers also ask
without one: a question word first or a question tag last ("ada tokonya ga sih", "how
long is shipping"), tested apart by ``reads_as_question`` on the normalised text, and
heeded by ``split_clauses`` only when asked to (``question_words``): the engine reads the
mark alone, a learned wording either (why: ``split_clauses``). The same words tell the
engine's signals (``flows.signals``) whether a whole message asks (``asks_by_words``).
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
_EMPTY = " \t\r\n,;.!?/"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause: its words as written, without the marks that end it, and whether it asks
    (a "?" among those marks; or, when the splitter was given ``question_words``, a
    question word first or a tag last). ``mark`` is the "?" or "!" that closed it, once
    ("" if none); it is not compared: a clause is its words and whether it asks."""

    text: str
    asks: bool
    mark: str = field(default="", compare=False)

    @property
    def written(self) -> str:
        """The clause with its closing "?" or "!", once ("bisa cod?" for "bisa cod??!")."""
        return self.text + self.mark


def split_clauses(text: str, *, question_words: Lexicon | None = None) -> tuple[Clause, ...]:
    """The message's clauses, in order (see the module docstring for the rule).

    A clause asks when its marks hold a "?"; with ``question_words`` (the FAQ's lexicon)
    also when it reads as a question without one (``reads_as_question``). The engine
    (``flows.clauses``) leaves it out: it looks for the one clause that asks, and taking
    question words as asking there answered 13 more CLINC queries right but 13 wrong
    ("which do you prefer, cats or dogs" -> *user name*; gadget +1 answered on chat-eval).
    A learned wording (``faq.wording``) gives it: it keeps the clauses that ask, and
    without a "?" a question is still the part worth learning ("kak hp aku redmi note 13
    pro 5g, ada casingnya gak? yg 4g beda kan ..." learns its two asking clauses, not the
    context after them); held-out figures are the same either way (``bench/learn.py``,
    all three splits).
    """
    parts: list[Clause] = []
    start = 0
    for end in _END.finditer(text):
        if end.group("stop") and _abbreviation(text[start : end.start()]):
            continue
        run = end.group("run") or ""
        _add(
            parts,
            text[start : end.start()],
            "?" if "?" in run else "!" if "!" in run else "",
            question_words,
        )
        start = end.end()
    _add(parts, text[start:], "", question_words)
    return tuple(parts)


def _add(parts: list[Clause], piece: str, mark: str, question_words: Lexicon | None) -> None:
    piece = piece.strip()
    if not piece.strip(_EMPTY):
        return
    asks = mark == "?" or (question_words is not None and reads_as_question(piece, question_words))
    parts.append(Clause(piece, asks, mark))


def _abbreviation(before: str) -> bool:
    """Whether the word that ends ``before`` (a full stop follows it) is a short form."""
    # perf: from the right, as far as the last word goes: a regex search for it tried
    # every start and ran to the end from each, so a long word then many "a. b. c."
    # took seconds on one 2,000-character message
    if not before or before[-1].isspace():
        return False
    word = before.rsplit(None, 1)[-1].lstrip("([\"'").lower()
    letters = word.replace(".", "")
    return "." in word or (len(letters) == 1 and letters.isalpha()) or letters in ABBREVIATIONS


# On the normalised (slang-expanded) text: a clause that opens with a question word or
# closes with a question tag asks, even without a question mark. Slang is expanded
# first, so each word is written once: "brp" is "berapa", "gmn" and "camne" "bagaimana",
# "bila" "kapan", "dimana" "di mana", "ga", "gak", "tak" and "x" "tidak", "bisakah"
# "bisa". A question word with "-kah" asks too ("berapakah", "benarkah", "sudahkah").
_ASKS_FROM = re.compile(
    r"^(apa|apakah|adakah|ada|bisa|boleh|bagaimana|macam mana|kapan|bila|berapa|di mana|"
    r"dimana|mana|siapa|kenapa|mengapa|can|could|do|does|is|are|will|would|how|what|when|"
    r"where|which|who|why|(apa|ada|bisa|boleh|bagaimana|berapa|kapan|mana|siapa|sudah|"
    r"masih|benar|betul|perlu|harus|mau|mahu)kah)\b"
)
# The tag may take a particle after it ("cod sampai ga ya", "bisa ga sih"); and Indonesian
# and Malay put the question word last as often as first ("ongkirnya brp", "bayarnya
# gmn", "kedai kat mana"; not "apa": "gapapa" is "tidak apa").
_ASKS_TAG = re.compile(
    r"\b((tidak|kah|ke|belum|bukan|or not)( (sih|ya|yah|nih|ni|tu|dong|eh))?"
    r"|berapa|kapan|bagaimana|di mana|mana|siapa|apa saja)$"
)


def asks_by_words(flat: str) -> bool:
    """Whether normalised text asks by its words alone: a question word first, or a
    question tag or word last ("ada tokonya tidak", "how long is shipping", "ongkir
    berapa"). The engine's ``flows.signals`` reads a message's question with it;
    ``reads_as_question`` a clause's."""
    flat = flat.strip()
    return bool(_ASKS_FROM.search(flat) or _ASKS_TAG.search(flat))


def reads_as_question(text: str, lexicon: Lexicon) -> bool:
    """Whether a clause reads as a question without its mark: a question word first or a
    question tag last, on the normalised text ("ada tokonya ga sih", "warnanya luntur
    tak", "how long is shipping"; not "pengen liat langsung")."""
    return asks_by_words(normalize(text, lexicon).text)
