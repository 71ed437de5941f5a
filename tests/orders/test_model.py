"""Orders move forward only, keep every change, and have short unique human numbers."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.orders.model import (
    InvalidTransition,
    Order,
    OrderError,
    edit,
    from_dict,
    move,
    number_key,
    order_number,
    phone_key,
    to_dict,
)

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 12, 3, 10, 0, tzinfo=WIB)


def an_order(**changes: Any) -> Order:
    base = Order(number="JP-2412-0001", chat_key="telegram:42", items="2x Sepatu", created_at=T0)
    return replace(base, **changes)


ALLOWED = [
    ("new", "paid"), ("new", "shipped"), ("new", "delivered"), ("new", "cancelled"),
    ("paid", "shipped"), ("paid", "cancelled"), ("shipped", "delivered"),
    ("shipped", "returned"), ("delivered", "returned"),
]  # fmt: skip
REFUSED = [
    ("paid", "new"), ("shipped", "paid"), ("delivered", "paid"), ("delivered", "shipped"),
    ("cancelled", "paid"), ("cancelled", "shipped"), ("returned", "delivered"), ("new", "new"),
    ("new", "returned"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_allowed_moves(start: str, to: str) -> None:
    order = an_order(status=start)
    moved = move(order, to, at=T0, who="seller:Budi")  # type: ignore[arg-type]
    assert moved.status == to
    assert moved.history[-1].field == "status"
    assert (moved.history[-1].old, moved.history[-1].new) == (start, to)
    assert moved.history[-1].who == "seller:Budi"


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_refused_moves_say_why(start: str, to: str) -> None:
    with pytest.raises(InvalidTransition, match=f"JP-2412-0001.*'{start}' to '{to}'"):
        move(an_order(status=start), to, at=T0, who="seller")  # type: ignore[arg-type]


def test_unknown_status_is_an_error() -> None:
    with pytest.raises(OrderError, match="unknown status"):
        move(an_order(), "lost", at=T0, who="seller")  # type: ignore[arg-type]


def test_shipping_stamps_time_and_records_each_field() -> None:
    later = T0 + timedelta(hours=5)
    shipped = move(
        an_order(), "shipped", at=later, who="seller:Ani", courier="JNE", tracking_number="CGK1"
    )
    assert shipped.shipped_at == later
    assert [c.field for c in shipped.history] == ["status", "courier", "tracking_number"]
    assert shipped.history[-1].new == "CGK1"
    delivered = move(shipped, "delivered", at=later + timedelta(days=2), who="buyer")
    assert delivered.delivered_at == later + timedelta(days=2)
    assert move(delivered, "returned", at=later, who="seller").closed_at == later


def test_edit_keeps_history_and_refuses_status() -> None:
    order = edit(an_order(), at=T0, who="seller", tracking_number="X1", courier="")
    assert [c.field for c in order.history] == ["tracking_number"]  # courier unchanged
    with pytest.raises(OrderError, match="move"):
        edit(order, at=T0, who="seller", status="paid")


@pytest.mark.parametrize(
    ("when", "seq", "number"),
    [
        (datetime(2024, 12, 3, tzinfo=UTC), 7, "JP-2412-0007"),
        (datetime(2025, 1, 31, tzinfo=UTC), 1234, "JP-2501-1234"),
        (datetime(2025, 1, 31, tzinfo=UTC), 12345, "JP-2501-12345"),
    ],
)
def test_order_numbers_are_short_and_human(when: datetime, seq: int, number: str) -> None:
    assert order_number(when, seq) == number


@pytest.mark.parametrize("typed", ["#jp-2412-0007", "JP 2412 0007", "jp24120007"])
def test_number_spellings_compare_equal(typed: str) -> None:
    assert number_key(typed) == number_key("JP-2412-0007")


@pytest.mark.parametrize(
    ("a", "b"),
    [("0812-3456-7890", "+62 812 3456 7890"), ("6281234567890", "081234567890"),
     ("+60 12-345 6789", "012-3456789")],
)  # fmt: skip
def test_phone_spellings_compare_equal(a: str, b: str) -> None:
    assert phone_key(a) == phone_key(b)


def test_dict_round_trip() -> None:
    order = move(
        an_order(promised_ship_at=T0 + timedelta(days=1)),
        "shipped",
        at=T0,
        who="webhook",
        courier="J&T Express",
        tracking_number="JP123",
    )
    assert from_dict(to_dict(order)) == order


def test_malformed_record_is_an_order_error() -> None:
    with pytest.raises(OrderError, match="malformed"):
        from_dict({"number": "X", "created_at": "not a date"})
