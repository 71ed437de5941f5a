"""One inbound event at a time per chat: hold the chat's lease, handle the event, commit."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.errors import ParseError
from bot.events import Event, decode
from bot.handlers import Handled
from bot.keyed import KeyedWorkers
from bot.leases import LeaseHolder, Sleep
from bot.metrics import Metrics
from bot.store import rows
from bot.store.base import (
    Conversations,
    InboundLog,
    InboundRow,
    LaneLeases,
    Leases,
    OutboxRow,
    Outgoing,
)

log = logging.getLogger("japri.runtime")

LEASE_SECONDS = 30.0
Handler = Callable[[InboundRow, Event, float], Awaitable[Handled]]


class Kick(Protocol):
    """The outbox's ``kick``: ``first`` is the row a turn just queued first in ``lane``."""

    def __call__(self, lane: str, first: OutboxRow | None = None) -> None: ...


class RuntimeStore(InboundLog, Leases, Conversations, Protocol):
    """What the loop needs: the next event of a chat, the lease, the commit."""


class Runtime:
    """Processes each chat's accepted events in order, one worker task per chat.

    Across processes a chat is guarded by a lease in the store, not only by this
    process's task map; ``kick`` is told the lanes a committed turn queued messages for.
    """

    def __init__(
        self,
        store: RuntimeStore,
        handle: Handler,
        kick: Kick,
        metrics: Metrics,
        *,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        shared: bool = False,
        lanes: LaneLeases | None = None,
    ) -> None:
        self.store = store
        self.handle = handle
        self.kick = kick
        self.metrics = metrics
        self.wall = wall
        self.shared = shared  # other processes work on the same store
        self.lanes = lanes if shared else None  # perf: the outbox's, taken with a commit
        self.leases = LeaseHolder(store, "", LEASE_SECONDS, wall=wall, sleep=sleep)
        self._workers = KeyedWorkers(self._drain, "chat")

    def schedule(self, chat_key: str) -> None:
        self._workers.poke(chat_key)

    async def resume(self) -> None:
        """After a start: process whatever was accepted but not yet processed."""
        for chat_key in await self.store.chats_with_pending_inbound():
            self.schedule(chat_key)

    async def close(self, grace: float = 3.0) -> None:
        await self._workers.close(grace)
        await self.leases.release_all()

    async def _waiting(self, chat_key: str) -> bool:
        return not self._workers.closing and await self.store.next_inbound(chat_key) is not None

    async def _claim_turn(
        self, key: str, owner: str, now: float, ttl: float, chat_key: str
    ) -> tuple[bool, InboundRow | None]:
        took, row, _ = await self.store.claim_turn(key, owner, now, ttl, chat_key)
        return took, row

    async def _drain(self, chat_key: str) -> None:
        # perf: alone on the store (one process on its SQLite file) the task map is the
        # whole guard: no lease is written. Shared, the lease is taken with the first read.
        held = self.shared
        self._workers.seen(chat_key)
        row: InboundRow | None = None
        if self.shared and self.leases.needs_claim(chat_key):
            took, row = await self.leases.claim_with(
                chat_key,
                lambda key, owner, now, ttl: self._claim_turn(key, owner, now, ttl, chat_key),
            )
            if not took:
                if not await self.leases.hold(chat_key, lambda: self._waiting(chat_key)):
                    return  # another process works on this chat and has taken what was waiting
                row, _ = await self.store.next_turn(chat_key)
        else:
            row, _ = await self.store.next_turn(chat_key)
        try:
            while row is not None:  # on close too: what is accepted gets done (in the grace)
                current = row
                try:
                    row, held = await self._process(current, held)
                except Exception as exc:  # one poisoned event must not block the chat
                    log.exception("in chat=%s event #%d failed", chat_key, current.id)
                    await self.store.fail_inbound(current.id, repr(exc), self.wall())
                    self._workers.seen(chat_key)
                    row, _ = await self.store.next_turn(chat_key)
        finally:
            if held:  # let another process take the chat's next message at once
                await self.leases.release(chat_key)

    async def _process(self, row: InboundRow, held: bool) -> tuple[InboundRow | None, bool]:
        """Handle ``row`` and commit its turn; the chat's next event, and whether the
        lease is still held (the commit gives it back when nothing else waits)."""
        chat_key = row.chat_key
        try:
            event = decode(row.payload)
        except ParseError as exc:
            log.error("in chat=%s event #%d unreadable: %s", chat_key, row.id, exc)
            await self.store.fail_inbound(row.id, str(exc), self.wall())
            self._workers.seen(chat_key)
            following, _ = await self.store.next_turn(chat_key)
            return following, held
        now = self.wall()
        handled = await self.handle(row, event, now)
        lease = (self.leases.prefix + chat_key, self.leases.owner) if held else None
        self._workers.seen(chat_key)  # the commit reads the chat's queue
        # perf: the commit, the next event, (at the end) the lease and the lanes the turn
        # queued for, taken for the outbox (with their next rows), in one trip
        ids, following, _ = await self.store.commit_and_next(handled.turn, now, lease, self.lanes)
        if following is None and held:
            self.leases.forget(chat_key)
            held = False
        for lane, first in _firsts(
            handled.turn.outgoing, ids, now, handled.turn.inbound_id
        ).items():
            self.kick(lane, first)
        latency = self.wall() - row.received_at
        self.metrics.latency.observe(max(latency, 0.0))
        log.info("in chat=%s %s latency_ms=%.1f", chat_key, handled.summary, latency * 1000)
        return following, held


def _firsts(
    outgoing: Sequence[Outgoing], ids: Sequence[int], now: float, turn: int
) -> dict[str, OutboxRow]:
    """perf: each lane's first row of those a turn queued (in the lane's order: priority,
    then id), as the store would read it back."""
    firsts: dict[str, tuple[int, OutboxRow]] = {}
    for out, outbox_id in zip(outgoing, ids, strict=True):
        known = firsts.get(out.lane)
        if known is None or (out.priority, outbox_id) < (known[0], known[1].id):
            firsts[out.lane] = (out.priority, rows.queued(out, outbox_id, now, turn))
    return {lane: row for lane, (_, row) in firsts.items()}
