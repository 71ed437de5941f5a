"""How the bot is doing: per day (shop time) and channel, from activity and handoff rows.

Pure over rows: ``summarize`` takes what the store's ``activity(since, until)`` and
``handoffs()`` return; ``read`` fetches them from anything that has those reads.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

ALL = ""  # the channel of a day's (or the period's) total over every channel
TOP_QUESTIONS = 10

# The bot's action per inbound message (``Turn.action``) as the summary counts it.
COUNTED = {
    "answer": "answered",
    "clarify": "asked_back",
    "fallback": "not_understood",
    "small_talk": "small_talk",
}
NOT_UNDERSTOOD = ("fallback", "handoff:not_understood")  # the questions worth an FAQ entry
TAKEN_UNASKED = "seller"  # a seller took a chat no handoff had opened: nobody waited

# A phone number inside a buyer's question: 8+ digits, maybe with +, spaces, dots, dashes.
_PHONE = re.compile(r"\+?\d[\d\s.\-]{6,}\d")
_KEEP_DIGITS = 4


class ActivityReads(Protocol):
    """The two store reads the summary needs."""

    async def activity(self, since: float, until: float) -> list[dict[str, Any]]:
        """Inbound buyer messages in [since, until): chat_key, channel, at, action, text."""
        ...

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        """Handoffs with chat_key, reason, at, first_answer_at."""
        ...


@dataclass(frozen=True, slots=True)
class Bucket:
    """The figures of one day and channel (``channel == ALL``: every channel)."""

    day: date | None  # None: the whole period
    channel: str
    buyers: int = 0
    messages: int = 0
    answered: int = 0
    asked_back: int = 0
    not_understood: int = 0
    small_talk: int = 0
    handed_off: Mapping[str, int] = field(default_factory=dict)  # by reason
    first_answers: int = 0  # handoffs a seller answered
    first_answer_median: float | None = None  # seconds
    first_answer_p90: float | None = None

    @property
    def handed_off_total(self) -> int:
        return sum(self.handed_off.values())


@dataclass(frozen=True, slots=True)
class Summary:
    since: float
    until: float
    days: tuple[date, ...]  # every day of the period, oldest first
    rows: tuple[Bucket, ...]  # per day: each channel seen, then the day's ALL row
    total: Bucket  # the whole period, every channel
    top_not_understood: tuple[tuple[str, int], ...]  # (question, times), most often first
    has_activity: bool = True  # False: the store keeps no per-message action yet

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["days"] = [d.isoformat() for d in self.days]
        for bucket in (*data["rows"], data["total"]):
            bucket["day"] = bucket["day"].isoformat() if bucket["day"] else None
            bucket["handed_off_total"] = sum(bucket["handed_off"].values())
        data["top_not_understood"] = [
            {"text": text, "count": count} for text, count in self.top_not_understood
        ]
        return data


def window(now: float, days: int, zone: ZoneInfo) -> tuple[float, float]:
    """From the start of the day ``days - 1`` days before ``now`` (shop time) until now."""
    today = datetime.fromtimestamp(now, zone).date()
    first = today - timedelta(days=max(days, 1) - 1)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    return start.timestamp(), now


def mask_phones(text: str) -> str:
    """0812-3456-7890 -> 0812-xxxx-xxxx: a question is shown, the buyer's number is not."""

    def hide(match: re.Match[str]) -> str:
        seen = 0
        out = []
        for char in match.group(0):
            if char.isdigit():
                seen += 1
                out.append(char if seen <= _KEEP_DIGITS else "x")
            else:
                out.append(char)
        return "".join(out)

    return _PHONE.sub(hide, text)


