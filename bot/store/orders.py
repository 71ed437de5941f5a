"""``OrderStore`` in SQL over the store's engine (SQLite, PostgreSQL): tables of step 7."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.orders.model import (
    Order,
    OrderError,
    Status,
    from_dict,
    number_key,
    order_number,
    phone_key,
    to_dict,
)
from bot.orders.store import DuplicateOrder, UnknownOrder
from bot.store.dialect import Stmt
from bot.store.engine import Engine, Result

_FOR_CHAT = "SELECT data FROM orders WHERE chat_key = ? ORDER BY created_at DESC, number DESC"


class TurnOrders:
    """perf (issue 9): each chat's newest ``limit`` orders, read by the ``SqlStore`` in
    the same trip as the chat's next event and handed once to that turn's ``for_chat``
    (the engine sees them every turn), instead of a trip of their own. An order written
    in this process drops them all; one written by another process is seen as a read
    made with the event would see it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._read: dict[str, list[dict[str, Any]]] = {}

    def statement(self, chat_key: str) -> Stmt:
        # perf: nothing read when no event waits (the commit's read, most of the time)
        return (
            "SELECT data FROM orders WHERE chat_key = ? AND EXISTS (SELECT 1 FROM inbound "
            "WHERE chat_key = ? AND status = 'pending') "
            "ORDER BY created_at DESC, number DESC LIMIT ?",
            (chat_key, chat_key, self.limit),
        )

    def keep(self, chat_key: str, found: list[dict[str, Any]] | None) -> None:
        """What ``statement`` read with the chat's next event (None: no event)."""
        if found is None:
            self._read.pop(chat_key, None)
            return
        if len(self._read) > 10_000:  # turns that never asked: forget them
            self._read.clear()
        self._read[chat_key] = found

    def take(self, chat_key: str, limit: int | None) -> list[dict[str, Any]] | None:
        return self._read.pop(chat_key, None) if limit == self.limit else None

    def forget(self) -> None:
        self._read.clear()


