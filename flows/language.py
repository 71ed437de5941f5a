"""Guessing the buyer's language (Indonesian, Malay or English) from one message."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from faq.normalize import fold, language_words

# "ke" is a word of both languages ("kirim ke Bandung"), but only Malay asks with it, at
# the end of a clause or before its "or not" ("boleh cod ke?", "dah pos ke belum?", "stok
# habis ke atau kena tunggu"): there it is a Malay marker.
_MALAY_TAG = re.compile(r"\bke(?=\s*(?:[?!.,;]|$)|\s+(?:tak|tidak|x|belum|atau)\b)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str | None  # id | ms | en, or None when the message says too little
    strong: bool  # enough evidence to switch a chat's sticky language


@functools.lru_cache(maxsize=4096)  # a pure function of the text; buyers repeat themselves
def guess_language(text: str) -> LanguageGuess:
    """The language of a message, by counting words typical of each language: the chat
    words of the lexicon (``faq.normalize.language_words``): the markers the normaliser
    also reads a false friend's language from, and the words that only lean to one language.
    Words of both Indonesian and Malay count for
    both and decide nothing between them."""
    words = fold(text[:500]).split()
    if not words:
        return LanguageGuess(None, False)
    known = language_words()
    tags = len(_MALAY_TAG.findall(text[:500]))
    en = sum(w in known.english for w in words)
    id_ = sum(w in known.markers["id"] or w in known.leaning["id"] for w in words)
    ms = sum(w in known.markers["ms"] or w in known.leaning["ms"] for w in words) + tags
    shared = sum(w in known.both for w in words) - tags
    malay_ish = id_ + ms + shared
    if (en > malay_ish and en >= 2) or (en >= 1 and malay_ish == 0 and len(words) <= 2):
        return LanguageGuess("en", en >= 2 and malay_ish == 0)
    if ms > id_:
        return LanguageGuess("ms", ms >= 2 and id_ == 0)
    if id_ > ms:
        return LanguageGuess("id", id_ >= 2 and ms == 0)
    return LanguageGuess(None, False)


def choose_language(current: str | None, text: str, hint: str | None, default: str) -> str:
    """The chat's language after this message: sticky, switched only on clear evidence."""
    guess = guess_language(text)
    if current is None:
        return guess.language or _from_hint(hint) or default
    if guess.language and guess.language != current and guess.strong:
        return guess.language
    return current


def _from_hint(hint: str | None) -> str | None:
    if not hint:
        return None
    code = hint.split("-")[0].lower()
    return {"id": "id", "in": "id", "ms": "ms", "en": "en"}.get(code)
