"""The question a buyer asks, and the context around it: a message in clauses; and an
entry whose answer names everything the message says."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.matcher import Candidate, MatchResult
from faq.model import Faq
from faq.normalize import normalize
from faq.split import Clause, split_clauses
from flows.clauses import (
    answer_says_all,
    asked_clause,
    points_back,
    question_nearest,
    the_question,
)
from flows.policy import Policy
from flows.trial import try_message

# A small home bakery, written for these tests: two plain questions an entry.
BAKERY = """
faqs:
  - id: pesan-custom
    questions:
      - bisa pesan kue ulang tahun custom?
      - bisa request tulisan di kue?
    answer: Bisa kak, kue custom dipesan H-3 ya, tulisan dan warna bebas.
  - id: tahan-berapa-lama
    questions:
      - kuenya tahan berapa hari?
      - awet berapa lama?
    answer: Di suhu ruang tahan 2 hari, di kulkas sampai 5 hari kak.
  - id: halal
    questions:
      - halal ga kak?
      - sudah ada sertifikat halal?
    answer: Sudah bersertifikat halal MUI kak, semua bahan halal.
  - id: antar
    questions:
      - bisa diantar?
      - ongkos kirim berapa?
    answer: Kami antar pakai kurir instan, ongkir sesuai aplikasi kak.
  - id: ambil-sendiri
    questions:
      - boleh ambil sendiri di toko?
      - alamat tokonya di mana?
    answer: Boleh kak, ambil di Jl. Kenanga 3, buka jam 08.00-20.00.
  - id: bayar
    questions:
      - bayarnya bisa transfer?
      - bisa bayar pakai qris?
    answer: Bisa transfer BCA, QRIS atau e-wallet kak.
  - id: gula
    questions:
      - ada kue tanpa gula?
      - ada pilihan rendah gula?
    answer: Ada kak, brownies dan bolu rendah gula pakai gula stevia.
