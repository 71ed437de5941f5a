"""The store contract, run against every backend (SQLite today)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.base import Contact, Turn
from bot.store.sqlite import MIGRATIONS, SqliteStore

Backend = Callable[[], Store]


@pytest.fixture(params=["sqlite"])
async def make(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    opened: list[Store] = []

    def factory() -> Store:
        store = open_store(f"sqlite:///{tmp_path / 'japri.db'}")
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


async def test_a_seen_id_is_refused_also_after_reopening(make: Backend) -> None:
    store = make()
    await store.open()
    assert await store.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 1.0)
    assert not await store.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 2.0)
    await store.close()
    again = make()
    await again.open()
    assert not await again.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 3.0)


async def test_inbound_comes_back_in_order_until_processed(make: Backend) -> None:
    store = make()
    await store.open()
    for n in range(3):
        await store.accept_inbound(f"k{n}", "web:abc", {"n": n}, float(n))
    first = await store.next_inbound("web:abc")
    assert first is not None
    assert first.payload == {"n": 0}
    await store.commit_turn(Turn(first.id, "web:abc", {"stage": "bot"}, []), 5.0)
    second = await store.next_inbound("web:abc")
    assert second is not None
    assert second.payload == {"n": 1}
    assert await store.load_state("web:abc") == {"stage": "bot"}


async def test_a_chat_lease_keeps_other_workers_out_until_it_expires(make: Backend) -> None:
    store = make()
    await store.open()
    assert await store.claim_chat("telegram:1", "a", now=100.0, ttl=30)
    assert await store.claim_chat("telegram:1", "a", now=101.0, ttl=30)  # renew
    assert not await store.claim_chat("telegram:1", "b", now=110.0, ttl=30)
    assert await store.claim_chat("telegram:1", "b", now=200.0, ttl=30)  # expired
    await store.release_chat("telegram:1", "b")
    assert await store.claim_chat("telegram:1", "a", now=201.0, ttl=30)


async def test_the_outbox_keeps_lane_order_and_records_delivery(make: Backend) -> None:
    store = make()
    await store.open()
    await store.accept_inbound("k", "telegram:5", {}, 1.0)
    row = await store.next_inbound("telegram:5")
    assert row is not None
    contact = Contact("telegram:5", "telegram", "5", name="Budi", first_seen=1, last_seen=1)
    outgoing = [("telegram:5", {"op": "say", "text": "satu"}), ("telegram:5", {"text": "dua"})]
    ids = await store.commit_turn(Turn(row.id, "telegram:5", None, outgoing, contact), 2.0)
    assert len(ids) == 2
    first = await store.next_outgoing("telegram:5")
    assert first is not None
    assert first.payload["text"] == "satu"
    await store.mark_sent(first, "m1", 3.0, chat_key="telegram:5")
    assert await store.record_status("m1", "delivered", 4.0)
    second = await store.next_outgoing("telegram:5")
    assert second is not None
    assert second.payload["text"] == "dua"
    await store.mark_retry(second.id, 99.0, "502")
    await store.mark_failed(second.id, "gave up", 5.0)
    assert await store.next_outgoing("telegram:5") is None
    history = await store.history("telegram:5")
    assert history[-1]["status"] == "delivered"
    saved = await store.contact("telegram:5")
    assert saved is not None
    assert saved.name == "Budi"


async def test_the_schema_is_versioned(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "v.db"))
    await store.open()
    assert store.schema_version == len(MIGRATIONS)
    await store.close()


async def test_two_processes_opening_a_new_file_together_migrate_it_once(tmp_path: Path) -> None:
    import asyncio
    import threading

    path = str(tmp_path / "race.db")
    errors: list[BaseException] = []

    def open_one() -> None:
        async def go() -> None:
            store = SqliteStore(path)
            await store.open()
            await store.close()

        try:
            asyncio.run(go())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = SqliteStore(path)
    await store.open()
    assert store.schema_version == len(MIGRATIONS)
    await store.close()
