"""What the chat handlers need of orders: the buyer's orders for the engine, seller
commands and webhook posts carried out, the engine's ``UpdateOrder`` applied."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.errors import BotError
from bot.orders.bridge import apply_change, order_view
from bot.orders.commands import BadCommand, OrderCommand, parse
from bot.orders.model import Order
from bot.orders.service import Applied, Buyer, OrderService
from bot.orders.store import OrderStore
from bot.orders.webhook import BadOrderBody, WebhookOrder, parse_body
from flows.messages import Action, OrderEvent, OrderView, UpdateOrder
from flows.orders import OrderChange

log = logging.getLogger("japri.orders")

COMMANDS = frozenset({"order", "resi", "sampai", "batal", "pesanan"})
ORDERS_SHOWN = 10  # the newest orders the engine sees per chat

# (chat_key, dedup_key, number, event, by): record an order update for a buyer's chat
Post = Callable[[str, str, Order, OrderEvent, str | None], Awaitable[None]]


class OrderDesk:
    """Orders for the chat handlers; ``post`` hands an order update to a buyer's chat
    (set by the gateway once intake exists)."""

    def __init__(self, store: OrderStore, service: OrderService) -> None:
        self.store = store
        self.service = service
        self.post: Post | None = None

    async def views(self, chat_key: str) -> tuple[OrderView, ...]:
        """The chat's newest orders, as the engine sees them."""
        orders = await self.store.for_chat(chat_key)
        return tuple(order_view(o) for o in orders[:ORDERS_SHOWN])

    @staticmethod
    def parse(text: str) -> OrderCommand | BadCommand | None:
        return parse(text)

    async def command(
        self, command: OrderCommand | BadCommand, buyer: Buyer | None, now: datetime, who: str
    ) -> Applied:
        """A seller command carried out; the buyer's chat gets the order update."""
        applied = await self.service.run(command, buyer, now, who)
        await self.tell(applied, who)
        return applied

    async def tell(self, applied: Applied, who: str | None) -> None:
        order = applied.order
        if order is None or applied.event is None or self.post is None:
            return
        dedup = f"order:{order.number}:{len(order.history)}:{applied.event}"
        await self.post(order.chat_key, dedup, order, applied.event, who)

    async def posted(self, body: dict[str, Any], chat_key: str, now: datetime) -> Applied | None:
        """A shop system's order post; None for a repeat (or a body that no longer parses)."""
        import json

        try:
            parsed: WebhookOrder = parse_body(json.dumps(body).encode())
        except BadOrderBody as exc:
            log.warning("order post for %s dropped: %s", chat_key, exc)
            return None
        return await self.service.from_webhook(parsed, chat_key, now)

    async def apply(self, actions: Sequence[Action], now: datetime) -> None:
        """The engine's changes to order records (delivered, feedback, notices sent)."""
        for action in actions:
            if not isinstance(action, UpdateOrder):
                continue
            order = await self.store.get(action.number)
            if order is None:
                continue
            try:
                change = OrderChange(action.number, action.change, action.value)
                await self.store.update(apply_change(order, change, now))
            except BotError as exc:
                log.warning("order %s %s not applied: %s", action.number, action.change, exc)
