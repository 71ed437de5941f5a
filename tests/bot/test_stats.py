"""The Ringkasan figures: per shop day and channel, from activity and handoff rows."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import stats
from bot.stats import ALL, MemoryActivity, mask_phones, percentile, short_duration, summarize
from bot.stats_cli import write_table

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: int, hour: int, minute: int = 0) -> float:
    """1 Dec 2026 + day, shop time."""
    return datetime(2026, 12, day, hour, minute, tzinfo=JAKARTA).timestamp()


def msg(chat: str, when: float, action: str | None, text: str = "") -> dict[str, Any]:
    return {
        "chat_key": chat,
        "channel": chat.split(":")[0],
        "at": when,
        "action": action,
        "text": text,
    }


SINCE, UNTIL = at(1, 0), at(3, 0)
ACTIVITY = [
    msg("whatsapp:62811", at(1, 9), "small_talk", "halo kak"),
    msg("whatsapp:62811", at(1, 9, 1), "answer", "ongkir ke bandung?"),
    msg("whatsapp:62811", at(1, 9, 2), "clarify", "bayarnya gimana"),
    msg("whatsapp:62812", at(1, 10), "fallback", "bisa COD ke 0812-3456-7890?"),
    msg("telegram:7", at(1, 23, 30), "handoff:complaint", "barang rusak!!"),
    msg("telegram:7", at(1, 23, 40), "forward", "tolong ya"),
    # 00:30 on the 2nd in Jakarta is still the 1st in UTC: it counts for the 2nd
    msg("web:abc", at(2, 0, 30), "fallback", "Bisa COD  ke 0812-3456-7890?"),
    msg("web:abc", at(2, 0, 31), "handoff:not_understood", "kirim pakai gojek"),
    msg("web:abc", at(2, 0, 32), None, "a message from before actions were kept"),
    msg("web:old", at(1, 0) - 60, "answer", "the day before the period"),
]
HANDOFFS = [
    {
        "chat_key": "telegram:7",
        "reason": "complaint",
        "at": at(1, 23, 30),
        "first_answer_at": at(1, 23, 34),
    },
    {
        "chat_key": "web:abc",
        "reason": "not_understood",
        "at": at(2, 0, 31),
        "first_answer_at": None,
    },  # nobody answered yet
    {
        "chat_key": "whatsapp:62811",
        "reason": "closing",
        "at": at(2, 8),
        "first_answer_at": at(2, 8, 20),
    },
    {
        "chat_key": "whatsapp:62812",
        "reason": "seller",
        "at": at(2, 9),
        "first_answer_at": at(2, 9),
    },  # a seller took it unasked: nobody waited
]


@pytest.fixture
def summary() -> stats.Summary:
    return summarize(ACTIVITY, HANDOFFS, JAKARTA, SINCE, UNTIL)


def row(summary: stats.Summary, day: date | None, channel: str) -> stats.Bucket:
    if day is None:
        return summary.total
    [found] = [b for b in summary.rows if b.day == day and b.channel == channel]
    return found


D1, D2 = date(2026, 12, 1), date(2026, 12, 2)


@pytest.mark.parametrize(
    ("day", "channel", "expected"),
    [
        (
            D1,
            "whatsapp",
            {
                "buyers": 2,
                "messages": 4,
                "answered": 1,
                "asked_back": 1,
                "not_understood": 1,
                "small_talk": 1,
                "handed_off_total": 0,
            },
        ),
        (
            D1,
            "telegram",
            {
                "buyers": 1,
                "messages": 2,
                "handed_off": {"complaint": 1},
                "first_answers": 1,
                "first_answer_median": 240.0,
            },
        ),
        (D1, ALL, {"buyers": 3, "messages": 6, "handed_off_total": 1}),
        (
            D2,
            "web",
            {"buyers": 1, "messages": 3, "not_understood": 1, "handed_off": {"not_understood": 1}},
        ),
        (
            D2,
            "whatsapp",
            {
                "buyers": 0,
                "messages": 0,
                "first_answers": 1,
                "first_answer_median": 1200.0,
                "first_answer_p90": 1200.0,
            },
        ),
        (D2, ALL, {"buyers": 1, "messages": 3, "first_answers": 1}),
        (
            None,
            ALL,
            {
                "buyers": 4,
                "messages": 9,
                "answered": 1,
                "not_understood": 2,
                "handed_off": {"complaint": 1, "not_understood": 1},
                "first_answers": 2,
                "first_answer_median": 720.0,
                "first_answer_p90": 1200.0,
            },
        ),
    ],
)
def test_figures_per_shop_day_and_channel(
    summary: stats.Summary, day: date | None, channel: str, expected: dict[str, Any]
) -> None:
    bucket = row(summary, day, channel)
    for name, value in expected.items():
        assert getattr(bucket, name) == value, name


def test_every_day_of_the_period_has_its_total_row(summary: stats.Summary) -> None:
    assert summary.days == (D1, D2)
    assert [(b.day, b.channel) for b in summary.rows] == [
        (D1, "telegram"),
        (D1, "whatsapp"),
        (D1, ALL),
        (D2, "web"),
        (D2, "whatsapp"),
        (D2, ALL),
    ]


def test_top_not_understood_questions_are_counted_once_per_wording_with_numbers_masked(
    summary: stats.Summary,
) -> None:
    assert summary.top_not_understood == (
        ("Bisa COD ke 0812-xxxx-xxxx?", 2),  # the latest wording, spaces tidied
        ("kirim pakai gojek", 1),
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("wa saya 081234567890", "wa saya 0812xxxxxxxx"),
        ("+62 812-3456-7890 ya", "+62 81x-xxxx-xxxx ya"),
        ("ukuran 42 harga 150.000", "ukuran 42 harga 150.000"),  # not a phone number
        ("no hp", "no hp"),
    ],
)
def test_phone_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_phones(text) == masked


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([], 0.9, None),
        ([5.0], 0.9, 5.0),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9),
        ([10, 1, 5], 0.5, 5),
    ],
)
def test_nearest_rank_percentile(
    values: list[float], share: float, expected: float | None
) -> None:
    assert percentile(values, share) == expected


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "–"), (44.6, "45s"), (240, "4m"), (2 * 3600 + 300, "2h05m"), (27 * 3600, "1d03h")],
)
def test_short_durations(seconds: float | None, shown: str) -> None:
    assert short_duration(seconds) == shown


def test_the_window_starts_at_midnight_shop_time_days_back() -> None:
    since, until = stats.window(at(7, 15), 7, JAKARTA)
    assert since == at(1, 0)
    assert until == at(7, 15)


async def test_read_from_a_store_with_and_without_the_activity_read() -> None:
    memory = MemoryActivity(ACTIVITY, HANDOFFS)
    found = await stats.read(memory, JAKARTA, now=at(2, 23), days=2)
    assert found.total.messages == 9
    assert found.has_activity

    class OnlyHandoffs:
        async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
            return HANDOFFS

    older = await stats.read(OnlyHandoffs(), JAKARTA, now=at(2, 23), days=2)
    assert not older.has_activity
    assert older.total.messages == 0
    assert older.total.first_answers == 2  # sellers' answer times still show


def test_the_json_and_the_table_say_the_same(summary: stats.Summary, tmp_path: Path) -> None:
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["days"] == ["2026-12-01", "2026-12-02"]
    assert data["total"]["handed_off_total"] == 2
    assert data["top_not_understood"][0] == {"text": "Bisa COD ke 0812-xxxx-xxxx?", "count": 2}
    out = tmp_path / "table.txt"
    with out.open("w") as handle:
        write_table(summary, "en", handle)
    table = out.read_text()
    assert table.splitlines()[0].split()[:4] == ["Day", "Channel", "Buyers", "Messages"]
    assert "Handed off: Bot didn't understand 1, Complaint 1" in table
    assert "2×  Bisa COD ke 0812-xxxx-xxxx?" in table
    assert "0812-3456" not in table


# -- the Ringkasan page and `japri stats` over a running app and a real store --------------

PASSWORD = "kata-sandi-toko"


async def test_the_ringkasan_page_behind_the_login(tmp_path: Path) -> None:
    import time

    from tests.bot.gateway_kit import running, write_config

    config = write_config(tmp_path, inbox={"password": PASSWORD})
    now = time.time()
    recent = [
        msg("whatsapp:62811", now - 120, "answer", "ongkir?"),
        msg("telegram:7", now - 60, "fallback", "<b>bisa</b> kirim ke 081234567890?"),
    ]
    async with running(config) as bot:
        assert (await bot.client.get("/inbox/summary")).status_code == 303  # no login
        memory = MemoryActivity(recent)
        bot.gateway.store.activity = memory.activity  # type: ignore[method-assign]
        await bot.client.post("/inbox/login", data={"password": PASSWORD, "name": "Rina"})
        page = (await bot.client.get("/inbox/summary", params={"days": 1})).text
        assert "<h1>Ringkasan</h1>" in page
        assert "Tidak paham" in page
        assert "&lt;b&gt;bisa&lt;/b&gt; kirim ke 0812xxxxxxxx?" in page  # escaped, masked
        assert "081234567890" not in page


def test_japri_stats_prints_json_and_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from tests.bot.gateway_kit import write_config

    config = write_config(tmp_path)
    assert main(["stats", "--config", str(config), "--days", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["days"]) == 3
    assert data["total"]["messages"] == 0
    assert main(["stats", "--config", str(config)]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split()[:3] == ["Hari", "Kanal", "Pembeli"]
