"""The promised shipping time counts the shop's working days and hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.orders.workdays import WorkWeek, promised_ship_at

WIB = timezone(timedelta(hours=7))
OFFICE = WorkWeek.parse(days=range(6), hours=("08:00", "17:00"))  # Mon–Sat 08–17
ALL_DAY = WorkWeek.parse(days=range(5))  # Mon–Fri, no hours


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 12, day, hour, minute, tzinfo=WIB)  # 2 Dec 2024 is a Monday


CASES = [
    # ordered, ship_days, week, promised
    (at(2, 10), 1, OFFICE, at(3, 10)),  # Mon 10:00 + 9 working hours → Tue 10:00
    (at(2, 7), 1, OFFICE, at(2, 17)),  # before opening: the whole day counts
    (at(2, 18), 1, OFFICE, at(3, 17)),  # after closing: from the next morning
    (at(7, 12), 1, OFFICE, at(9, 12)),  # Saturday noon → Monday noon (Sunday off)
    (at(8, 12), 1, OFFICE, at(9, 17)),  # ordered on Sunday
    (at(2, 10), 2, OFFICE, at(4, 10)),
    (at(2, 8), 1.5, OFFICE, at(3, 12, 30)),  # 13.5 working hours
    (at(6, 15), 1, ALL_DAY, at(9, 15)),  # Friday 15:00 → Monday 15:00 (no weekend)
    (at(2, 10), 0.0001, OFFICE, at(2, 10) + timedelta(seconds=8.64)),  # tiny: plain duration
    (at(8, 3), 0.5, OFFICE, at(8, 15)),  # under a day: plain duration even on Sunday
    (at(2, 10), 0, OFFICE, at(2, 10)),
]


@pytest.mark.parametrize(("ordered", "days", "week", "promised"), CASES)
def test_promise(ordered: datetime, days: float, week: WorkWeek, promised: datetime) -> None:
    assert promised_ship_at(ordered, days, week) == promised


def test_holidays_are_skipped() -> None:
    week = WorkWeek(days=frozenset(range(6)), hours=(time(8), time(17)),
                    holidays=frozenset({date(2024, 12, 3)}))  # fmt: skip
    assert promised_ship_at(at(2, 17), 1, week) == at(4, 17)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"hours": ("17:00", "08:00")}, "closing must be after opening")],
)
def test_bad_hours(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkWeek.parse(**kwargs)  # type: ignore[arg-type]


def test_negative_days_and_empty_week_are_errors() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        promised_ship_at(at(2, 10), -1, OFFICE)
    with pytest.raises(ValueError, match="no working day"):
        promised_ship_at(at(2, 10), 1, WorkWeek(days=frozenset()))


@pytest.mark.parametrize(
    ("days", "expected"),
    [(["mon", "Selasa", "RABU", "thu", "jumaat", 5], frozenset(range(6))),
     (["sun", "minggu", "ahad"], frozenset({6}))],
)  # fmt: skip
def test_day_names_in_three_languages(days: list[int | str], expected: frozenset[int]) -> None:
    assert WorkWeek.parse(days=days).days == expected


def test_unknown_day_name() -> None:
    with pytest.raises(ValueError, match="not a day"):
        WorkWeek.parse(days=["someday"])
