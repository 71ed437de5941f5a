"""Sending with the platform far away: the replies of one turn go out strictly one after
another, while a later turn's reply may start before the earlier turn's answer is back; a
retry is never overtaken by a row that has not started yet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.channels.base import Sent
from bot.commands import Command, Say, queued
from bot.errors import ChannelError, RateLimited
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.ratelimit import Limits
from bot.store.base import Outgoing, Turn
from bot.store.memory import MemoryStore
from tests.bot.gateway_kit import FakeClock

LANE = "telegram:42"
NOW = 1_780_000_000.0


class FarPlatform:
    """Each call waits until the test answers it: ``answer(text)`` or ``refuse(text)``."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self._answers: dict[str, asyncio.Future[None]] = {}

    async def send(self, lane: str, command: Command) -> Sent:
        assert isinstance(command, Say)
        self.started.append(command.text)
        answer = self._answers.setdefault(command.text, asyncio.get_running_loop().create_future())
        try:
            await answer
        finally:
            del self._answers[command.text]
        return Sent(command.text)

    def given_up(
        self, lane: str, command: Command, error: ChannelError, *, told: bool = False
    ) -> list[Outgoing]:
        return []

    def paused(self, channel: str, error: RateLimited, seconds: float) -> list[Outgoing]:
        return []

    def counted(self, channel: str, count: int) -> list[Outgoing]:
        return []

    def answer(self, text: str) -> None:
        self._answers[text].set_result(None)

    def refuse(self, text: str) -> None:
        self._answers[text].set_exception(RateLimited("too many requests", 3.0))


@pytest.fixture
async def store() -> AsyncIterator[MemoryStore]:
    opened = MemoryStore()
    await opened.open()
    yield opened
    await opened.close()


async def _turn(store: MemoryStore, inbound_id: int, *texts: str) -> None:
    outgoing = [queued(LANE, Say(text)) for text in texts]
    await store.commit_turn(Turn(inbound_id, LANE, None, outgoing), NOW)


def _clock() -> FakeClock:
    clock = FakeClock()
    clock.now = NOW
    return clock


async def _settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def _outbox(store: MemoryStore, platform: FarPlatform, clock: FakeClock) -> Outbox:
    limits = Limits({}, {}, clock=clock.wall)
    return Outbox(store, platform, limits, Metrics(), wall=clock.wall, sleep=clock.sleep)


async def test_one_turns_replies_wait_for_each_answer(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await _turn(store, 1, "a1", "a2")
    outbox.kick(LANE)
    await _settle()
    assert platform.started == ["a1"]
    platform.answer("a1")
    await _settle()
    assert platform.started == ["a1", "a2"]
    platform.answer("a2")
    await _settle()
    assert await store.outbox_depth() == 0
    await outbox.close()


async def test_a_later_turns_reply_starts_before_the_earlier_answer(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await _turn(store, 1, "a1")
    outbox.kick(LANE)
    await _settle()
    await _turn(store, 2, "b1", "b2")  # the buyer wrote again; a1's answer is not back
    outbox.kick(LANE)
    await _settle()
    assert platform.started == ["a1", "b1"]  # b2 waits for b1, its own turn's row
    platform.answer("b1")
    await _settle()
    assert platform.started == ["a1", "b1", "b2"]
    platform.answer("b2")
    platform.answer("a1")
    await _settle()
    assert await store.outbox_depth() == 0
    sent = [m["text"] for m in await store.history(LANE)]
    assert sorted(sent) == ["a1", "b1", "b2"]  # each recorded once
    await outbox.close()


async def test_rows_queued_outside_a_turn_keep_the_strict_order(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await store.enqueue(queued(LANE, Say("note 1")), NOW)
    outbox.kick(LANE)
    await _settle()
    await store.enqueue(queued(LANE, Say("note 2")), NOW)
    outbox.kick(LANE)
    await _settle()
    assert platform.started == ["note 1"]
    platform.answer("note 1")
    await _settle()
    assert platform.started == ["note 1", "note 2"]
    platform.answer("note 2")
    await _settle()
    await outbox.close()


async def test_a_retry_goes_before_the_later_turns_not_yet_started(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await _turn(store, 1, "a1")
    outbox.kick(LANE)
    await _settle()
    await _turn(store, 2, "b1", "b2")
    outbox.kick(LANE)
    await _settle()
    assert platform.started == ["a1", "b1"]  # b1 overlaps a1: the accepted price
    platform.refuse("a1")  # a 429: a1 is tried again in 3 s
    await _settle()
    await _turn(store, 3, "c1")
    outbox.kick(LANE)
    await _settle()
    assert platform.started == ["a1", "b1"]  # b2 and c1 wait behind the retry and b1
    platform.answer("b1")
    await _settle()  # the worker naps until a1's time (the fake clock moves on)
    assert platform.started == ["a1", "b1", "a1"]  # the retry first, alone
    platform.answer("a1")
    await _settle()
    assert platform.started[3] == "b2"
    platform.answer("b2")
    await _settle()
    assert platform.started[4:] == ["c1"]
    platform.answer("c1")
    await _settle()
    assert await store.outbox_depth() == 0
    await outbox.close()


async def test_close_waits_for_the_sends_in_flight(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await _turn(store, 1, "a1")
    await _turn(store, 2, "b1")
    outbox.kick(LANE)
    await _settle()
    closing = asyncio.ensure_future(outbox.close(grace=5.0))
    await _settle()
    assert not closing.done()
    platform.answer("a1")
    await _settle()
    platform.answer("b1")
    await closing
    assert await store.outbox_depth() == 0


async def test_a_retry_is_not_skipped_when_answers_come_together(store: MemoryStore) -> None:
    platform, clock = FarPlatform(), _clock()
    outbox = _outbox(store, platform, clock)
    await _turn(store, 1, "a1")
    outbox.kick(LANE)
    await _settle()
    await _turn(store, 2, "b1", "b2")
    outbox.kick(LANE)
    await _settle()
    platform.answer("b1")  # b1's record reads b2 as next, leaving out a1 (in flight)
    platform.refuse("a1")  # in the same moment: a1 is to be tried again
    await _settle()
    assert platform.started[:3] == ["a1", "b1", "a1"]  # the retry, not b2
    platform.answer("a1")
    await _settle()
    platform.answer("b2")
    await _settle()
    assert await store.outbox_depth() == 0
    await outbox.close()
