"""A running gateway in-process: the app on httpx.ASGITransport, platforms faked."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.gateway import Gateway
from bot.settings import Settings, load_settings
from tests.bot.fakes import FakeBotApi, FakeGraphApi

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123:TEST"
SECRET = "tg-secret-1"
WA_TOKEN = "EAATEST"
APP_SECRET = "app-secret-1"
VERIFY = "verify-me"
PHONE_ID = "1055000000"
SELLER_CHAT = -1001234567890

_updates = itertools.count(5000)
_messages = itertools.count(1)
_wamids = itertools.count(1)


def write_config(tmp_path: Path, **sections: dict[str, Any]) -> Path:
    faq = tmp_path / "faq.yaml"
    if not faq.exists():
        shutil.copy(ROOT / "faq" / "faq.yaml", faq)
    config: dict[str, Any] = {
        "shop": {"name": "Toko Batik Sari", "language": "id"},
        "faq": {"path": str(faq)},
        "store": {"url": f"sqlite:///{tmp_path / 'japri.db'}"},
        "telegram": {
            "token": TOKEN,
            "webhook_secret": SECRET,
            "api_base_url": "http://telegram.test/bot",
            "max_per_second": 0,
            "max_per_second_per_chat": 0,
        },
        "whatsapp": {
            "access_token": WA_TOKEN,
            "phone_number_id": PHONE_ID,
            "app_secret": APP_SECRET,
            "verify_token": VERIFY,
            "api_base_url": "http://graph.test/v21.0",
        },
        "seller": {"telegram_chat_id": SELLER_CHAT},
    }
    for name, values in sections.items():
        config[name] = {**config.get(name, {}), **values}
    path = tmp_path / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


@dataclass
class Running:
    gateway: Gateway
    client: httpx.AsyncClient
    tg: FakeBotApi
    wa: FakeGraphApi

    async def telegram(
        self, update: dict[str, Any], secret: str | None = SECRET
    ) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return await self.client.post("/webhook/telegram", json=update, headers=headers)

    async def whatsapp(
        self, body: bytes | dict[str, Any], key: str = APP_SECRET
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signature = "sha256=" + hmac.new(key.encode(), raw, hashlib.sha256).hexdigest()
        return await self.client.post(
            "/webhook/whatsapp",
            content=raw,
            headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"},
        )


class FakeClock:
    """Wall time that moves only when someone sleeps on it: retries without real waits."""

    def __init__(self) -> None:
        self.now = time.time()

    def wall(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 30.0, what: str = "the condition"
) -> None:
    """Poll ``check`` until it holds: a generous cap on real time, never a count of turns
    that assumes the machine is fast (the tests run beside other work)."""
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        await asyncio.sleep(0.01)


@asynccontextmanager
async def running(
    config: Path,
    tg: FakeBotApi | None = None,
    wa: FakeGraphApi | None = None,
    clock: FakeClock | None = None,
) -> AsyncIterator[Running]:
    """``clock``: the outbox's retries and pacing run on it instead of real time."""
    tg = tg or FakeBotApi(TOKEN)
    wa = wa or FakeGraphApi(WA_TOKEN, PHONE_ID)
    settings: Settings = load_settings(config, environ={})
    app = create_app(
        settings,
        telegram_request=HTTPXRequest(httpx_kwargs={"transport": tg.transport()}),
        telegram_updates_request=HTTPXRequest(httpx_kwargs={"transport": tg.transport()}),
        whatsapp_transport=wa.transport(),
    )
    if clock is not None:
        app.state.gateway.outbox.wall = clock.wall
        app.state.gateway.outbox.sleep = clock.sleep
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://japri.test") as client:
            yield Running(app.state.gateway, client, tg, wa)


def shift_clock(gateway: Gateway, seconds: float) -> None:
    """The gateway's clocks (processing and timers) run ``seconds`` ahead from now on."""

    def ahead() -> float:
        return time.time() + seconds

    gateway.runtime.wall = ahead
    gateway.timers.wall = ahead


# payloads shaped as the platforms send them ------------------------------------------


