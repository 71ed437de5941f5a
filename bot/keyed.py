"""One worker task per key (a chat, an outbox lane): poked again while it runs, it looks
once more before it ends, so nothing queued in between is left behind."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("japri.workers")


class KeyedWorkers:
    """Runs ``work(key)`` at most once at a time per key.

    ``poke(key)`` starts it, or, when it is already running, marks the key so that it
    runs again after it finishes; ``work`` should call ``seen(key)`` before each read of
    its queue so a poke during that read is not lost.
    """

    def __init__(self, work: Callable[[str], Coroutine[Any, Any, None]], name: str) -> None:
        self._work = work
        self._name = name
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self.closing = False
        self.closed = asyncio.Event()  # set by close(): long waits end early

    def poke(self, key: str) -> None:
        if self.closing:
            return
        task = self._tasks.get(key)
        if task is not None and not task.done():
            self._again.add(key)  # it may be past its last read: look once more
            return
        task = asyncio.get_running_loop().create_task(self._work(key), name=f"{self._name} {key}")
        self._tasks[key] = task
        task.add_done_callback(functools.partial(self._finished, key))

    def running(self, key: str) -> bool:
        """A worker for ``key`` is running (or about to start)."""
        task = self._tasks.get(key)
        return task is not None and not task.done()

    def poked(self, key: str) -> bool:
        """``key`` was poked since its worker last called ``seen``."""
        return key in self._again

    def seen(self, key: str) -> None:
        """The worker is about to read its queue: earlier pokes are answered."""
        self._again.discard(key)

    def _finished(self, key: str, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("%s %s stopped: %r", self._name, key, task.exception())
        if key in self._again:
            self._again.discard(key)
            self.poke(key)

    async def close(self, grace: float = 3.0) -> None:
        """No new work; what runs gets ``grace`` seconds to finish, then is cancelled."""
        self.closing = True
        self.closed.set()
        tasks = list(self._tasks.values())
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
