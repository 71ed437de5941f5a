"""A suggestion's side effects: answers it would turn into a question asked back."""

from __future__ import annotations

import pytest

from faq.impact import (
    Misanswer,
    SideEffect,
    known_answers,
    misanswered,
    side_effects,
    with_suggestion,
)
from faq.lessons import Clarified, Corrected, Fallback, HandedOff, Lesson
from faq.loader import parse_faq
from faq.model import Faq
from faq.suggest import AddHandoffWord, AddQuestion, NewEntry
from tests.shop_faqs import COURIERS


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(COURIERS, "faq.yaml").faq


def add(entry_id: str, question: str) -> AddQuestion:
    return AddQuestion("0123456789ab", entry_id, question, 1, (question,))


def test_a_question_that_makes_the_bot_ask_back_elsewhere_is_reported(faq: Faq) -> None:
    # "kirim pakai apa?" under shipping time outscores the courier entry's own question
    # for a buyer's "kirimnya pakai apa sis" (settled: the courier entry): asked back now
    picked = Clarified("kirimnya pakai apa sis", ("kurir", "ongkir"), "kurir", "tap", 5.0)
    asked: list[Lesson] = [picked]
    found = side_effects(add("lama-kirim", "kirim pakai apa?"), faq, asked)
    assert found == (SideEffect("kirimnya pakai apa sis", "kurir", "clarify"),)
    # the seller's own "pakai ekspedisi apa?" stays answered: a learned wording raises its
    # entry but makes no rival of it where the courier entry's own question is best
    after = with_suggestion(faq, add("lama-kirim", "kirim pakai apa?"))
    assert after is not None
    assert after.matcher.decide("pakai ekspedisi apa?").decision == "answer"
    assert faq.matcher.decide("kirimnya pakai apa sis").decision == "answer"  # not written


def test_a_question_about_its_own_entry_changes_no_other_answer(faq: Faq) -> None:
    assert side_effects(add("lama-kirim", "kapan dikirim kak?"), faq) == ()
    new = NewEntry("0123456789ab", "kirim ke luar negeri bisa?", 2, "Bisa kak via EMS", ())
    assert side_effects(new, faq) == ()


def test_handoff_words_and_entries_that_are_gone_change_no_matching(faq: Faq) -> None:
    word = AddHandoffWord("0123456789ab", "orang admin", 2, ("orang admin",))
    assert with_suggestion(faq, word) is None
    assert side_effects(word, faq) == ()
    assert side_effects(add("retur", "bisa dikembalikan?"), faq) == ()


def test_the_answers_known_are_the_faqs_questions_and_the_settled_lessons(faq: Faq) -> None:
    lessons: list[Lesson] = [
        Clarified("jne ada kak", ("kurir", "ongkir"), "kurir", "tap", 1.0),
        Clarified("JNE ada kak", ("kurir", "ongkir"), "kurir", "tap", 2.0),  # same wording
        HandedOff("sampainya kapan?", "Sampai 2-3 hari kerja kak", None, 3.0),  # resembles
        HandedOff("kirim ke sg?", "Bisa kak", None, 4.0),  # no FAQ answer: unsettled
        Clarified("gimana returnya", ("retur",), "retur", "tap", 5.0),  # entry since removed
        Fallback("halo?", 6.0),
    ]
    known = known_answers(lessons, faq)
    assert known[:5] == [(q, e.id) for e in faq.entries for q in e.phrasings]
    assert known[5:] == [("sampainya kapan?", "lama-kirim"), ("JNE ada kak", "kurir")]


def test_the_faq_check_hears_of_questions_it_answers_against_what_buyers_meant(
    faq: Faq,
) -> None:
    lessons: list[Lesson] = [
        Clarified("pakai ekspedisi apa sis", ("kurir", "lama-kirim"), "lama-kirim", "tap", 1.0),
        Corrected("ada JNE kak", "kurir", None, 2.0),  # "not this", and still answered so
        Clarified("berapa lama sampainya kak?", ("lama-kirim",), "lama-kirim", "tap", 3.0),
        Clarified("berapa lama sampainya?", ("lama-kirim",), "kurir", "tap", 4.0),  # own
    ]
    assert misanswered(lessons, faq) == [
        Misanswer("pakai ekspedisi apa sis", "lama-kirim", "kurir"),
        Misanswer("ada JNE kak", None, "kurir"),
    ]


def test_only_the_most_recent_settled_wordings_are_replayed(faq: Faq) -> None:
    lessons: list[Lesson] = [
        Clarified(f"ekspedisi nomor {n}", ("kurir",), "kurir", "tap", float(n)) for n in range(600)
    ]
    known = known_answers(lessons, faq, own_questions=False)
    assert len(known) == 500
    assert known[0] == ("ekspedisi nomor 599", "kurir")
