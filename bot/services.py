"""The narrow services routes use (the web chat, the inbox, health) instead of the store."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot import stats
from bot.channels import webchat
from bot.channels.base import Inbound
from bot.commands import Say, decode
from bot.errors import ParseError
from bot.events import SellerEvent
from bot.faqsource import FaqSource
from bot.intake import Intake
from bot.metrics import Metrics
from bot.settings import Settings
from bot.store.base import Contact, OutboxQueue, ReadModel, Store
from bot.warnings import StartupCheck, warnings

MAX_MESSAGE_ID = 2**63 - 1  # ids are 64-bit integers in every store


class WebChatService:
    """The web chat page's two calls: post a message, fetch the bot's answers."""

    def __init__(self, intake: Intake, reads: ReadModel) -> None:
        self.intake = intake
        self.reads = reads

    async def post(self, inbound: Inbound) -> bool:
        """Record a message from the page (parsed by ``webchat.parse_post``)."""
        return await self.intake.accept(inbound)

    async def messages(self, session: str, after: int) -> list[dict[str, Any]]:
        """The bot's messages after id ``after`` (none past the largest id there can be)."""
        if not 0 <= after < MAX_MESSAGE_ID:
            return []
        found = await self.reads.messages_after(webchat.chat_key(session), after)
        return [_for_page(m) for m in found]


def _for_page(message: dict[str, Any]) -> dict[str, Any]:
    """A sent message as the page shows it: text, and the options it offered."""
    item = {k: message.get(k) for k in ("id", "kind", "text", "at")}
    options: list[list[str]] = []
    if message.get("payload"):
        try:
            command = decode(message["payload"])
        except ParseError:
            command = None
        if isinstance(command, Say):
            options = [list(pair) for pair in command.options]
    item["options"] = options
    return item


class InboxService:
    """What the sellers' web inbox reads and does."""

    def __init__(self, intake: Intake, reads: ReadModel) -> None:
        self.intake = intake
        self.reads = reads

    async def chats(self, search: str | None = None) -> list[dict[str, Any]]:
        return await self.reads.inbox_chats(search=search)

    async def contact(self, chat_key: str) -> Contact | None:
        return await self.reads.contact(chat_key)

    async def open_chat(
        self, chat_key: str, limit: int = 200
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """A seller looks at a chat: it counts as read; its history and inbox row."""
        await self.reads.mark_seen(chat_key, time.time())
        history = await self.reads.history(chat_key, limit)
        found = await self.reads.inbox_chats(1, chat_key=chat_key)
        return history, found[0] if found else {}

    async def act(
        self, chat_key: str, seller: str, text: str = "", command: str | None = None
    ) -> None:
        """An answer, "take over" (``take``) or "back to bot" (``done``)."""
        await self.intake.seller_acts(chat_key, SellerEvent(text, command, seller_name=seller))

    async def recent(
        self, chat_keys: Sequence[str], limit: int
    ) -> dict[str, list[dict[str, Any]]]:
        """Each chat's latest messages, in one read (the list quotes the buyer's words)."""
        return await self.reads.recent_histories(chat_keys, limit)

    async def sent(self, chat_key: str, after_id: int) -> list[dict[str, Any]]:
        """Messages sent to the chat after ``after_id``, with the commands they came from
        (a clarify question's options)."""
        return await self.reads.messages_after(chat_key, after_id)

    async def summary(self, zone: ZoneInfo, now: float, days: int) -> stats.Summary:
        """The Ringkasan figures (bot.stats) over the last ``days`` shop days."""
        return await stats.read(self.reads, zone, now, days)

    async def annotate(self, chat_key: str, tags: str, notes: str) -> bool:
        return await self.reads.annotate(chat_key, tags, notes)

    async def contact_rows(self) -> list[dict[str, Any]]:
        return await self.reads.contact_rows()


class HealthService:
    """What /healthz and /metrics report."""

    def __init__(
        self,
        store: Store,
        faq: FaqSource,
        metrics: Metrics,
        channels: list[str],
        settings: Settings,
    ) -> None:
        self._store = store
        self.faq = faq
        self.metrics = metrics
        self.channels = channels
        self._settings = settings
        self.startup = StartupCheck()  # what the platforms said at start (the gateway sets it)

    def warnings(self) -> list[str]:
        """What stops part of the shop from working, in plain words."""
        return warnings(self._settings, self.startup)

    async def store_ok(self) -> bool:
        return await self._store.ping()

    async def outbox_depth(self) -> int:
        queue: OutboxQueue = self._store
        return await queue.outbox_depth()
