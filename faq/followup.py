"""Whether a buyer's message already answers an entry's follow-up question (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from faq.model import FaqEntry
from faq.normalize import fold

# What a seller may write after `follow_up_unless:`, and the kind each word means.
KINDS: Mapping[str, str] = {
    "place": "place",
    "city": "place",
    "kota": "place",
    "bandar": "place",
    "size": "size",
    "ukuran": "size",
    "saiz": "size",
    "colour": "colour",
    "color": "colour",
    "warna": "colour",
    "number": "number",
    "jumlah": "number",
    "angka": "number",
}

# A place marked "~" in places.txt (also a word: malang, batu; or chat shorthand: kl, kk)
# counts only right after one of these.
_TOWARDS = frozenset(
    "ke di dari dr to from kat sampai sampe sampei area daerah kota kab kabupaten wilayah "
    "in at ongkir ongkos kirim kirimin hantar pos antar ship shipping deliver delivery".split()
)
_SIZE_WORDS = frozenset("ukuran uk size saiz sz nomor no".split())
_SIZE_LETTERS = frozenset("xs s m l xl xxl xxxl xxxxl".split())
_SIZE_ALONE = frozenset(("xs", "xl", "xxl", "xxxl", "xxxxl", "allsize", "bigsize", "jumbo"))
_COLOURS = frozenset(
    """merah biru hijau kuning hitam putih abu ungu coklat cokelat oranye orange jingga pink
    krem cream navy maroon marun tosca toska army mustard khaki beige silver emas gold kelabu
    red blue green yellow black white grey gray purple brown violet lilac peach salmon mint
    olive teal magenta fuchsia nude denim burgundy""".split()
)
_COLOUR_PHRASES = (("merah", "muda"), ("broken", "white"), ("dusty", "pink"), ("light", "blue"))
_NUMBER_WORDS = frozenset(
    """satu dua tiga empat lima enam tujuh delapan lapan sembilan sepuluh sebelas selusin
    one two three four five six seven eight nine ten dozen""".split()
)


@dataclass(frozen=True, slots=True)
class _Places:
    """Place names as tuples of folded words; ``shy`` ones need a word like 'ke' before."""

    plain: frozenset[tuple[str, ...]]
    shy: frozenset[tuple[str, ...]]
    longest: int


def already_answered(entry: FaqEntry, text: str) -> bool:
    """True when ``entry``'s follow-up need not be asked: ``text`` already answers it.

    Args:
        entry: the FAQ entry just answered; without ``follow_up_unless`` this is False.
        text: the buyer's message, raw or normalised (it is folded here).
    """
    skip = entry.follow_up_unless
    if entry.follow_up is None or skip is None:
        return False
    words = tuple(fold(text).split())
    if any(mentions(kind, words) for kind in skip.kinds):
        return True
    return any(_has(words, tuple(phrase.split())) for phrase in skip.words)


def mentions(kind: str, text: str | Sequence[str]) -> bool:
    """Whether ``text`` (raw, or already folded words) names something of ``kind``."""
    words = tuple(fold(text).split()) if isinstance(text, str) else tuple(text)
    check = _CHECKS.get(KINDS.get(kind, kind))
    return check is not None and check(words)


def _place(words: tuple[str, ...]) -> bool:
    places = _places()
    for start in range(len(words)):
        for span in range(min(places.longest, len(words) - start), 0, -1):
            name = words[start : start + span]
            if name in places.plain:
                return True
            if name in places.shy and start > 0 and words[start - 1] in _TOWARDS:
                return True
    return False


def _size(words: tuple[str, ...]) -> bool:
    for i, word in enumerate(words):
        if word in _SIZE_ALONE:
            return True
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in _SIZE_WORDS and ((nxt.isdigit() and len(nxt) <= 3) or nxt in _SIZE_LETTERS):
            return True
        if word.isdigit() and nxt in ("xl", "l") and int(word) <= 5:  # "2xl" folds to "2 xl"
            return True
    return False


def _colour(words: tuple[str, ...]) -> bool:
    return any(w in _COLOURS for w in words) or any(_has(words, p) for p in _COLOUR_PHRASES)


def _number(words: tuple[str, ...]) -> bool:
    return any(w.isdigit() or w in _NUMBER_WORDS for w in words)


_CHECKS: Mapping[str, Callable[[tuple[str, ...]], bool]] = {
    "place": _place,
    "size": _size,
    "colour": _colour,
    "number": _number,
}


def _has(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


@cache
def _places() -> _Places:
    text = resources.files("faq.lexicon").joinpath("places.txt").read_text(encoding="utf-8")
    plain: set[tuple[str, ...]] = set()
    shy: set[tuple[str, ...]] = set()
    for line in text.splitlines():
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        target = shy if name.startswith("~") else plain
        words = tuple(fold(name.lstrip("~")).split())
        if words:
            target.add(words)
    longest = max(len(w) for w in plain | shy)
    return _Places(frozenset(plain), frozenset(shy - plain), longest)
