"""Data kept only as long as needed: how old a transcript may get (``retention.days``)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Protocol

from bot.settings import RetentionSettings

log = logging.getLogger("japri.retention")
DAY = 86400.0
EVERY = 6 * 3600.0  # how often old data is looked for


class Purger(Protocol):
    async def purge(self, before: float) -> int:
        """Delete transcripts, finished queue rows and web-chat sessions last active
        before ``before``; contacts of real channels and orders stay. How many rows went."""
        ...


def cutoff(settings: RetentionSettings, now: float) -> float | None:
    """Everything older than this goes; None: keep everything (``days: 0``)."""
    return None if settings.days <= 0 else now - settings.days * DAY


async def purge_old(store: Purger, settings: RetentionSettings, now: float) -> int:
    before = cutoff(settings, now)
    if before is None:
        return 0
    removed = await store.purge(before)
    if removed:
        log.info("retention: %d rows older than %g days deleted", removed, settings.days)
    return removed


async def keep_purging(
    store: Purger,
    settings: RetentionSettings,
    wall: Callable[[], float] = time.time,
    every: float = EVERY,
) -> None:
    """At start and then every ``every`` seconds (a task of the gateway's lifespan)."""
    while True:
        try:
            await purge_old(store, settings, wall())
        except Exception:  # a failed purge is retried next time; it never stops the bot
            log.exception("retention: purging old data failed")
        await asyncio.sleep(every)
