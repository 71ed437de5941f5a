"""Leases held in the store: who works on a chat or an outbox lane, across processes."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.store.base import LaneLeases, Leases

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]
_REMEMBERED = 50_000  # keys whose lease this process remembers before it forgets old ones


class LeaseHolder:
    """This process's leases on keys of one kind (``prefix``: "" for chats, "outbox:" for lanes).

    A lease is taken for ``ttl`` seconds and renewed only once half of it is gone, so a
    busy chat costs no store write per message. ``hold`` waits while another process holds
    the key, as long as there is still work for it.
    """

    def __init__(
        self,
        store: Leases,
        prefix: str,
        ttl: float,
        *,
        owner: str | None = None,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        retry: float = 0.05,
    ) -> None:
        self.store = store
        self.prefix = prefix
        self.ttl = ttl
        self.owner = owner or uuid.uuid4().hex
        self.wall = wall
        self.sleep = sleep
        self.retry = retry
        self._until: dict[str, float] = {}  # key -> when our lease runs out

    async def renew(self, key: str) -> bool:
        """Take or keep the lease on ``key``; False while another process holds it."""
        if not self.needs_claim(key):  # renewed only once half of it is gone
            return True
        now = self.wall()
        if not await self.store.claim(self.prefix + key, self.owner, now, self.ttl):
            self._until.pop(key, None)
            return False
        self.claimed(key, now)
        return True

    async def hold(self, key: str, wanted: Callable[[], Awaitable[bool]]) -> bool:
        """Take the lease, waiting while another process has it and ``wanted()`` still
        says there is work (the other process may well finish it for us)."""
        while not await self.renew(key):
            if not await wanted():
                return False
            await self.sleep(self.retry)
        return True

    async def release(self, key: str) -> None:
        """Give the key back at once, so another process can take the next piece of work."""
        self._until.pop(key, None)
        await self.store.release(self.prefix + key, self.owner)

    # perf: a claim made by the store together with a read (``claim_turn``, ``claim_lane``)
    def needs_claim(self, key: str) -> bool:
        """True when ``renew`` would write to the store now."""
        return self._until.get(key, 0.0) - self.wall() <= self.ttl / 2

    async def claim_with(
        self, key: str, read: Callable[[str, str, float, float], Awaitable[tuple[bool, T]]]
    ) -> tuple[bool, T | None]:
        """Take the lease on ``key`` with a read made in the same trip to the store:
        ``read(store_key, owner, now, ttl) -> (taken, what it read)``. (True, what was
        read) when taken; (False, None) while another process holds it."""
        now = self.wall()
        took, found = await read(self.prefix + key, self.owner, now, self.ttl)
        if not took:
            return False, None
        self.claimed(key, now)
        return True, found

    def claimed(self, key: str, now: float) -> None:
        """The store gave us ``key`` at ``now`` (claimed with ``self.owner``, ``self.ttl``)."""
        if len(self._until) > _REMEMBERED:
            self._until = {k: v for k, v in self._until.items() if v > now}
        self._until[key] = now + self.ttl

    def taken_for_me(self) -> LaneLeases:
        """perf: what a store needs to take keys for this holder in another trip (a turn's
        commit takes its lanes for the outbox); ``claim_with`` then finds them taken."""
        return LaneLeases(self.prefix, self.owner, self.ttl)

    def holds(self, key: str) -> bool:
        return key in self._until

    def forget(self, key: str) -> None:
        """The store gave ``key`` back already (perf: inside a turn's commit)."""
        self._until.pop(key, None)

    async def release_all(self) -> None:
        for key in list(self._until):
            await self.release(key)
