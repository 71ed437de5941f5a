"""Nothing lost, nothing doubled: what was accepted before a stop is finished after it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.errors import StoreError
from tests.bot.fakes import FakeBotApi
from tests.bot.gateway_kit import TOKEN, FakeClock, running, tg_text, write_config

_DOWN = {"ok": False, "error_code": 502, "description": "Bad Gateway"}


async def test_replies_queued_while_telegram_was_down_go_out_once_after_a_restart(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    update = tg_text("ada garansi gk kak?", user_id=77)
    down = FakeBotApi(TOKEN)
    down.fail("sendMessage", 502, _DOWN, times=1000)
    async with running(config, tg=down) as bot:
        assert (await bot.telegram(update)).status_code == 200
        await down.wait_for(lambda c: len(down.sent("sendMessage")) >= 1)
        assert await bot.gateway.store.outbox_depth() == 1  # kept, to be retried

    up = FakeBotApi(TOKEN)
    async with running(config, tg=up, clock=FakeClock()) as bot:  # the retry is due at once
        await up.wait_for(lambda c: len(up.sent("sendMessage", "77")) >= 1)
        assert "garansi" in up.sent("sendMessage", "77")[0].text.lower()
        # Telegram delivers the same update again after the restart: not answered twice
        assert (await bot.telegram(update)).status_code == 200
        await bot.gateway.runtime.close()
        await bot.gateway.outbox.close()
        assert len(up.sent("sendMessage", "77")) == 1


async def test_an_accepted_but_unprocessed_message_is_processed_after_a_restart(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    async with running(config) as bot:
        await bot.gateway.runtime.close()  # simulate dying right after the 200
        assert (await bot.telegram(tg_text("halo kak", user_id=78))).status_code == 200
        assert await bot.gateway.store.chats_with_pending_inbound() == ["telegram:78"]
        assert bot.tg.sent("sendMessage") == []

    fresh = FakeBotApi(TOKEN)
    async with running(config, tg=fresh):
        await fresh.wait_for(lambda c: len(fresh.sent("sendMessage", "78")) == 1)


async def test_a_send_whose_bookkeeping_fails_is_recorded_later_not_sent_twice(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    async with running(config, clock=FakeClock()) as bot:
        store = bot.gateway.store
        real = store.mark_sent_next  # the outbox records a send with the lane's next row
        failures = 2

        async def flaky(*args: Any, **kwargs: Any) -> Any:
            nonlocal failures
            if failures:
                failures -= 1
                raise StoreError("database is locked")
            return await real(*args, **kwargs)

        store.mark_sent_next = flaky  # type: ignore[method-assign]
        await bot.telegram(tg_text("bisa cod?", user_id=79))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", "79")) >= 1)
        for _ in range(300):
            if await store.outbox_depth() == 0:
                break
            await asyncio.sleep(0.01)
        assert failures == 0
        assert await store.outbox_depth() == 0
        assert len(bot.tg.sent("sendMessage", "79")) == 1
