"""Guessing the buyer's language (Indonesian, Malay or English) from one message."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from faq.normalize import fold

# Words that tell the three apart in chat. Shared Indonesian/Malay words count for both
# and decide nothing between them.
_ENGLISH = frozenset(
    "the is are am was do does did you your i my me we our how what when where which who why "
    "can could would should will please hi hello hey thanks thank want buy have has it in to "
    "for of and or with this that there any delivery shipping price size colour color order "
    "pay much many long take get need help shop store available stock black white send ship "
    "return refund long does is it an a be if not don't dont i'll ill i'd im yes no ok okay "
    "sorry good great morning evening".split()
)
_INDONESIAN = frozenset(
    "gak nggak ga gk enggak engga kagak aja dong sih deh kok nih gimana bagaimana kak gan sis "
    "min ongkir kirim pengiriman dikirim mau bisa banget bgt udah belum kapan dimana tolong "
    "makasih rekening rb ribu rupiah ukuran sepatu baju celana toko olshop gue lu elo mas "
    "mbak kayak gitu emang beneran kenapa nyampe sampe brp gmn bs yg udh sdh blm tdk tidak "
    "cuma juga jadi sama bagus ready barangnya harganya kakak agan bund ya kalo kalau gimana "
    "pengen pingin ingin aku kamu anda dikirimin transfer bayar nanya tanya siang sore malam "
    "terima kasih beli kami".split()
)
_MALAY = frozenset(
    "nak tak awak macam camne camna mcm kedai hantar penghantaran kos sikit je jer kat "
    "xde takde tiada sahaja bila encik cik puan korang duit ringgit rm wang percuma betul "
    "mahu hendak kasut saiz tempah tempahan akaun bayaran pulangan rosak boleh bole ke ye nk "
    "xnak beli belah berape brape ape kenape sebab dah ni tu kami pos laju poslaju "
    "semenanjung sabah sarawak johor selangor penang kl tq terima kasih bayar tarikh luput "
    "percuma sejuk esok petang tengok ye ke sikit jer dah tudung bawal kurung baju kurung "
    "pulangkan bungkusan kedai pos laju waranti tulen perisa ketul peti ais "
    "agaknya korang awak".split()
)
_SHARED = _INDONESIAN & _MALAY
_ID_ONLY = _INDONESIAN - _SHARED
_MS_ONLY = _MALAY - _SHARED


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str | None  # id | ms | en, or None when the message says too little
    strong: bool  # enough evidence to switch a chat's sticky language


@functools.lru_cache(maxsize=4096)  # a pure function of the text; buyers repeat themselves
def guess_language(text: str) -> LanguageGuess:
    """The language of a message, by counting words typical of each language."""
    words = fold(text[:500]).split()
    if not words:
        return LanguageGuess(None, False)
    en = sum(w in _ENGLISH for w in words)
    id_ = sum(w in _ID_ONLY for w in words)
    ms = sum(w in _MS_ONLY for w in words)
    shared = sum(w in _SHARED for w in words)
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
