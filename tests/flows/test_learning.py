"""What a chat's turns teach: picks after "which one?", misses, asks for a person, replies."""

from __future__ import annotations

import pytest

from faq.lessons import AskedForPerson, Clarified, Corrected, Fallback, HandedOff
from faq.loader import parse_faq
from faq.model import Faq
from flows.handoff_words import says_handoff_word
from flows.learning import Pending, observe, observe_seller, weekly_note
from flows.messages import HUMAN_OPTION, NOT_THIS, BuyerMessage, Outcome

SHOP = """
faqs:
  - id: kadaluarsa
    questions: [kapan kadaluarsanya?]
    answer: Tahan 6 bulan di freezer kak.
  - id: simpan
    questions: [cara simpannya gimana?]
    answer: Simpan di freezer minus 18 derajat ya kak.
"""


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(SHOP, "faq.yaml").faq


def clarify(faq: Faq) -> Outcome:
    return Outcome("clarify", options=tuple(e.id for e in faq.entries))


def answer(faq: Faq, entry_id: str) -> Outcome:
    assert faq.get(entry_id) is not None
    return Outcome("answer", faq_id=entry_id, score=1.0)


@pytest.mark.parametrize(
    ("reply", "how"),
    [
        (BuyerMessage("", kind="choice", choice="kadaluarsa"), "tap"),
        (BuyerMessage("yang pertama kak"), "number"),
        (BuyerMessage("yg soal expired"), "words"),
    ],
)
def test_a_pick_after_which_one_teaches_the_question(
    faq: Faq, reply: BuyerMessage, how: str
) -> None:
    pending, lessons = observe(None, BuyerMessage("sampai bila tahan sis"), clarify(faq), 1.0)
    assert pending == Pending("clarify", "sampai bila tahan sis", 1.0, ("kadaluarsa", "simpan"))
    assert lessons == []
    pending, lessons = observe(pending, reply, answer(faq, "kadaluarsa"), 2.0, "b1")
    assert lessons == [
        Clarified("sampai bila tahan sis", ("kadaluarsa", "simpan"), "kadaluarsa", how, 2.0)
    ]
    assert lessons[0].buyer == "b1"
    assert pending is not None
    assert (pending.kind, pending.text, pending.entry_id) == (
        "answer",
        "sampai bila tahan sis",
        "kadaluarsa",
    )


def test_a_pick_of_an_entry_that_hands_off_teaches_the_question_too() -> None:
    asked = Pending("clarify", "harga kalau ambil 2 lusin", 1.0, ("harga", "grosir"))
    tap = BuyerMessage("", kind="choice", choice="grosir")
    to_a_seller = Outcome("handoff", reason="faq", faq_id="grosir", score=1.0)
    pending, lessons = observe(asked, tap, to_a_seller, 2.0)
    assert lessons == [
        Clarified("harga kalau ambil 2 lusin", ("harga", "grosir"), "grosir", "tap", 2.0)
    ]
    assert pending is None
    person = BuyerMessage("", kind="choice", choice=HUMAN_OPTION)
    _, lessons = observe(asked, person, Outcome("handoff", reason="human"), 2.0)
    assert not any(isinstance(m, Clarified) for m in lessons)  # a person is no entry


def test_bukan_ini_after_an_answer_is_a_correction(faq: Faq) -> None:
    pending, _ = observe(None, BuyerMessage("expired nya?"), answer(faq, "simpan"), 1.0)
    fallback = Outcome("fallback")
    pending, lessons = observe(pending, BuyerMessage("Bukan ini kak"), fallback, 2.0)
    assert lessons == [Corrected("expired nya?", "simpan", None, 2.0)]
    assert pending == Pending("fallback", "expired nya?", 2.0)
    _, none = observe(None, BuyerMessage("bukan itu yang mahal"), fallback, 3.0)
    assert none == [Fallback("bukan itu yang mahal", 3.0)]


def test_the_not_this_button_under_an_answer_is_a_correction(faq: Faq) -> None:
    pending, _ = observe(None, BuyerMessage("expired nya?"), answer(faq, "simpan"), 1.0)
    tap = BuyerMessage("", kind="choice", choice=NOT_THIS)
    after, lessons = observe(pending, tap, Outcome("fallback"), 2.0, "b1")
    assert lessons == [Corrected("expired nya?", "simpan", None, 2.0)]
    assert after == Pending("fallback", "expired nya?", 2.0)  # nothing else was offered
    # the same tap with no answer before it, or another option tapped, teaches nothing
    assert observe(None, tap, Outcome("fallback"), 3.0) == (None, [])
    other = BuyerMessage("", kind="choice", choice="kadaluarsa")
    assert observe(pending, other, Outcome("fallback"), 3.0) == (None, [])


