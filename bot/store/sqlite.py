"""The embedded default engine: one SQLite file in WAL mode, never waiting on the loop.

Two connections. Reads run at once on the loop's own connection, which never waits for a
lock (``busy_timeout`` 0; in WAL mode readers are not blocked by writers) and falls back to
a worker thread's connection if it is refused; a hop to the thread costs ~40 µs of CPU, so
the cheap, frequent reads skip it (``bench/store.py``). Writes go to the thread, which
waits there for a lock held by another process for up to ``BUSY_TIMEOUT_MS`` — except
when this process holds the file alone (one ``japri serve``, no workers): then no other
process can hold its lock, and writes run on the loop's connection too, those handed in
during one turn of the loop committed together (a group refused as busy, e.g. by a
command-line tool, still goes to the thread). On the thread, the write batches queued
behind each other are committed together too, and a lock held by another process is
waited for in naps under a millisecond. WAL checkpoints, the writes that reach the disk,
always run on the thread. Batches that write run in ``BEGIN IMMEDIATE`` transactions.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from bot.errors import StoreError
from bot.metrics import SHARED_DIR
from bot.store import filelock
from bot.store.dialect import SQLITE, Stmt
from bot.store.engine import Result
from bot.store.migrations import MIGRATIONS, SQLITE_LEGACY, Step, statements
from bot.store.sql import SqlStore

T = TypeVar("T")
BUSY_TIMEOUT_MS = 5000  # how long a write waits for a lock another process holds
LOCK_NAP_S = 0.0005  # the longest nap between two tries for that lock
CHECKPOINT_EVERY = 500  # writes on the loop: write batches between two WAL checkpoints
GROUP_MOST = 32  # write batches waiting on the thread committed together, at most
# what to run, who waits for it, its loop; and for a write batch, its statements
_Job = tuple[
    Callable[[sqlite3.Connection], Any],
    asyncio.Future[Any],
    asyncio.AbstractEventLoop,
    Sequence[Stmt] | None,
]


class SqliteEngine:
    """Runs batches on one SQLite connection, on its own thread."""

    dialect = SQLITE

    def __init__(self, path: str, exclusive: bool = True, on_loop: bool = True) -> None:
        self.path = path
        self.exclusive = exclusive  # refuse a second serving process on the same file
        self.on_loop = on_loop and path != ":memory:"  # False: every batch on the thread
        self.writes_on_loop = False  # set at open when this process holds the file alone
        self._fast: sqlite3.Connection | None = None
        self._writes = 0
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock_path: str | None = None
        self._file_id: tuple[int, int] | None = None
        self._group: list[tuple[Sequence[Stmt], asyncio.Future[list[Result]]]] = []

    # lifecycle -------------------------------------------------------------------------
    async def open(self, migrations: Sequence[Step] = MIGRATIONS) -> None:
        on_disk = self.path != ":memory:"
        if on_disk and self.exclusive:
            self._lock_path = filelock.acquire(self.path, os.environ.get(SHARED_DIR))
            # perf: no other process writes the file (one serve, no workers), so a write on
            # the loop never waits for another's lock: it costs less than the thread hop
            self.writes_on_loop = not os.environ.get(SHARED_DIR)
        try:
            ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._thread = threading.Thread(
                target=self._serve, args=(ready, migrations), name="japri-sqlite", daemon=True
            )
            self._thread.start()
            await ready
            if self.on_loop:
                self._fast = _fast_connection(self.path)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._fast is not None:
            self._fast.close()
            self._fast = None
        if self._thread is not None:
            self._jobs.put(None)
            await asyncio.to_thread(self._thread.join)
            self._thread = None
        if self._lock_path is not None:
            filelock.release(self._lock_path)
            self._lock_path = None

    def _serve(self, ready: asyncio.Future[None], migrations: Sequence[Step]) -> None:
        """The connection's thread: open and migrate, then run jobs until told to stop."""
        loop = ready.get_loop()
        try:
            db = _connect(self.path, migrations)
            if self.path != ":memory:":
                stat = os.stat(self.path)
                self._file_id = (stat.st_dev, stat.st_ino)
        except BaseException as exc:
            loop.call_soon_threadsafe(_fail, ready, exc)
            return
        loop.call_soon_threadsafe(_done, ready, None)
        try:
            job = self._jobs.get()
            while job is not None:
                if job[3] is None:
                    self._run_one(db, job)
                    job = self._jobs.get()
                else:
                    job = self._run_writes(db, job)
        finally:
            db.close()

    def _run_one(self, db: sqlite3.Connection, job: _Job) -> None:
        work, future, loop, _ = job
        try:
            result = _patiently(work, db)
        except sqlite3.Error as exc:
            loop.call_soon_threadsafe(_fail, future, _store_error(self.path, exc))
        except BaseException as exc:
            loop.call_soon_threadsafe(_fail, future, exc)
        else:
            loop.call_soon_threadsafe(_done, future, result)

    def _run_writes(self, db: sqlite3.Connection, first: _Job) -> _Job | None:
        """perf: ``first`` and the write batches queued right behind it, committed together
        (as ``_flush`` does on the loop: a savepoint each, a failing batch undone alone).
        With ``server.workers`` the processes take turns on the file's write lock: one turn
        now serves every write that waited for it, not one. The job after them."""
        group = [first]
        after: _Job | None = None
        taken = False  # the job after the group taken from the queue already
        while len(group) < GROUP_MOST:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None or job[3] is None:
                after, taken = job, True
                break
            group.append(job)
        batches = [stmts for _, _, _, stmts in group if stmts is not None]
        try:
            outcomes = _patiently(functools.partial(_group_batch, batches=batches), db)
        except sqlite3.Error as exc:  # nothing was done: each caller hears it
            for _, future, loop, _ in group:
                loop.call_soon_threadsafe(_fail, future, _store_error(self.path, exc))
        except BaseException as exc:
            for _, future, loop, _ in group:
                loop.call_soon_threadsafe(_fail, future, exc)
        else:
            for (_, future, loop, _), outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, sqlite3.Error):
                    loop.call_soon_threadsafe(_fail, future, _store_error(self.path, outcome))
                else:
                    loop.call_soon_threadsafe(_done, future, outcome)
        return after if taken else self._jobs.get()

    async def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await self._submit(work)

    def _submit(
        self, work: Callable[[sqlite3.Connection], T], writes: Sequence[Stmt] | None = None
    ) -> asyncio.Future[T]:
        """Queue ``work`` for the connection's thread; its result comes in the future.
        ``writes``: ``work`` is that write batch (it may be committed with others)."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put((work, future, loop, writes))
        return future

    def _write(self, stmts: Sequence[Stmt]) -> asyncio.Future[list[Result]]:
        """A write batch for the thread."""
        return self._submit(functools.partial(_batch, stmts=stmts, write=True), stmts)

    # statements ------------------------------------------------------------------------
    async def run(self, stmts: Sequence[Stmt], write: bool = True) -> list[Result]:
        fast = self._fast
        if fast is not None and write and self.writes_on_loop:
            return await self._grouped(stmts)
        if fast is not None and not write:  # reads never wait for a lock in WAL mode
            try:
                return _batch(fast, stmts, False)
            except sqlite3.OperationalError as exc:
                if not _busy(exc):
                    raise _store_error(self.path, exc) from exc
                # refused: nothing was done; read on the thread's connection
            except sqlite3.Error as exc:
                raise _store_error(self.path, exc) from exc
        if write:
            return await self._write(stmts)
        return await self._call(lambda db: _batch(db, stmts, write))

    def _grouped(self, stmts: Sequence[Stmt]) -> asyncio.Future[list[Result]]:
        """perf: the write batches handed in during one turn of the loop are committed
        together at its end, one transaction, each batch in a savepoint of its own (a
        batch that fails is undone alone, as it would be in a transaction of its own).
        Under load a COMMIT, the costly part of a write, serves several messages; alone,
        a batch waits one turn of the loop."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Result]] = loop.create_future()
        self._group.append((stmts, future))
        if len(self._group) == 1:
            loop.call_soon(self._flush)
        return future

    def _flush(self) -> None:
        group, self._group = self._group, []
        fast = self._fast
        if fast is None:  # closed in between
            for _, future in group:
                _fail(future, StoreError("the store is not open"))
            return
        try:
            outcomes = _group_batch(fast, [stmts for stmts, _ in group])
        except sqlite3.Error as exc:  # nothing was done: a lock held elsewhere, a disk error
            for stmts, future in group:
                if _busy(exc):  # wait for the lock off the loop
                    try:
                        _chain(self._write(stmts), future)
                    except StoreError as closed:
                        _fail(future, closed)
                else:
                    _fail(future, _store_error(self.path, exc))
            return
        except Exception as exc:  # not the database's: each caller hears it
            for _, future in group:
                _fail(future, exc)
            return
        self._writes += 1
        if self._writes % CHECKPOINT_EVERY == 0:
            self._submit(_checkpoint)  # not awaited: nobody waits for it
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, sqlite3.Error):
                _fail(future, _store_error(self.path, outcome))
            else:
                _done(future, outcome)

    async def schema_version(self) -> int:
        return await self._call(_version)

    async def writable(self) -> bool:
        def check(db: sqlite3.Connection) -> bool:
            if self._file_id is not None:
                stat = os.stat(self.path)  # gone or replaced: our writes would be lost
                if (stat.st_dev, stat.st_ino) != self._file_id:
                    return False
            _batch(
                db,
                [
                    (
                        "INSERT INTO leases (key, owner, until) VALUES ('ping', 'ping', 0) "
                        "ON CONFLICT (key) DO NOTHING",
                        (),
                    ),
                    ("DELETE FROM leases WHERE key = 'ping' AND owner = 'ping'", ()),
                ],
                True,
            )
            return True

        try:
            return await self._call(check)
        except (StoreError, OSError):
            return False


