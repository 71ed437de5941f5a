"""Exactly once, honestly: a long message goes out piece by piece with its progress kept,
so a retry resumes where it failed; a send that happened is recorded even when the first
write fails; a slow platform is waited for rather than sent to twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.base import Sent
from bot.commands import Command, Say, queued
from bot.delivery import Delivery
from bot.errors import RateLimited, StoreError
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.pieces import PIECE_CHARS, pieces
from bot.ratelimit import Limits
from bot.relay import MediaRelay
from bot.seller import SellerChat
from bot.store import Store, open_store
from bot.store.memory import MemoryStore
from tests.bot.gateway_kit import FakeClock

LANE = "telegram:42"
LONG = "\n".join(f"baris {n:03d} " + "x" * 990 for n in range(196))  # 49 pieces on Telegram


class FakeTelegram:
    """A platform that refuses the calls numbered in ``refuse`` with a 429."""

    name = "telegram"

    def __init__(self, refuse: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.refuse = set(refuse)
        self.calls = 0
        self.delivered: list[str] = []

    async def send(self, to: str, command: Command) -> Sent:
        self.calls += 1
        if self.calls in self.refuse:
            raise RateLimited("Telegram: too many requests, retry after 3s", 3.0)
        assert isinstance(command, Say)
        self.delivered.append(command.text)
        return Sent(str(self.calls))

    async def close(self) -> None:
        return None


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    opened: Store = (
        MemoryStore()
        if request.param == "memory"
        else open_store(f"sqlite:///{tmp_path / 'japri.db'}")
    )
    await opened.open()
    yield opened
    await opened.close()


def _outbox(store: Store, platform: FakeTelegram, clock: FakeClock) -> Outbox:
    delivery = Delivery(
        {"telegram": platform}, None, MediaRelay(None, None), SellerChat(None, "id")
    )
    limits = Limits({}, {"telegram": (1.0, 6.0)}, clock=clock.wall)
    return Outbox(store, delivery, limits, Metrics(), wall=clock.wall, sleep=clock.sleep)


async def _drained(store: Store, outbox: Outbox) -> None:
    outbox.kick(LANE)
    for _ in range(2000):
        if not await store.outbox_depth():
            return
        await asyncio.sleep(0)
    raise AssertionError("the outbox never emptied")


def test_a_long_message_is_the_pieces_telegram_takes() -> None:
    parts = pieces("telegram", Say(LONG, options=(("a", "A"),), reply_to="7"))
    assert len(parts) == 49
    assert all(isinstance(p, Say) and len(p.text) <= PIECE_CHARS["telegram"] for p in parts)
    assert [bool(p.options) for p in parts if isinstance(p, Say)] == [False] * 48 + [True]
    assert [p.reply_to for p in parts if isinstance(p, Say)] == ["7"] + [None] * 48
    assert pieces("web", Say(LONG)) == [Say(LONG)]


async def test_two_429s_in_a_49_piece_message_double_nothing(store: Store) -> None:
    platform = FakeTelegram(refuse={10, 31})
    clock = FakeClock()
    outbox = _outbox(store, platform, clock)
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    expected = [p.text for p in pieces("telegram", Say(LONG)) if isinstance(p, Say)]
    assert platform.delivered == expected  # each piece once, in order
    assert platform.calls == 49 + 2
    [line] = [m for m in await store.history(LANE) if m["direction"] == "out"]
    assert line["text"] == LONG  # the history keeps the message whole, once


async def test_a_restart_resumes_at_the_piece_after_the_last_recorded(store: Store) -> None:
    clock = FakeClock()
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    row = await store.next_outgoing(LANE)
    assert row is not None
    await store.mark_progress(row.id, 20)  # a process sent 20 pieces, then died
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    await _drained(store, outbox)
    await outbox.close()
    expected = [p.text for p in pieces("telegram", Say(LONG)) if isinstance(p, Say)]
    assert platform.delivered == expected[20:]


async def test_a_piece_whose_progress_write_fails_is_not_sent_again(store: Store) -> None:
    clock = FakeClock()
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    real = store.mark_progress
    failures = 3

    async def flaky(*args: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise StoreError("database is locked")
        await real(*args)

    store.mark_progress = flaky  # type: ignore[method-assign]
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    assert failures == 0
    assert len(platform.delivered) == len(set(platform.delivered)) == 49


async def test_a_send_whose_bookkeeping_fails_is_recorded_later(store: Store) -> None:
    clock = FakeClock()
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    real = store.mark_sent
    failures = 2

    async def flaky(*args: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise StoreError("database is locked")
        await real(*args)

    store.mark_sent = flaky  # type: ignore[method-assign]
    await store.enqueue(queued(LANE, Say("bisa cod?")), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    assert (failures, platform.delivered) == (0, ["bisa cod?"])
