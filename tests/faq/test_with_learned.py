"""``Matcher.with_learned``: the FAQ's matcher with one more learned wording, derived from
the built one (what `faq.wording` checks each trimmed wording with) must be the matcher a
full build of that FAQ gives: every structure, and so every decision."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from faq.loader import parse_faq
from faq.matcher import Matcher
from faq.model import Faq
from faq.tiebreak import Phrasings
from tests.shop_faqs import COURIERS, TWINS

ROOT = Path(__file__).resolve().parents[2]

# Learned wordings already in place, two entries sharing a word only learned wordings use
# ("midnight"), and one with a typo the seller's words are close to ("ongkr").
LEARNED = """\
faqs:
  - id: stok
    questions: [stoknya masih ada?, kapan restock?, ready stock kak?]
    learned: [yg warna midnight blue ready?, ready lagi kapan ya min]
    answer: Stok diperbarui tiap Senin kak.
  - id: warna
    questions: [ada warna apa saja?, warna navy ada?]
    learned: [midnight ada ga kak]
    answer: Ada 10 pilihan warna kak.
  - id: ongkir
    questions: [berapa ongkir ke jakarta?, ongkos kirimnya berapa?]
    answer: Ongkir mulai Rp9.000 kak.
  - id: lama-kirim
    questions: [berapa hari sampai?, pengiriman berapa lama?]
    learned: [kapan nyampe kak]
    answer: 2-3 hari kerja kak.
  - id: bahan
    questions: [bahannya apa?, kainnya adem ga?]
    answer: Katun combed 30s kak.
"""

# buyers' wordings to learn: words the FAQ knows, words only learned wordings use, new
# words (the typo vocabulary grows), chat around a question, and no words at all
WORDINGS = (
    "yg midnight masih ada?",
    "midnight blue",
    "kalo ke bali nambah brp kak?",
    "halo kak, mau tanya ongkr ke medan brp? soalnya buat kado",
    "bahan sage ny adem ga",
    "kirim pakai apa?",
    "cek invoice dong",
    "jam buka minggu",
    "?",
    "ok",
)

MESSAGES = (
    "midnight ada?",
    "warna midnight blue ready kak?",
    "ongkr ke medan brp",
    "kalo ke bali nambah brp kak?",
    "nambah brp",
    "sage ada?",
    "kirim pakai apa?",
    "pakai ekspedisi apa?",
    "invoice nya dong kak",
    "jam buka toko kak",
    "buka sabtu?",
    "bahannya adem ga kak",
    "halo",
    "berapa lama sampainya?",
    "ada diskon?",
)


def _faqs() -> list[Faq]:
    shop = (ROOT / "faq" / "faq.yaml").read_text(encoding="utf-8")
    return [parse_faq(text, "faq.yaml").faq for text in (LEARNED, COURIERS, TWINS, shop)]


def _rebuilt(faq: Faq, entry_id: str, wording: str) -> Matcher:
    grown = tuple(
        replace(e, learned=(*e.learned, wording)) if e.id == entry_id else e for e in faq.entries
    )
    return replace(faq, entries=grown).matcher


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Phrasings):
        # each entry's model is worked out when first compared: all of them, then all else
        models = [(a._model(e), b._model(e)) for e in range(len(b._sizes))]
        return all(x == y for x, y in models) and _same(vars(a), vars(b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, dict):
        a = {k: v for k, v in a.items() if not (isinstance(v, list) and not v)}
        b = {k: v for k, v in b.items() if not (isinstance(v, list) and not v)}
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# what the two may hold apart: memories of earlier calls and the lexicon (equal, built
# again for each FAQ)
_MEMORIES = {"_decided", "_correct", "lexicon"}


@pytest.mark.parametrize("faq", _faqs(), ids=["learned", "couriers", "twins", "shop"])
def test_a_wording_learned_on_the_built_matcher_is_the_full_build(faq: Faq) -> None:
    entries = [faq.entries[0].id, faq.entries[-1].id, faq.entries[len(faq) // 2].id]
    for entry_id in entries:
        for wording in WORDINGS:
            derived = faq.matcher.with_learned(entry_id, wording)
            built = _rebuilt(faq, entry_id, wording)
            names = vars(built).keys() - _MEMORIES
            assert names == vars(derived).keys() - _MEMORIES
            for name in sorted(names):
                assert _same(getattr(derived, name), getattr(built, name)), (entry_id, name)
            questions = [q for e in faq.entries for q in e.phrasings]
            for message in (*MESSAGES, wording, *questions[:40]):
                assert derived.decide(message) == built.decide(message), (entry_id, message)


def test_learning_twice_is_learning_both() -> None:
    faq = _faqs()[0]
    derived = faq.matcher.with_learned("warna", "midnight blue").with_learned(
        "stok", "yg midnight masih ada?"
    )
    grown = tuple(
        replace(e, learned=(*e.learned, "midnight blue"))
        if e.id == "warna"
        else replace(e, learned=(*e.learned, "yg midnight masih ada?"))
        if e.id == "stok"
        else e
        for e in faq.entries
    )
    built = replace(faq, entries=grown).matcher
    for message in MESSAGES:
        assert derived.decide(message) == built.decide(message), message


def test_the_matcher_learned_from_stays_as_it_was() -> None:
    faq = _faqs()[0]
    before = [faq.matcher.decide(m) for m in MESSAGES]
    faq.matcher._decided.clear()
    for wording in WORDINGS:
        faq.matcher.with_learned("warna", wording).decide("midnight blue ada?")
    assert [faq.matcher.decide(m) for m in MESSAGES] == before
    fresh = _faqs()[0].matcher
    for name in sorted(vars(fresh).keys() - _MEMORIES):
        assert _same(getattr(faq.matcher, name), getattr(fresh, name)), name
