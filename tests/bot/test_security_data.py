"""Data kept only as long as needed, health that means it, and logs without buyers'
numbers or the web chat's session ids."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.logs import Mask, mask
from bot.retention import DAY, cutoff, keep_purging, purge_old
from bot.settings import RetentionSettings, load_settings
from tests.bot.gateway_kit import running, write_config

NOW = 1_800_000_000.0


class FakePurger:
    def __init__(self, fail: int = 0) -> None:
        self.calls: list[float] = []
        self.fail = fail

    async def purge(self, before: float) -> int:
        self.calls.append(before)
        if self.fail:
            self.fail -= 1
            raise RuntimeError("database is locked")
        if len(self.calls) >= 3:
            raise asyncio.CancelledError  # stop the loop after a few rounds
        return 7


async def test_transcripts_older_than_the_setting_are_purged() -> None:
    store = FakePurger()
    assert await purge_old(store, RetentionSettings(days=90), NOW) == 7
    assert store.calls == [NOW - 90 * DAY]


async def test_days_zero_keeps_everything() -> None:
    store = FakePurger()
    assert await purge_old(store, RetentionSettings(days=0), NOW) == 0
    assert store.calls == []
    assert cutoff(RetentionSettings(days=0), NOW) is None


async def test_a_failed_purge_is_tried_again_and_never_stops_the_bot() -> None:
    store = FakePurger(fail=1)
    with pytest.raises(asyncio.CancelledError):
        await keep_purging(store, RetentionSettings(days=30), wall=lambda: NOW, every=0)
    assert store.calls == [NOW - 30 * DAY] * 3


def test_retention_is_90_days_by_default_and_never_under_a_day(tmp_path: Path) -> None:
    assert load_settings(write_config(tmp_path), environ={}).retention.days == 90
    with pytest.raises(ConfigError, match=r"retention\.days"):
        load_settings(write_config(tmp_path, retention={"days": 0.01}), environ={})


async def test_health_says_unhealthy_when_the_store_cannot_be_used(config: Path) -> None:
    async with running(config) as bot:

        async def broken() -> bool:
            raise OSError("disk I/O error")

        bot.gateway.store.ping = broken  # type: ignore[method-assign]
        answer = await bot.client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["store"] == "unavailable"


async def test_health_notices_a_deleted_database(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        (tmp_path / "japri.db").unlink()
        answer = await bot.client.get("/healthz")
    assert answer.status_code == 503


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("in chat=whatsapp:6281234567890 kind=text", "in chat=whatsapp:…7890 kind=text"),
        ("dup=web:AbCdEfGh12345:m1", "dup=web:AbCd…:m1"),
        (
            '"GET /chat/messages?session=AbCdEfGh12345&after=7"',
            '"GET /chat/messages?session=AbCd…&after=7"',
        ),
        ("buyer +62 812-3456-7890 wrote", "buyer …7890 wrote"),
        ("call 081234567890.", "call …7890."),
        ("Malaysia 60 12-345 6789", "Malaysia …6789"),
        # not phone numbers: kept as they are
        ("out chat=telegram:-1001234567890 op=say", "out chat=telegram:-1001234567890 op=say"),
        ("chat=telegram:42 latency_ms=12.5", "chat=telegram:42 latency_ms=12.5"),
        ("order 2026-12-01 12:00 score 0.66", "order 2026-12-01 12:00 score 0.66"),
        ("took 1234567890 ms", "took 1234567890 ms"),
    ],
)
def test_logs_show_only_the_end_of_a_number_and_the_start_of_a_session(
    line: str, shown: str
) -> None:
    assert mask(line) == shown


def test_the_mask_applies_to_formatted_records() -> None:
    record = logging.LogRecord(
        "japri", logging.INFO, __file__, 1, "in chat=%s", ("whatsapp:6281234567890",), None
    )
    assert Mask().filter(record)
    assert record.getMessage() == "in chat=whatsapp:…7890"
