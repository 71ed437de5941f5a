"""The inbox's order panel and orders page: record, ship, deliver and cancel as the seller
commands do; the orders page filters by status with late orders first."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.gateway_kit import Running, running, shift_clock, tg_text, write_config
from tests.bot.test_inbox import PASSWORD, csrf_of, login


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, inbox={"password": PASSWORD})


async def buyer_said(bot: Running, user: int, text: str) -> list[str]:
    return [c.text for c in bot.tg.sent("sendMessage", str(user)) if text in c.text]


async def test_the_order_panel_records_ships_delivers_and_cancels(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("halo kak", user_id=81, name="Rina"))
        await bot.tg.wait_for(lambda c: bool(bot.tg.sent("sendMessage", "81")))
        await login(bot)
        chat = "telegram:81"
        token = await csrf_of(bot, chat)
        panel = await bot.client.get(f"/inbox/chat/{chat}/orders")
        assert "Belum ada pesanan" in panel.text
        post = bot.client.post
        await post(f"/inbox/chat/{chat}/orders/record",
                   data={"csrf": token, "text": "1x Sepatu Canvas 40 Rp250.000 transfer"})  # fmt: skip
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in
                                            [x.text for x in bot.tg.sent("sendMessage", "81")]))  # fmt: skip
        [order] = await bot.gateway.orders.store.for_chat(chat)
        await post(f"/inbox/chat/{chat}/orders/ship", data={"csrf": token, "number": order.number,
                   "courier": "JNE", "tracking": "CGK777"})  # fmt: skip
        await bot.tg.wait_for(lambda c: "CGK777" in bot.tg.sent("sendMessage", "81")[-1].text)
        await post(f"/inbox/chat/{chat}/orders/deliver", data={"csrf": token,
                                                                "number": order.number})  # fmt: skip
        panel = await bot.client.get(f"/inbox/chat/{chat}/orders")
        for _ in range(50):
            if "Sampai" in panel.text:
                break
            panel = await bot.client.get(f"/inbox/chat/{chat}/orders")
        assert "CGK777" in panel.text
        refused = await post(f"/inbox/chat/{chat}/orders/cancel", data={"csrf": "wrong"})
        assert refused.status_code == 403
        assert (
            await post(f"/inbox/chat/{chat}/orders/fax", data={"csrf": token})
        ).status_code == 404


async def test_the_orders_page_filters_and_puts_late_orders_first(config: Path) -> None:
    async with running(config) as bot:
        for user in (82, 83):
            await bot.telegram(tg_text("halo kak", user_id=user, name=f"B{user}"))
        await bot.tg.wait_for(lambda c: bool(bot.tg.sent("sendMessage", "83")))
        await login(bot)
        token = await csrf_of(bot, "telegram:82")
        await bot.client.post("/inbox/chat/telegram:82/orders/record",
                              data={"csrf": token, "text": "1x Tas Rp100.000 COD"})  # fmt: skip
        await bot.tg.wait_for(lambda c: any("JP-" in c2.text
                                            for c2 in bot.tg.sent("sendMessage", "82")))  # fmt: skip
        shift_clock(bot.gateway, 10 * 86400)  # the first order is late by now
        await bot.client.post("/inbox/chat/telegram:83/orders/record",
                              data={"csrf": token, "text": "1x Dompet Rp50.000 COD"})  # fmt: skip
        await bot.tg.wait_for(lambda c: any("JP-" in c2.text
                                            for c2 in bot.tg.sent("sendMessage", "83")))  # fmt: skip
        page = (await bot.client.get("/inbox/orders")).text
        assert page.index("Tas") < page.index("Dompet")
        assert "terlambat" in page
        assert "Tas" not in (await bot.client.get("/inbox/orders?status=delivered")).text
