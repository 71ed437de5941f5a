"""bot.learning's own rules: the weekly slot, a "not this" tap, and no lessons while a
seller owns the chat."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.faqsource import FaqSource
from bot.learning import Learning
from bot.seller import SellerChat, saran_list
from bot.store.memory import MemoryStore
from faq.suggest import AddQuestion
from flows.messages import NOT_THIS, BuyerMessage, Outcome
from flows.state import Conversation, Stage

JAKARTA = ZoneInfo("Asia/Jakarta")
FAQ = """faqs:
  - id: ongkir
    questions: [berapa ongkirnya?]
    answer: Ongkir mulai Rp9.000 kak.
  - id: cod
    questions: [bisa cod?]
    answer: Bisa COD kak.
"""


@pytest.fixture
def learning(tmp_path: Path) -> Learning:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    source = FaqSource(tmp_path / "faq.yaml")
    source.load()
    return Learning(MemoryStore(), source, SellerChat("-100", "id"), JAKARTA)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA).timestamp()


@pytest.mark.parametrize(
    ("now", "slot"),
    [
        ("2026-12-02 15:00", "2026-12-07 09:00"),  # a Wednesday: next Monday
        ("2026-12-07 08:59", "2026-12-07 09:00"),  # Monday before nine: today
        ("2026-12-07 09:00", "2026-12-14 09:00"),  # the slot itself: next week
    ],
)
def test_the_weekly_note_is_due_on_monday_at_nine_shop_time(
    learning: Learning, now: str, slot: str
) -> None:
    assert learning.next_note_at(at(now)) == at(slot)


def test_nothing_is_learned_while_a_seller_owns_the_chat(learning: Learning) -> None:
    message = BuyerMessage("kirim ke singapore bisa")
    bot = Conversation(stage=Stage.BOT)
    after, lessons = learning.buyer_turn(bot, bot, message, Outcome("fallback"), 1.0, "b")
    assert [m["kind"] for m in lessons] == ["fallback"]
    assert after.learning["kind"] == "fallback"
    seller = Conversation(stage=Stage.HANDED_OFF)
    kept, none = learning.buyer_turn(seller, seller, message, Outcome("forward"), 2.0, "b")
    assert none == []
    assert kept == seller


def test_a_second_miss_that_hands_off_is_a_fallback_and_awaits_the_seller(
    learning: Learning,
) -> None:
    before = Conversation(stage=Stage.BOT)
    miss = Outcome("handoff", "not_understood")
    after, lessons = learning.buyer_turn(
        before, before, BuyerMessage("eh?? luput"), miss, 1.0, "b"
    )
    assert [m["kind"] for m in lessons] == ["fallback"]
    assert after.learning["kind"] == "handoff"
    done, taught = learning.seller_turn(after, "Tahan 6 bulan kak", 2.0, "b")
    assert [m["kind"] for m in taught] == ["handed_off"]
    assert done.learning == {}


@pytest.mark.parametrize("language", ["id", "ms", "en"])
def test_saran_buttons_fit_telegram(language: str) -> None:
    found = [AddQuestion("0123456789ab", "ongkir", "ongkir ke jogja", 3, ("ongkir ke jogja",))]
    said = saran_list(language, found)
    assert "ongkir ke jogja" in said.text
    assert [o[0] for o in said.options] == ["saran:add:0123456789ab", "saran:skip:0123456789ab"]
    assert all(len(o[0].encode()) < 64 for o in said.options)


def test_a_tap_that_turns_an_answer_down_is_a_correction_never_an_empty_question(
    learning: Learning,
) -> None:
    asked = BuyerMessage("ongkir ke jogja")
    start = Conversation(stage=Stage.BOT)
    answered, _ = learning.buyer_turn(
        start, start, asked, Outcome("answer", faq_id="ongkir"), 1.0, "b"
    )
    tap = BuyerMessage("", kind="choice", choice=NOT_THIS)
    _, lessons = learning.buyer_turn(answered, answered, tap, Outcome("fallback"), 2.0, "b")
    assert [(m["kind"], m["text"], m["hedged_id"]) for m in lessons] == [
        ("corrected", "ongkir ke jogja", "ongkir")
    ]
    other = BuyerMessage("", kind="choice", choice="cod")
    _, none = learning.buyer_turn(start, start, other, Outcome("fallback"), 3.0, "b")
    assert none == []
