"""The runtime's loop: each event type reaches its handler; an unreadable one fails alone."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.events import OrderUpdate, encode
from flows.messages import OrderView
from tests.bot.gateway_kit import Running, running, tg_text


async def _settled(bot: Running) -> None:
    for _ in range(300):
        if not await bot.gateway.store.chats_with_pending_inbound():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("events still waiting")


async def test_an_order_update_and_an_unreadable_event_do_not_hold_up_the_chat(
    config: Path,
) -> None:
    async with running(config) as bot:
        store, chat = bot.gateway.store, "telegram:66"
        order = OrderUpdate(OrderView("JP-0001", "paid"), "paid", by="Sari")
        now = time.time()
        assert await store.accept_inbound("order:1", chat, encode(order), now)
        assert await store.accept_inbound("odd:1", chat, {"type": "fax"}, now)
        bot.gateway.runtime.schedule(chat)
        await _settled(bot)
        # ... and the chat still answers
        await bot.telegram(tg_text("bisa cod?", user_id=66))
        await bot.tg.wait_for(
            lambda c: any("COD" in m.text for m in bot.tg.sent("sendMessage", "66"))
        )
