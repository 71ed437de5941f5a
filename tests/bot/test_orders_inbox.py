"""The inbox's order panel and orders page: record, ship, deliver and cancel as the seller
commands do; the orders page filters by status with late orders first."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.bot.gateway_kit import Running, running, shift_clock, tg_text, write_config
from tests.bot.test_inbox import PASSWORD, csrf_of, login


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, inbox={"password": PASSWORD})


async def act(bot: Running, chat: str, action: str, **form: str) -> httpx.Response:
    return await bot.client.post(f"/inbox/chat/{chat}/orders/{action}", data=form)


async def buyer_gets(bot: Running, user: int, text: str) -> None:
    await bot.tg.wait_for(
        lambda c: any(text in m.text for m in bot.tg.sent("sendMessage", str(user)))
    )


async def test_the_order_panel_records_ships_delivers_and_cancels(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("halo kak", user_id=81, name="Rina"))
        await bot.tg.wait_for(lambda c: bool(bot.tg.sent("sendMessage", "81")))
        await login(bot)
        chat = "telegram:81"
        token = await csrf_of(bot, chat)
        panel = await bot.client.get(f"/inbox/chat/{chat}/orders")
        assert "Belum ada pesanan" in panel.text
        await act(bot, chat, "record", csrf=token, text="1x Sepatu Canvas 40 Rp250.000 transfer")
        await buyer_gets(bot, 81, "JP-")
        [order] = await bot.gateway.orders.store.for_chat(chat)
        number = order.number
        await act(bot, chat, "ship", csrf=token, number=number, courier="JNE", tracking="CGK777")
        await buyer_gets(bot, 81, "CGK777")
        await act(bot, chat, "deliver", csrf=token, number=number)
        await bot.tg.wait_for(
            lambda c: any("sampai" in m.text for m in bot.tg.sent("sendMessage"))
        )
        panel = await bot.client.get(f"/inbox/chat/{chat}/orders")
        assert "CGK777" in panel.text
        assert (await act(bot, chat, "cancel", csrf="wrong", number=number)).status_code == 403
        assert (await act(bot, chat, "fax", csrf=token)).status_code == 404


async def test_the_orders_page_filters_and_puts_late_orders_first(config: Path) -> None:
    async with running(config) as bot:
        for user in (82, 83):
            await bot.telegram(tg_text("halo kak", user_id=user, name=f"B{user}"))
        await bot.tg.wait_for(lambda c: bool(bot.tg.sent("sendMessage", "83")))
        await login(bot)
        token = await csrf_of(bot, "telegram:82")
        await act(bot, "telegram:82", "record", csrf=token, text="1x Tas Rp100.000 COD")
        await buyer_gets(bot, 82, "JP-")
        shift_clock(bot.gateway, 10 * 86400)  # the first order is late by now
        await act(bot, "telegram:83", "record", csrf=token, text="1x Dompet Rp50.000 COD")
        await buyer_gets(bot, 83, "JP-")
        page = (await bot.client.get("/inbox/orders")).text
        assert page.index("Tas") < page.index("Dompet")
        assert "terlambat" in page
        assert "Tas" not in (await bot.client.get("/inbox/orders?status=delivered")).text


async def _web_shows(bot: Running, session: str, text: str, times: int = 1) -> list[str]:
    import asyncio

    for _ in range(500):
        answer = await bot.client.get("/chat/messages", params={"session": session})
        said = [m["text"] for m in answer.json()["messages"]]
        if sum(text in s for s in said) >= times:
            return said
        await asyncio.sleep(0.01)
    raise AssertionError(f"the web chat never showed {text!r}: {said}")


async def test_a_web_chat_buyer_gets_the_order_news_and_asks_where_it_is(config: Path) -> None:
    session = "weborder0001"
    async with running(config) as bot:
        said = {"session": session, "id": "m1", "text": "saya mau order 2, transfer ke mana?"}
        assert (await bot.client.post("/chat/messages", json=said)).status_code == 202
        await _web_shows(bot, session, "admin")  # handed to a seller
        await login(bot)
        chat = f"web:{session}"
        token = await csrf_of(bot, chat)
        await act(bot, chat, "record", csrf=token, text="2x Sepatu Canvas 41 Rp500.000")
        thanks = await _web_shows(bot, session, "JP-")
        [order] = await bot.gateway.orders.store.for_chat(chat)
        assert any(order.number in s for s in thanks)
        await act(
            bot, chat, "ship", csrf=token, number=order.number, courier="JNE", tracking="CGK9"
        )
        await _web_shows(bot, session, "CGK9")
        released = await bot.client.post(f"/inbox/chat/{chat}/release", data={"csrf": token})
        assert released.status_code < 400
        asked = {"session": session, "id": "m2", "text": "paket saya udah sampai mana kak?"}
        await bot.client.post("/chat/messages", json=asked)
        # the shipping news, then the answer to "where is it?" from the real order
        answers = await _web_shows(bot, session, "CGK9", times=2)
        assert "JNE" in answers[-1]
