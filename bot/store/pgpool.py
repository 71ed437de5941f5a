"""PostgreSQL connections for one process's store trips: at most ``size``, lent one a trip.

perf (issue 9): psycopg_pool's checkout took two asyncio locks, two context managers and
its statistics on every trip, and its queue of waiting clients when all were lent; here
a free connection is a list pop, a wait is one future. What it keeps: connections are
opened when needed (never more than ``size``), a closed or broken one is dropped and
replaced, one returned inside a transaction is closed rather than lent again, and a wait
for a free one ends after ``timeout`` seconds (``TimeoutError``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg

Conn = psycopg.AsyncConnection[dict[str, Any]]
_IDLE = psycopg.pq.TransactionStatus.IDLE


class Connections:
    """A LIFO of idle connections, made by ``connect`` up to ``size`` at a time."""

    def __init__(
        self, connect: Callable[[], Awaitable[Conn]], size: int, timeout: float = 30.0
    ) -> None:
        self._connect = connect
        self.size = size
        self.timeout = timeout
        self._idle: list[Conn] = []
        self._made = 0  # open connections, idle or lent
        self._waiting: deque[asyncio.Future[Conn | None]] = deque()
        self.closed = False

    async def get(self) -> Conn:
        """A connection for one trip; give it back with ``put``."""
        while not self.closed:
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn
                self._made -= 1  # the server went away meanwhile: make another
            if self._made < self.size:
                self._made += 1
                try:
                    return await self._connect()
                except BaseException:
                    self._made -= 1
                    self._hand_over(None)  # a waiting trip may try in our place
                    raise
            waiter: asyncio.Future[Conn | None] = asyncio.get_running_loop().create_future()
            self._waiting.append(waiter)
            try:
                conn_or_none = await asyncio.wait_for(waiter, self.timeout)
            except TimeoutError:
                raise TimeoutError(f"no connection came free in {self.timeout:g} s") from None
            except BaseException:  # cancelled, perhaps just after one was handed over
                lent = waiter.result() if waiter.done() and not waiter.cancelled() else None
                if lent is not None:
                    self._keep(lent)
                raise
            if conn_or_none is not None:
                return conn_or_none
        raise psycopg.OperationalError("the connection pool is closed")

    async def put(self, conn: Conn) -> None:
        """Take ``conn`` back after a trip."""
        if self.closed or conn.closed or conn.info.transaction_status != _IDLE:
            self._made -= 1
            with contextlib.suppress(psycopg.Error):
                await conn.close()
            self._hand_over(None)  # a waiting trip may open a new one
            return
        self._keep(conn)

    def _keep(self, conn: Conn) -> None:
        if not self._hand_over(conn):
            self._idle.append(conn)

    def _hand_over(self, conn: Conn | None) -> bool:
        """Give ``conn`` (None: the right to open one) to the longest waiting trip."""
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():  # not timed out or cancelled
                waiter.set_result(conn)
                return True
        return False

    async def close(self) -> None:
        """Close the idle connections now, the lent ones when they come back."""
        self.closed = True
        idle, self._idle = self._idle, []
        self._made -= len(idle)
        for conn in idle:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)  # it finds the pool closed
