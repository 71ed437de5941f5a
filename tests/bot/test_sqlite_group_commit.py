"""A single `japri serve` on its own SQLite file commits the writes handed in during one
turn of the event loop together: one COMMIT for many messages under load, each batch
still all-or-nothing on its own, and a lock held elsewhere still waited for off the loop.
A worker of `server.workers` commits the writes queued for its thread together, alike."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.metrics import SHARED_DIR
from bot.store import sqlite
from bot.store.dialect import Stmt
from bot.store.engine import Result
from bot.store.sqlite import SqliteStore


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "japri.db"))
    await opened.open()
    assert opened.engine.writes_on_loop  # this process holds the file alone
    yield opened
    await opened.close()


def _traced(store: SqliteStore) -> list[str]:
    said: list[str] = []
    fast = store.engine._fast
    assert fast is not None
    fast.set_trace_callback(said.append)
    return said


async def test_messages_accepted_together_share_one_commit(store: SqliteStore) -> None:
    said = _traced(store)
    accepted = await asyncio.gather(
        *(store.accept_inbound(f"tg:{n}", f"telegram:{n}", {"n": n}, 1.0) for n in range(10))
    )
    assert accepted == [True] * 10
    assert said.count("COMMIT") == 1
    assert len(await store.chats_with_pending_inbound()) == 10


async def test_a_batch_that_fails_is_undone_alone(store: SqliteStore) -> None:
    broken = store.engine.run(
        [
            ("INSERT INTO leases (key, owner, until) VALUES ('half', 'me', 1)", ()),
            ("INSERT INTO leases (key, owner, until) VALUES ('x', NULL, 1)", ()),  # NOT NULL
        ]
    )
    results = await asyncio.gather(
        store.accept_inbound("tg:1", "telegram:1", {}, 1.0),
        broken,
        store.accept_inbound("tg:2", "telegram:2", {}, 1.0),
        return_exceptions=True,
    )
    assert results[0] is True
    assert results[2] is True
    assert isinstance(results[1], StoreError)
    assert await store.claim("half", "other", 2.0, 30.0)  # its first insert was undone too
    assert await store.chats_with_pending_inbound() == ["telegram:1", "telegram:2"]


async def test_a_repeated_message_is_still_told_apart_inside_a_group(store: SqliteStore) -> None:
    first, again = await asyncio.gather(
        store.accept_inbound("tg:7", "telegram:7", {}, 1.0),
        store.accept_inbound("tg:7", "telegram:7", {}, 1.0),
    )
    assert (first, again) == (True, False)


async def test_writes_wait_off_the_loop_for_a_lock_held_elsewhere(
    store: SqliteStore, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "japri.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # e.g. a command-line tool writing
    asyncio.get_running_loop().call_later(0.1, other.execute, "COMMIT")
    accepted = await asyncio.gather(
        *(store.accept_inbound(f"tg:{n}", f"telegram:{n}", {}, 1.0) for n in range(3))
    )
    assert accepted == [True] * 3
    other.close()


@pytest.fixture
async def worker_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SqliteStore]:
    monkeypatch.setenv(SHARED_DIR, str(tmp_path))  # one of the workers of a `japri serve`
    opened = SqliteStore(str(tmp_path / "japri.db"))
    await opened.open()
    assert isinstance(opened.engine, sqlite.SqliteEngine)
    assert not opened.engine.writes_on_loop  # another process writes the file too
    yield opened
    await opened.close()


def _groups(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many write batches each transaction on the store's thread committed."""
    sizes: list[int] = []
    group_batch = sqlite._group_batch

    def counted(
        db: sqlite3.Connection, batches: Sequence[Sequence[Stmt]]
    ) -> list[list[Result] | sqlite3.Error]:
        outcomes = group_batch(db, batches)  # raises while the lock is held elsewhere
        sizes.append(len(batches))
        return outcomes

    monkeypatch.setattr(sqlite, "_group_batch", counted)
    return sizes


async def test_a_worker_commits_the_writes_that_waited_for_the_lock_together(
    worker_store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = _groups(monkeypatch)
    other = sqlite3.connect(tmp_path / "japri.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # the other worker writes
    asyncio.get_running_loop().call_later(0.1, other.execute, "COMMIT")
    accepted = await asyncio.gather(
        *(worker_store.accept_inbound(f"tg:{n}", f"telegram:{n}", {}, 1.0) for n in range(10))
    )
    assert accepted == [True] * 10
    assert sum(sizes) == 10
    assert len(sizes) <= 2  # the first may wait alone; those queued behind it go together
    assert len(await worker_store.chats_with_pending_inbound()) == 10
    other.close()


async def test_a_worker_undoes_a_failing_batch_alone(
    worker_store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = _groups(monkeypatch)
    other = sqlite3.connect(tmp_path / "japri.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # so that all three queue up behind the lock
    asyncio.get_running_loop().call_later(0.1, other.execute, "COMMIT")
    results = await asyncio.gather(
        worker_store.accept_inbound("tg:0", "telegram:0", {}, 1.0),
        worker_store.accept_inbound("tg:1", "telegram:1", {}, 1.0),
        worker_store.engine.run(
            [
                ("INSERT INTO leases (key, owner, until) VALUES ('half', 'me', 1)", ()),
                ("INSERT INTO leases (key, owner, until) VALUES ('x', NULL, 1)", ()),
            ]
        ),
        worker_store.accept_inbound("tg:2", "telegram:2", {}, 1.0),
        return_exceptions=True,
    )
    assert sizes[-1] >= 3  # the failing batch was in a group with others
    assert results[0] is True
    assert results[1] is True
    assert results[3] is True
    assert isinstance(results[2], StoreError)
    assert await worker_store.claim("half", "other", 2.0, 30.0)  # undone, all of it
    assert len(await worker_store.chats_with_pending_inbound()) == 3
    other.close()
