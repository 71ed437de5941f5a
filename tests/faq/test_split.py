"""One clause splitter for the engine's decisions and the learned wordings."""

from __future__ import annotations

import time

import pytest

from faq.normalize import default_lexicon
from faq.split import Clause, reads_as_question, split_clauses


def _parts(text: str) -> list[tuple[str, bool]]:
    return [(c.text, c.asks) for c in split_clauses(text)]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        # abbreviations: a full stop that closes one ends nothing
        ("get invoice from Mr. Smith", [("get invoice from Mr. Smith", False)]),
        (
            "kirim ke jl. kenari no. 5 a.n. dinda",
            [("kirim ke jl. kenari no. 5 a.n. dinda", False)],
        ),
        ("pesanan Bu. Rina sudah jadi?", [("pesanan Bu. Rina sudah jadi", True)]),
        ("dari J. Smith ya", [("dari J. Smith ya", False)]),
        # ... any other full stop before a space or the end does
        ("ga sesuai foto. kecewa", [("ga sesuai foto", False), ("kecewa", False)]),
        ("barang sampai.", [("barang sampai", False)]),
        ("bagus..cuma telat", [("bagus", False), ("cuma telat", False)]),
        # numbers: a full stop or comma inside one ends nothing
        ("harga Rp9.000 ya? ok", [("harga Rp9.000 ya", True), ("ok", False)]),
        ("Rp 25.000, bisa kurang?", [("Rp 25.000", False), ("bisa kurang", True)]),
        ("beratnya 1,5 kg kak", [("beratnya 1,5 kg kak", False)]),
        # " / " between alternatives; a slash without spaces is a word's
        ("coklat / keju ada?", [("coklat", False), ("keju ada", True)]),
        ("ukuran s/d XL ada?", [("ukuran s/d XL ada", True)]),
        # line breaks, semicolons, commas with or without a space after them
        ("ready kak?\nsaya mau 2", [("ready kak", True), ("saya mau 2", False)]),
        ("bisa cod; di bekasi", [("bisa cod", False), ("di bekasi", False)]),
        ("ok,makasih", [("ok", False), ("makasih", False)]),
        # the marks that close a clause, however many and in what order
        ("ada stok,? soalnya mau kado", [("ada stok", True), ("soalnya mau kado", False)]),
        ("halal kan!!\nbisa diantar", [("halal kan", False), ("bisa diantar", False)]),
        ("bisa COD??!  ", [("bisa COD", True)]),
        ("?!", []),
        ("", []),
    ],
)
def test_a_message_is_cut_into_clauses(text: str, parts: list[tuple[str, bool]]) -> None:
    assert _parts(text) == parts


def test_a_clause_keeps_its_closing_mark_once() -> None:
    assert [c.written for c in split_clauses("ready?? siap!!! ok")] == ["ready?", "siap!", "ok"]


def test_a_clause_is_its_words_and_whether_it_asks() -> None:
    assert split_clauses("bisa cod?!") == (Clause("bisa cod", asks=True),)


@pytest.mark.parametrize(
    ("clause", "asking"),
    [
        ("ada tokonya ga sih", True),  # a question tag last (on the normalised text)
        ("warnanya luntur tak", True),
        ("how long is shipping", True),  # a question word first
        ("berapa ongkirnya", True),
        ("ongkirnya berapa", True),  # the question word last
        ("cod nyampe pelosok ga ya", True),  # a tag, then a particle
        ("pengen liat langsung", False),  # tells, does not ask
        ("buat kado ulang tahun", False),
    ],
)
def test_a_clause_reads_as_a_question_by_its_first_word_or_its_tag(
    clause: str, asking: bool
) -> None:
    assert reads_as_question(clause, default_lexicon()) is asking


def test_question_words_make_a_clause_ask_only_when_asked_for() -> None:
    text = "kak ada tokonya ga sih, pengen liat langsung"
    assert [c.asks for c in split_clauses(text)] == [False, False]  # the engine: the mark
    lexicon = default_lexicon()
    assert [c.asks for c in split_clauses(text, question_words=lexicon)] == [True, False]
    # the mark is as written: none here
    assert [c.written for c in split_clauses(text, question_words=lexicon)] == [
        "kak ada tokonya ga sih",
        "pengen liat langsung",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "cod nyampe pelosok kalimantan ga ya, desa aku jauh dr kota",  # tag, particle
        "ongkir ke pontianak brp, aku mau order banyak",  # the question word last
    ],
)
def test_the_clause_that_asks_without_a_mark_is_told_from_its_context(text: str) -> None:
    clauses = split_clauses(text, question_words=default_lexicon())
    assert [c.asks for c in clauses] == [True, False]


def test_a_long_word_then_many_short_forms_is_cut_at_once() -> None:
    """Each full stop after a short form looks at the word before it alone: it ran a
    regex over the whole clause so far, and a long word followed by "a. b. c. ..."
    (one buyer message) took seconds of the engine's time."""
    text = "x" * 1500 + " " + "a. " * 830
    started = time.perf_counter()
    parts = split_clauses(text)
    assert time.perf_counter() - started < 0.5  # ~1 ms; seconds before
    assert [c.text for c in parts] == [text.strip()]
