"""Durable timers: a handoff's reminder fires about a second after it is due, after a
restart, and once when two gateways share the store."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.store.base import TimerChange, Turn
from bot.store.memory import MemoryStore
from bot.timers import ADOPTED, TimerClock
from tests.bot.fakes import FakeBotApi
from tests.bot.gateway_kit import (
    SELLER_CHAT,
    TOKEN,
    eventually,
    running,
    shift_clock,
    tg_text,
)

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
    tg, chat = FakeBotApi(TOKEN), "telegram:64"
    async with running(config, tg=tg) as bot:
        store = bot.gateway.store
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=64, name="Rina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        for timer in await store.timers_of(chat):  # as an older version left it: no timers
            await store.cancel_timer(chat, timer.kind)
    with sqlite3.connect(config.parent / "japri.db") as db:  # ... and no mark
        db.execute("DELETE FROM marks")
    async with running(config, tg=tg) as bot:  # the upgraded process adopts it as it starts
        store = bot.gateway.store

        async def has_timers() -> bool:
            return bool(await store.timers_of(chat))

        await eventually(has_timers, what="the adopted chat's timers")
        assert {t.kind for t in await store.timers_of(chat)} >= {"handoff_remind"}
        assert await bot.gateway.timers.adopt_old_handoffs() == 0  # once
        assert await store.marked(ADOPTED)


class CountingStore(MemoryStore):
    """A store that counts the scans of every handed-off chat (the costly read at scale)."""

    scans = 0

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        self.scans += 1
        return await super().handed_off_chats()


async def test_old_handoffs_are_looked_for_until_none_is_left_then_never_again() -> None:
    store = CountingStore()
    await store.open()
    handed = {"stage": "handed_off", "handoff_reason": "human"}
    idle = TimerChange("handoff_idle", 5000.0)
    await store.commit_turn(Turn(0, "telegram:1", handed, timers=[idle]), 10.0)  # this version
    await store.commit_turn(Turn(0, "telegram:2", handed), 10.0)  # as an older version left it
    scheduled: list[str] = []
    clock = TimerClock(store, scheduled.append, wall=lambda: 1000.0)

    assert await clock.adopt_old_handoffs() == 1
    assert scheduled == ["telegram:2"]
    assert await clock.adopt_old_handoffs() == 0  # its tick is queued, not yet handled
    assert store.scans == 2
    await store.set_timer("telegram:2", "handoff_idle", 5000.0, {}, 1000.0)  # the tick's work
    assert await clock.adopt_old_handoffs() == 0  # every handed-off chat has its timers now
    assert store.scans == 3
    for _ in range(3):  # later starts: one read of the mark, no scan
        assert await clock.adopt_old_handoffs() == 0
    assert store.scans == 3
    assert scheduled == ["telegram:2"]
    in_2100 = 4_102_444_800.0
    assert await store.fire_due_timers(in_2100) == ["telegram:1", "telegram:2"]
