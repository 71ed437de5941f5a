"""A turn hands the outbox the first row it queued, so the lane's worker need not read it
back: trusted only when this process left the lane empty and nothing else was queued
there since, never for a lane with messages held for their buyer, never when other
processes send from the same store. Whatever the hint, the order is the lane's order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from bot.channels.base import Sent
from bot.commands import Command, Say, queued
from bot.errors import ChannelError, RateLimited
from bot.metrics import Metrics
from bot.outbox import Delivery, Outbox
from bot.ratelimit import Limits
from bot.runtime import _firsts
from bot.store.base import OutboxRow, Outgoing, Store, Turn
from bot.store.memory import MemoryStore
from tests.bot.gateway_kit import FakeClock

LANE = "whatsapp:628123"
NOW = 1_780_000_000.0


class CountingStore(MemoryStore):
    """Counts the outbox's own reads of a lane's next row (not those a sent mark makes)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self._marking = False

    async def next_outgoing(self, lane: str, skip: Sequence[int] = ()) -> OutboxRow | None:
        self.reads += not self._marking
        return await super().next_outgoing(lane, skip)

    async def mark_sent_next(
        self,
        row: OutboxRow,
        platform_id: str | None,
        now: float,
        skip: Sequence[int] = (),
        lease: tuple[str, str] | None = None,
    ) -> tuple[int, OutboxRow | None]:
        self._marking = True
        try:
            return await super().mark_sent_next(row, platform_id, now, skip, lease)
        finally:
            self._marking = False


class Platform:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, lane: str, command: Command) -> Sent:
        assert isinstance(command, Say)
        self.sent.append(command.text)
        return Sent(f"id-{len(self.sent)}")

    def given_up(
        self, lane: str, command: Command, error: ChannelError, *, told: bool = False
    ) -> list[Outgoing]:
        return []

    def paused(self, channel: str, error: RateLimited, seconds: float) -> list[Outgoing]:
        return []

    def counted(self, channel: str, count: int) -> list[Outgoing]:
        return []


@pytest.fixture
async def store() -> AsyncIterator[CountingStore]:
    opened = CountingStore()
    await opened.open()
    yield opened
    await opened.close()


def _outbox(store: MemoryStore, platform: Delivery, shared: bool = False) -> Outbox:
    clock = FakeClock()
    clock.now = NOW
    limits = Limits({}, {}, clock=clock.wall)
    return Outbox(
        store, platform, limits, Metrics(), wall=clock.wall, sleep=clock.sleep, shared=shared
    )


async def _turn(store: MemoryStore, outbox: Outbox, inbound_id: int, *texts: str) -> None:
    """What the runtime does: commit the turn, then kick each lane with its first row."""
    outgoing = [queued(LANE, Say(text)) for text in texts]
    ids = await store.commit_turn(Turn(inbound_id, LANE, None, outgoing), NOW)
    for lane, first in _firsts(outgoing, ids, NOW, inbound_id).items():
        outbox.kick(lane, first)


async def _settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_a_lane_left_empty_takes_the_next_turns_first_row_without_reading_it(
    store: CountingStore,
) -> None:
    platform = Platform()
    outbox = _outbox(store, platform)
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    reads_first_turn = store.reads
    assert reads_first_turn == 1  # nothing known about the lane yet: read it
    await _turn(store, outbox, 2, "ongkir ke Bandung 15rb", "ada lagi kak?")
    await _settle()
    assert platform.sent == ["halo kak", "ongkir ke Bandung 15rb", "ada lagi kak?"]
    assert store.reads == reads_first_turn  # the rest came with the sent marks


async def test_a_lane_this_process_has_not_seen_empty_is_read(store: CountingStore) -> None:
    await store.enqueue(queued(LANE, Say("dari proses sebelumnya")), NOW)  # not yet resumed
    platform = Platform()
    outbox = _outbox(store, platform)
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    assert platform.sent == ["dari proses sebelumnya", "halo kak"]


