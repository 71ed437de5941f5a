"""`japri faq try`'s verdict: what the bot would do, worded as the live bot would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from faq.loader import parse_faq
from flows.policy import Policy
from flows.trial import try_message

WIB = timezone(timedelta(hours=7))
FAQ = parse_faq(
    """
faqs:
  - id: ongkir
    questions: [berapa ongkirnya?, ongkos kirim ke bandung]
    answer: Ongkir mulai Rp9.000 kak.
  - id: cod
    questions: [bisa cod?, bayar di tempat bisa?]
    answer: Bisa COD kak.
"""
).faq


def test_a_fallback_shows_the_topics_the_buyer_is_offered() -> None:
    trial = try_message("cuaca hari ini gimana", FAQ, Policy(shop_name="Toko Uji"))
    assert trial.action == "fallback"
    assert trial.options == ["ongkir", "cod"]


def test_a_greeting_is_small_talk_not_a_fallback() -> None:
    assert try_message("halo kak", FAQ, Policy(shop_name="Toko Uji")).action == "small_talk"


def test_the_handoff_reply_is_worded_for_the_moment_it_is_asked() -> None:
    policy = Policy(shop_name="Toko Uji", hours=("08:00", "21:00"))
    night = try_message("saya ambil 2 ya", FAQ, policy, datetime(2026, 12, 1, 23, tzinfo=WIB))
    day = try_message("saya ambil 2 ya", FAQ, policy, datetime(2026, 12, 1, 10, tzinfo=WIB))
    assert night.action == day.action == "handoff"
    assert "08:00" in night.reply
    assert "menit" in day.reply


def test_with_nobody_to_hand_to_the_reply_says_how_to_reach_the_shop() -> None:
    policy = Policy(shop_name="Toko Uji", sellers=False, contact="WA 0812-0000-1111")
    trial = try_message("saya ambil 2 ya", FAQ, policy)
    assert trial.action == "handoff"  # the verdict; the words follow the shop's set-up
    assert "WA 0812-0000-1111" in trial.reply
