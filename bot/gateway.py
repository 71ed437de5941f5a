"""Everything the running service holds, wired together once: store, FAQ, channels,
outbox, runtime. Built by ``create_app``; started and stopped by its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from telegram.request import BaseRequest

from bot.channels.base import Channel, SellerPost, Sent
from bot.channels.telegram import TelegramChannel, parse_update
from bot.channels.webchat import WebChatChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.errors import ChannelError, DeliveryFailed
from bot.faqsource import FaqSource
from bot.inbox_auth import InboxAuth
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.ratelimit import Limits
from bot.runtime import Runtime
from bot.seller import SellerDesk, seller_text
from bot.settings import Settings
from bot.store import Store, open_store
from bot.store.base import OutboxRow, Outgoing

log = logging.getLogger("japri")


@dataclass
class Fakes:
    """Test seams: where the platform HTTP calls go instead of the internet."""

    telegram_request: BaseRequest | None = None
    telegram_updates_request: BaseRequest | None = None
    whatsapp_transport: httpx.AsyncBaseTransport | None = None


@dataclass
class Gateway:
    settings: Settings
    fakes: Fakes = field(default_factory=Fakes)
    shared: bool = False  # other processes use the same store
    timer_interval: float = 15.0  # how often handoff promises are checked
    sweep_interval: float = 30.0  # shared store: how often to look for a stopped peer's work
    faq_source: FaqSource | None = None  # loaded already, or loaded at start

    def __post_init__(self) -> None:
        s = self.settings
        self.metrics = Metrics()
        self.store: Store = open_store(s.store.url, s.base_dir)
        if not s.store.url.startswith("sqlite"):
            self.shared = True  # a database server is there to be shared by other machines
        self.faq = self.faq_source or FaqSource(s.faq_path, s.thresholds())
        self.channels: dict[str, Channel] = {"web": WebChatChannel()}
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        if s.telegram.token:
            self.telegram = TelegramChannel(
                s.telegram.token,
                s.telegram.api_base_url,
                request=self.fakes.telegram_request,
                updates_request=self.fakes.telegram_updates_request,
            )
            self.channels["telegram"] = self.telegram
        if s.whatsapp.access_token and s.whatsapp.phone_number_id:
            self.whatsapp = WhatsAppChannel(
                s.whatsapp.access_token,
                s.whatsapp.phone_number_id,
                s.whatsapp.api_base_url,
                transport=self.fakes.whatsapp_transport,
            )
            self.channels["whatsapp"] = self.whatsapp
        seller = s.seller.telegram_chat_id
        self.seller_chat = str(seller) if seller is not None and self.telegram else None
        self.desk = (
            SellerDesk(
                self.store,
                self.telegram,
                self.seller_chat,
                self.whatsapp.download if self.whatsapp else None,
            )
            if self.telegram and self.seller_chat
            else None
        )
        limits = Limits(
            overall={
                "telegram": s.telegram.max_per_second,
                "whatsapp": s.whatsapp.max_per_second,
            },
            per_chat={"telegram": (s.telegram.max_per_second_per_chat, 6.0)},
            per_group={  # a minute's worth at once, then evenly
                "telegram": (
                    s.telegram.max_per_minute_per_group / 60,
                    s.telegram.max_per_minute_per_group,
                )
            },
        )
        self.outbox = Outbox(
            self.store,
            self.deliver,
            limits,
            self.metrics,
            on_given_up=self.given_up,
            shared=self.shared,
        )
        self.runtime = Runtime(
            store=self.store,
            faq=self.faq,
            policy=s.policy(),
            outbox=self.outbox,
            metrics=self.metrics,
            seller_chat=self.seller_chat,
            shared=self.shared,
            zone=ZoneInfo(s.shop.timezone),
        )
        self.inbox_auth = InboxAuth(s.inbox.password)
        self._tasks: list[asyncio.Task[Any]] = []

    async def deliver(self, row: OutboxRow) -> Sent:
        """One outbox row to its platform (seller posts through the seller desk)."""
        if row.payload.get("op") == "seller_post":
            if self.desk is None:
                raise DeliveryFailed("no seller chat configured (seller.telegram_chat_id)")
            return await self.desk.post(row)
        name, _, to = row.lane.partition(":")
        if row.payload.get("op") == "tg_media":  # a seller's photo for a WhatsApp buyer
            if self.telegram is None or self.whatsapp is None:
                raise DeliveryFailed("a seller's file needs both Telegram and WhatsApp on")
            p = row.payload
            data = await self.telegram.download(str(p["file_id"]))
            mime = str(p.get("mime") or "application/octet-stream")
            return await self.whatsapp.send_file(
                to, data, str(p.get("media_kind")), mime, p.get("caption"), p.get("filename")
            )
        channel = self.channels.get(name)
        if channel is None:
            raise DeliveryFailed(f"the {name} channel is not configured")
        return await channel.send(to, row.payload)

    async def given_up(self, row: OutboxRow, error: str) -> None:
        """A seller's answer that will never arrive: tell the sellers, not only the log."""
        if row.payload.get("kind") != "seller" or self.seller_chat is None:
            return
        note = seller_text(self.settings.shop.language, "not_delivered", error=error)
        lane = f"telegram:{self.seller_chat}"
        post = {"op": "seller_post", "about": row.lane, "text": note}
        out = Outgoing(lane, post, log_chat=row.lane, log_kind="seller_post", log_text=note)
        await self.store.enqueue(out, self.runtime.wall())
        self.outbox.kick(lane)

    async def start(self) -> None:
        await self.store.open()
        if self.faq.faq is None:
            self.faq.load()
        if self.faq.faq is not None:
            self.metrics.faq_entries.set(len(self.faq.faq))
        if self.telegram is not None:
            await self.telegram.start()
        await self.runtime.resume()
        await self.outbox.resume()
        self._spawn(self.faq.watch(), "faq watcher")
        self._spawn(self._gauges(), "gauges")
        self._spawn(self.runtime.watch_timers(self.timer_interval), "handoff timers")
        if self.shared:
            self._spawn(self._sweep(), "orphaned work")
        if self.telegram is not None and self.settings.telegram.mode == "polling":
            self._spawn(self._poll(), "telegram polling")

    async def _sweep(self) -> None:
        """With other processes on the store: now and then take up what a process that
        stopped (or a machine that died) had accepted but not finished. Its leases run out
        within a minute; until then the chats and lanes stay with it."""
        while True:
            await asyncio.sleep(self.sweep_interval)
            try:
                await self.runtime.resume()
                await self.outbox.resume()
            except Exception:
                log.exception("looking for unfinished work failed")

    def _spawn(self, coro: Any, name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(coro, name=name))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.runtime.close()
        await self.outbox.close()
        for channel in self.channels.values():
            await channel.close()
        await self.store.close()

    async def _gauges(self) -> None:
        while True:
            await asyncio.sleep(5)
            with contextlib.suppress(Exception):
                self.metrics.outbox_depth.set(await self.store.outbox_depth())
                if self.faq.faq is not None:
                    self.metrics.faq_entries.set(len(self.faq.faq))

    async def _poll(self) -> None:
        """``telegram.mode: polling``: fetch updates instead of receiving webhooks."""
        assert self.telegram is not None  # noqa: S101 - started only with Telegram on
        try:
            await self.telegram.delete_webhook()
        except ChannelError as exc:
            log.warning("could not remove the Telegram webhook before polling: %s", exc)
        offset: int | None = None
        delay = 1.0
        loop = asyncio.get_running_loop()
        while True:
            asked = loop.time()
            try:
                updates = await self.telegram.get_updates(offset, wait=25)
            except ChannelError as exc:
                log.warning("Telegram polling: %s (again in %.0fs)", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            delay = 1.0
            if not updates and loop.time() - asked < 0.5:
                await asyncio.sleep(0.5)  # an API answering long polls at once: do not spin
            for data in updates:
                offset = int(data["update_id"]) + 1
                try:
                    await self.accept_telegram(data)
                except ValueError as exc:
                    log.warning("skipping a malformed Telegram update: %s", exc)

    async def accept_telegram(self, data: Any) -> bool:
        """One Telegram update from a webhook or polling; False when it is not ours."""
        seller = int(self.seller_chat) if self.seller_chat else None
        bot = self.telegram.bot if self.telegram else None
        parsed = parse_update(data, bot, seller)
        if parsed is None:
            return False
        if isinstance(parsed, SellerPost):
            return await self.runtime.accept_seller(parsed)
        return await self.runtime.accept(parsed)
