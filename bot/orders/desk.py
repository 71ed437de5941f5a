"""What the chat handlers need of orders: the buyer's orders for the engine, seller
commands and webhook posts carried out, the engine's ``UpdateOrder`` applied."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.errors import BotError
from bot.orders.bridge import apply_change, order_view
from bot.orders.commands import BadCommand, OrderCommand, RecordOrder, parse
from bot.orders.model import Order, edit
from bot.orders.seller_texts import SELLER_TEXTS
from bot.orders.service import Applied, Buyer, OrderService
from bot.orders.store import OrderStore
from bot.orders.tracking import Tracker, TrackingError
from bot.orders.webhook import BadOrderBody, WebhookOrder, parse_order
from bot.store.base import TimerChange
from flows.messages import Action, OrderEvent, OrderView, UpdateOrder
from flows.order_form import LABELS, parse_form
from flows.order_texts import language_of

log = logging.getLogger("japri.orders")

COMMANDS = frozenset({"order", "resi", "sampai", "batal", "pesanan"})
DRAFT_TAP = "order:"  # + the buyer's chat: "Record order" under a draft card
DRAFT_COMMAND = "order_draft"  # what the channel makes of that tap
DRAFT_FIELDS = ("name", "phone", "address", "items", "courier", "payment")
TRACK = "order_track:"  # + number: ask the tracking provider about a shipped order
ORDERS_SHOWN = 10  # the newest orders the engine sees per chat

# (chat_key, dedup_key, number, event, by): record an order update for a buyer's chat
Post = Callable[[str, str, Order, OrderEvent, str | None], Awaitable[None]]


class OrderDesk:
    """Orders for the chat handlers; ``post`` hands an order update to a buyer's chat
    (set by the gateway once intake exists)."""

    def __init__(
        self, store: OrderStore, service: OrderService, tracker: Tracker | None = None
    ) -> None:
        self.store = store
        self.service = service
        self.tracker = tracker  # None: manual tracking (the seller's /resi and /sampai)
        self.post: Post | None = None

    async def close(self) -> None:
        """Close the tracking provider's HTTP client, if there is one."""
        client = getattr(self.tracker, "_client", None)
        if client is not None:
            await client.aclose()

    # ---- polling a tracking provider (a durable per-chat timer per shipped order) ----

    def track_timer(self, order: OrderView, now: float) -> TimerChange | None:
        """The next look at a shipped order's parcel, when a provider is set."""
        if self.tracker is None or order.status != "shipped" or not order.tracking_number:
            return None
        every = self.service.settings.poll_every_hours * 3600
        return TimerChange(f"{TRACK}{order.number}", now + every)

    async def poll(self, number: str, now: datetime) -> tuple[Applied | None, bool]:
        """Ask the provider about order ``number``: what changed (if anything), and
        whether to look again later (still on its way, not given up on)."""
        order = await self.store.get(number)
        if self.tracker is None or order is None:
            return None, False
        if order.status != "shipped" or order.shipped_at is None:
            return None, False
        give_up = order.shipped_at + timedelta(days=self.service.settings.poll_give_up_days)
        if now > give_up:
            return None, False
        try:
            result = await self.tracker.track(order.courier, order.tracking_number)
        except TrackingError as exc:
            log.warning("tracking %s failed: %s", number, exc)
            return None, not exc.permanent
        applied = await self.service.from_tracking(order, result, now)
        return applied, applied.order is not None and applied.order.status == "shipped"

    async def views(self, chat_key: str) -> tuple[OrderView, ...]:
        """The chat's newest orders, as the engine sees them."""
        orders = await self.store.for_chat(chat_key, ORDERS_SHOWN)  # read every turn
        return tuple(order_view(o) for o in orders)

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

    def draft_card(self, chat_key: str, text: str) -> tuple[str, tuple[tuple[str, str], ...]]:
        """A filled order form in the buyer's words, as a card for the seller chat with a
        one-tap "Record order" button; ("", ()) when the text is no filled form."""
        draft = parse_form(text)
        if draft is None or draft.filled < 2 or not draft.items:
            return "", ()
        lines = "\n".join(
            f"• {self._word(name)}: {value}"
            for name in DRAFT_FIELDS
            if (value := getattr(draft, name))
        )
        card = self._say("draft", fields=lines)
        return card, ((f"{DRAFT_TAP}{chat_key}", self._say("draft_button")),)

    async def record_draft(
        self, history: Sequence[Mapping[str, Any]], buyer: Buyer, now: datetime, who: str
    ) -> Applied:
        """The seller tapped "Record order": the buyer's latest filled form becomes the order."""
        for message in reversed(history):
            draft = parse_form(str(message.get("text") or "")) if message.get(
                "direction"
            ) == "in" else None  # fmt: skip
            if draft is None or not draft.items:
                continue
            payment = draft.payment
            command = RecordOrder(draft.items, draft.items, "", payment, "cod" in payment.lower())
            who_buys = Buyer(buyer.chat_key, draft.name or buyer.name, draft.phone or buyer.phone)
            applied = await self.service.run(command, who_buys, now, who)
            if applied.order is not None and draft.address:
                saved = await self.store.update(
                    edit(applied.order, at=now, who=who, address=draft.address)
                )
                applied = replace(applied, order=saved)
            await self.tell(applied, who)
            return applied
        return Applied(reply=self._say("draft_none"))

    def _say(self, key: str, **values: str) -> str:
        lang = language_of(self.service.settings.language)
        return SELLER_TEXTS[lang][key].format(**values)

    def _word(self, name: str) -> str:
        lang = language_of(self.service.settings.language)
        labels = LABELS.get(lang, LABELS["id"])
        return next((label for field, label in labels.items() if field == name), name)

    async def posted(self, body: dict[str, Any], chat_key: str, now: datetime) -> Applied | None:
        """A shop system's order post; None for a repeat (or a body that no longer parses)."""
        try:
            parsed: WebhookOrder = parse_order(body)
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
                await self.store.update(apply_change(order, action, now))
            except BotError as exc:
                log.warning("order %s %s not applied: %s", action.number, action.change, exc)
