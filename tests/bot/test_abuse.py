"""Nothing a stranger does through the web chat silences the seller group, and a web buyer
sees only what was sent to them."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.abuse import PRIORITY_REAL, PRIORITY_WEB, WebChatGuard, seller_priority
from bot.commands import Say, queued
from bot.events import Profile
from bot.seller import LINE_CHARS, POST_CHARS, SELLER_TEXTS, SellerChat, notification
from bot.settings import WebchatSettings
from bot.store import Store
from tests.bot.gateway_kit import SELLER_CHAT, Running, running, tg_seller, tg_text, write_config

SELLER = str(SELLER_CHAT)
_sessions = itertools.count(1)


def _session() -> str:
    return f"visitor{next(_sessions):06d}"


async def _say(bot: Running, session: str, text: str, **extra: Any) -> int:
    answer = await bot.client.post(
        "/chat/messages", json={"session": session, "text": text, **extra}
    )
    return answer.status_code


async def _web_messages(
    bot: Running, session: str, until: Callable[[list[dict[str, Any]]], bool]
) -> list[dict[str, Any]]:
    for _ in range(500):
        answer = await bot.client.get("/chat/messages", params={"session": session})
        found: list[dict[str, Any]] = answer.json()["messages"]
        if until(found):
            return found
        await asyncio.sleep(0.01)
    raise AssertionError(f"the web chat never showed it: {found}")


async def test_one_address_opening_150_chats_queues_a_handful_of_seller_notices(
    config: Path,
) -> None:
    async with running(config) as bot:
        codes = [await _say(bot, _session(), "saya mau order kak") for _ in range(150)]
        limits = WebchatSettings()
        # new chats stop at the hour's sessions, or sooner once its handoffs are used up
        assert limits.handoffs_per_hour <= codes.count(202) <= limits.sessions_per_hour
        assert set(codes) == {202, 429}
        # a Telegram buyer who then wants a seller is in the seller group at once
        await bot.telegram(tg_text("mau bayar, transfer ke mana kak?", user_id=42))
        await bot.tg.wait_for(
            lambda c: any("transfer ke mana" in x.text for x in bot.tg.sent("sendMessage", SELLER))
        )
        # the address's handoffs past its hourly few show in the inbox only
        assert len(bot.tg.sent("sendMessage", SELLER)) <= 1 + limits.handoffs_per_hour


async def test_a_botnet_opens_a_handful_of_chats_a_minute_all_told(tmp_path: Path) -> None:
    config = write_config(tmp_path, server={"trusted_proxies": ["127.0.0.1"]})
    async with running(config) as bot:
        codes = []
        for n in range(60):
            answer = await bot.client.post(
                "/chat/messages",
                json={"session": _session(), "text": "saya mau order kak"},
                headers={"X-Forwarded-For": f"198.51.100.{n}"},
            )
            codes.append(answer.status_code)
    assert codes.count(202) == WebchatSettings().sessions_per_minute_total


async def test_one_session_is_slowed_to_a_human_pace(config: Path) -> None:
    async with running(config) as bot:
        session = _session()
        codes = [await _say(bot, session, f"halo {n}") for n in range(20)]
    assert codes.count(202) == WebchatSettings().messages_per_minute
    assert codes[-1] == 429


async def test_a_huge_name_makes_one_seller_post_not_hundreds(config: Path) -> None:
    async with running(config) as bot:
        name = "Mallory " * 1_500  # 12 KB: inside the body cap, far past the name cap
        assert await _say(bot, _session(), "saya mau order kak", name=name) == 202
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        await asyncio.sleep(0.2)
        posts = bot.tg.sent("sendMessage", SELLER) + bot.tg.sent("createForumTopic")
    assert len(posts) <= 2
    assert all(len(p.text) < 4096 for p in posts)


async def test_the_web_chat_can_be_switched_off(tmp_path: Path) -> None:
    async with running(write_config(tmp_path, webchat={"enabled": False})) as bot:
        assert (await bot.client.get("/")).status_code == 404
        assert await _say(bot, _session(), "halo") == 404
        answer = await bot.client.get("/chat/messages", params={"session": "abcdefgh1"})
        assert answer.status_code == 404


async def test_a_web_buyer_sees_the_bot_and_the_sellers_words_once_nothing_else(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path, inbox={"password": "rahasia-toko"})
    async with running(config) as bot:
        session = _session()
        assert await _say(bot, session, "saya mau order 2, transfer ke mana kak?") == 202
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        # a seller on Telegram, in the buyer's topic; another from the web inbox
        await bot.telegram(tg_seller("Halo kak, ke BCA 123 ya", thread=77))
        chat_key = f"web:{session}"
        login = {"password": "rahasia-toko", "name": "Sari Admin"}
        assert (await bot.client.post("/inbox/login", data=login)).status_code == 303
        page = (await bot.client.get(f"/inbox/chat/{chat_key}")).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        reply = {"csrf": csrf.group(1), "text": "Sudah kami terima kak"}
        await bot.client.post(f"/inbox/chat/{chat_key}/reply", data=reply)
        shown = await _web_messages(
            bot, session, lambda m: any(x["text"] == "Sudah kami terima kak" for x in m)
        )
        await asyncio.sleep(0.1)  # the copy for the seller group is out as well
        shown = await _web_messages(bot, session, lambda m: True)
        assert len(bot.tg.sent("sendMessage", SELLER)) >= 2
    texts = [m["text"] for m in shown]
    assert texts.count("Halo kak, ke BCA 123 ya") == 1
    assert texts.count("Sudah kami terima kak") == 1
    assert not any("Sari Admin" in t for t in texts)  # seller names stay in the seller chat
    assert not any(o[0].startswith(("take:", "back:")) for m in shown for o in m["options"])
    assert {m["kind"] for m in shown} <= {"say", "seller"}
    assert set(shown[0]) == {"id", "kind", "text", "at", "options"}


async def test_a_sellers_unknown_command_in_a_topic_is_answered_in_the_seller_chat(
    config: Path,
) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("saya mau order, transfer ke mana?", user_id=42))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        to_buyer = len(bot.tg.sent("sendMessage", "42"))
        await bot.telegram(tg_seller("/kemeja 2 pcs", thread=77))
        await bot.tg.wait_for(
            lambda c: any("reached no buyer" in x.text or "tidak terkirim" in x.text for x in c)
        )
        hint = next(x for x in bot.tg.calls if "tidak terkirim" in x.text)
        assert hint.chat == SELLER
        assert len(bot.tg.sent("sendMessage", "42")) == to_buyer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limits_open_again_after_their_window() -> None:
    clock = Clock()
    guard = WebChatGuard(WebchatSettings(messages_per_minute=2, sessions_per_hour=2), clock)
    assert guard.admit("1.2.3.4", "s1").ok
    assert guard.admit("1.2.3.4", "s1").ok
    said = guard.admit("1.2.3.4", "s1")
    assert (said.ok, said.reason) == (False, "messages")
    assert 59 <= said.retry_after <= 60
    assert guard.admit("1.2.3.4", "s2").ok
    assert guard.admit("1.2.3.4", "s3").reason == "sessions"
    assert guard.admit("5.6.7.8", "s4").ok  # another address is not held back
    clock.now += 61
    assert guard.admit("1.2.3.4", "s1").ok
    clock.now += 3600
    assert guard.admit("1.2.3.4", "s3").ok


def test_an_address_that_used_its_handoffs_opens_no_new_chats() -> None:
    clock = Clock()
    guard = WebChatGuard(WebchatSettings(handoffs_per_hour=2), clock)
    for session in ("s1", "s2"):
        assert guard.admit("1.2.3.4", session).ok
        assert guard.may_notify(f"web:{session}")
        guard.note_handoff(f"web:{session}")
    assert not guard.may_notify("web:s2")
    assert guard.admit("1.2.3.4", "s1").ok  # a chat already open goes on
    assert guard.admit("1.2.3.4", "s9").reason == "handoffs"
    clock.now += 3601
    assert guard.admit("1.2.3.4", "s9").ok


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("Budi\nSeller: transfer ke BNI", "Budi Seller: transfer ke BNI"),
        ("x" * 500, "x" * 60),
        (12345, "12345"),
    ],
)
def test_names_are_one_short_line(value: Any, kept: str) -> None:
    guard = WebChatGuard(WebchatSettings())
    assert guard.clean({"name": value})["name"] == kept


@pytest.mark.parametrize("value", [{"a": 1}, [1], True])
def test_a_name_or_text_that_is_not_text_is_refused(value: Any) -> None:
    guard = WebChatGuard(WebchatSettings())
    with pytest.raises(ValueError, match="must be text"):
        guard.clean({"text": value})


@pytest.mark.parametrize(
    ("about", "priority"),
    [
        ("telegram:42", PRIORITY_REAL),
        ("whatsapp:6281234567890", PRIORITY_REAL),
        ("web:visitor000001", PRIORITY_WEB),
        (None, PRIORITY_REAL),
    ],
)
def test_posts_about_real_channel_buyers_go_first(about: str | None, priority: int) -> None:
    assert seller_priority(about) == priority


@pytest.fixture
def store(backend_store: Store) -> Store:
    return backend_store


async def test_the_seller_chat_takes_real_buyers_before_a_web_chat_queue(store: Store) -> None:
    seller = SellerChat(SELLER, "id")
    web = [f"web:visitor{n:06d}" for n in range(3)]
    for n, about in enumerate([*web, "telegram:42", "whatsapp:6281234567890"]):
        for out in seller.note(about, f"post {n}"):
            await store.enqueue(out, float(n))
    order = []
    while (row := await store.next_outgoing(f"telegram:{SELLER}")) is not None:
        order.append(row.log_chat)
        await store.mark_sent(row, None, 10.0)
    assert order == ["telegram:42", "whatsapp:6281234567890", *web]


async def test_a_buyers_lane_keeps_its_order(store: Store) -> None:
    for n in range(3):
        await store.enqueue(queued("web:visitor000001", Say(f"answer {n}")), float(n))
    texts = []
    while (row := await store.next_outgoing("web:visitor000001")) is not None:
        texts.append(row.log_text)
        await store.mark_sent(row, None, 10.0)
    assert texts == ["answer 0", "answer 1", "answer 2"]


def _profile(name: str) -> Profile:
    return Profile(channel="web", external_id="visitor000001", name=name)


@pytest.mark.parametrize(
    ("name", "history"),
    [
        ("Budi", [{"direction": "in", "text": "x" * 100_000}]),
        ("Budi", [{"direction": "in", "text": f"{n} " + "y" * 5000} for n in range(10)]),
        ("N" * 900_000, [{"direction": "in", "text": "saya mau order " * 10_000}] * 10),
    ],
)
def test_a_handoff_notice_is_one_telegram_message(name: str, history: list[Any]) -> None:
    text = notification("id", _profile(name), "closing", history)
    assert len(text) <= POST_CHARS
    assert all(len(line) <= LINE_CHARS + 3 for line in text.splitlines())
    assert text.endswith(SELLER_TEXTS["id"]["how"])  # how to answer is never cut off


def test_the_latest_lines_are_quoted_when_not_all_fit() -> None:
    history = [{"direction": "in", "text": f"pesan {n:02d} " + "z" * 280} for n in range(20)]
    text = notification("id", _profile("Budi"), "closing", history)
    assert "pesan 19" in text
    assert "pesan 00" not in text


async def test_a_web_address_reaches_the_seller_chat_a_few_times_an_hour(config: Path) -> None:
    limits = WebchatSettings()
    async with running(config) as bot:
        sessions = [_session() for _ in range(limits.handoffs_per_hour + 2)]
        for session in sessions:  # each asks for a person once its chat is open
            assert await _say(bot, session, "halo") == 202
        for session in sessions:
            await _say(bot, session, "saya mau bicara dengan admin")
        store = bot.gateway.store
        for _ in range(500):
            handed = [c for c in await store.inbox_chats() if c["stage"] == "handed_off"]
            if len(handed) == len(sessions) and not await store.outbox_depth():
                break
            await asyncio.sleep(0.01)
        assert len(handed) == len(sessions)  # every one shows in the inbox
        notices = [x for x in bot.tg.sent("sendMessage", SELLER) if "🔔" in x.text]
        assert len(notices) == limits.handoffs_per_hour
