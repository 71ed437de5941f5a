"""The promised shipping time: an order's time plus ``orders.ship_days`` of the shop's work.

``ship_days`` counts working time, not calendar time: with hours 08:00–17:00 Monday to
Saturday, one day is nine working hours, so an order at Monday 10:00 is promised by Tuesday
10:00 and one on Sunday by Monday 17:00. Fractional days are working-time fractions (1.5
days = 13.5 working hours). Below one day the promise is a plain duration from the order
(``ship_days: 0.0001`` ≈ 9 s): seconds-scale values are for checks and demos, where
waiting for the shop to open would only confuse.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

_MAX_DAYS_SCANNED = 3 * 366  # a calendar with no working day at all must not loop forever


@dataclass(frozen=True, slots=True)
class WorkWeek:
    """When the shop works. ``days``: 0 = Monday … 6 = Sunday; ``hours`` None = all day."""

    days: frozenset[int] = frozenset(range(6))  # Monday to Saturday
    hours: tuple[time, time] | None = None
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def parse(
        cls,
        days: Collection[int | str] | None = None,
        hours: tuple[str, str] | None = None,
        holidays: Collection[date] = (),
    ) -> WorkWeek:
        """From config values: ``hours=("08:00", "17:00")`` as in ``shop.hours``."""
        parsed = None
        if hours is not None:
            opens, closes = (time.fromisoformat(h) for h in hours)
            if closes <= opens:
                raise ValueError(
                    f"shop hours {hours[0]}–{hours[1]}: closing must be after opening"
                )
            parsed = (opens, closes)
        return cls(
            days=frozenset(_day(d) for d in days) if days is not None else frozenset(range(6)),
            hours=parsed,
            holidays=frozenset(holidays),
        )

    def works_on(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def day_length(self) -> timedelta:
        if self.hours is None:
            return timedelta(days=1)
        opens, closes = self.hours
        return datetime.combine(date.min, closes) - datetime.combine(date.min, opens)

    def window(self, day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
        """The working hours of ``day`` (whole day when the shop sets no hours)."""
        if self.hours is None:
            start = datetime.combine(day, time(0), tzinfo=tz)
            return start, start + timedelta(days=1)
        opens, closes = self.hours
        return datetime.combine(day, opens, tzinfo=tz), datetime.combine(day, closes, tzinfo=tz)


_DAY_NAMES = {
    name: index
    for index, names in enumerate(
        (
            "mon monday senin isnin",
            "tue tuesday selasa",
            "wed wednesday rabu",
            "thu thursday kamis khamis",
            "fri friday jumat jumaat",
            "sat saturday sabtu",
            "sun sunday minggu ahad",
        )
    )
    for name in names.split()
}


def _day(value: int | str) -> int:
    """0–6, or a day's name in English, Indonesian or Malay (``"mon"``, ``"Senin"``)."""
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower() in _DAY_NAMES:
        return _DAY_NAMES[value.strip().lower()]
    raise ValueError(f"{value!r} is not a day of the week (0–6 or mon, tue, …)")


def promised_ship_at(ordered_at: datetime, ship_days: float, week: WorkWeek) -> datetime:
    """When an order made at ``ordered_at`` is promised to ship (same time zone).

    Raises:
        ValueError: ``ship_days`` is negative, or the week has no working day.
    """
    if ship_days < 0:
        raise ValueError(f"orders.ship_days must be >= 0, not {ship_days}")
    if ship_days < 1:
        return ordered_at + timedelta(days=ship_days)
    left = week.day_length() * ship_days
    day = ordered_at.date()
    for _ in range(_MAX_DAYS_SCANNED):
        if week.works_on(day):
            start, end = week.window(day, ordered_at.tzinfo)
            start = max(start, ordered_at)
            if start < end:
                if end - start >= left:
                    return start + left
                left -= end - start
        day += timedelta(days=1)
    raise ValueError("the shop's working week has no working day")