async def test_a_row_queued_since_without_its_row_makes_the_worker_read_the_lane(
    store: CountingStore,
) -> None:
    platform = Platform()
    outbox = _outbox(store, platform)
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    await store.enqueue(queued(LANE, Say("catatan lama")), NOW)  # e.g. intake's resend
    outbox.kick(LANE)  # and, before its worker ran, the next turn:
    await _turn(store, outbox, 2, "jawaban baru")
    await _settle()
    assert platform.sent == ["halo kak", "catatan lama", "jawaban baru"]


async def test_messages_held_for_the_buyer_go_out_before_the_reply_to_their_message(
    store: CountingStore,
) -> None:
    held = await store.enqueue(queued(LANE, Say("pesanan dikirim (ditahan)")), NOW)
    await store.hold_outgoing(held, "outside the 24-hour window")
    platform = Platform()
    outbox = _outbox(store, platform)  # a new process: the hold is from before
    await outbox.resume()
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    await store.release_held(LANE)  # the buyer writes: the commit releases what waited
    await _turn(store, outbox, 2, "siap kak")
    await _settle()
    assert platform.sent == ["halo kak", "pesanan dikirim (ditahan)", "siap kak"]


async def test_no_handover_when_other_processes_send_from_the_same_store(
    store: CountingStore,
) -> None:
    platform = Platform()
    outbox = _outbox(store, platform, shared=True)
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    reads = store.reads
    await _turn(store, outbox, 2, "siap kak")
    await _settle()
    assert platform.sent == ["halo kak", "siap kak"]
    assert store.reads > reads or store.reads == reads == 0  # claimed with a read instead


def test_a_turns_first_row_per_lane_is_the_lanes_order_priority_then_id() -> None:
    urgent = Outgoing("telegram:-100", {"op": "say", "text": "b"}, priority=0)
    later = Outgoing("telegram:-100", {"op": "say", "text": "a"}, priority=1)
    buyer = Outgoing(LANE, {"op": "say", "text": "c"})
    firsts = _firsts([later, urgent, buyer], [10, 11, 12], NOW, 7)
    assert firsts["telegram:-100"].id == 11
    assert firsts[LANE].id == 12
    assert firsts[LANE].turn == 7
    assert firsts[LANE].payload == {"op": "say", "text": "c"}


async def test_the_store_names_the_lanes_holding_messages(backend_store: Store) -> None:
    store = backend_store
    waiting = await store.enqueue(queued(LANE, Say("ditahan")), NOW)
    await store.enqueue(queued("telegram:1", Say("biasa")), NOW)
    assert await store.lanes_with_held_outbox() == []
    await store.hold_outgoing(waiting, "outside the window")
    assert await store.lanes_with_held_outbox() == [LANE]
    await store.release_held(LANE)
    assert await store.lanes_with_held_outbox() == []


async def test_an_answer_that_leaves_only_sends_in_flight_needs_no_read_of_the_lane(
    store: CountingStore,
) -> None:
    from tests.bot.test_outbox_turns import FarPlatform

    platform = FarPlatform()
    outbox = _outbox(store, platform)
    await _turn(store, outbox, 1, "halo kak")
    await _settle()
    platform.answer("halo kak")
    await _settle()
    await _turn(store, outbox, 2, "a1")  # handed over: the lane was left empty
    await _settle()
    await _turn(store, outbox, 3, "b1")  # a later turn's reply while a1 waits: read
    await _settle()
    assert platform.started == ["halo kak", "a1", "b1"]
    reads = store.reads
    platform.answer("a1")  # its sent mark read what waits beside b1: nothing
    await _settle()
    assert store.reads == reads
    await _turn(store, outbox, 4, "c1")  # queued since: the kick makes it look again
    await _settle()
    assert platform.started == ["halo kak", "a1", "b1", "c1"]
    platform.answer("b1")
    platform.answer("c1")
    await _settle()
    assert [row.payload["text"] for row in await _pending(store)] == []


async def _pending(store: MemoryStore) -> list[OutboxRow]:
    row = await store.next_outgoing(LANE)
    return [] if row is None else [row]
