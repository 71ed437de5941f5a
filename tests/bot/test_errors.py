"""Failures answered for what they are: a store that cannot record asks the platform to
retry (503), a body that cannot be read is the sender's fault (400)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.errors import StoreError
from tests.bot.gateway_kit import running, tg_text, wa_text

SESSION = "sess-0123456789"


async def _broken(*_args: Any, **_kwargs: Any) -> Any:
    raise StoreError("database is locked")


async def test_a_store_that_cannot_record_asks_every_sender_to_retry(config: Path) -> None:
    async with running(config) as bot:
        bot.gateway.store.accept_inbound = _broken  # type: ignore[method-assign]
        assert (await bot.telegram(tg_text("halo kak"))).status_code == 503
        assert (await bot.whatsapp(wa_text("halo kak"))).status_code == 503
        posted = await bot.client.post("/chat/messages", json={"session": SESSION, "text": "x"})
        assert posted.status_code == 503


async def test_a_store_that_cannot_be_read_answers_503_to_the_page(config: Path) -> None:
    async with running(config) as bot:
        bot.gateway.store.messages_after = _broken  # type: ignore[method-assign]
        fetched = await bot.client.get("/chat/messages", params={"session": SESSION})
        assert fetched.status_code == 503


@pytest.mark.parametrize(
    ("after", "status"),
    [
        ("0", 200),
        ("9223372036854775807", 200),  # the largest id there can be: nothing after it
        ("9223372036854775808", 200),
        ("99999999999999999999", 200),
        ("1e23", 400),
        ("-1", 400),
        ("²", 400),
        ("9" * 5000, 400),
    ],
)
async def test_any_after_gets_an_answer_below_500(config: Path, after: str, status: int) -> None:
    async with running(config) as bot:
        fetched = await bot.client.get(
            "/chat/messages", params={"session": SESSION, "after": after}
        )
        assert fetched.status_code == status
        if status == 200:
            assert fetched.json() == {"messages": []} or after == "0"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/webhook/telegram", {"no": "update_id"}),
        ("/chat/messages", {"session": "short"}),
        ("/chat/messages", ["not", "an", "object"]),
    ],
)
async def test_a_body_that_cannot_be_read_is_400(config: Path, path: str, body: Any) -> None:
    async with running(config) as bot:
        if path == "/webhook/telegram":
            response = await bot.telegram(body)
        else:
            response = await bot.client.post(path, json=body)
        assert response.status_code == 400