def tg_user(user_id: int = 42, name: str = "Budi", lang: str = "id") -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": name,
        "username": name.lower(),
        "language_code": lang,
    }


def tg_text(text: str, user_id: int = 42, name: str = "Budi", **extra: Any) -> dict[str, Any]:
    user = tg_user(user_id, name)
    message = {
        "message_id": next(_messages),
        "from": user,
        "chat": {"id": user_id, "first_name": name, "type": "private"},
        "date": int(time.time()),
        "text": text,
        **extra,
    }
    return {"update_id": next(_updates), "message": message}


def tg_media(kind: str, user_id: int = 42, **content: Any) -> dict[str, Any]:
    update = tg_text("", user_id)
    del update["message"]["text"]
    update["message"][kind] = content or _MEDIA[kind]
    return update


_MEDIA: dict[str, Any] = {
    "sticker": {
        "file_id": "CAAC1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    },
    "photo": [{"file_id": "AgAC1", "file_unique_id": "p1", "width": 90, "height": 90}],
    "voice": {"file_id": "AwAC1", "file_unique_id": "v1", "duration": 3},
}


def tg_tap(data: str, user_id: int = 42, name: str = "Budi") -> dict[str, Any]:
    user = tg_user(user_id, name)
    message = {
        "message_id": next(_messages),
        "from": {"id": 1, "is_bot": True, "first_name": "Japri"},
        "chat": {"id": user_id, "type": "private"},
        "date": int(time.time()),
        "text": "Maksudnya yang mana?",
    }
    return {
        "update_id": next(_updates),
        "callback_query": {
            "id": f"cb{next(_messages)}",
            "from": user,
            "chat_instance": "1",
            "message": message,
            "data": data,
        },
    }


def tg_seller(
    text: str, *, thread: int | None = None, reply_to: int | None = None
) -> dict[str, Any]:
    seller = {"id": 900, "is_bot": False, "first_name": "Sari"}
    chat = {"id": SELLER_CHAT, "title": "Toko Batik Sari · CS", "type": "supergroup"}
    message: dict[str, Any] = {
        "message_id": next(_messages),
        "from": seller,
        "chat": chat,
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [
            {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
        ]
    if thread is not None:
        message["message_thread_id"] = thread
        message["is_topic_message"] = True
    target = reply_to if reply_to is not None else thread
    if target is not None:
        message["reply_to_message"] = {
            "message_id": target,
            "from": {"id": 1, "is_bot": True, "first_name": "Japri"},
            "chat": chat,
            "date": int(time.time()),
            "text": "…",
        }
    return {"update_id": next(_updates), "message": message}


def wa_envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000000", "phone_number_id": PHONE_ID},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"value": value, "field": "messages"}]}],
    }


def wa_message(
    content: dict[str, Any], wa_id: str = "6281234567890", name: str = "Siti"
) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": f"wamid.IN{next(_wamids)}",
        "timestamp": str(int(time.time())),
        **content,
    }


def wa_text(text: str, wa_id: str = "6281234567890", name: str = "Siti") -> dict[str, Any]:
    message = wa_message({"type": "text", "text": {"body": text}}, wa_id)
    contacts = [{"profile": {"name": name}, "wa_id": wa_id}]
    return wa_envelope({"contacts": contacts, "messages": [message]})


def tg_seller_tap(data: str, name: str = "Sari") -> dict[str, Any]:
    """A seller pressing a button under one of the bot's posts in the seller chat."""
    seller = {"id": 900, "is_bot": False, "first_name": name}
    chat = {"id": SELLER_CHAT, "title": "Toko Batik Sari · CS", "type": "supergroup"}
    message = {
        "message_id": next(_messages),
        "from": {"id": 1, "is_bot": True, "first_name": "Japri"},
        "chat": chat,
        "date": int(time.time()),
        "text": "🔔 ...",
    }
    query = {
        "id": f"cb{next(_messages)}",
        "from": seller,
        "chat_instance": "2",
        "message": message,
    }
    return {"update_id": next(_updates), "callback_query": {**query, "data": data}}
