"""Accepting inbound events: recorded once (duplicates dropped), then handed to the runtime."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Protocol

from bot.channels.base import Inbound, SellerPost, StatusUpdate
from bot.errors import RateLimited
from bot.events import Event, OrderPosted, OrderUpdate, SellerEvent, encode
from bot.metrics import Metrics
from bot.orders.bridge import order_view
from bot.orders.model import Order
from bot.store.base import InboundLog, OutboxQueue, ReadModel, SellerLinks, ShopReach
from flows.messages import OrderEvent

log = logging.getLogger("japri.runtime")
WINDOW_CLOSED = "131047"  # WhatsApp: the 24-hour window was closed (a failed status)


class IntakeStore(InboundLog, OutboxQueue, ReadModel, SellerLinks, ShopReach, Protocol):
    """What intake writes and reads: the inbound log, receipts, which buyer a post is for."""


class Intake:
    """What webhooks, polling and the web inbox call: record the event durably (or report
    a redelivery) and return at once; ``schedule`` has the chat's worker take it from there."""

    def __init__(
        self,
        store: IntakeStore,
        metrics: Metrics,
        schedule: Callable[[str], None],
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.schedule = schedule
        self.wall = wall
        self.kick_outbox: Callable[[str], None] | None = None  # the outbox's lanes
        # the outbox: a message refused after it was sent goes again (or is given up)
        self.refused_later: Callable[[str, RateLimited], Awaitable[None]] | None = None

    async def accept(self, event: Inbound) -> bool:
        """Record a buyer event; False when it was seen before (nothing more happens)."""
        channel = event.chat_key.split(":", 1)[0]
        fresh = await self.store.accept_inbound(
            event.dedup_key, event.chat_key, encode(event.event), self.wall()
        )
        if not fresh:
            self.metrics.duplicates.labels(channel).inc()
            log.info("in chat=%s duplicate=%s skipped", event.chat_key, event.dedup_key)
            return False
        self.metrics.messages_in.labels(channel, event.event.kind).inc()
        self.schedule(event.chat_key)
        return True

    async def accept_seller(self, post: SellerPost) -> bool:
        """Record a seller's message under the buyer it answers: the buyer a button names,
        else the forum topic it is in, else the bot's message it replies to."""
        event = post.event
        chat_key = event.about
        if chat_key and await self.store.contact(chat_key) is None:
            chat_key = None
        if not chat_key and post.thread_id is not None:
            chat_key = await self.store.linked_chat(post.seller_chat, "topic", post.thread_id)
        if not chat_key and post.reply_to is not None:
            chat_key = await self.store.linked_chat(post.seller_chat, "message", post.reply_to)
        if not chat_key:
            chat_key = f"telegram:{post.seller_chat}"
            event = replace(event, orphan=True)
        fresh = await self.store.accept_inbound(
            post.dedup_key, chat_key, encode(event), self.wall()
        )
        if fresh:
            kind = "seller_orphan" if event.orphan else "seller"
            self.metrics.messages_in.labels("seller", kind).inc()
            self.schedule(chat_key)
        return fresh

    async def accept_any(self, parsed: Inbound | SellerPost | None) -> bool:
        """A parsed platform event of either kind (None: not for us)."""
        if parsed is None:
            return False
        if isinstance(parsed, SellerPost):
            return await self.accept_seller(parsed)
        return await self.accept(parsed)

    async def seller_acts(self, chat_key: str, event: SellerEvent) -> None:
        """A seller acting from the web inbox: an answer, "take over" or "back to bot"."""
        event = replace(event, source="inbox")
        key = f"inbox:{uuid.uuid4().hex}"
        await self.store.accept_inbound(key, chat_key, encode(event), self.wall())
        self.schedule(chat_key)

    async def record(self, chat_key: str, dedup_key: str, event: Event) -> bool:
        """Record an event the service itself raises for a chat (an order update, a shop
        system's order post); False when ``dedup_key`` was seen before."""
        fresh = await self.store.accept_inbound(dedup_key, chat_key, encode(event), self.wall())
        if fresh:
            self.schedule(chat_key)
        return fresh

    async def order_update(
        self, chat_key: str, dedup_key: str, order: Order, event: OrderEvent, by: str | None
    ) -> None:
        """An order of the chat changed (a seller command, the inbox): tell the buyer."""
        await self.record(chat_key, dedup_key, OrderUpdate(order_view(order), event, by))

    async def order_posted(
        self, chat_key: str, order_id: str, status: str, body: dict[str, Any]
    ) -> bool:
        """A shop system's order post for the buyer's chat. Every post is recorded; the
        chat's turn applies it once per ``(order_id, status)`` (that key is written with
        the order change, so a post whose processing failed is applied when it comes again)."""
        key = f"orders:{order_id}:{status}:{uuid.uuid4().hex}"
        return await self.record(chat_key, key, OrderPosted(body))

    async def receipt(self, status: StatusUpdate) -> None:
        """A delivery receipt for something we sent."""
        await self.store.record_status(
            status.platform_id, status.status, self.wall(), status.error
        )
        if status.error:
            log.warning("message %s %s: %s", status.platform_id, status.status, status.error)
        if status.refusal is not None and self.refused_later is not None:
            await self.refused_later(status.platform_id, status.refusal)
        elif status.error and status.error.startswith(WINDOW_CLOSED):
            lane = await self.store.resend_refused(status.platform_id, self.wall())
            if lane and self.kick_outbox is not None:
                self.kick_outbox(lane)
