"""Handoff latency: a buyer's closing message -> the seller group's notification, and a
seller's answer in the topic -> the buyer's delivery. In-process (the app on ASGI, the
Bot API and Graph API as recording httpx transports), so the figures are Japri's own time.

    .venv/bin/python bench/handoff.py [--buyers 200] [--channel telegram|whatsapp]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.gateway import Fakes
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
TOKEN, SECRET, WA_TOKEN, APP_SECRET, PHONE = "1:B", "s", "EAAB", "a", "1055"
SELLER = -100777
_ids = itertools.count(1000)


class Recorder:
    """Both fake APIs: remember when each chat got its first matching message."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], float] = {}
        self.topics = itertools.count(10)
        self.topic_of: dict[str, int] = {}

    def telegram(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        params = dict(parse_qsl(request.content.decode()))
        now = time.perf_counter()
        bot = {"id": 1, "is_bot": True, "first_name": "Japri"}
        if method == "getMe":
            return httpx.Response(200, json={"ok": True, "result": bot})
        if method == "createForumTopic":
            topic = next(self.topics)
            self.topic_of[params["name"].split(" ·")[0]] = topic
            result: Any = {"message_thread_id": topic, "name": params["name"], "icon_color": 1}
            return httpx.Response(200, json={"ok": True, "result": result})
        if method == "sendMessage":
            self.seen.setdefault((params["chat_id"], params["text"][:40]), now)
            result = {
                "message_id": next(_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params["text"],
            }
            return httpx.Response(200, json={"ok": True, "result": result})
        return httpx.Response(200, json={"ok": True, "result": True})

    def whatsapp(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("type") == "text":
            key = (body["to"], body["text"]["body"][:40])
            self.seen.setdefault(key, time.perf_counter())
        return httpx.Response(200, json={"messages": [{"id": f"wamid.{next(_ids)}"}]})


def _tg_update(user: int, text: str, chat: dict[str, Any], **extra: Any) -> dict[str, Any]:
    sender = {"id": user, "is_bot": False, "first_name": f"B{user}"}
    message = {"message_id": next(_ids), "from": sender, "chat": chat, "date": 0, "text": text}
    return {"update_id": next(_ids), "message": {**message, **extra}}


async def measure(buyers: int, channel: str) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="japri-bench-"))
    config = {
        "shop": {"name": "Toko Bench"},
        "faq": {"path": str(ROOT / "faq" / "faq.yaml")},
        "store": {"url": f"sqlite:///{work / 'japri.db'}"},
        "telegram": {
            "token": TOKEN,
            "webhook_secret": SECRET,
            "max_per_second": 0,
            "max_per_second_per_chat": 0,
            "max_per_minute_per_group": 0,  # 200 handoffs in a row: not a pacing test
        },
        "whatsapp": {
            "access_token": WA_TOKEN,
            "phone_number_id": PHONE,
            "app_secret": APP_SECRET,
            "max_per_second": 0,
        },
        "seller": {"telegram_chat_id": SELLER},
    }
    (work / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    rec = Recorder()
    fakes = Fakes(
        telegram_request=HTTPXRequest(
            httpx_kwargs={"transport": httpx.MockTransport(rec.telegram)}
        ),
        whatsapp_transport=httpx.MockTransport(rec.whatsapp),
    )
    app = create_app(load_settings(work / "config.yaml", environ={}), fakes)
    to_seller, to_buyer = [], []
    seller_chat = {"id": SELLER, "type": "supergroup", "title": "Sellers", "is_forum": True}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:
            for n in range(buyers):
                user = 10_000 + n
                closing = f"saya ambil {n} ya kak, transfer kemana?"
                started = time.perf_counter()
                if channel == "telegram":
                    chat = {"id": user, "type": "private"}
                    await client.post(
                        "/webhook/telegram",
                        json=_tg_update(user, closing, chat),
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    )
                    buyer_chat, name = str(user), f"B{user}"
                else:
                    wa_id = f"62812{user}"
                    message = {
                        "from": wa_id,
                        "id": f"wamid.in{n}",
                        "timestamp": "0",
                        "type": "text",
                        "text": {"body": closing},
                    }
                    value = {
                        "messaging_product": "whatsapp",
                        "metadata": {"phone_number_id": PHONE},
                        "contacts": [{"profile": {"name": f"W{n}"}, "wa_id": wa_id}],
                        "messages": [message],
                    }
                    raw = json.dumps({"entry": [{"changes": [{"value": value}]}]}).encode()
                    sig = (
                        "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
                    )
                    await client.post(
                        "/webhook/whatsapp", content=raw, headers={"X-Hub-Signature-256": sig}
                    )
                    buyer_chat, name = wa_id, f"W{n}"
                while not any(k[0] == str(SELLER) and name in k[1] for k in rec.seen):
                    await asyncio.sleep(0.0005)
                arrived = min(
                    t for k, t in rec.seen.items() if k[0] == str(SELLER) and name in k[1]
                )
                to_seller.append(arrived - started)
                answer = f"Siap kak {n}, ke BCA ya"
                started = time.perf_counter()
                await client.post(
                    "/webhook/telegram",
                    json=_tg_update(
                        900,
                        answer,
                        seller_chat,
                        message_thread_id=rec.topic_of[name],
                        is_topic_message=True,
                    ),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                while (buyer_chat, answer[:40]) not in rec.seen:
                    await asyncio.sleep(0.0005)
                to_buyer.append(rec.seen[(buyer_chat, answer[:40])] - started)

    def summary(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        return {
            "p50_ms": round(statistics.median(ordered) * 1000, 2),
            "p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000, 2),
        }

    return {
        "channel": channel,
        "buyers": buyers,
        "closing_to_seller": summary(to_seller),
        "seller_answer_to_buyer": summary(to_buyer),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--channel", choices=["telegram", "whatsapp"], default=None)
    args = parser.parse_args()
    results = [
        asyncio.run(measure(args.buyers, channel))
        for channel in ([args.channel] if args.channel else ["telegram", "whatsapp"])
    ]
    (ROOT / "bench" / "results" / "handoff.json").write_text(json.dumps(results, indent=2) + "\n")
    for r in results:
        print(json.dumps(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
