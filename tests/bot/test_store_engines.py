"""What the SQL engines promise beyond the contract: upgrades in place, errors, the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psycopg
import pytest

from bot.errors import StoreError
from bot.metrics import SHARED_DIR
from bot.store import open_store, sqlite
from bot.store.base import Store
from bot.store.migrations import MIGRATIONS
from bot.store.sqlite import SqliteStore

FIXTURES = Path(__file__).parent.parent / "fixtures" / "store"


async def _looks_upgraded(store: Store) -> None:
    """The rows of the legacy fixtures, as the new code reads them."""
    assert await store.schema_version() == len(MIGRATIONS)  # type: ignore[attr-defined]
    assert await store.chats_with_pending_inbound() == ["telegram:5"]
    assert await store.load_state("telegram:5") == {"stage": "handed_off"}
    [handoff] = await store.handoffs("telegram:5")
    assert handoff["reason"] == "human"
    assert await store.topic_of("-100", "telegram:5") == "80"
    reply = await store.next_outgoing("telegram:5")
    assert reply is not None
    assert (reply.log_chat, reply.log_kind, reply.log_text) == ("telegram:5", "say", "sebentar ya")
    post = await store.next_outgoing("telegram:-100")
    assert post is not None
    assert (post.log_chat, post.log_kind) == ("telegram:5", "seller_post")
    await store.mark_sent(reply, "m1", 10.0)
    receipt = await store.next_outgoing("telegram:5")
    assert receipt is not None
    assert receipt.log_chat is None  # read receipts join no history
    [sent] = await store.messages_after("telegram:5", 0)
    assert sent["payload"]["options"] == [["a", "A"]]
    assert await store.claim("outbox:telegram:5", "new-owner", 3.0, 60)  # old fake lease gone
    await store.link("-100", "topic", "77", "telegram:5")
    assert await store.topic_of("-100", "telegram:5") == "77"
    assert await store.ping()


async def test_a_sqlite_file_from_before_the_schema_version_table_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript((FIXTURES / "sqlite-v3.sql").read_text())
    store = SqliteStore(str(path))
    await store.open()
    await _looks_upgraded(store)
    await store.close()
    again = SqliteStore(str(path))  # opening once more changes nothing
    await again.open()
    assert await again.schema_version() == len(MIGRATIONS)
    assert await again.topic_of("-100", "telegram:5") == "77"
    await again.close()
    with sqlite3.connect(path) as db:  # an older Japri reads this, and refuses the file
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_a_postgresql_database_from_before_the_schema_version_table_upgrades(
    postgres_url: str,
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute((FIXTURES / "postgres-v1.sql").read_text().encode())
    store = open_store(postgres_url)
    await store.open()
    await _looks_upgraded(store)
    await store.close()


async def test_the_old_timers_row_marking_an_upgrade_becomes_a_mark(tmp_path: Path) -> None:
    path = tmp_path / "v11.db"
    old = SqliteStore(str(path))
    await old.engine.open(MIGRATIONS[:11])  # as Japri with 11 steps left it
    await old.set_timer("japri:upgrade", "handoffs_adopted", 253_402_300_799.0, {}, 1.0)
    await old.close()
    store = SqliteStore(str(path))
    await store.open()
    assert await store.marked("handoffs_adopted")
    assert not await store.marked("something_else")
    assert await store.timers_of("japri:upgrade") == []
    assert await store.next_timer_at() is None
    await store.mark("handoffs_adopted", 5.0)  # marking twice is harmless
    assert await store.marked("handoffs_adopted")
    await store.close()


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    store = SqliteStore(str(path))
    await store.open()
    await store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 999")
    with pytest.raises(StoreError, match="newer than this Japri"):
        await SqliteStore(str(path)).open()


async def test_driver_errors_leave_the_store_as_store_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    store = SqliteStore(str(path))
    await store.open()
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE timers")
    with pytest.raises(StoreError, match="no such table"):
        await store.next_timer_at()
    assert await store.outbox_depth() == 0  # the store goes on working
    await store.close()


async def test_a_lock_held_by_another_process_waits_off_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "locked.db"
    store = SqliteStore(str(path))
    await store.open()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process writes, and takes its time
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    beat = asyncio.create_task(ticker())
    with pytest.raises(StoreError) as caught:  # longer than the busy timeout: a clear error
        await store.accept_inbound("k1", "web:a", {}, 1.0)
    assert caught.value.transient
    assert ticks >= 10  # the loop went on for the whole 300 ms wait
    asyncio.get_running_loop().call_later(0.1, other.execute, "COMMIT")
    assert await store.accept_inbound("k1", "web:a", {}, 1.0)  # shorter: it just waits
    beat.cancel()
    other.close()
    await store.close()


async def test_a_write_gets_the_lock_within_milliseconds_of_its_release(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # with server.workers the other process is the other worker, and every write of this
    # one queues behind the waiting one: SQLite's own busy wait naps up to 100 ms at a time
    monkeypatch.setenv(SHARED_DIR, str(tmp_path))
    path = tmp_path / "shared.db"
    store = SqliteStore(str(path))
    await store.open()
    assert isinstance(store.engine, sqlite.SqliteEngine)
    assert not store.engine.writes_on_loop  # every write waits on the thread
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    released = 0.0

    def release() -> None:
        nonlocal released
        released = time.monotonic()
        other.execute("COMMIT")

    threading.Timer(0.24, release).start()  # SQLite's busy wait would next look at ~0.33 s
    assert await store.accept_inbound("k1", "web:a", {}, 1.0)
    assert released
    assert time.monotonic() - released < 0.03
    other.close()
    await store.close()


async def test_ping_says_no_when_the_file_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    store = SqliteStore(str(path))
    await store.open()
    assert await store.ping()
    path.unlink()
    assert not await store.ping()
    await store.close()


async def test_ping_says_no_when_the_database_is_read_only(postgres_url: str) -> None:
    store = open_store(postgres_url)
    await store.open()
    await store.close()
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    again = open_store(postgres_url)
    await again.open()  # reading works ...
    assert await again.outbox_depth() == 0
    assert not await again.ping()  # ... but nothing can be written
    await again.close()


HOLD = textwrap.dedent(
    """
    import asyncio, sys
    from bot.store.sqlite import SqliteStore

    async def main():
        store = SqliteStore(sys.argv[1])
        await store.open()
        print("open", flush=True)
        sys.stdin.readline()
        await store.close()

    asyncio.run(main())
    """
)


def _serving(path: Path, group: str | None) -> subprocess.Popen[str]:
    env = {"PYTHONPATH": str(Path(__file__).parents[2])}
    if group:
        env[SHARED_DIR] = group
    child = subprocess.Popen(  # noqa: S603 - this interpreter, our script
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "open"
    return child


async def test_a_second_japri_on_one_sqlite_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "one.db"
    monkeypatch.delenv(SHARED_DIR, raising=False)
    first = _serving(path, None)
    try:
        with pytest.raises(StoreError, match=f"another Japri \\(pid {first.pid}\\)"):
            await SqliteStore(str(path)).open()
        reader = SqliteStore(str(path), exclusive=False)  # a tool that reads is let in
        await reader.open()
        assert await reader.outbox_depth() == 0
        await reader.close()
    finally:
        first.communicate("\n", timeout=10)
    after = SqliteStore(str(path))  # once it stopped, the file is free again
    await after.open()
    await after.close()


async def test_workers_of_one_serve_share_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "workers.db"
    group = str(tmp_path / "metrics")
    worker = _serving(path, group)
    try:
        monkeypatch.setenv(SHARED_DIR, group)
        sibling = SqliteStore(str(path))
        await sibling.open()
        assert await sibling.ping()
        await sibling.close()
        monkeypatch.setenv(SHARED_DIR, str(tmp_path / "another-serve"))
        with pytest.raises(StoreError, match="another Japri"):
            await SqliteStore(str(path)).open()
    finally:
        worker.communicate("\n", timeout=10)
