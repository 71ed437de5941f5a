"""A turn's orders come with its event (perf: the engine sees them every turn, and a read
of their own was one more store trip a message), and are never served stale."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.orders.desk import ORDERS_SHOWN
from bot.orders.model import Order, move
from bot.orders.setup import order_store
from bot.orders.store import OrderStore
from bot.store import open_store
from bot.store.base import Store, Turn
from bot.store.dialect import Stmt
from bot.store.engine import Result

CHAT = "telegram:7"
T0 = datetime(2024, 12, 3, 10, tzinfo=timezone(timedelta(hours=7)))


class Trips:
    """Counts the engine's trips."""

    def __init__(self, store: Any) -> None:
        self.count = 0
        self._run = store.engine.run
        store.engine.run = self.run

    async def run(self, stmts: Sequence[Stmt], write: bool = True) -> list[Result]:
        self.count += 1
        result: list[Result] = await self._run(stmts, write)
        return result


@pytest.fixture(params=["sqlite", "postgresql"])
async def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Store, OrderStore, Trips]]:
    url = (
        f"sqlite:///{tmp_path / 'japri.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    store = open_store(url)
    await store.open()
    orders = order_store(store)  # as the gateway wires them
    yield store, orders, Trips(store)
    await store.close()


def _order() -> Order:
    return Order(number="", chat_key=CHAT, items="1x Sepatu", created_at=T0)


async def test_the_orders_read_with_the_event_are_the_turns_without_a_trip(
    stores: tuple[Store, OrderStore, Trips],
) -> None:
    store, orders, trips = stores
    made = await orders.create(_order())
    assert await store.accept_inbound("tg:1", CHAT, {"n": 1}, 1.0)
    row, _ = await store.next_turn(CHAT)
    assert row is not None
    before = trips.count
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == [made]
    assert trips.count == before
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == [made]  # handed over once only
    assert trips.count == before + 1


async def test_the_commit_reads_the_next_turns_orders_too(
    stores: tuple[Store, OrderStore, Trips],
) -> None:
    store, orders, trips = stores
    for n in (1, 2):
        assert await store.accept_inbound(f"tg:{n}", CHAT, {"n": n}, 1.0)
    first, _ = await store.next_turn(CHAT)
    assert first is not None
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == []
    _, second, _ = await store.commit_and_next(Turn(first.id, CHAT, None), 2.0)
    assert second is not None
    before = trips.count
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == []
    assert trips.count == before


async def test_an_order_written_after_the_read_is_not_served_stale(
    stores: tuple[Store, OrderStore, Trips],
) -> None:
    store, orders, _ = stores
    made = await orders.create(_order())
    assert await store.accept_inbound("tg:1", CHAT, {"n": 1}, 1.0)
    await store.next_turn(CHAT)
    paid = await orders.update(move(made, "paid", at=T0, who="seller"))  # e.g. in the inbox
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == [paid]
    await store.next_turn(CHAT)
    newer = await orders.create(replace(_order(), created_at=T0 + timedelta(hours=1)))
    assert await orders.for_chat(CHAT, ORDERS_SHOWN) == [newer, paid]


async def test_another_limit_reads_for_itself(stores: tuple[Store, OrderStore, Trips]) -> None:
    store, orders, trips = stores
    made = await orders.create(_order())
    assert await store.accept_inbound("tg:1", CHAT, {"n": 1}, 1.0)
    await store.next_turn(CHAT)
    before = trips.count
    assert await orders.for_chat(CHAT) == [made]  # all of them, e.g. the inbox's page
    assert trips.count == before + 1
