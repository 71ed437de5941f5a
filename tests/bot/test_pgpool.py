"""The PostgreSQL store's connections: lent one a trip, at most ``size``, broken ones
replaced, a bounded wait when all are out."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import psycopg
import pytest

from bot.store.pgpool import Conn, Connections

IDLE, IN_TRANSACTION = psycopg.pq.TransactionStatus.IDLE, psycopg.pq.TransactionStatus.INTRANS


class FakeInfo:
    def __init__(self) -> None:
        self.transaction_status = IDLE


class FakeConn:
    """What the pool looks at on a connection."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.closed = False
        self.info = FakeInfo()

    async def close(self) -> None:
        self.closed = True


class Server:
    def __init__(self) -> None:
        self.made: list[FakeConn] = []
        self.down = False

    async def connect(self) -> Conn:
        if self.down:
            raise psycopg.OperationalError("connection refused")
        self.made.append(FakeConn(len(self.made)))
        return cast(Conn, self.made[-1])


def n(conn: Any) -> int:
    return cast(FakeConn, conn).n


async def test_a_connection_given_back_is_lent_again_and_none_is_made_early() -> None:
    server = Server()
    pool = Connections(server.connect, size=3)
    first = await pool.get()
    await pool.put(first)
    again = await pool.get()
    assert again is first
    assert len(server.made) == 1


async def test_no_more_than_size_are_open_and_a_waiting_trip_gets_the_next_one_back() -> None:
    server = Server()
    pool = Connections(server.connect, size=2)
    a, b = await pool.get(), await pool.get()
    waiting = asyncio.ensure_future(pool.get())
    await asyncio.sleep(0)
    assert not waiting.done()
    await pool.put(b)
    assert await waiting is b
    assert len(server.made) == 2
    await pool.put(a)


async def test_a_wait_ends_after_the_timeout() -> None:
    pool = Connections(Server().connect, size=1, timeout=0.05)
    held = await pool.get()
    with pytest.raises(TimeoutError):
        await pool.get()
    await pool.put(held)
    assert await pool.get() is held  # the timed-out trip took nothing with it


async def test_a_broken_or_unfinished_connection_is_closed_and_replaced() -> None:
    server = Server()
    pool = Connections(server.connect, size=1)
    broken = await pool.get()
    cast(FakeConn, broken).closed = True  # the server went away during the trip
    await pool.put(broken)
    unfinished = await pool.get()
    assert n(unfinished) == 1
    cast(FakeConn, unfinished).info.transaction_status = IN_TRANSACTION
    await pool.put(unfinished)
    assert cast(FakeConn, unfinished).closed
    assert n(await pool.get()) == 2


async def test_an_idle_connection_found_closed_is_replaced_on_the_next_trip() -> None:
    server = Server()
    pool = Connections(server.connect, size=1)
    conn = await pool.get()
    await pool.put(conn)
    cast(FakeConn, conn).closed = True  # e.g. the server restarted while it was idle
    assert n(await pool.get()) == 1


async def test_a_failed_connect_frees_its_place_for_a_waiting_trip() -> None:
    server = Server()
    pool = Connections(server.connect, size=1)
    held = await pool.get()
    waiting = asyncio.ensure_future(pool.get())
    await asyncio.sleep(0)
    server.down = True
    cast(FakeConn, held).closed = True
    await pool.put(held)  # its place is free: the waiting trip connects itself
    with pytest.raises(psycopg.OperationalError):
        await waiting
    server.down = False
    assert n(await pool.get()) == 1  # nothing was leaked by the failures


async def test_a_closed_pool_closes_what_comes_back_and_lends_nothing() -> None:
    server = Server()
    pool = Connections(server.connect, size=2)
    idle, lent = await pool.get(), await pool.get()
    await pool.put(idle)
    await pool.close()
    assert cast(FakeConn, idle).closed
    await pool.put(lent)
    assert cast(FakeConn, lent).closed
    with pytest.raises(psycopg.OperationalError):
        await pool.get()
