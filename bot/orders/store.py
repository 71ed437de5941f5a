"""Where orders live: the ``OrderStore`` interface and an in-memory one for tests.

Every method is atomic. The SQL implementation keeps an order as ``model.to_dict`` JSON
with indexed columns (number, chat_key, external_id, phone key, status).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from bot.orders.model import Order, OrderError, Status, number_key, order_number, phone_key


class DuplicateOrder(OrderError):
    """An order with that number (or external id) already exists."""


class UnknownOrder(OrderError):
    """No order with that number."""


class OrderStore(Protocol):
    """Orders by number, by chat, by a shop system's id and by the buyer's phone."""

    async def create(
        self, order: Order, prefix: str = "JP", event: tuple[str, str] | None = None
    ) -> Order:
        """Store a new order; an empty ``number`` gets the next one (``JP-2412-0007``).
        ``event``: a webhook's ``(order_id, status)``, recorded in the same transaction.

        Raises:
            DuplicateOrder: the number or the external id is taken.
        """
        ...

    async def get(self, number: str) -> Order | None:
        """The order with that number (``#jp-2412-0007`` finds ``JP-2412-0007``)."""
        ...

    async def by_external_id(self, external_id: str) -> Order | None: ...

    async def for_chat(self, chat_key: str, limit: int | None = None) -> list[Order]:
        """The chat's orders, newest first (the ``limit`` newest when given)."""
        ...

    async def by_phone(self, phone: str) -> list[Order]:
        """Orders whose buyer phone is that number (any 0/62/60 spelling), newest first."""
        ...

    async def update(self, order: Order, event: tuple[str, str] | None = None) -> Order:
        """Save a changed order (its history already says what changed); ``event`` as
        for ``create``: a failed save leaves the post unrecorded, so a retry is processed.

        Raises:
            UnknownOrder: no order with that number.
            OrderError: the stored one changed meanwhile (its history is longer).
        """
        ...

    async def seen_event(self, order_id: str, status: str) -> bool:
        """Record a webhook event; True when that ``(order_id, status)`` came before."""
        ...

    async def event_seen(self, order_id: str, status: str) -> bool:
        """Whether that ``(order_id, status)`` was recorded (nothing is written)."""
        ...

    async def all(self, statuses: Sequence[Status] | None = None) -> list[Order]:
        """Every order (optionally only in ``statuses``), oldest first (exports, timers)."""
        ...


class MemoryOrderStore:
    """``OrderStore`` in a dict; for tests and ``japri chat``."""

    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._events: set[tuple[str, str]] = set()
        self._sequences: dict[str, int] = {}
        self._lock = asyncio.Lock()

    async def create(
        self, order: Order, prefix: str = "JP", event: tuple[str, str] | None = None
    ) -> Order:
        async with self._lock:
            if not order.number:
                month = f"{prefix}{order.created_at:%y%m}"
                while True:
                    self._sequences[month] = self._sequences.get(month, 0) + 1
                    number = order_number(order.created_at, self._sequences[month], prefix)
                    if number_key(number) not in self._orders:
                        break
                order = replace(order, number=number)
            key = number_key(order.number)
            if key in self._orders:
                raise DuplicateOrder(f"order {order.number} already exists")
            if order.external_id and any(
                o.external_id == order.external_id for o in self._orders.values()
            ):
                raise DuplicateOrder(f"an order for external id {order.external_id} exists")
            self._orders[key] = order
            if event is not None:
                self._events.add(event)
            return order

    async def get(self, number: str) -> Order | None:
        return self._orders.get(number_key(number))

    async def by_external_id(self, external_id: str) -> Order | None:
        return next((o for o in self._orders.values() if o.external_id == external_id), None)

    async def for_chat(self, chat_key: str, limit: int | None = None) -> list[Order]:
        found = _newest_first(o for o in self._orders.values() if o.chat_key == chat_key)
        return found[:limit]

    async def by_phone(self, phone: str) -> list[Order]:
        wanted = phone_key(phone)
        if not wanted:
            return []
        return _newest_first(
            o for o in self._orders.values() if o.phone and phone_key(o.phone) == wanted
        )

    async def update(self, order: Order, event: tuple[str, str] | None = None) -> Order:
        async with self._lock:
            key = number_key(order.number)
            stored = self._orders.get(key)
            if stored is None:
                raise UnknownOrder(f"no order {order.number}")
            if len(stored.history) > len(order.history):
                raise OrderError(f"order {order.number} changed meanwhile; load it again")
            self._orders[key] = order
            if event is not None:
                self._events.add(event)
            return order

    async def event_seen(self, order_id: str, status: str) -> bool:
        return (order_id, status) in self._events

    async def seen_event(self, order_id: str, status: str) -> bool:
        async with self._lock:
            if (order_id, status) in self._events:
                return True
            self._events.add((order_id, status))
            return False

    async def all(self, statuses: Sequence[Status] | None = None) -> list[Order]:
        orders = sorted(self._orders.values(), key=lambda o: (o.created_at, o.number))
        return [o for o in orders if statuses is None or o.status in statuses]


def _newest_first(orders: Iterable[Order]) -> list[Order]:
    return sorted(orders, key=lambda o: (o.created_at, o.number), reverse=True)
