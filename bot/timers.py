"""Firing durable timers: sleep until the next is due, turn due ones into tick events."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from bot.events import TimerEvent, encode
from bot.leases import Sleep
from bot.store.base import Conversations, InboundLog, Marks, Timers

log = logging.getLogger("japri.timers")

# Timers set by another process sharing the store are not announced to this one: look at
# least this often, so they fire within about a second of being due.
MAX_NAP = 1.0
# The store's mark that says every handed-off chat has its timers
ADOPTED = "handoffs_adopted"


class TimerStore(Timers, InboundLog, Conversations, Marks, Protocol):
    """What firing timers needs: the timers, the inbound log, handed-off chats, the
    store's marks of one-off steps."""


class TimerClock:
    """Fires due timers as ``tick`` events of their chats (the store does it in one
    transaction, so a timer fires once however many processes watch it) and has the
    runtime ``schedule`` those chats."""

    def __init__(
        self,
        store: TimerStore,
        schedule: Callable[[str], None],
        *,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        nap: float = MAX_NAP,
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.wall = wall
        self.sleep = sleep
        self.nap = nap

    async def run(self) -> None:
        """Until cancelled."""
        while True:
            try:
                await self.fire()
                due = await self.store.next_timer_at()
            except Exception:
                log.exception("firing timers failed")
                due = None
            wait = self.nap if due is None else min(max(due - self.wall(), 0.0), self.nap)
            if wait > 0:
                await self.sleep(wait)

    async def fire(self) -> int:
        """Fire what is due now; the number of chats that got a tick."""
        chats = await self.store.fire_due_timers(self.wall())
        for chat_key in chats:
            self.schedule(chat_key)
        return len(chats)

    async def adopt_old_handoffs(self) -> int:
        """Chats handed off by a version without durable timers have none: queue one
        ``handoff`` tick for each (once ever), so the engine sets their timers.

        Scanning every handed-off chat costs a read per chat, so once a start finds that
        each has its timers (this version always sets them with the handoff), the store is
        marked and later starts read only the mark."""
        if await self.store.marked(ADOPTED):
            return 0
        now = self.wall()
        adopted = without = 0
        for chat_key, _state in await self.store.handed_off_chats():
            if await self.store.timers_of(chat_key):
                continue
            without += 1  # adopted now, or queued by an earlier start and not yet handled
            key = f"tick:handoff-upgrade:{chat_key}"
            tick = encode(TimerEvent("handoff", due_at=now))
            if await self.store.accept_inbound(key, chat_key, tick, now):
                self.schedule(chat_key)
                adopted += 1
        if without == 0:
            await self.store.mark(ADOPTED, now)
        return adopted
