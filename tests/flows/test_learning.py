"""What a chat's turns teach: picks after "which one?", misses, asks for a person, replies."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from faq.lessons import AskedForPerson, Clarified, Corrected, Fallback, HandedOff
from faq.loader import parse_faq
from faq.model import Faq, FaqEntry
from flows.handoff_words import says_handoff_word
from flows.learning import Pending, observe, observe_seller, weekly_note
from flows.messages import HUMAN_OPTION, BuyerMessage

SHOP = """
faqs:
  - id: kadaluarsa
    questions: [kapan kadaluarsanya?]
    answer: Tahan 6 bulan di freezer kak.
  - id: simpan
    questions: [cara simpannya gimana?]
    answer: Simpan di freezer minus 18 derajat ya kak.
"""


@dataclass(frozen=True)
class Decision:
    """A decision as the engine's ``decide`` makes it (these tests fix it by hand)."""

    verdict: str
    entry: FaqEntry | None = None
    options: tuple[FaqEntry, ...] = ()
    score: float = 0.0
    reason: str | None = None


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(SHOP, "faq.yaml").faq


def clarify(faq: Faq) -> Decision:
    return Decision("clarify", options=tuple(e for e in faq.entries))


def answer(faq: Faq, entry_id: str) -> Decision:
    return Decision("answer", entry=faq.get(entry_id), score=1.0)


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


def test_bukan_ini_after_an_answer_is_a_correction(faq: Faq) -> None:
    pending, _ = observe(None, BuyerMessage("expired nya?"), answer(faq, "simpan"), 1.0)
    fallback = Decision("fallback")
    pending, lessons = observe(pending, BuyerMessage("Bukan ini kak"), fallback, 2.0)
    assert lessons == [Corrected("expired nya?", "simpan", None, 2.0)]
    assert pending == Pending("fallback", "expired nya?", 2.0)
    _, none = observe(None, BuyerMessage("bukan itu yang mahal"), fallback, 3.0)
    assert none == [Fallback("bukan itu yang mahal", 3.0)]


def test_a_miss_then_a_person_then_the_sellers_reply(faq: Faq) -> None:
    pending, lessons = observe(None, BuyerMessage("orang admin"), Decision("fallback"), 1.0)
    assert lessons == [Fallback("orang admin", 1.0)]
    tap = BuyerMessage("", kind="choice", choice=HUMAN_OPTION)
    pending, lessons = observe(pending, tap, Decision("handoff", reason="human"), 2.0)
    assert lessons == [AskedForPerson("orang admin", 2.0)]
    assert pending == Pending("handoff", "orang admin", 2.0)


def test_the_sellers_first_reply_to_an_unknown_question_is_kept(faq: Faq) -> None:
    question = BuyerMessage("best before nya sampe kapan? wa 0812-3456-7890")
    pending, _ = observe(None, question, Decision("handoff", reason="not_understood"), 1.0)
    reply = "Tahan 6 bulan di freezer ya kak"
    pending, lessons = observe_seller(pending, reply, faq, 5.0, "b1")
    assert lessons == [
        HandedOff("best before nya sampe kapan? wa [phone]", reply, "kadaluarsa", 5.0)
    ]
    assert pending is None
    assert observe_seller(pending, "terima kasih kak", faq, 6.0) == (None, [])


def test_after_an_order_or_a_complaint_only_an_faq_answer_teaches(faq: Faq) -> None:
    for reason in ("closing", "complaint", "faq"):
        decision = Decision("handoff", reason=reason)
        pending, none = observe(None, BuyerMessage("aku ambil 2, tahan brp lama?"), decision, 1)
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
