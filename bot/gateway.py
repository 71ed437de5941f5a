"""Everything the running service holds, built once from the settings, started and stopped
by the app's lifespan: store, FAQ, channels, outbox, runtime, timers, intake, services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from telegram.request import BaseRequest

from bot.abuse import WebChatGuard
from bot.channels.base import Channel
from bot.channels.polling import TelegramPoller
from bot.channels.telegram import TelegramChannel
from bot.channels.webchat import WebChatChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.delivery import Delivery
from bot.desk import SellerDesk
from bot.faqsource import FaqSource
from bot.handlers import Handlers
from bot.inbox_auth import InboxAuth
from bot.intake import Intake
from bot.learning import Learning
from bot.metrics import Metrics
from bot.orders.setup import build_orders
from bot.outbox import PAUSE_KEY, Outbox
from bot.ratelimit import Limits
from bot.relay import MediaRelay
from bot.retention import keep_purging
from bot.runtime import Runtime
from bot.seller import SellerChat
from bot.services import HealthService, InboxService, WebChatService
from bot.settings import Settings
from bot.shop_messages import ShopMessages
from bot.store import Store, open_store
from bot.timers import TimerClock
from bot.warnings import StartupCheck, log_warnings

log = logging.getLogger("japri")


class Gateway:
    """The composition root.

    ``telegram_request``, ``telegram_updates_request`` and ``whatsapp_transport`` replace
    the HTTP backends under the platform clients (tests pass fakes of the platforms).
    ``shared``: other processes use the same store, so chats and lanes are leased there.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        shared: bool = False,
        faq_source: FaqSource | None = None,
        telegram_request: BaseRequest | None = None,
        telegram_updates_request: BaseRequest | None = None,
        whatsapp_transport: httpx.AsyncBaseTransport | None = None,
        sweep_interval: float = 30.0,
    ) -> None:
        s = settings
        self.settings = settings
        self.sweep_interval = sweep_interval  # shared store: how often to look for a
        # stopped peer's unfinished work
        self.metrics = Metrics()
        self.store: Store = open_store(s.store.url, s.base_dir)
        # a database server is there to be shared by other machines
        self.shared = shared or not s.store.url.startswith("sqlite")
        self.faq = faq_source or FaqSource(s.faq_path, s.thresholds())
        self.channels: dict[str, Channel] = {"web": WebChatChannel()}
        seller = s.seller.telegram_chat_id
        self.telegram: TelegramChannel | None = None
        self.whatsapp: WhatsAppChannel | None = None
        if s.telegram.token:
            self.telegram = TelegramChannel(
                s.telegram.token,
                s.telegram.api_base_url,
                request=telegram_request,
                updates_request=telegram_updates_request,
                pool_size=s.telegram.pool_size,
                seller_chat=None if seller is None else str(seller),
            )
            self.channels["telegram"] = self.telegram
        if s.whatsapp.access_token and s.whatsapp.phone_number_id:
            self.whatsapp = WhatsAppChannel(
                s.whatsapp.access_token,
                s.whatsapp.phone_number_id,
                s.whatsapp.api_base_url,
                transport=whatsapp_transport,
                pool_size=s.whatsapp.pool_size,
                templates=s.whatsapp.templates,
            )
            self.channels["whatsapp"] = self.whatsapp
        self.seller_chat = str(seller) if seller is not None and self.telegram else None
        policy = s.policy()
        self.seller = SellerChat(self.seller_chat, s.shop.language, policy.idle_hours)
        relay = MediaRelay(self.telegram, self.whatsapp)
        desk = (
            SellerDesk(self.store, self.telegram, self.seller_chat, relay)
            if self.telegram and self.seller_chat
            else None
        )
        self.outbox = Outbox(
            self.store,
            Delivery(
                self.channels,
                desk,
                relay,
                self.seller,
                shop=ShopMessages(self.store, self.whatsapp),
                allowance=s.whatsapp.monthly_allowance,
            ),
            _limits(s),
            self.metrics,
            concurrency={"telegram": s.telegram.pool_size, "whatsapp": s.whatsapp.pool_size},
            shared=self.shared,
        )
        zone = ZoneInfo(s.shop.timezone)
        self.learning = Learning(self.store, self.faq, self.seller, zone)
        # the web chat's limits: its route admits messages, the handlers count handoffs
        self.webchat_guard = WebChatGuard(s.webchat)
        self.orders = build_orders(s, self.store)
        self.handlers = handlers = Handlers(
            self.store,
            self.faq,
            policy,
            self.metrics,
            self.seller,
            zone,
            self.learning,
            guard=self.webchat_guard,
            orders=self.orders,
        )
        self.runtime = Runtime(
            self.store,
            handlers.handle,
            self.outbox.kick,
            self.metrics,
            shared=self.shared,
            lanes=self.outbox.leases.taken_for_me(),  # perf: a commit takes its lanes
        )
        self.timers = TimerClock(self.store, self.runtime.schedule)
        self.intake = Intake(self.store, self.metrics, self.runtime.schedule)
        self.orders.post = self.intake.order_update
        self.intake.kick_outbox = self.outbox.kick  # a late 131047: resend as the template
        self.intake.refused_later = self.outbox.refused_later  # a late limit: again, later
        self.webchat = WebChatService(self.intake, self.store)
        self.inbox = InboxService(self.intake, self.store)
        self.health = HealthService(
            self.store, self.faq, self.metrics, sorted(self.channels), self.settings
        )
        self.inbox_auth = InboxAuth(s.inbox.password, sessions=self.store)
        self._tasks: list[asyncio.Task[Any]] = []

    async def start(self) -> None:
        await self.store.open()
        if self.faq.faq is None:
            self.faq.load()
        if self.faq.faq is not None:
            self.metrics.faq_entries.set(len(self.faq.faq))
        if self.telegram is not None:
            refused = await self.telegram.start()
            if refused is not None:
                self.health.startup = StartupCheck(rejected={"telegram": refused})
        log_warnings(self.settings, self.health.startup)
        if not self.shared:
            # the only process on this SQLite file (its lock says so): leases found are a
            # killed predecessor's; waiting 30 s for them would stall its buyers' chats
            dropped = await self.store.drop_leases(keep=PAUSE_KEY)
            if dropped:
                log.warning("dropped %d leases of a process that stopped without them", dropped)
        await self.runtime.resume()
        await self.outbox.resume()
        await self.timers.adopt_old_handoffs()
        await self.learning.arm(time.time())  # the weekly note in the seller chat
        self._spawn(self.faq.watch(), "faq watcher")
        self._spawn(self._gauges(), "gauges")
        self._spawn(self.timers.run(), "timers")
        self._spawn(keep_purging(self.store, self.settings.retention), "retention")
        if self.shared:
            self._spawn(self._sweep(), "orphaned work")
        if self.telegram is not None and self.settings.telegram.mode == "polling":
            poller = TelegramPoller(self.telegram, self.intake.accept_any)
            self._spawn(poller.run(), "telegram polling")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.runtime.close()
        await self.outbox.close()
        await self.orders.close()
        for channel in self.channels.values():
            await channel.close()
        await self.store.close()

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.get_running_loop().create_task(coro, name=name))

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

    async def _gauges(self) -> None:
        while True:
            await asyncio.sleep(5)
            with contextlib.suppress(Exception):
                self.metrics.outbox_depth.set(await self.store.outbox_depth())
                if self.faq.faq is not None:
                    self.metrics.faq_entries.set(len(self.faq.faq))


def _limits(s: Settings) -> Limits:
    return Limits(
        overall={"telegram": s.telegram.max_per_second, "whatsapp": s.whatsapp.max_per_second},
        per_chat={"telegram": (s.telegram.max_per_second_per_chat, 6.0)},
        per_group={  # a minute's worth at once, then evenly
            "telegram": (
                s.telegram.max_per_minute_per_group / 60,
                s.telegram.max_per_minute_per_group,
            )
        },
    )