"""


@pytest.fixture(scope="module")
def bakery() -> Faq:
    return parse_faq(BAKERY).faq


@pytest.fixture
def policy() -> Policy:
    return Policy(shop_name="Dapur Bunda", language="id")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "bisa diantar hari ini? buat syukuran nanti malam",
            [("bisa diantar hari ini", True), ("buat syukuran nanti malam", False)],
        ),
        ("Rp 25.000, bisa kurang?", [("Rp 25.000", False), ("bisa kurang", True)]),
        ("pesanan Bu. Rina sudah jadi?", [("pesanan Bu. Rina sudah jadi", True)]),  # no full stop
        ("coklat / keju ada?", [("coklat", False), ("keju ada", True)]),
        ("halal kan!!\nbisa diantar", [("halal kan", False), ("bisa diantar", False)]),
        ("bisa COD??  ", [("bisa COD", True)]),
    ],
)
def test_a_message_splits_into_clauses(text: str, parts: list[tuple[str, bool]]) -> None:
    assert split_clauses(text) == tuple(Clause(t, asks) for t, asks in parts)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("bisa diantar? aku di kantor", "bisa diantar"),
        ("aku di kantor, bisa diantar?", "bisa diantar"),
        ("bisa diantar?", None),  # nothing said around it
        ("bisa diantar? halal kan?", None),  # two questions
        ("aku di kantor, bisa diantar", None),  # no question mark: no clause stands out
    ],
)
def test_the_question_is_the_one_clause_that_asks(text: str, question: str | None) -> None:
    found = the_question(split_clauses(text))
    assert (found.text if found else None) == question


@pytest.mark.parametrize(
    ("clause", "back"),
    [
        ("can you deliver it", True),
        ("can they pick them up", True),
        ("is the italian cake halal", False),  # "it" only inside a word
        ("kuenya bisa diantar", False),
    ],
)
def test_a_question_about_it_points_back_to_the_rest(clause: str, back: bool) -> None:
    assert points_back(Clause(clause, asks=True)) is back


# --- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entry", "why"),
    [
        # the question fits one entry; the rest (another entry's idea, unknown words) is
        # what the buyer tells around it
        ("bisa diantar hari ini? buat acara syukuran nanti malam", "antar", "the question"),
        ("bisa dibayar pakai qris? soalnya aku ambil sendiri ke toko", "bayar", "the question"),
        ("ada yang rendah gula? aku mau pesan kue ultah", "gula", "the question"),
        # the same idea in two parts of the message, each fitting one entry only
        ("kuenya halal kan kak, keluarga aku cuma makan yg halal", "halal", "every part"),
        ("is the cake halal? we only eat halal food", "halal", "every part"),
    ],
)
def test_the_question_is_answered_despite_the_context(
    text: str, entry: str, why: str, bakery: Faq, policy: Policy
) -> None:
    trial = try_message(text, bakery, policy)
    assert (trial.action, trial.faq_id, trial.hedged) == ("answer", entry, True)
    assert trial.why.startswith(why)


@pytest.mark.parametrize(
    "text",
    [
        "kuenya halal ga kak, bisa diantar?",  # two questions, the first without its mark
        "bisa diantar? kuenya halal ga kak",
    ],
)
def test_a_second_question_is_no_context(text: str, bakery: Faq, policy: Policy) -> None:
    trial = try_message(text, bakery, policy)
    assert trial.action == "clarify"
    assert set(trial.options) == {"halal", "antar"}


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("bisa bayar pakai kartu kredit? aku lagi di luar kota", "bayar"),
        # a word the entry does not explain comes back: it is what the buyer is about
        ("bisa bayar pakai kartu kredit? kartu kredit aku visa", None),
        ("two cakes for my office, can I pay by transfer?", "bayar"),
        # the question names what it asks about only as "it"
        ("two cakes for my office, can it be paid by transfer?", None),
    ],
)
def test_the_question_alone_needs_the_rest_to_be_only_context(
    text: str, entry: str | None, bakery: Faq
) -> None:
    match = bakery.matcher.decide(normalize(text, bakery.matcher.lexicon))
    found = asked_clause(split_clauses(text), match, bakery)
    assert (found.id if found else None) == entry


@pytest.mark.parametrize(
    ("text", "offered", "first"),
    [
        # the context pulled the options elsewhere: the question's own entry comes first
        ("awet ga? anak aku ulang tahun minggu depan, kuenya custom", ["pesan-custom"], "tahan"),
        ("awet ga? anak aku ulang tahun minggu depan, kuenya custom", ["tahan"], None),
        ("awet ga kak?", ["pesan-custom"], None),  # nothing around the question
    ],
)
def test_the_question_own_entry_is_offered_when_left_out(
    text: str, offered: list[str], first: str | None, bakery: Faq
) -> None:
    ids = {"tahan": "tahan-berapa-lama"}
    options = tuple(e for e in (bakery.get(ids.get(i, i)) for i in offered) if e is not None)
    found = question_nearest(split_clauses(text), options, bakery)
    assert (found.id if found else None) == ids.get(first or "", first)


# --- an entry only its answer ties to the message ----------------------------------------


@pytest.mark.parametrize(
    ("ideas", "unexplained", "rival_asks", "answered"),
    [
        (3, 0, False, True),  # its answer names all three things the message says
        (2, 0, False, False),  # two words of an answer may be chance
        (3, 1, False, False),  # ... and the message says something else too
        (3, 0, True, False),  # a close entry whose own questions use a word of it
    ],
)
def test_an_answer_that_names_every_idea_of_the_message_is_enough(
    ideas: int, unexplained: int, rival_asks: bool, answered: bool, bakery: Faq
) -> None:
    words = frozenset(["@kue", "@diet", "stevia"][:ideas])
    best = Candidate("gula", 0.7, words, unexplained, asked=0)
    rival = Candidate("pesan-custom", 0.6, frozenset({"@kue"}), 2, asked=int(rival_asks))
    match = MatchResult("clarify", (best, rival), ("gula", "pesan-custom"))
    assert (answer_says_all(match, bakery) is not None) is answered
