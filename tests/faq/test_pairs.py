"""Twin entries: lessons gathered per pair of entries buyers keep choosing between, with the
words that tell the two apart."""

from __future__ import annotations

import pytest

from faq.lessons import Clarified, Corrected, Fallback, HandedOff, Lesson
from faq.loader import parse_faq
from faq.model import Faq
from faq.pairs import confused_pairs
from faq.suggest import suggestion_id
from tests.shop_faqs import TWINS

INVOICES = ("minta-invoice", "cek-invoice")  # "which one?" offers them in this order...
REVERSED = ("cek-invoice", "minta-invoice")  # ... or in this one


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(TWINS, "faq.yaml").faq


def picked(text: str, entry: str, buyer: str, options: tuple[str, ...] = INVOICES) -> Clarified:
    return Clarified(text, options, entry, "tap", float(len(buyer)), buyer)


def test_picks_either_way_between_two_entries_make_one_pair(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("cek invoice", "cek-invoice", "b1"),
        picked("mau lihat invoice", "cek-invoice", "b2", REVERSED),
        picked("lihat invoice saya", "cek-invoice", "b3"),
        picked("invoice nya dong kak", "minta-invoice", "b4", REVERSED),
        picked("invoice nya dikirim ya kak", "minta-invoice", "b5"),
    ]
    (pair,) = confused_pairs(lessons, faq)
    assert pair.entry_ids == ("cek-invoice", "minta-invoice")  # more buyers meant it: first
    assert [(s.count, s.examples) for s in pair.sides] == [
        (3, ("cek invoice", "mau lihat invoice", "lihat invoice saya")),
        (2, ("invoice nya dong kak", "invoice nya dikirim ya kak")),
    ]
    assert (pair.count, pair.unsure) == (5, 0)
    assert pair.undecided == 4  # "invoice nya dikirim ya kak" is answered with its entry now


def test_the_hint_is_the_words_one_side_uses_and_the_other_entry_lacks(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("cek invoice", "cek-invoice", "b1"),
        picked("mau lihat invoice", "cek-invoice", "b2"),
        picked("lihat invoice saya", "cek-invoice", "b3"),
        picked("invoice nya dong kak", "minta-invoice", "b4"),
        picked("invoice nya dikirim ya kak", "minta-invoice", "b5"),
        picked("invoice yg lunas dikirim ke email", "minta-invoice", "b6"),
    ]
    (pair,) = confused_pairs(lessons, faq)
    check, send = pair.sides
    # "cek" and "lihat" are one idea to the normaliser: three buyers, "lihat" spelled twice;
    # "invoice" is in both entries, "saya" in the checking entry's own questions
    assert check.words == ("lihat", "cek", "mau")
    # "lunas" is in the checking entry's questions: it tells nothing apart
    assert send.words == ("dikirim", "email")


def test_a_word_both_sides_use_as_much_is_no_hint(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("tolong cek invoice", "cek-invoice", "b1"),
        picked("tolong lihat invoice", "minta-invoice", "b2"),
    ]
    (pair,) = confused_pairs(lessons, faq)
    assert [s.words for s in pair.sides] == [(), ()]


def test_not_this_then_a_pick_pairs_the_turned_down_entry_with_the_picked_one(
    faq: Faq,
) -> None:
    # after "bukan ini" to the hedged answer the other candidates are offered: the pick is
    # between the turned-down entry and the chosen one, not among the others offered
    others = ("cek-invoice", "ongkir")
    lessons: list[Lesson] = [
        Corrected("invoice nya dong kak", "minta-invoice", None, 1.0, "b1"),
        Clarified("invoice nya dong kak", others, "cek-invoice", "tap", 2.0, "b1"),
        Corrected("tokonya buka jam berapa", "jam-sabtu", "jam-minggu", 3.0, "b2"),
    ]
    pairs = confused_pairs(lessons, faq)
    assert [p.entry_ids for p in pairs] == [
        ("cek-invoice", "minta-invoice"),
        ("jam-minggu", "jam-sabtu"),
    ]
    assert [(s.entry_id, s.count) for p in pairs for s in p.sides] == [
        ("cek-invoice", 1),
        ("minta-invoice", 0),
        ("jam-minggu", 1),
        ("jam-sabtu", 0),
    ]