def short_duration(seconds: float | None) -> str:
    """45s, 4m, 2h05m, 1d03h; "–" for none (no seller answer in the period)."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours < 24 else f"{hours // 24}d{hours % 24:02d}h"


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (share in (0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def summarize(
    activity: Iterable[Mapping[str, Any]],
    handoffs: Iterable[Mapping[str, Any]],
    zone: ZoneInfo,
    since: float,
    until: float,
    *,
    has_activity: bool = True,
    top: int = TOP_QUESTIONS,
) -> Summary:
    """The period's figures per day and channel. Rows outside [since, until) are ignored."""

    def day_of(at: float) -> date:
        return datetime.fromtimestamp(at, zone).date()

    counts: dict[tuple[date | None, str], Counter[str]] = defaultdict(Counter)
    reasons: dict[tuple[date | None, str], Counter[str]] = defaultdict(Counter)
    buyers: dict[tuple[date | None, str], set[str]] = defaultdict(set)
    waits: dict[tuple[date | None, str], list[float]] = defaultdict(list)
    questions: Counter[str] = Counter()
    shown: dict[str, str] = {}  # a question's latest wording, by its normalised form

    for row in activity:
        at = float(row["at"])
        if not since <= at < until:
            continue
        chat = str(row["chat_key"])
        channel = str(row.get("channel") or chat.split(":", 1)[0])
        action = str(row.get("action") or "")
        for key in _keys(day_of(at), channel):
            buyers[key].add(chat)
            counts[key]["messages"] += 1
            if action in COUNTED:
                counts[key][COUNTED[action]] += 1
            elif action.startswith("handoff:"):
                reasons[key][action.removeprefix("handoff:")] += 1
        text = " ".join(str(row.get("text") or "").split())
        if action in NOT_UNDERSTOOD and text:
            norm = text.casefold()
            questions[norm] += 1
            shown[norm] = text

    for row in handoffs:
        opened, answered = row.get("at"), row.get("first_answer_at")
        if opened is None or answered is None or row.get("reason") == TAKEN_UNASKED:
            continue
        if not since <= float(opened) < until:
            continue
        channel = str(row["chat_key"]).split(":", 1)[0]
        for key in _keys(day_of(float(opened)), channel):
            waits[key].append(max(float(answered) - float(opened), 0.0))

    def bucket(key: tuple[date | None, str]) -> Bucket:
        c, w = counts.get(key, Counter()), waits.get(key, [])
        return Bucket(
            day=key[0],
            channel=key[1],
            buyers=len(buyers.get(key, ())),
            messages=c["messages"],
            answered=c["answered"],
            asked_back=c["asked_back"],
            not_understood=c["not_understood"],
            small_talk=c["small_talk"],
            handed_off=dict(sorted(reasons.get(key, Counter()).items())),
            first_answers=len(w),
            first_answer_median=statistics.median(w) if w else None,
            first_answer_p90=percentile(w, 0.9),
        )

    first, last = day_of(since), day_of(max(until - 1e-6, since))
    days = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
    channels = sorted({k[1] for k in (*counts, *waits) if k[1] != ALL})
    rows: list[Bucket] = []
    for day in days:
        rows += [bucket((day, ch)) for ch in channels if (day, ch) in counts or (day, ch) in waits]
        rows.append(bucket((day, ALL)))
    masked = tuple(
        (mask_phones(shown[norm]), n)
        for norm, n in sorted(questions.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    )
    return Summary(
        since=since,
        until=until,
        days=days,
        rows=tuple(rows),
        total=bucket((None, ALL)),
        top_not_understood=masked,
        has_activity=has_activity,
    )


def _keys(day: date, channel: str) -> tuple[tuple[date | None, str], ...]:
    """Each row counts for its day and channel, its day's total and the period's total."""
    return ((day, channel), (day, ALL), (None, ALL))


async def read(store: object, zone: ZoneInfo, now: float, days: int = 7) -> Summary:
    """The summary of the last ``days`` days from a store; one without ``activity`` yet
    still gives the sellers' first-answer times."""
    since, until = window(now, days, zone)
    activity_of = getattr(store, "activity", None)
    activity = await activity_of(since, until) if activity_of is not None else []
    handoffs_of = getattr(store, "handoffs", None)
    handoffs = await handoffs_of() if handoffs_of is not None else []
    return summarize(activity, handoffs, zone, since, until, has_activity=activity_of is not None)


class MemoryActivity:
    """``ActivityReads`` over lists (tests, and a store that has no such read yet)."""

    def __init__(
        self,
        activity: Iterable[Mapping[str, Any]] = (),
        handoffs: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self._activity = [dict(r) for r in activity]
        self._handoffs = [dict(r) for r in handoffs]

    async def activity(self, since: float, until: float) -> list[dict[str, Any]]:
        return [dict(r) for r in self._activity if since <= float(r["at"]) < until]

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        return [dict(r) for r in self._handoffs if chat_key in (None, r["chat_key"])]
