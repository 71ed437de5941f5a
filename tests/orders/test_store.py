"""The order store contract, run against every backend: memory, SQLite, PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.orders.model import Order, OrderError, move
from bot.orders.store import DuplicateOrder, MemoryOrderStore, OrderStore, UnknownOrder
from bot.store import open_store
from bot.store.orders import SqlOrderStore
from tests.bot.conftest import postgres_url  # noqa: F401 - the fixture, for PostgreSQL

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 12, 3, 10, tzinfo=WIB)
BACKENDS = ["memory", "sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OrderStore]:
    """The same contract on every backend: memory, and the SQL tables on both engines."""
    if request.param == "memory":
        yield MemoryOrderStore()
        return
    url = (
        f"sqlite:///{tmp_path / 'orders.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    sql = open_store(url)
    await sql.open()
    try:
        yield SqlOrderStore(sql.engine)  # type: ignore[attr-defined]
    finally:
        await sql.close()


def draft(chat: str = "telegram:1", at: datetime = T0, **fields: object) -> Order:
    return replace(Order(number="", chat_key=chat, items="1x Sepatu", created_at=at), **fields)


async def test_numbers_are_assigned_per_month_and_unique(store: OrderStore) -> None:
    a = await store.create(draft())
    b = await store.create(draft())
    c = await store.create(draft(at=T0 + timedelta(days=40)))
    assert (a.number, b.number, c.number) == ("JP-2412-0001", "JP-2412-0002", "JP-2501-0001")
    assert await store.get("#jp-2412-0002") == b


async def test_explicit_number_taken_is_refused(store: OrderStore) -> None:
    await store.create(draft(number="JP-2412-0001"))
    with pytest.raises(DuplicateOrder):
        await store.create(draft(number="jp-2412-0001"))
    assert (await store.create(draft())).number == "JP-2412-0002"  # skips the taken one


async def test_external_ids_are_unique_and_found(store: OrderStore) -> None:
    made = await store.create(draft(external_id="WEB-1"))
    assert await store.by_external_id("WEB-1") == made
    with pytest.raises(DuplicateOrder):
        await store.create(draft(external_id="WEB-1"))


async def test_for_chat_newest_first_and_by_phone(store: OrderStore) -> None:
    old = await store.create(draft(phone="0812-3456-7890"))
    new = await store.create(draft(at=T0 + timedelta(hours=1), phone="+62 812 3456 7890"))
    await store.create(draft(chat="telegram:2"))
    assert await store.for_chat("telegram:1") == [new, old]
    assert await store.for_chat("telegram:1", limit=1) == [new]  # what a turn reads
    assert await store.by_phone("6281234567890") == [new, old]
    assert await store.by_phone("") == []


async def test_update_keeps_history_and_refuses_stale_writes(store: OrderStore) -> None:
    made = await store.create(draft())
    paid = move(made, "paid", at=T0, who="seller")
    await store.update(paid)
    assert (await store.get(made.number)) == paid
    with pytest.raises(OrderError, match="changed meanwhile"):
        await store.update(made)
    with pytest.raises(UnknownOrder):
        await store.update(replace(made, number="JP-0000-0000"))


async def test_webhook_events_are_seen_once(store: OrderStore) -> None:
    assert await store.seen_event("WEB-1", "shipped") is False
    assert await store.seen_event("WEB-1", "shipped") is True
    assert await store.seen_event("WEB-1", "delivered") is False


async def test_all_filters_by_status(store: OrderStore) -> None:
    a = await store.create(draft())
    b = await store.update(move(await store.create(draft()), "cancelled", at=T0, who="s"))
    assert await store.all() == [a, b]
    assert await store.all(["cancelled"]) == [b]


async def test_a_webhook_key_is_written_with_the_change_it_caused(store: OrderStore) -> None:
    created = await store.create(draft(external_id="WEB-9"), event=("WEB-9", "new"))
    assert await store.event_seen("WEB-9", "new")
    assert not await store.event_seen("WEB-9", "shipped")
    stale = created
    paid = await store.update(move(created, "paid", at=T0, who="seller"))
    await store.update(replace(paid, items="2x Sepatu").with_history(paid.history[-1]))
    with pytest.raises(OrderError):  # a stale copy: nothing saved, the key not recorded
        await store.update(move(stale, "cancelled", at=T0, who="x"), ("WEB-9", "cancelled"))
    assert not await store.event_seen("WEB-9", "cancelled")
    fresh = await store.get(created.number)
    assert fresh is not None
    await store.update(move(fresh, "shipped", at=T0, who="x"), ("WEB-9", "shipped"))
    assert await store.event_seen("WEB-9", "shipped")