def test_a_topic_tapped_after_a_miss_or_a_not_this_is_a_pick(faq: Faq) -> None:
    missed = Outcome("fallback", options=("simpan", "kadaluarsa"))
    pending, _ = observe(None, BuyerMessage("sampai bila tahan sis"), missed, 1.0)
    tap = BuyerMessage("", kind="choice", choice="kadaluarsa")
    _, lessons = observe(pending, tap, answer(faq, "kadaluarsa"), 2.0)
    assert lessons == [
        Clarified("sampai bila tahan sis", ("simpan", "kadaluarsa"), "kadaluarsa", "tap", 2.0)
    ]
    # typed after a miss, an answer is to a new question, not a pick
    _, none = observe(pending, BuyerMessage("expired kapan"), answer(faq, "kadaluarsa"), 2.0)
    assert none == []
    hedged, _ = observe(None, BuyerMessage("expired nya?"), answer(faq, "simpan"), 3.0)
    not_this = BuyerMessage("", kind="choice", choice=NOT_THIS)
    pending, _ = observe(hedged, not_this, Outcome("fallback", options=("kadaluarsa",)), 4.0)
    _, lessons = observe(pending, tap, answer(faq, "kadaluarsa"), 5.0)
    assert lessons == [Clarified("expired nya?", ("kadaluarsa",), "kadaluarsa", "tap", 5.0)]


def test_a_second_miss_that_hands_off_is_a_miss_whose_reply_teaches(faq: Faq) -> None:
    question = BuyerMessage("tarikh luput bila sis")
    second = Outcome("handoff", reason="not_understood")
    pending, lessons = observe(Pending("fallback", "hmm", 1.0), question, second, 2.0)
    assert lessons == [Fallback("tarikh luput bila sis", 2.0)]
    assert pending == Pending("handoff", "tarikh luput bila sis", 2.0)
    _, taught = observe_seller(pending, "Tahan 6 bulan di freezer kak", faq, 3.0)
    assert [(m.question, m.resembles_id) for m in taught] == [
        ("tarikh luput bila sis", "kadaluarsa")
    ]


def test_a_miss_then_a_person_then_the_sellers_reply(faq: Faq) -> None:
    pending, lessons = observe(None, BuyerMessage("orang admin"), Outcome("fallback"), 1.0)
    assert lessons == [Fallback("orang admin", 1.0)]
    tap = BuyerMessage("", kind="choice", choice=HUMAN_OPTION)
    pending, lessons = observe(pending, tap, Outcome("handoff", reason="human"), 2.0)
    assert lessons == [AskedForPerson("orang admin", 2.0)]
    assert pending == Pending("handoff", "orang admin", 2.0)


def test_the_sellers_first_reply_to_an_unknown_question_is_kept(faq: Faq) -> None:
    question = BuyerMessage("best before nya sampe kapan? wa 0812-3456-7890")
    pending, _ = observe(None, question, Outcome("handoff", reason="not_understood"), 1.0)
    reply = "Tahan 6 bulan di freezer ya kak"
    pending, lessons = observe_seller(pending, reply, faq, 5.0, "b1")
    assert lessons == [
        HandedOff("best before nya sampe kapan? wa [phone]", reply, "kadaluarsa", 5.0)
    ]
    assert pending is None
    assert observe_seller(pending, "terima kasih kak", faq, 6.0) == (None, [])


def test_after_an_order_or_a_complaint_only_an_faq_answer_teaches(faq: Faq) -> None:
    for reason in ("closing", "complaint", "faq"):
        outcome = Outcome("handoff", reason=reason)
        pending, none = observe(None, BuyerMessage("aku ambil 2, tahan brp lama?"), outcome, 1)
        assert none == []
        assert observe_seller(pending, "Siap kak, totalnya Rp50.000", faq, 2.0) == (None, [])
        _, taught = observe_seller(pending, "Tahan 6 bulan di freezer kak", faq, 2.0)
        assert [m.resembles_id for m in taught] == ["kadaluarsa"]


def test_pending_round_trips_and_bad_data_is_dropped() -> None:
    pending = Pending("clarify", "no hp 081234567890", 3.0, ("a", "b"))
    assert pending.text == "no hp [phone]"
    assert Pending.from_dict(pending.to_dict()) == pending
    assert Pending.from_dict(None) is None
    assert Pending.from_dict({"kind": "shrug", "text": "x"}) is None


def test_the_weekly_note_counts_this_weeks_unanswered_questions(faq: Faq) -> None:
    week = 7 * 86400.0
    lessons = [
        Clarified("sampai bila tahan", ("kadaluarsa", "simpan"), "kadaluarsa", "tap", week),
        HandedOff("bisa kirim ke sg?", "Bisa kak, lewat EMS", None, week + 1),
        HandedOff("ada hampers?", "Ada kak", None, 1.0),  # last week's
    ]
    assert weekly_note(lessons, faq, now=2 * week) == (
        "2 pertanyaan minggu ini belum terjawab — /saran"
    )
    assert weekly_note(lessons, faq, now=2 * week, language="en") == (
        "2 questions went unanswered this week — /saran"
    )
    assert weekly_note(lessons, faq, now=3 * week) is None


@pytest.mark.parametrize(
    ("text", "hands_off"),
    [("org admin dong", True), ("Orang Admin!", True), ("orang", False), ("adminnya", False)],
)
def test_the_sellers_handoff_words(text: str, hands_off: bool) -> None:
    faq = parse_faq(SHOP + "handoff_words:\n  - orang admin\n", "faq.yaml").faq
    assert says_handoff_word(text, faq) is hands_off
    assert not says_handoff_word(text, parse_faq(SHOP, "faq.yaml").faq)