def _connect(path: str, migrations: Sequence[Step]) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from None
    try:
        db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first: others may be starting
        db.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
        db.execute("PRAGMA foreign_keys=ON")
        for attempt in range(50):
            try:
                # Switching a new file to WAL takes a lock SQLite's busy wait does not cover
                # when another process is doing the same: try again shortly.
                db.execute("PRAGMA journal_mode=WAL")
                _migrate(db, path, migrations)
                db.execute("PRAGMA busy_timeout=0")  # from now on the thread waits itself
                return db
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)
    except (sqlite3.Error, StoreError) as exc:
        db.close()
        if isinstance(exc, StoreError):
            raise
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _patiently(work: Callable[[sqlite3.Connection], T], db: sqlite3.Connection) -> T:
    """``work(db)``, tried again while another process holds the file's write lock, for up
    to ``BUSY_TIMEOUT_MS``; ``work`` leaves no trace when the lock is refused (a batch is
    rolled back whole, one statement is a transaction of its own).

    perf: SQLite's own busy wait (``busy_timeout``) sleeps in growing steps, up to 100 ms,
    and wakes late by up to as much; this thread runs its process's jobs one at a time, so
    with ``server.workers`` every write of the process queued behind one late waker (reply
    p99 100-650 ms, bench/README.md). Here the naps stay under a millisecond."""
    deadline = 0.0
    nap = 0.00005
    while True:
        try:
            return work(db)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
            now = time.monotonic()
            if not deadline:
                deadline = now + BUSY_TIMEOUT_MS / 1000
            elif now >= deadline:
                raise
        time.sleep(nap)
        nap = min(nap * 2, LOCK_NAP_S)


