"""The order store contract, run against every backend (memory today; SQL joins the list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.orders.model import Order, OrderError, move
from bot.orders.store import DuplicateOrder, MemoryOrderStore, OrderStore, UnknownOrder

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 12, 3, 10, tzinfo=WIB)
BACKENDS: list[Callable[[], OrderStore]] = [MemoryOrderStore]


@pytest.fixture(params=BACKENDS, ids=lambda b: b.__name__)
def store(request: pytest.FixtureRequest) -> OrderStore:
    factory: Callable[[], OrderStore] = request.param
    return factory()


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
