"""kill -9 under load: 600 buyer messages at ~100 a second over Telegram and WhatsApp,
``japri serve`` killed (SIGKILL) half-way and started again. How many answers were lost,
how many doubled, and how many sends were in flight (done at the platform, not yet
recorded in the store) at the instant of the kill: the bound on doubles.

Black box: ``japri serve`` as a process on SQLite, the harness's fake platforms
(../shared/harness/fakeplatform.py, which bench scripts may read), HTTP over 127.0.0.1.
Webhooks that fail while the gateway is down are sent again until accepted, with the same
update id / wamid, as the platforms redeliver them.

    .venv/bin/python bench/crash.py [--messages 600] [--rate 100] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import served

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent / "shared" / "harness"))
from fakeplatform import FakePlatform  # noqa: E402  (the harness is not a package)

SECRET = "crash-bench-secret"  # noqa: S105 - the fake platform's, for this run
APP_SECRET = "crash-bench-app-secret"  # noqa: S105
SELLER = -1009876543210
# Two questions a buyer asks, one after the other; each has its own answer.
QUESTIONS = ("ongkir ke bandung berapa kak?", "bisa bayar di tempat (cod)?")


def _config(work: Path, fp: FakePlatform) -> Path:
    config = {
        "shop": {"name": "Toko Crash"},
        "faq": {"path": str(ROOT / "faq" / "faq.yaml")},
        "store": {"url": f"sqlite:///{work / 'japri.db'}"},
        "telegram": {
            "token": fp.telegram_token,
            "webhook_secret": SECRET,
            "api_base_url": fp.telegram_base_url,
        },
        "whatsapp": {
            "access_token": fp.whatsapp_token,
            "phone_number_id": fp.phone_number_id,
            "app_secret": APP_SECRET,
            "api_base_url": fp.whatsapp_base_url,
        },
        "seller": {"telegram_chat_id": SELLER},
    }
    path = work / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


class Buyer:
    """One buyer's chat: its webhooks, built once (a redelivery repeats the same id)."""

    def __init__(self, fp: FakePlatform, channel: str, n: int) -> None:
        self.channel = channel
        if channel == "telegram":
            user = fp.tg_user(700000 + n, f"Buyer{n}", language_code="id")
            self.chat = str(user["id"])
            self.bodies = [
                json.dumps(fp.tg_message_update(user, text=q)).encode() for q in QUESTIONS
            ]
        else:
            self.chat = f"62812{n:07d}"
            self.bodies = [
                json.dumps(
                    fp.wa_message_webhook(
                        self.chat, f"Buyer{n}", {"type": "text", "text": {"body": q}}
                    )
                ).encode()
                for q in QUESTIONS
            ]

    async def post(self, client: httpx.AsyncClient, number: int) -> int:
        """Send message ``number`` until the gateway takes it; how many tries it took."""
        body = self.bodies[number]
        if self.channel == "telegram":
            path, headers = "/webhook/telegram", {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        else:
            sig = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            path, headers = "/webhook/whatsapp", {"X-Hub-Signature-256": f"sha256={sig}"}
        headers["Content-Type"] = "application/json"
        tries = 0
        while True:
            tries += 1
            try:
                answer = await client.post(path, content=body, headers=headers)
                if answer.status_code == 200:
                    return tries
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)  # the platform tries again a little later


def _replies(fp: FakePlatform, until: float | None = None) -> Counter[tuple[str, str, str]]:
    """(platform, chat, text) of every message the bot put in a buyer's chat."""
    return Counter(
        (c.platform, str(c.chat), c.text)
        for c in fp.calls(pred=lambda c: c.delivered and c.chat != str(SELLER))
        if until is None or c.t <= until
    )


