"""A handoff's promises: a seller claims the chat, a reminder when nobody answers in time,
the shop's hours, and the chat going back to the bot when sellers go quiet."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from faq.loader import parse_faq
from faq.model import Faq
from flows.handoff import timer_due
from flows.messages import (
    Action,
    BuyerMessage,
    CancelTimer,
    Event,
    NotifySeller,
    Say,
    SellerReleased,
    SellerWrote,
    SetTimer,
    Tick,
)
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation, Stage

WIB = timezone(timedelta(hours=7))
FAQ = b"""
faqs:
  - id: ongkir
    questions: [berapa ongkirnya?, ongkos kirim ke bandung]
    answer: Ongkir mulai Rp9.000 kak.
"""


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def later(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def faq() -> Faq:
    return parse_faq(FAQ).faq


def run(
    conv: Conversation, event: Event, faq: Faq, policy: Policy, now: datetime
) -> tuple[Conversation, list[Action]]:
    conv, actions = step(conv, event, faq, policy, now)
    return conv, [a for a in actions if not isinstance(a, SetTimer | CancelTimer)]


def handed_off(faq: Faq, policy: Policy, now: datetime) -> tuple[Conversation, list[Action]]:
    return run(
        Conversation(), BuyerMessage("saya mau order 2, transfer ke mana?"), faq, policy, now
    )


def test_the_buyer_is_told_how_soon_a_seller_answers(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari", sla_minutes=5)
    _, actions = handed_off(faq, policy, datetime(2026, 11, 23, 10, tzinfo=WIB))
    assert "5 menit" in [a for a in actions if isinstance(a, Say)][-1].text


def test_outside_shop_hours_the_buyer_is_told_when_sellers_are_back(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari", hours=("08:00", "21:00"))
    _, actions = handed_off(faq, policy, datetime(2026, 11, 23, 23, 30, tzinfo=WIB))
    told = [a for a in actions if isinstance(a, Say)][-1].text
    assert "08:00" in told
    assert "menit" not in told


def test_no_seller_in_time_reminds_the_sellers_and_reassures_the_buyer_once(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari", sla_minutes=5)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=WIB))
    conv, _ = handed_off(faq, policy, clock.now)
    assert not timer_due(conv, policy, clock.later(minutes=4))
    assert run(conv, Tick(), faq, policy, clock.now) == (conv, [])
    assert timer_due(conv, policy, clock.later(minutes=2))
    conv, actions = run(conv, Tick(), faq, policy, clock.now)
    assert actions[0] == NotifySeller("reminder", waited_minutes=6)
    assert isinstance(actions[1], Say)
    assert "menunggu" in actions[1].text
    assert not timer_due(conv, policy, clock.later(minutes=10))  # only once
    assert run(conv, Tick(), faq, policy, clock.now)[1] == []


def test_after_hours_the_opening_time_is_said_once_not_again_at_the_reminder(
    faq: Faq,
) -> None:
    policy = Policy(shop_name="Toko Sari", sla_minutes=5, hours=("08:00", "21:00"))
    clock = Clock(datetime(2026, 11, 23, 22, tzinfo=WIB))
    conv, actions = handed_off(faq, policy, clock.now)
    assert "08:00" in [a for a in actions if isinstance(a, Say)][-1].text
    conv, actions = run(conv, Tick("handoff_remind"), faq, policy, clock.later(minutes=6))
    assert actions == [NotifySeller("reminder", waited_minutes=6)]  # sellers only
    assert conv.reminded


def test_a_timer_of_an_unknown_kind_changes_nothing(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari")
    conv, _ = handed_off(faq, policy, datetime(2026, 11, 23, 10, tzinfo=WIB))
    assert run(conv, Tick("nobody-set-this"), faq, policy, datetime.now(WIB)) == (conv, [])


def test_the_first_seller_to_answer_claims_the_chat(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari")
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=WIB))
    conv, _ = handed_off(faq, policy, clock.now)
    conv, actions = run(conv, SellerWrote("Sari"), faq, policy, clock.later(minutes=2))
    assert actions == [NotifySeller("claimed", "Sari")]
    assert conv.seller == "Sari"
    assert conv.seller_answered_at == clock.now.timestamp()
    conv, actions = run(conv, SellerWrote("Dewi"), faq, policy, clock.later(minutes=1))
    assert actions == []
    assert conv.seller == "Sari"
    assert not timer_due(conv, policy, clock.later(minutes=30))  # a seller is on it


def test_a_seller_stepping_into_a_bot_chat_takes_it_over(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari")
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    conv, _ = run(Conversation(), BuyerMessage("berapa ongkirnya?"), faq, policy, now)
    conv, _ = run(conv, SellerWrote("Sari", answered=False), faq, policy, now)
    assert conv.stage is Stage.HANDED_OFF
    assert conv.seller_answered_at is None  # pressing "take over" is not an answer
    conv, actions = run(conv, BuyerMessage("halo?"), faq, policy, now)
    assert [type(a).__name__ for a in actions] == ["Forward"]


def test_a_quiet_handoff_goes_back_to_the_bot_after_idle_hours(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari", idle_hours=12)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=WIB))
    conv, _ = handed_off(faq, policy, clock.now)
    conv, _ = run(conv, SellerWrote("Sari"), faq, policy, clock.later(minutes=3))
    assert not timer_due(conv, policy, clock.later(hours=11))
    assert timer_due(conv, policy, clock.later(hours=2))
    conv, actions = run(conv, Tick(), faq, policy, clock.now)
    assert actions == [NotifySeller("idle_released")]  # the buyer is not messaged
    assert conv.stage is Stage.BOT
    conv, actions = run(conv, BuyerMessage("berapa ongkirnya?"), faq, policy, clock.now)
    assert [a.text for a in actions if isinstance(a, Say)] == ["Ongkir mulai Rp9.000 kak."]


def test_done_gives_the_chat_back_and_tells_only_the_sellers(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari")
    now = datetime(2026, 11, 23, 10, tzinfo=UTC)
    conv, _ = handed_off(faq, policy, now)
    conv, actions = run(conv, SellerReleased("Sari"), faq, policy, now)
    assert actions == [NotifySeller("released", "Sari")]
    assert conv.stage is Stage.BOT
    assert conv.seller is None


@pytest.mark.parametrize(
    ("hours", "clock", "open_"),
    [
        (("08:00", "21:00"), "07:59", False),
        (("08:00", "21:00"), "08:00", True),
        (("08:00", "21:00"), "21:00", False),
        (("20:00", "02:00"), "23:00", True),
        (("20:00", "02:00"), "03:00", False),
    ],
)
def test_shop_hours(hours: tuple[str, str], clock: str, open_: bool) -> None:
    hour, minute = (int(x) for x in clock.split(":"))
    now = datetime(2026, 11, 23, hour, minute, tzinfo=WIB)
    assert Policy(hours=hours).open_at(now) is open_


def test_a_buyer_writing_on_does_not_keep_a_sellerless_handoff_open(faq: Faq) -> None:
    policy = Policy(shop_name="Toko Sari", idle_hours=12)
    clock = Clock(datetime(2026, 11, 23, 10, tzinfo=WIB))
    conv, _ = handed_off(faq, policy, clock.now)
    conv, _ = run(conv, BuyerMessage("halo? masih ada?"), faq, policy, clock.later(hours=11))
    assert timer_due(conv, policy, clock.later(hours=1, minutes=1))