class SqlOrderStore:
    """Orders by number, chat, shop-system id and phone; each method one transaction."""

    def __init__(self, engine: Engine, turn_orders: TurnOrders | None = None) -> None:
        self.engine = engine
        self.turn_orders = turn_orders  # perf: read with each turn's event

    async def _rows(self, sql: str, *params: Any) -> list[Order]:
        [result] = await self.engine.run([(sql, params)], write=False)
        return _orders(result.rows)

    async def _write(self, batch: list[Stmt]) -> list[Result]:
        if self.turn_orders is not None:
            self.turn_orders.forget()  # the orders read with a turn may be old now
        try:
            return await self.engine.run(batch)
        finally:
            if self.turn_orders is not None:
                self.turn_orders.forget()

    async def create(
        self, order: Order, prefix: str = "JP", event: tuple[str, str] | None = None
    ) -> Order:
        if order.external_id and await self.by_external_id(order.external_id):
            raise DuplicateOrder(f"an order for external id {order.external_id} exists")
        if order.number:
            if await self.get(order.number) is not None:
                raise DuplicateOrder(f"order {order.number} already exists")
            await self._write([_insert(order), *_event(event)])
            return order
        month = f"{prefix}{order.created_at:%y%m}"
        while True:
            [result] = await self.engine.run(
                [
                    (
                        "INSERT INTO order_sequences (month, last) VALUES (?, 1) "
                        "ON CONFLICT (month) DO UPDATE SET last = order_sequences.last + 1 "
                        "RETURNING last",
                        (month,),
                    )
                ]
            )
            row = result.one()
            assert row is not None  # noqa: S101 - RETURNING gives the row
            numbered = replace(
                order, number=order_number(order.created_at, int(row["last"]), prefix)
            )
            if await self.get(numbered.number) is None:
                await self._write([_insert(numbered), *_event(event)])
                return numbered

    async def get(self, number: str) -> Order | None:
        found = await self._rows(
            "SELECT data FROM orders WHERE number_key = ?", number_key(number)
        )
        return found[0] if found else None

    async def by_external_id(self, external_id: str) -> Order | None:
        found = await self._rows("SELECT data FROM orders WHERE external_id = ?", external_id)
        return found[0] if found else None

    async def for_chat(self, chat_key: str, limit: int | None = None) -> list[Order]:
        if self.turn_orders is not None:
            found = self.turn_orders.take(chat_key, limit)
            if found is not None:  # perf: read with the turn's event just now
                return _orders(found)
        if limit is None:
            return await self._rows(_FOR_CHAT, chat_key)
        return await self._rows(_FOR_CHAT + " LIMIT ?", chat_key, limit)

    async def by_phone(self, phone: str) -> list[Order]:
        wanted = phone_key(phone)
        if not wanted:
            return []
        return await self._rows(
            "SELECT data FROM orders WHERE phone_key = ? ORDER BY created_at DESC, number DESC",
            wanted,
        )

    async def update(self, order: Order, event: tuple[str, str] | None = None) -> Order:
        key = number_key(order.number)
        result, *_ = await self._write([
            (
                "UPDATE orders SET data = ?, status = ?, phone_key = ?, external_id = ?, "
                "history_len = ? WHERE number_key = ? AND history_len <= ?",
                (_json(order), order.status, phone_key(order.phone) or None,
                 order.external_id or None, len(order.history), key, len(order.history)),
            ),
            *_event(event, (key, len(order.history))),
        ])  # fmt: skip
        if result.rowcount == 0:
            if await self.get(order.number) is None:
                raise UnknownOrder(f"no order {order.number}")
            raise OrderError(f"order {order.number} changed meanwhile; load it again")
        return order

    async def event_seen(self, order_id: str, status: str) -> bool:
        [result] = await self.engine.run(
            [("SELECT 1 AS seen FROM order_events WHERE order_id = ? AND status = ?",
              (order_id, status))],
            write=False,
        )  # fmt: skip
        return bool(result.rows)

    async def seen_event(self, order_id: str, status: str) -> bool:
        [result] = await self.engine.run(_event((order_id, status)))
        return result.rowcount == 0

    async def all(self, statuses: Sequence[Status] | None = None) -> list[Order]:
        if statuses is None:
            return await self._rows("SELECT data FROM orders ORDER BY created_at, number")
        marks = ", ".join("?" * len(statuses))
        return await self._rows(
            f"SELECT data FROM orders WHERE status IN ({marks}) ORDER BY created_at, number",  # noqa: S608 - only placeholders
            *statuses,
        )


def _orders(found: list[dict[str, Any]]) -> list[Order]:
    return [from_dict(json.loads(row["data"])) for row in found]


def _json(order: Order) -> str:
    return json.dumps(to_dict(order), ensure_ascii=False)


def _insert(order: Order) -> Stmt:
    return (
        "INSERT INTO orders (number_key, number, chat_key, external_id, phone_key, status, "
        "created_at, data, history_len) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number_key(order.number), order.number, order.chat_key, order.external_id or None,
         phone_key(order.phone) or None, order.status, order.created_at.timestamp(),
         _json(order), len(order.history)),
    )  # fmt: skip


def _event(event: tuple[str, str] | None, saved: tuple[str, int] | None = None) -> list[Stmt]:
    """A webhook's ``(order_id, status)``, written with the order it changed; ``saved``
    (number key, history length): only when that update went through."""
    if event is None:
        return []
    if saved is None:
        return [
            (
                "INSERT INTO order_events (order_id, status, at) VALUES (?, ?, 0) "
                "ON CONFLICT (order_id, status) DO NOTHING",
                event,
            )
        ]
    return [
        (
            "INSERT INTO order_events (order_id, status, at) SELECT ?, ?, 0 WHERE EXISTS "
            "(SELECT 1 FROM orders WHERE number_key = ? AND history_len = ?) "
            "ON CONFLICT (order_id, status) DO NOTHING",
            (*event, *saved),
        )
    ]
