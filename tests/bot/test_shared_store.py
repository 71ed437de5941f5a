"""Two processes on one store (``server.workers: 2`` on SQLite, or several machines on
PostgreSQL): each message handled once, in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.settings import load_settings
from tests.bot.fakes import FakeBotApi
from tests.bot.gateway_kit import SECRET, TOKEN, tg_text, write_config

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_workers_share_dedup_order_and_the_outbox(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    import httpx

    store = {}
    if backend == "postgresql":
        store = {"url": request.getfixturevalue("postgres_url")}
    settings = load_settings(write_config(tmp_path, store=store), environ={})
    api = FakeBotApi(TOKEN)
    apps = [
        create_app(
            settings,
            shared=True,
            telegram_request=HTTPXRequest(httpx_kwargs={"transport": api.transport()}),
        )
        for _ in range(2)
    ]
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        clients = [
            httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://w")
            for a in apps
        ]
        updates = [
            tg_text(text, user_id=90)
            for text in ("halo kak", "bahannya apa kak?", "ada garansi gk kak?", "bisa cod?")
        ]
        for n, update in enumerate(updates):
            # the platform's retry lands on the other worker: it must be skipped there
            for client in (clients[n % 2], clients[(n + 1) % 2]):
                response = await client.post("/webhook/telegram", json=update, headers=HEADERS)
                assert response.status_code == 200
        await api.wait_for(lambda c: len(api.sent("sendMessage", "90")) >= 4, timeout=10)
        for app in apps:
            await app.state.gateway.runtime.close()
            await app.state.gateway.outbox.close()
        for client in clients:
            await client.aclose()
    texts = [c.text for c in api.sent("sendMessage", "90")]
    assert len(texts) == 4
    assert "Selamat datang" in texts[0]
    assert "katun" in texts[1]
    assert "garansi" in texts[2].lower()
    assert "COD" in texts[3]


async def test_work_a_stopped_process_left_behind_is_finished_by_another(
    tmp_path: Path,
) -> None:
    from bot.store import open_store

    settings = load_settings(write_config(tmp_path), environ={})
    api = FakeBotApi(TOKEN)
    app = create_app(
        settings,
        shared=True,
        telegram_request=HTTPXRequest(httpx_kwargs={"transport": api.transport()}),
    )
    app.state.gateway.sweep_interval = 0.05
    async with app.router.lifespan_context(app):
        # another process records an update, takes the chat, and dies before answering
        other = open_store(settings.store.url)
        await other.open()
        text = "bahannya apa kak?"
        payload = {"type": "buyer", "kind": "text", "text": text, "profile": {}}
        await other.accept_inbound("telegram:update:orphan-1", "telegram:95", payload, 1.0)
        await other.claim("telegram:95", "a-process-that-died", now=1.0, ttl=30)
        await other.close()

        await api.wait_for(lambda c: len(api.sent("sendMessage", "95")) >= 1, timeout=10)
        await app.state.gateway.runtime.close()
        await app.state.gateway.outbox.close()
    assert "katun" in api.sent("sendMessage", "95")[0].text
