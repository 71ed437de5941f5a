"""Whatever the platforms (or someone pretending to be them) post, the webhooks answer with
a status below 500, processing never crashes, and the bot stays healthy.

Payloads are shaped like real updates — the keys Telegram and WhatsApp use, in their
places — but every value may be of any JSON type, missing, huge or odd Unicode.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.gateway_kit import SECRET, SELLER_CHAT, Running, running

anything: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually the well-typed value, sometimes anything at all."""
    return st.one_of(strategy, strategy, anything)


def shaped(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object with these keys, each present or not."""
    return st.fixed_dictionaries({}, optional=fields)


ids = maybe(st.integers(min_value=-(10**13), max_value=10**13))
texts = maybe(st.text(max_size=300))
tg_user = maybe(shaped(id=ids, is_bot=maybe(st.booleans()), first_name=texts, username=texts))
tg_chat = maybe(
    shaped(
        id=maybe(st.sampled_from([42, SELLER_CHAT, -5])) | ids,
        type=maybe(st.sampled_from(["private", "group", "supergroup", "channel"])),
        title=texts,
    )
)
tg_message = shaped(
    message_id=ids,
    date=ids,
    chat=tg_chat,
    text=texts,
    caption=texts,
    photo=maybe(st.lists(shaped(file_id=texts, file_unique_id=texts, width=ids), max_size=2)),
    sticker=anything,
    message_thread_id=ids,
    is_topic_message=maybe(st.booleans()),
    reply_to_message=anything,
    entities=anything,
    **{"from": tg_user},
)
tg_update = shaped(
    update_id=ids,
    message=maybe(tg_message),
    edited_message=maybe(tg_message),
    callback_query=maybe(
        shaped(id=texts, data=texts, message=maybe(tg_message), **{"from": tg_user})
    ),
)

wa_message = shaped(
    id=texts,
    type=maybe(st.sampled_from(["text", "interactive", "image", "sticker", "location", "x"])),
    timestamp=texts,
    text=maybe(shaped(body=texts)),
    interactive=maybe(shaped(type=texts, button_reply=anything, list_reply=anything)),
    image=anything,
    **{"from": maybe(st.sampled_from(["6281234567890", "60123456789"])) | texts},
)
wa_value = shaped(
    messaging_product=texts,
    metadata=anything,
    contacts=maybe(st.lists(shaped(wa_id=texts, profile=maybe(shaped(name=texts))), max_size=2)),
    messages=maybe(st.lists(maybe(wa_message), max_size=3)),
    statuses=maybe(st.lists(shaped(id=texts, status=texts, errors=anything), max_size=2)),
)
wa_body = shaped(
    object=maybe(st.just("whatsapp_business_account")),
    entry=maybe(
        st.lists(
            maybe(shaped(id=texts, changes=maybe(st.lists(shaped(value=wa_value), max_size=2)))),
            max_size=2,
        )
    ),
)

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


async def _settle(bot: Running) -> None:
    """Let the chat workers take whatever was accepted (they run after the 200)."""
    for _ in range(100):
        if not await bot.gateway.store.chats_with_pending_inbound():
            return
        await asyncio.sleep(0.01)


@pytest.fixture
def crashes(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR, logger="japri")
    return caplog


@contextmanager
def served(config: Path) -> Iterator[tuple[asyncio.AbstractEventLoop, Running]]:
    """One running gateway for all examples of a test (booting one per example cost ~40 s
    of the suite), on a loop of its own that each example runs on."""
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        yield loop, loop.run_until_complete(stack.enter_async_context(running(config)))
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


def _survives(
    config: Path,
    crashes: pytest.LogCaptureFixture,
    examples: st.SearchStrategy[Any],
    call: Callable[[Running, Any], Awaitable[list[httpx.Response]]],
) -> None:
    """For every example, ``call`` gets answers below 500, what it started finishes
    without an exception, and the bot stays healthy."""
    with served(config) as (loop, bot):

        async def one(example: Any) -> None:
            for response in await call(bot, example):
                assert response.status_code < 500
            await _settle(bot)
            assert (await bot.client.get("/healthz")).status_code == 200

        @SETTINGS
        @given(example=examples)
        def check(example: Any) -> None:
            loop.run_until_complete(one(example))

        check()
    assert not [r for r in crashes.records if r.exc_info], crashes.text


_fresh = itertools.count(10**9)


def _fresh_chat(chat: Any) -> Any:
    """The example's chat, under an id no earlier example used (the seller chat stays):
    one app serves every example, and each should meet a chat with no history."""
    if isinstance(chat, dict) and isinstance(chat.get("id"), int) and chat["id"] != SELLER_CHAT:
        return {**chat, "id": next(_fresh)}
    return chat


def _fresh_update(update: dict[str, Any]) -> dict[str, Any]:
    update = dict(update)
    for key in ("message", "edited_message"):
        if isinstance(update.get(key), dict):
            update[key] = {**update[key], "chat": _fresh_chat(update[key].get("chat"))}
    return update


def test_any_telegram_update_gets_an_answer_below_500(
    config: Path, crashes: pytest.LogCaptureFixture
) -> None:
    async def call(bot: Running, update: dict[str, Any]) -> list[httpx.Response]:
        return [await bot.telegram(_fresh_update(update))]

    _survives(config, crashes, tg_update, call)


def test_any_whatsapp_delivery_gets_an_answer_below_500(
    config: Path, crashes: pytest.LogCaptureFixture
) -> None:
    async def call(bot: Running, body: dict[str, Any]) -> list[httpx.Response]:
        return [await bot.whatsapp(body)]

    _survives(config, crashes, wa_body, call)


async def test_the_secret_is_checked_before_anything_is_parsed(config: Path) -> None:
    async with running(config) as bot:
        response = await bot.telegram({"update_id": "x" * 10}, secret=SECRET + "x")
        assert response.status_code == 403


web_post = shaped(
    session=maybe(st.from_regex(r"[A-Za-z0-9_-]{8,40}", fullmatch=True)) | texts,
    id=maybe(st.text(min_size=1, max_size=20)) | ids,
    text=texts,
    choice=texts,
)


def test_any_web_chat_call_gets_an_answer_below_500(
    config: Path, crashes: pytest.LogCaptureFixture
) -> None:
    afters = st.one_of(
        st.integers(),
        st.text(max_size=5),
        st.sampled_from(["9223372036854775808", "1e23", "-1", "²", "9" * 5000]),
    )

    async def call(bot: Running, example: tuple[dict[str, Any], Any]) -> list[httpx.Response]:
        body, after = example
        if isinstance(body.get("session"), str) and len(body["session"]) <= 30:
            body = {**body, "session": f"{body['session']}{next(_fresh)}"}  # a fresh visitor
        posted = await bot.client.post("/chat/messages", json=body)
        params = {"session": str(body.get("session")), "after": str(after)}
        return [posted, await bot.client.get("/chat/messages", params=params)]

    _survives(config, crashes, st.tuples(web_post, afters), call)
