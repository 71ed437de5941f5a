"""Suggestions from lessons: grouped by wording, counted by buyers, ranked, dismissable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from faq.lessons import AskedForPerson, Clarified, Corrected, Fallback, HandedOff, Lesson
from faq.loader import parse_faq
from faq.model import Faq
from faq.suggest import (
    AddHandoffWord,
    AddQuestion,
    NewEntry,
    ambiguous_questions,
    edited,
    group,
    resembling,
    suggest,
    suggestion_id,
)

SHOP = """
faqs:
  - id: kadaluarsa
    questions:
      - kapan kadaluarsanya?
      - expired kapan kak
    answer: |
      Tahan 6 bulan di freezer kak.
      Simpan di suhu minus 18 derajat ya.
  - id: ongkir
    questions:
      - berapa ongkirnya?
    answer: Ongkir mulai Rp9.000 ke seluruh Jawa kak.
  - id: jam-sabtu
    questions:
      - jam buka toko hari sabtu
    answer: Sabtu buka jam 09.00 sampai 15.00.
  - id: jam-minggu
    questions:
      - jam buka toko hari minggu
    answer: Minggu buka jam 10.00 sampai 14.00.
handoff_words:
  - panggil bos
"""


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(SHOP, "faq.yaml").faq


def picked(text: str, entry: str, at: float = 1.0, buyer: str | None = None) -> Clarified:
    return Clarified(text, (entry, "ongkir"), entry, "tap", at, buyer)


def test_similar_wordings_form_one_group_counted_by_buyer(faq: Faq) -> None:
    lessons: list[Lesson] = [
        picked("sampai bila tahan sis", "kadaluarsa", 1, "b1"),
        picked("sampai bila tahan sis?", "kadaluarsa", 2, "b2"),
        picked("Sampai bilaa tahan siss", "kadaluarsa", 3, "b2"),  # the same buyer again
        Fallback("bisa kirim ke singapore?", 4, "b3"),
    ]
    groups = group(lessons, faq)
    assert [g.count for g in groups] == [2, 1]
    assert len(groups[0].lessons) == 3
    assert groups[0].question == "sampai bila tahan sis"
    assert set(groups[0].examples) == {m.question for m in lessons[:3]}


def test_without_buyer_keys_lessons_are_counted(faq: Faq) -> None:
    lessons = [picked("sampai bila tahan", "kadaluarsa", t) for t in (1, 2, 3)]
    (only,) = suggest(lessons, faq)
    assert only.count == 3


def test_what_buyers_picked_becomes_a_question_of_that_entry(faq: Faq) -> None:
    lessons = [picked("sampai bila tahan sis", "kadaluarsa", t, f"b{t}") for t in range(6)]
    (made,) = suggest(lessons, faq)
    assert isinstance(made, AddQuestion)
    assert (made.entry_id, made.question, made.count) == ("kadaluarsa", lessons[0].text, 6)
    assert made.id == suggestion_id("add_question", "kadaluarsa", "sampai bila tahan sis")


def test_a_sellers_answer_like_an_faq_answer_points_at_that_entry(faq: Faq) -> None:
    assert resembling("tahan 6 bulan di freezer kak", faq) == "kadaluarsa"
    assert resembling("Ongkir mulai 9rb ke seluruh jawa", faq) == "ongkir"
    assert resembling("ok kak", faq) is None
    assert resembling("", faq) is None
    answered = HandedOff("umur produk bila ya", "Tahan 6 bulan di freezer kak", None, 1.0)
    (made,) = suggest([answered], faq)
    assert isinstance(made, AddQuestion)
    assert made.entry_id == "kadaluarsa"


def test_a_question_a_seller_answered_afresh_becomes_a_new_entry_with_the_draft(
    faq: Faq,
) -> None:
    reply = "Bisa kak, ke Singapore pakai EMS, ongkir dihitung per kg"
    lessons = [HandedOff("bisa kirim ke singapore?", reply, None, 1.0, "b1")]
    (made,) = suggest(lessons, faq)
    assert isinstance(made, NewEntry)
    assert (made.question, made.draft_answer, made.count) == (
        "bisa kirim ke singapore?",
        reply,
        1,
    )


def test_unanswered_questions_need_a_few_buyers_to_become_an_entry(faq: Faq) -> None:
    once = [Fallback("bisa kirim ke singapore?", 1.0, "b1")]
    assert suggest(once, faq) == []
    twice = [*once, Fallback("bisa kirim ke singapore", 2.0, "b2")]
    (made,) = suggest(twice, faq)
    assert isinstance(made, NewEntry)
    assert made.draft_answer is None
    assert made.count == 2


def test_a_person_asked_for_after_a_fallback_suggests_a_handoff_word(faq: Faq) -> None:
    lessons = [AskedForPerson("orang admin", t, f"b{t}") for t in (1, 2)]
    (made,) = suggest(lessons, faq)
    assert isinstance(made, AddHandoffWord)
    assert (made.phrase, made.count) == ("orang admin", 2)
    long_question = AskedForPerson("kak aku mau tanya soal pesanan kemarin yang belum", 3)
    known = AskedForPerson("panggil bos", 4)
    assert suggest([long_question, known], faq) == []


def test_a_question_a_seller_answered_from_the_faq_is_no_handoff_word(faq: Faq) -> None:
    answered: list[Lesson] = [
        AskedForPerson("kirim ke sg brp", 1.0, "b1"),
        HandedOff("kirim ke sg brp", "Ongkir mulai Rp9.000 kak", None, 2.0, "b1"),
    ]
    assert [s.kind for s in suggest(answered, faq)] == ["add_question"]
    greeted: list[Lesson] = [
        AskedForPerson("orang admin", 1.0, "b1"),
        HandedOff("orang admin", "Halo kak, dengan admin Sari, ada yang bisa dibantu?", None, 2.0),
    ]
    assert {s.kind for s in suggest(greeted, faq)} == {"add_handoff_word", "new_entry"}


def test_a_turned_down_entry_is_never_suggested(faq: Faq) -> None:
    lessons: list[Lesson] = [
        Corrected("kirim ke medan brp", "kadaluarsa", "ongkir", 1.0),
        HandedOff("kirim ke medan brp", "Tahan 6 bulan di freezer kak", None, 2.0),
    ]
    (made,) = suggest(lessons, faq)
    assert isinstance(made, AddQuestion)
    assert made.entry_id == "ongkir"


def test_nothing_is_suggested_for_a_question_already_in_the_faq(faq: Faq) -> None:
    assert suggest([picked("Kapan kadaluarsanya??", "kadaluarsa")], faq) == []


def test_dismissed_suggestions_stay_dismissed(faq: Faq) -> None:
    lessons = [picked("sampai bila tahan", "kadaluarsa"), AskedForPerson("orang admin", 1)]
    first = suggest(lessons, faq)
    assert len(first) == 2
    again = suggest(lessons, faq, dismissed={first[0].id})
    assert again == first[1:]


def test_a_dismissal_outlives_a_change_of_the_most_asked_wording(faq: Faq) -> None:
    first = [picked("sampai bila tahan", "kadaluarsa", 1, "b1")]
    (made,) = suggest(first, faq)
    later = first + [picked("sampai bila tahan?", "kadaluarsa", t, f"c{t}") for t in (2, 3)]
    assert suggest(later, faq)[0].question == "sampai bila tahan?"
    assert suggest(later, faq, dismissed={made.id}) == []


def test_since_keeps_recent_lessons_only(faq: Faq) -> None:
    lessons = [picked("sampai bila tahan", "kadaluarsa", at=100.0)]
    assert suggest(lessons, faq, since=101.0) == []
    assert len(suggest(lessons, faq, since=100.0)) == 1


def test_suggestions_are_ranked_by_how_many_asked(faq: Faq) -> None:
    lessons: list[Lesson] = [picked("sampai bila tahan", "kadaluarsa", t, f"b{t}") for t in (1, 2)]
    lessons += [AskedForPerson("orang admin", t, f"c{t}") for t in (1, 2, 3)]
    assert [s.count for s in suggest(lessons, faq)] == [3, 2]


def test_an_edited_suggestion_keeps_its_id(faq: Faq) -> None:
    entry = NewEntry("x1", "bisa kirim ke sg", 2, "Bisa kak", ())
    changed = edited(entry, text=" bisa kirim ke Singapore? ", answer="Bisa, via EMS")
    assert changed == replace(
        entry, question="bisa kirim ke Singapore?", draft_answer="Bisa, via EMS"
    )
    word = AddHandoffWord("x2", "orang admin", 2, ())
    assert edited(word, text="orang admin dong").phrase == "orang admin dong"
    question = AddQuestion("x3", "ongkir", "ongkir ke medan", 1, ())
    assert edited(question, text="ongkir ke Medan?").id == "x3"


def test_questions_that_land_on_two_entries_are_found(faq: Faq) -> None:
    lessons = [Fallback("jam buka toko", 1.0), picked("sampai bila tahan", "kadaluarsa")]
    found = ambiguous_questions(lessons, faq)
    assert [(a.question, set(a.entry_ids)) for a in found] == [
        ("jam buka toko", {"jam-sabtu", "jam-minggu"})
    ]


def test_a_suggestion_carries_the_question_not_the_chat_around_it(faq: Faq) -> None:
    asked = "sampai bila tahan sis? mau buat stok lebaran"
    (made,) = suggest([picked(asked, "kadaluarsa", 1.0, "b1")], faq)
    assert isinstance(made, AddQuestion)
    assert made.question == "sampai bila tahan sis?"
    assert made.examples == (asked,)  # the seller still sees what the buyer wrote
    # dismissals are remembered by the buyer's wording, however it is trimmed
    assert made.id == suggestion_id("add_question", "kadaluarsa", asked)
