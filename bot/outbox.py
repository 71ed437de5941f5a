"""Durable sending: one worker per lane (destination chat), retries, limits, order kept."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable

from bot.channels.base import BEST_EFFORT_OPS, Sent
from bot.errors import ChannelError, RateLimited
from bot.keyed import KeyedWorkers
from bot.metrics import Metrics
from bot.ratelimit import Limits
from bot.store.base import OutboxRow, Store

log = logging.getLogger("japri.outbox")

Deliver = Callable[[OutboxRow], Awaitable[Sent]]
MAX_ATTEMPTS = 12  # with backoff up to 5 minutes: about half an hour of trying
MAX_AGE = 24 * 3600.0  # a reply older than a day is no longer worth sending
_LEASE = "lane:"  # lanes are leased like chats, under their own key
_LEASE_TTL = 60.0
_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Outbox:
    """Takes what the store's outbox holds to the platforms.

    Each lane (one destination chat) has at most one worker task in this process, so a
    chat's messages go out one at a time and in order; a 429 or a retry holds back only
    that lane. ``deliver`` does the platform call; ``Limits`` paces it.
    """

    def __init__(
        self,
        store: Store,
        deliver: Deliver,
        limits: Limits,
        metrics: Metrics,
        on_given_up: Callable[[OutboxRow, str], Awaitable[None]] | None = None,
        wall: Callable[[], float] = time.time,
        concurrency: int = 8,
        shared: bool = False,
    ) -> None:
        self.store = store
        self.shared = shared  # other processes send from the same store: lease each lane
        self.owner = uuid.uuid4().hex
        # At most as many calls in flight per channel as its HTTP pool has connections:
        # waiting here is cheap, waiting in httpcore's queue costs CPU on every request.
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(concurrency)
        )
        self.deliver = deliver
        self.limits = limits
        self.metrics = metrics
        self.on_given_up = on_given_up
        self.wall = wall
        self._lanes = KeyedWorkers(self._run, "outbox")
        self._held: dict[str, float] = {}  # lane -> until when our lease runs

    def kick(self, lane: str) -> None:
        """Make sure ``lane``'s pending messages are on their way."""
        self._lanes.poke(lane)

    async def resume(self) -> None:
        """After a start: finish whatever was accepted but not yet sent."""
        for lane in await self.store.lanes_with_pending_outbox():
            self.kick(lane)

    async def close(self, grace: float = 3.0) -> None:
        await self._lanes.close(grace)

    @property
    def _closing(self) -> bool:
        return self._lanes.closing

    async def _run(self, lane: str) -> None:
        channel = lane.split(":", 1)[0]
        if self.shared and not await self._claim(lane):
            return
        try:
            while True:  # on close too, until the grace time runs out
                self._lanes.seen(lane)
                row = await self.store.next_outgoing(lane)
                if row is None:
                    return
                wait = row.not_before - self.wall()
                if wait > 0:
                    await asyncio.sleep(wait)
                    continue
                # receipts and tap acknowledgements are not messages: they are not paced
                best_effort = row.payload.get("op") in BEST_EFFORT_OPS
                pause = 0.0 if best_effort else self.limits.delay(channel, lane)
                if pause > 0:
                    await asyncio.sleep(pause)
                if self.shared and not await self._renew(lane):
                    return  # the lease ran out while we waited: another process has the lane
                await self._send(channel, row)
        finally:
            if self.shared:
                self._held.pop(lane, None)
                await self.store.release(_LEASE + lane, self.owner)

    async def _claim(self, lane: str) -> bool:
        """Take the lane's lease; while another process holds it, wait as long as there is
        something left to send (it may finish our rows for us)."""
        while not await self._renew(lane):
            if self._closing or await self.store.next_outgoing(lane) is None:
                return False
            await asyncio.sleep(0.05)
        return True

    async def _renew(self, lane: str) -> bool:
        """Hold the lane's lease; renewed in the store only once half of it is used up."""
        now = self.wall()
        if self._held.get(lane, 0.0) - now > _LEASE_TTL / 2:
            return True
        if not await self.store.claim(_LEASE + lane, self.owner, now, _LEASE_TTL):
            self._held.pop(lane, None)
            return False
        self._held[lane] = now + _LEASE_TTL
        return True

    async def _send(self, channel: str, row: OutboxRow) -> None:
        op = str(row.payload.get("op", "say"))
        started = time.perf_counter()
        try:
            async with self._slots[channel]:
                sent = await self.deliver(row)
        except ChannelError as exc:
            await self._failed(channel, row, op, exc)
            return
        except Exception as exc:  # a bug must not silently eat the lane
            log.exception("outbox %s #%d: unexpected error", row.lane, row.id)
            await self._failed(channel, row, op, ChannelError(repr(exc), permanent=True))
            return
        now = self.wall()
        await self.store.mark_sent(row, sent.platform_id, now)
        elapsed = (now - row.created_at) * 1000
        self.metrics.sent(channel, op, time.perf_counter() - started)
        log.info(
            "out chat=%s op=%s id=%s queued_ms=%.0f attempts=%d",
            row.lane,
            op,
            sent.platform_id,
            elapsed,
            row.attempts + 1,
        )

    async def _failed(self, channel: str, row: OutboxRow, op: str, exc: ChannelError) -> None:
        now = self.wall()
        attempts = row.attempts + 1
        too_old = now - row.created_at > MAX_AGE
        if exc.permanent or op in BEST_EFFORT_OPS or attempts >= MAX_ATTEMPTS or too_old:
            await self.store.mark_failed(row.id, str(exc), now)
            self.metrics.failed(channel, op)
            level = logging.DEBUG if op in BEST_EFFORT_OPS else logging.WARNING
            log.log(level, "out chat=%s op=%s failed for good: %s", row.lane, op, exc)
            if self.on_given_up is not None and op not in BEST_EFFORT_OPS:
                await self.on_given_up(row, str(exc))
            return
        if isinstance(exc, RateLimited):
            self.limits.throttled(channel)
        delay = exc.retry_after if exc.retry_after is not None else _backoff(attempts)
        await self.store.mark_retry(row.id, now + delay, str(exc))
        self.metrics.retried(channel, op)
        log.warning(
            "out chat=%s op=%s attempt %d failed, retry in %.1fs: %s",
            row.lane,
            op,
            attempts,
            delay,
            exc,
        )


def _backoff(attempts: int) -> float:
    return _BACKOFF[min(attempts, len(_BACKOFF)) - 1]