def _recorded(db: Path) -> Counter[tuple[str, str]]:
    """Sends the store had recorded as done, per chat (read after the kill)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        found = con.execute(
            "SELECT lane, COUNT(*) FROM outbox WHERE status = 'sent' GROUP BY lane"
        ).fetchall()
    finally:
        con.close()
    recorded: Counter[tuple[str, str]] = Counter()
    for lane, n in found:
        platform, _, chat = lane.partition(":")
        recorded[(platform, chat)] = n
    return recorded


async def measure(messages: int, rate: float) -> dict[str, Any]:
    fp = FakePlatform().start()
    fp.set_chat(SELLER, {"id": SELLER, "type": "supergroup", "title": "CS", "is_forum": True})
    work = Path(tempfile.mkdtemp(prefix="japri-crash-"))
    port = served.free_port()
    config = _config(work, fp)
    proc = served.start(config, port, work, append_log=True)
    chats = messages // len(QUESTIONS)
    result: dict[str, Any] = {"messages": chats * len(QUESTIONS), "rate": rate}
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=10,
            limits=httpx.Limits(max_connections=200),
        ) as client:
            await served.healthy(client, proc)
            # what each buyer should get: one buyer per channel, alone, before the load
            expected: dict[str, Counter[str]] = {}
            for channel in ("telegram", "whatsapp"):
                probe = Buyer(fp, channel, 999_000 if channel == "telegram" else 9_990_000)
                mark = fp.mark()
                for number in range(len(QUESTIONS)):
                    await probe.post(client, number)
                await asyncio.to_thread(fp.wait_quiet, 2.0, 30.0, mark)
                expected[channel] = Counter(
                    text for (_, chat, text) in _replies(fp) if chat == probe.chat
                )
            result["replies_per_buyer"] = {k: sum(v.values()) for k, v in expected.items()}
            buyers = [Buyer(fp, ("telegram", "whatsapp")[n % 2], n) for n in range(chats)]
            started = time.monotonic()
            tries: list[int] = []

            async def one(index: int, buyer: Buyer) -> None:
                for number in range(len(QUESTIONS)):
                    due = started + (number * chats + index) / rate
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    tries.append(await buyer.post(client, number))

            async def killer() -> None:
                nonlocal proc
                await asyncio.sleep(chats / rate)  # half-way: the second questions begin
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                killed = time.monotonic()
                result["killed_at_s"] = round(killed - started, 2)
                recorded = _recorded(work / "japri.db")
                done = Counter(
                    (p, c) for (p, c, _), n in _replies(fp, killed).items() for _ in range(n)
                )
                result["sent_not_recorded_at_kill"] = sum(
                    max(0, n - recorded[key]) for key, n in done.items()
                )
                result["recorded_at_kill"] = sum(recorded.values())
                proc = served.start(config, port, work, append_log=True)
                await served.healthy(client, proc)
                result["down_s"] = round(time.monotonic() - killed, 2)

            await asyncio.gather(killer(), *(one(i, b) for i, b in enumerate(buyers)))
            result["load_s"] = round(time.monotonic() - started, 2)
            result["webhooks_redelivered"] = sum(t - 1 for t in tries)
            await asyncio.to_thread(fp.wait_quiet, 5.0, 180.0)
            got = _replies(fp)
            lost = doubled = 0
            examples = []
            for buyer in buyers:
                want = expected[buyer.channel]
                have = Counter({t: n for (p, c, t), n in got.items() if c == buyer.chat})
                lost += sum((want - have).values())
                doubled += sum((have - want).values())
                for text in have - want:
                    times = [
                        round(c.t - started, 2)
                        for c in fp.calls()
                        if c.delivered and c.chat == buyer.chat and c.text == text
                    ]
                    examples.append(f"{buyer.channel}:{buyer.chat} at {times}s: {text[:40]!r}")
            result["doubled_examples"] = examples[:10]
            result["lost"] = lost
            result["doubled"] = doubled
            result["doubled_within_bound"] = doubled <= result["sent_not_recorded_at_kill"]
    finally:
        served.stop(proc)
        fp.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--rate", type=float, default=100.0, help="messages a second")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    result = asyncio.run(measure(args.messages, args.rate))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