def _fast_connection(path: str) -> sqlite3.Connection:
    """The loop's connection: it never waits for a lock, never checkpoints."""
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA busy_timeout=0")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA wal_autocheckpoint=0")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the SQLite store {path!r}: {exc}") from None
    return db


def _checkpoint(db: sqlite3.Connection) -> None:
    db.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _busy(exc: sqlite3.Error) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _migrate(db: sqlite3.Connection, path: str, migrations: Sequence[Step]) -> None:
    """All missing steps in one transaction, the version read under the write lock, so
    processes starting together on a new file migrate it once."""
    db.execute("BEGIN IMMEDIATE")
    try:
        version = _version(db)
        if version > len(migrations):
            raise StoreError(
                f"{path}: schema version {version} is newer than this Japri "
                f"({len(migrations)}); upgrade Japri"
            )
        if version < len(migrations):
            for step in migrations[version:]:
                for statement in statements(step, SQLITE):
                    db.execute(statement)
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (len(migrations),))
            # an older Japri reads this one, and refuses a schema newer than it knows
            db.execute(f"PRAGMA user_version = {len(migrations)}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _version(db: sqlite3.Connection) -> int:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if found is None:  # from before the table: the version was kept in the file's header
        legacy = int(db.execute("PRAGMA user_version").fetchone()[0])
        return SQLITE_LEGACY.get(legacy, legacy)
    row = db.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def _batch(db: sqlite3.Connection, stmts: Sequence[Stmt], write: bool) -> list[Result]:
    if len(stmts) == 1:  # one statement is a transaction of its own
        return [_execute(db, *stmts[0])]
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        results = [_execute(db, sql, params) for sql, params in stmts]
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return results


def _group_batch(
    db: sqlite3.Connection, batches: Sequence[Sequence[Stmt]]
) -> list[list[Result] | sqlite3.Error]:
    """Write batches in one transaction, each in a savepoint: its results, or the error
    that undid it alone.

    Raises:
        sqlite3.Error: the transaction could not begin or commit (nothing was done).
    """
    if len(batches) == 1:  # alone: exactly as a batch of its own
        try:
            return [_batch(db, batches[0], True)]
        except sqlite3.Error as exc:
            if _busy(exc):
                raise
            return [exc]
    outcomes: list[list[Result] | sqlite3.Error] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for stmts in batches:
            db.execute("SAVEPOINT batch")
            try:
                results = [_execute(db, sql, params) for sql, params in stmts]
            except sqlite3.Error as exc:
                db.execute("ROLLBACK TO batch")
                outcomes.append(exc)
            else:
                outcomes.append(results)
            db.execute("RELEASE batch")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return outcomes


def _execute(db: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Result:
    cursor = db.execute(sql, params)
    if cursor.description is None:
        return Result([], cursor.rowcount)
    names = [d[0] for d in cursor.description]
    found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return Result(found, cursor.rowcount)


def _chain(source: asyncio.Future[Any], target: asyncio.Future[Any]) -> None:
    """``target`` gets ``source``'s outcome."""

    def copy(done: asyncio.Future[Any]) -> None:
        if done.cancelled():
            target.cancel()
        elif (exc := done.exception()) is not None:
            _fail(target, exc)
        else:
            _done(target, done.result())

    source.add_done_callback(copy)


def _done(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _fail(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def _store_error(path: str, exc: sqlite3.Error) -> StoreError:
    busy = _busy(exc)
    what = "is busy (another process holds its lock)" if busy else "failed"
    error = StoreError(f"the SQLite store {path!r} {what}: {exc}", transient=busy)
    error.__cause__ = exc
    return error


class SqliteStore(SqlStore):
    """``Store`` on one SQLite file (``:memory:`` for tests)."""

    def __init__(self, path: str, exclusive: bool = True) -> None:
        super().__init__(SqliteEngine(path, exclusive))
        self.path = path
