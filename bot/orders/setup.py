"""The order desk built from the settings, on the gateway's store."""

from __future__ import annotations

from typing import Any

import httpx

from bot.orders.desk import ORDERS_SHOWN, OrderDesk
from bot.orders.service import OrderService, ServiceSettings
from bot.orders.store import MemoryOrderStore, OrderStore
from bot.orders.trackers import build_tracker
from bot.orders.workdays import WorkWeek
from bot.settings import Settings


def service_settings(s: Settings) -> ServiceSettings:
    hours = None
    if s.shop.hours:
        opens, closes = s.shop.hours.split("-")
        hours = (opens, closes)
    return ServiceSettings(
        ship_days=s.orders.ship_days,
        week=WorkWeek.parse(s.orders.work_days, hours, s.orders.holidays),
        prefix=s.orders.prefix,
        links=dict(s.tracking.links),
        language=s.shop.language,
        poll_every_hours=s.tracking.poll_every_hours,
        poll_give_up_days=s.tracking.poll_give_up_days,
    )


def order_store(store: Any) -> OrderStore:
    """The orders of the gateway's store: its own SQL tables, or memory for memory://."""
    engine = getattr(store, "engine", None)
    if engine is not None:
        from bot.store.orders import SqlOrderStore, TurnOrders

        reads = TurnOrders(ORDERS_SHOWN)  # perf: each turn's orders, read with its event
        store.turn_orders = reads
        return SqlOrderStore(engine, reads)
    return MemoryOrderStore()


def build_orders(s: Settings, store: Any) -> OrderDesk:
    orders = order_store(store)
    tracker = None
    if s.tracking.provider != "manual":
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        tracker = build_tracker(s.tracking.provider, client, s.tracking.api_key or "",
                                s.tracking.links)  # fmt: skip
    return OrderDesk(orders, OrderService(orders, service_settings(s)), tracker)
