"""Durable timers: a handoff's reminder fires about a second after it is due, after a
restart, and once when two gateways share the store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bot.fakes import FakeBotApi
from tests.bot.gateway_kit import SELLER_CHAT, TOKEN, running, shift_clock, tg_text

SELLER = str(SELLER_CHAT)
REMINDER = "menunggu"  # "⏰ Rina sudah menunggu 6 menit ..."


def reminders(tg: FakeBotApi) -> int:
    return sum(REMINDER in c.text for c in tg.sent("sendMessage", SELLER))


async def test_a_due_timer_fires_within_about_a_second(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=61, name="Rina"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        timers = await bot.gateway.store.timers_of("telegram:61")
        [remind] = [t for t in timers if "remind" in t.kind]
        shift_clock(bot.gateway, remind.due_at - bot.gateway.timers.wall() + 0.2)
        # nobody calls fire(): the timer loop sees it by itself
        await bot.tg.wait_for(lambda c: reminders(bot.tg) == 1, timeout=2.5)


async def test_a_timer_survives_a_restart(config: Path) -> None:
    tg = FakeBotApi(TOKEN)
    async with running(config, tg=tg) as bot:
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=62, name="Rina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
    async with running(config, tg=tg) as bot:  # a new process on the same SQLite file
        shift_clock(bot.gateway, 6 * 60)
        await bot.gateway.timers.fire()
        await tg.wait_for(lambda c: reminders(tg) == 1)


async def test_two_gateways_on_one_store_fire_a_timer_once(config: Path) -> None:
    tg = FakeBotApi(TOKEN)
    async with running(config, tg=tg) as one, running(config, tg=tg) as two:
        await one.telegram(tg_text("bisa ngobrol sama admin?", user_id=63, name="Rina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        for bot in (one, two):
            shift_clock(bot.gateway, 6 * 60)
        fired = [await one.gateway.timers.fire(), await two.gateway.timers.fire()]
        await tg.wait_for(lambda c: reminders(tg) >= 1)
        assert sum(fired) <= 1  # (the timer loops may have fired it first)
        assert await one.gateway.timers.fire() + await two.gateway.timers.fire() == 0
    assert reminders(tg) == 1


async def test_a_chat_handed_off_before_timers_existed_gets_its_timers(config: Path) -> None:
    async with running(config) as bot:
        store, chat = bot.gateway.store, "telegram:64"
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=64, name="Rina"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        for timer in await store.timers_of(chat):  # as an older version left it
            await store.cancel_timer(chat, timer.kind)
        assert await bot.gateway.timers.adopt_old_handoffs() == 1
        for _ in range(200):
            if await store.timers_of(chat):
                break
            await asyncio.sleep(0.01)
        assert {t.kind for t in await store.timers_of(chat)} >= {"handoff_remind"}
        assert await bot.gateway.timers.adopt_old_handoffs() == 0  # once
