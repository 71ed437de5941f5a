"""Recognising what a buyer says about an order: where is it, it arrived, a return, stop.

Each message is folded and its chat spellings mapped to one word per meaning ("udh",
"dah" → sudah; "dmn" → di mana; "hantar", "pos", "shipped" → kirim), so every pattern is
written once, over those canonical words, for Indonesian, Malay and English alike.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from faq.normalize import fold

Intent = Literal["where", "arrived", "return", "opt_out", "opt_in"]
Feeling = Literal["good", "ok", "problem"]

# chat spelling → canonical word (several spellings, one meaning)
_CANON: dict[str, str] = {}
for _word, _spellings in {
    "sudah": "udah udh sdh dah uda udha sudh sdah suda telah dh",
    "belum": "blm blom belom lom lum blum blon belon",
    "saya": "sy aku aq gw gue ane sya",
    "mana": "mn mane",
    "dimana": "dmn dimn dimane",
    "paket": "pkt pakej parcel package bungkusan paketnya paketan",
    "pesanan": "orderan order pesenan pesananku pesanan2 tempahan tempahannya pesanannya",
    # not "send": the buyer sends receipts and photos too
    "kirim": "dikirim krm dikrm kirm dikirimin dikirimkan hantar dihantar pos dipos sent "
    "ship shipped dispatched dispatch posted kirimnya",
    # "tiba" is also "tiba-tiba" (suddenly)
    "sampai": "sampe nyampe nyampai nyampe2 smpe smp nympe arrive arrived delivered "
    "received terima diterima sampainya nyampenya",
    "resi": "awb noresi resinya waybill",
    "status": "statusnya stat",
    "bagaimana": "gmn gimana gmana bgmn camne macamana camna",
    "lacak": "track tracking trace",
    "retur": "return returns returned retour pulangkan kembalikan balikin dikembalikan "
    "pulang refund refunded",
    "rusak": "rosak cacat pecah robek sobek bocor damaged broken defective torn cracked",
    "mau": "nak mo pengen pingin ingin want wanna hendak",
    "tidak": "gak nggak ga gk enggak engga ngga tak x tdk ndak not no dont don't",
    "kak": "ka kk kakak sis gan min bang mas mbak",
}.items():
    for _spelling in _spellings.split():
        _CANON.setdefault(_spelling, _word)
del _CANON["no"]  # "no" is also "nomor" ("no resi"); English "no" rarely matters here


_PHRASES = (
    (re.compile(r"\bmacam mana\b"), "bagaimana"),  # Malay "how", not "where"
    (re.compile(r"\bdi (ship|kirim|pos)\b"), "dikirim"),  # "di-ship" folds to "di ship"
)


@functools.lru_cache(maxsize=4096)  # a pure function of the text; buyers repeat themselves
def canonical(text: str) -> str:
    """Folded text with chat spellings replaced by canonical words."""
    folded = fold(text[:500])
    for pattern, replacement in _PHRASES:
        folded = pattern.sub(replacement, folded)
    return " ".join(_CANON.get(w, w) for w in folded.split())


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_THING = r"(paket|pesanan|barang|barangnya|item|produk|kiriman|parcel|order)"
_MINE = r"(saya|my|kami|our|nya|kemarin|tadi|yang (saya|kemarin|tadi))"
_TRACKING = _any(
    r"\bresi\b",
    r"\bno(mor|mbor)? (resi|lacak)\b",
    r"\blacak (number|no|link|nombor|nomor|kode|code)\b",
    rf"\blacak\b.*\b({_THING[1:-1]}|saya|my|it)\b",
    rf"\b({_THING[1:-1]}|saya|my)\b.*\blacak\b",
)
_WHERE = _any(
    rf"\b{_THING}\b.*\b(dimana|di mana|mana|sampai mana|status)\b",
    rf"\b(dimana|di mana|where|status)\b.*\b{_THING}\b",
    rf"\b(kapan|bila|when)\b.*\b{_MINE}\b.*\b{_THING}\b",
    rf"\b{_MINE}\b.*\b{_THING}\b.*\b(kapan|bila|when)\b",
    r"\b(sudah|belum)( \w+){0,2} (kirim|sampai)\b",
    r"\b(tidak|belum) (juga )?(kirim|sampai)\b",
    rf"\bmana\b.*\b{_THING}\b.*\b{_MINE}\b",
    r"\b(kirim|sampai)( \w+){0,2} (belum|yet|already)\b",
    r"\b(kirim|sampai)\b( \w+){0,2} (ke|kah)$",
    r"\b(kapan|bila)( \w+){0,3} (kirim|sampai)\b",
    r"\bhas (it|my \w+)\b.*\b(kirim|sampai)\b",
    r"\bwhen\b.*\b(kirim|sampai|ship|arrive|deliver)",
)
# Hypotheticals and durations ("kalau order hari ini kapan dikirim?", "berapa hari sampai
# ke KL?") are questions before a sale: the FAQ's, unless a tracking number is asked for.
_BEFORE_SALE = _any(
    r"\b(kalau|kalo|klo|jika|if|seandainya|biasanya|usually|normally|what happens)\b",
    r"\b(berapa|brp|how many|how long) (hari|lama|days?)\b",
    r"\bberapa lama\b",
    r"\bongkir\b",
    # what the shop can do ("bisa nyampe Medan?", "can pos to Sabah?") and paying on
    # arrival ("bayar pas nyampe") are questions before the sale
    r"\b(bisa|boleh|sempat|kekejar|can|could|able)\b",
    r"\b(bayar|tunai|cash|cod)\b.*\b(bila|pas|saat|ketika|waktu|masa|when)\b",
    # paying and sending a receipt are closing the sale
    r"\b(bank in|transfer|rekening|akaun|resit|receipt|bukti)\b",
)
_ARRIVED = _any(
    r"\b(sudah|baru)\b.*\bsampai\b",
    rf"\b{_THING}\b.*\bsampai\b",
    r"\b(got|sampai) (it|them|the|my)\b",
    r"\bsampai (dengan )?(selamat|aman)\b",
)
_QUESTION = re.compile(
    r"\b(belum|kah|ke|apa|apakah|kapan|bila|mana|dimana|has|did|when|where|yet|status|"
    r"tidak|lama)\b"
)
_SWAP = r"tukar (barang|ukuran|size|saiz|warna|colou?r|baru|item|produk|yang lain)"
_RETURN_ACT = _any(
    r"\b(mau|minta|tolong|saya|would like to|need to|ajukan|proses)\b.*\bretur\b",
    rf"\b(mau|minta|tolong|saya|would like to|need to|ajukan|proses)\b.*\b{_SWAP}\b",
    r"^\W*(retur|refund)\W*$",
    r"\bretur\b.*\b(bagaimana|caranya|how)\b",
    rf"\b({_THING[1:-1]}|kasut|sepatu|baju)\b.*\brusak\b",
    rf"\brusak\b.*\b({_THING[1:-1]}|sampai)\b",
    r"\bsalah (kirim|barang|ukuran|warna|size|item)\b",
    r"\bwrong (item|size|colou?r|product)\b",
    r"\b(tidak|kurang) (sesuai|lengkap)\b",
    r"\bnot as (described|pictured|ordered)\b",
    r"\b(uang|duit|money) (kembali|back)\b",
    r"\bretur\b",
)
# Asking about a policy ("bisa retur?") is the FAQ's, not a return request.
_POLICY_QUESTION = _any(
    r"^\W*(bisa|boleh|can|could|is it possible|do you|apakah bisa|apa bisa)\b.*\b(retur|tukar)\b",
    r"\b(kalau|kalo|klo|jika|if|what happens|seandainya)\b",
    r"\b(syarat|kebijakan|policy|ketentuan)\b",
)
_OPT_OUT = _any(
    r"^\W*(stop|berhenti|unsubscribe|unsub|hentikan|stop it)\W*(ya|ye|kak|please|pls)?\W*$",
    r"\b(stop|berhenti|hentikan|jangan)\b( \w+){0,3} (chat|pesan|mesej|message|messages|"
    r"notif|notifikasi|broadcast|promo|spam|hubungi|ganggu)\b",
    r"\b(jangan|tidak usah|usah|dont|do not|stop|berhenti) (kirim|chat|hubungi|contact|"
    r"message)\w*( saya| me)? (lagi|again|anymore)\b",
    r"\bunsubscribe\b",
    r"\bstop (sending|messaging|texting)\b",
    r"\bno more (messages|updates|notifications)\b",
    r"\b(tidak|mau) (mau )?(terima|menerima|dapat) (pesan|mesej|notif|info)\w* lagi\b",
)
_OPT_IN = _any(
    r"^\W*(start|subscribe|mulai lagi|aktifkan lagi)\W*$",
    r"\b(kirim|send)\w* (lagi|again) (info|update|notif)",
    r"\bmau (dapat|terima) (info|update|notif)\w* lagi\b",
)
_FEEL_PROBLEM = _any(
    r"\b(masalah|problem|kecewa|komplain|complain|rusak|salah|jelek|buruk|bad|issue|"
    r"disappointed|parah)\b",
    r"\b(tidak|kurang|belum) (puas|suka|bagus|ok|oke|happy|satisfied|good)\b",
)
_FEEL_GOOD = re.compile(
    r"\b(puas|mantap|mantul|bagus|suka|senang|happy|satisfied|great|good|love|excellent|"
    r"keren|oke banget|terbaik|best|recommended|rekomen|sip|top)\b"
)
_FEEL_OK = re.compile(r"\b(biasa|lumayan|standar|standard|okay|ok|oke|so so|average|cukup)\b")


@functools.lru_cache(maxsize=4096)  # the same: every buyer message passes here
def recognise(text: str) -> Intent | None:
    """What the message asks of the order flow, or None (not about orders)."""
    words = canonical(text)
    if not words:
        return None
    if _OPT_OUT.search(words):
        return "opt_out"
    if _OPT_IN.search(words):
        return "opt_in"
    if _RETURN_ACT.search(words) and not _POLICY_QUESTION.search(words):
        return "return"
    asked = "?" in text or bool(_QUESTION.search(words))
    if _ARRIVED.search(words) and not asked:
        return "arrived"
    if _TRACKING.search(words):
        return "where"
    if _WHERE.search(words) and not _BEFORE_SALE.search(words):
        return "where"
    return None


def return_reason(text: str) -> str | None:
    """The reason a return message already gives: damaged, wrong, mismatch, or None."""
    words = canonical(text)
    if re.search(r"\brusak\b", words):
        return "damaged"
    if re.search(r"\b(salah|wrong)\b", words):
        return "wrong"
    if re.search(r"\b(tidak|kurang) (sesuai|lengkap)\b|\bnot as\b", words):
        return "mismatch"
    return None


def feeling(text: str) -> Feeling | None:
    """How a typed answer to the feedback question feels (negations count as a problem)."""
    words = canonical(text)
    if _FEEL_PROBLEM.search(words):
        return "problem"
    if _FEEL_GOOD.search(words):
        return "good"
    if _FEEL_OK.search(words):
        return "ok"
    return None


def says_no(text: str) -> bool:
    """ "tidak ada", "gak ada foto", "no photo", "tiada": the buyer has none."""
    words = canonical(text)
    return bool(re.search(r"\b(tidak|tiada|takde|xde|none|no)\b", words))
