"""``telegram.mode: polling``: fetch updates instead of receiving webhooks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.channels.base import Inbound, SellerPost
from bot.channels.telegram import TelegramChannel
from bot.errors import ChannelError, ParseError
from bot.leases import Sleep

log = logging.getLogger("japri")
Accept = Callable[[Inbound | SellerPost | None], Awaitable[bool]]


class TelegramPoller:
    """Long-polls the Bot API and hands each update to ``accept``, as a webhook would."""

    def __init__(
        self, telegram: TelegramChannel, accept: Accept, *, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.telegram = telegram
        self.accept = accept
        self.sleep = sleep

    async def run(self) -> None:
        """Until cancelled; a failing API is asked again with a growing pause (to 60 s)."""
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
                await self.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            delay = 1.0
            if not updates and loop.time() - asked < 0.5:
                await self.sleep(0.5)  # an API answering long polls at once: do not spin
            for data in updates:
                offset = int(data["update_id"]) + 1
                try:
                    await self.accept(self.telegram.parse(data))
                except ParseError as exc:
                    log.warning("skipping a malformed Telegram update: %s", exc)
