"""POST /webhook/telegram and /webhook/whatsapp are served straight from ASGI (perf): they
answer exactly as the FastAPI routes do, keep the edge's body cap and security headers,
and record an update once."""

from __future__ import annotations

import hmac
import json
from collections.abc import AsyncIterator
from hashlib import sha256
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.routes.webhooks import FastWebhooks
from bot.security import WEBHOOK_BODY
from bot.settings import load_settings
from tests.bot.fakes import FakeBotApi, FakeGraphApi
from tests.bot.gateway_kit import (
    APP_SECRET,
    PHONE_ID,
    SECRET,
    TOKEN,
    WA_TOKEN,
    tg_text,
    wa_envelope,
    wa_text,
)

CASES = [
    ("a buyer's message", {"X-Telegram-Bot-Api-Secret-Token": SECRET}, None),
    ("no secret", {}, None),
    ("a wrong secret", {"X-Telegram-Bot-Api-Secret-Token": "nope"}, None),
    ("broken JSON", {"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"{not json"),
    ("not an update", {"X-Telegram-Bot-Api-Secret-Token": SECRET}, b'{"hello": 1}'),
    ("an update of an odd shape", {"X-Telegram-Bot-Api-Secret-Token": SECRET}, b"[1, 2]"),
]


@pytest.fixture
async def clients(
    config: Path,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI]]:
    """The app as served, the same app without the fast path (the FastAPI route), and
    the served app."""
    apps: list[FastAPI] = []
    for fast in (True, False):
        tg = FakeBotApi(TOKEN)
        request = HTTPXRequest(httpx_kwargs={"transport": tg.transport()})
        app = create_app(
            load_settings(config, environ={}),
            telegram_request=request,
            whatsapp_transport=FakeGraphApi(WA_TOKEN, PHONE_ID).transport(),
        )
        if not fast:
            app.user_middleware = [m for m in app.user_middleware if m.cls is not FastWebhooks]
        apps.append(app)
    async with apps[0].router.lifespan_context(apps[0]), apps[1].router.lifespan_context(apps[1]):
        served, routed = (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://japri.test")
            for a in apps
        )
        async with served, routed:
            yield served, routed, apps[0]


@pytest.mark.parametrize(("what", "headers", "body"), CASES, ids=[c[0] for c in CASES])
async def test_the_fast_path_answers_as_the_route_does(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
    what: str,
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    served, routed, _ = clients
    content = body if body is not None else httpx.Request("POST", "/", json=tg_text("halo")).read()
    answers = [
        await client.post("/webhook/telegram", content=content, headers=headers)
        for client in (served, routed)
    ]
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].json() == answers[1].json()
    assert answers[0].headers["x-content-type-options"] == "nosniff"  # the edge's headers


def _signed(body: bytes, key: str = APP_SECRET) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(key.encode(), body, sha256).hexdigest()}


def _json(data: object) -> bytes:
    return json.dumps(data).encode()


STATUS = {"id": "wamid.OUT1", "status": "read", "recipient_id": "6281234567890"}
WA_CASES = [
    ("a buyer's message", _json(wa_text("halo")), None),
    ("a delivery receipt", _json(wa_envelope({"statuses": [STATUS]})), None),
    ("no signature", _json(wa_text("halo")), {}),
    ("a wrong signature", _json(wa_text("halo")), _signed(b"", "nope")),
    ("broken JSON", b"{not json", None),
    ("not a notification", b"[1, 2]", None),
    ("an odd entry", b'{"entry": {"a": 1}}', None),
]


@pytest.mark.parametrize(("what", "body", "headers"), WA_CASES, ids=[c[0] for c in WA_CASES])
async def test_the_whatsapp_fast_path_answers_as_the_route_does(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
    what: str,
    body: bytes,
    headers: dict[str, str] | None,
) -> None:
    served, routed, _ = clients
    sent = _signed(body) if headers is None else headers
    answers = [
        await client.post("/webhook/whatsapp", content=body, headers=sent)
        for client in (served, routed)
    ]
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].content == answers[1].content
    assert answers[0].headers["content-type"] == answers[1].headers["content-type"]
    assert answers[0].headers["x-content-type-options"] == "nosniff"  # the edge's headers


async def test_a_whatsapp_message_sent_twice_is_recorded_once(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
) -> None:
    served, _, app = clients
    body = _json(wa_text("brp ongkir ke bdg kak?"))
    for _ in range(2):
        answer = await served.post("/webhook/whatsapp", content=body, headers=_signed(body))
        assert answer.status_code == 200
    wamid = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    gateway = app.state.gateway
    assert not await gateway.store.accept_inbound(f"whatsapp:{wamid}", "whatsapp:1", {}, 0.0)


async def test_the_edge_still_caps_the_body(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
) -> None:
    served, _, _ = clients
    huge = b"{" + b" " * (WEBHOOK_BODY + 1) + b"}"
    answer = await served.post(
        "/webhook/telegram", content=huge, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert answer.status_code == 413


async def test_an_update_sent_twice_is_recorded_once(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
) -> None:
    served, _, app = clients
    update = tg_text("brp ongkir ke bdg kak?")
    for _ in range(2):
        answer = await served.post(
            "/webhook/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert answer.status_code == 200
    gateway = app.state.gateway
    dedup = f"telegram:update:{update['update_id']}"
    assert not await gateway.store.accept_inbound(dedup, "telegram:42", {}, 0.0)


async def test_the_edge_caps_a_whatsapp_body_declared_or_streamed(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient, FastAPI],
) -> None:
    """The fast path reads the whole body before the signature can be checked: the edge's
    cap must stop a huge one, also when no Content-Length announces it."""
    served, _, app = clients
    huge = b"{" + b" " * (WEBHOOK_BODY + 1) + b"}"
    declared = await served.post("/webhook/whatsapp", content=huge, headers=_signed(huge))

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 64 * 1024):
            yield huge[start : start + 64 * 1024]

    streamed = await served.post("/webhook/whatsapp", content=chunks(), headers=_signed(huge))
    assert "content-length" not in streamed.request.headers
    assert (declared.status_code, streamed.status_code) == (413, 413)
    assert await app.state.gateway.store.outbox_depth() == 0