def test_questions_that_land_on_both_today_count_and_a_seller_answer_says_which(
    faq: Faq,
) -> None:
    lessons: list[Lesson] = [
        Fallback("jam buka toko kak", 1.0, "b1"),  # not understood then; "which one?" now
        HandedOff("tokonya buka jam berapa", "Sabtu buka jam 9 ya", "jam-sabtu", 2.0, "b2"),
        Fallback("ongkir berapa", 3.0, "b3"),  # answered by now: no pair
    ]
    (pair,) = confused_pairs(lessons, faq)
    assert pair.entry_ids == ("jam-sabtu", "jam-minggu")
    assert pair.sides[0].examples == ("tokonya buka jam berapa",)
    assert (pair.count, pair.unsure, pair.undecided) == (2, 1, 2)


def test_a_pick_among_three_pairs_the_choice_with_the_strongest_other(faq: Faq) -> None:
    options = ("jam-minggu", "jam-sabtu", "ongkir")  # ranked best first
    lessons: list[Lesson] = [picked("jam buka toko kak", "jam-sabtu", "b1", options)]
    assert [p.entry_ids for p in confused_pairs(lessons, faq)] == [("jam-sabtu", "jam-minggu")]


def test_pairs_the_faq_tells_apart_by_now_are_left_out(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("status invoice", "cek-invoice", "b1"),  # answered with it today
        picked("kirim invoice", "minta-invoice", "b2"),
        picked("berapa ongkirnya", "ongkir", "b3", ("ongkir", "gone")),  # an entry removed
    ]
    assert confused_pairs(lessons, faq) == []


def test_pairs_are_sorted_by_the_buyers_they_touch(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("jam buka toko kak", "jam-sabtu", "b1", ("jam-minggu", "jam-sabtu")),
        *(picked("cek invoice", "cek-invoice", f"c{n}") for n in range(3)),
        picked("cek invoice", "cek-invoice", "c0"),  # the same buyer again counts once
    ]
    pairs = confused_pairs(lessons, faq)
    assert [(p.entry_ids, p.count) for p in pairs] == [
        (("cek-invoice", "minta-invoice"), 3),
        (("jam-sabtu", "jam-minggu"), 1),
    ]


def test_no_lessons_no_pairs(faq: Faq) -> None:
    assert confused_pairs([], faq) == []


def test_questions_the_seller_dismissed_are_left_out(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("cek invoice", "cek-invoice", "b1"),
        picked("cek invoicenya", "cek-invoice", "b2"),  # one group with "cek invoice"
        picked("invoice nya dong kak", "minta-invoice", "b3"),
    ]
    dismissed = [suggestion_id("add_question", "cek-invoice", "cek invoice")]
    (pair,) = confused_pairs(lessons, faq, dismissed)
    assert [s.count for s in pair.sides] == [1, 0]  # only "invoice nya dong kak" is left
    gone = [*dismissed, suggestion_id("add_question", "minta-invoice", "invoice nya dong kak")]
    assert confused_pairs(lessons, faq, gone) == []


def test_a_word_of_one_buyer_among_many_or_a_third_spelling_is_no_hint(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("cek invoice", "cek-invoice", "b1"),
        picked("lihat invoice", "cek-invoice", "b2"),
        picked("cek invoice dong", "cek-invoice", "b3"),
        picked("lihat invoicenya", "cek-invoice", "b4"),
        picked("liat invoice pdf", "cek-invoice", "b5"),  # "pdf": one buyer of five
        picked("invoice nya dong kak", "minta-invoice", "b6"),
    ]
    (pair,) = confused_pairs(lessons, faq)
    # "cek", "lihat" and "liat" are one idea: shown in its two commonest spellings
    assert pair.sides[0].words == ("cek", "lihat")
    (few,) = confused_pairs(lessons[3:], faq)  # fewer than five: one buyer's word is a hint
    assert few.sides[0].words == ("liat", "lihat", "pdf")
