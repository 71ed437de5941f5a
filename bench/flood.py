"""A web-chat flood against the seller group: 1,000 anonymous web-chat handoffs, then one
Telegram buyer asks for a seller. How long until that buyer's notice is in the seller group?

Black box: ``japri serve`` as a process, the harness's fake Telegram platform
(../shared/harness/fakeplatform.py, which bench scripts may read), HTTP over 127.0.0.1.

    .venv/bin/python bench/flood.py [--visitors 1000] [--spread] [--total N] [--json out.json]

``--spread`` plays a botnet: each visitor from its own address (the gateway trusts the
bench's X-Forwarded-For via ``server.trusted_proxies``), so the per-address limits do not
bite and only the seller chat's priority for real-channel buyers can keep the notice fast.
``--total N`` raises the overall cap on new web chats (``webchat.sessions_per_minute_total``,
10 shipped) so that all the visitors' handoffs are in flight at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import served

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent / "shared" / "harness"))
from fakeplatform import FakePlatform  # noqa: E402  (the harness is not a package)

SECRET = "flood-bench-secret"  # noqa: S105 - the fake platform's, for this run
SELLER = -1009876543210
GOAL = 10.0  # seconds: the Telegram buyer's notice in the seller group (issue 13)
CAP = 120.0  # seconds waited for it at most


def _config(work: Path, fp: FakePlatform, port: int, spread: bool, total: int | None) -> Path:
    config: dict[str, Any] = {
        "shop": {"name": "Toko Flood"},
        "faq": {"path": str(ROOT / "faq" / "faq.yaml")},
        "store": {"url": f"sqlite:///{work / 'japri.db'}"},
        "server": {"trusted_proxies": ["127.0.0.1"] if spread else []},
        "telegram": {
            "token": fp.telegram_token,
            "webhook_secret": SECRET,
            "api_base_url": fp.telegram_base_url,
            # the shipped pacing: 20 posts a minute in the seller group
        },
        "seller": {"telegram_chat_id": SELLER},
    }
    if total is not None:
        config["webchat"] = {"sessions_per_minute_total": total}
    path = work / "config.yaml"
    path.write_text(json.dumps(config), encoding="utf-8")
    return path


async def _flood(client: httpx.AsyncClient, visitors: int, spread: bool) -> dict[str, int]:
    codes: dict[str, int] = {}
    gate = asyncio.Semaphore(32)

    async def one(n: int) -> None:
        headers = {"X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
        body = {"session": f"flood{n:08d}", "text": "saya mau order kak, transfer ke mana?"}
        async with gate:
            answer = await client.post(
                "/chat/messages", json=body, headers=headers if spread else {}
            )
        codes[str(answer.status_code)] = codes.get(str(answer.status_code), 0) + 1

    await asyncio.gather(*(one(n) for n in range(visitors)))
    return codes


async def measure(visitors: int, spread: bool, total: int | None = None) -> dict[str, Any]:
    fp = FakePlatform().start()
    fp.set_chat(SELLER, {"id": SELLER, "type": "supergroup", "title": "CS", "is_forum": True})
    work = Path(tempfile.mkdtemp(prefix="japri-flood-"))
    port = served.free_port()
    proc = served.start(_config(work, fp, port, spread, total), port, work)
    result: dict[str, Any] = {"visitors": visitors, "spread": spread, "total": total}
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            await served.healthy(client, proc)
            started = time.monotonic()
            result["web_answers"] = await _flood(client, visitors, spread)
            result["flood_seconds"] = round(time.monotonic() - started, 1)
            await asyncio.sleep(2.0)  # the accepted handoffs are queued for the seller chat
            to_group = fp.calls(pred=lambda c: c.chat == str(SELLER) and c.delivered)
            result["seller_posts_before"] = len(to_group)
            buyer = {"id": 4242, "is_bot": False, "first_name": "Budi", "last_name": "Telegram"}
            update = fp.tg_message_update(buyer, text="mau bayar sekarang, transfer kemana kak?")
            mark = fp.mark()
            asked = time.monotonic()
            answer = await client.post(
                "/webhook/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            result["telegram_webhook"] = answer.status_code
            notice = await asyncio.to_thread(
                fp.wait_for,
                lambda c: c.chat == str(SELLER) and c.delivered and "Budi" in c.text,
                CAP,
                mark,
            )
            waited = None if notice is None else notice.t - asked
            result["telegram_notice_seconds"] = None if waited is None else round(waited, 2)
            result["seller_posts_while_waiting"] = len(
                fp.calls(mark, lambda c: c.chat == str(SELLER) and c.delivered)
            )
            result["goal_met"] = waited is not None and waited <= GOAL
            if notice is not None:  # the web notices it went ahead of were sent later
                result["seller_posts_until_notice"] = len(
                    fp.calls(
                        pred=lambda c: c.chat == str(SELLER) and c.delivered and c.t <= notice.t
                    )
                )
    finally:
        served.stop(proc)
        fp.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--spread", action="store_true", help="each visitor its own address")
    parser.add_argument("--total", type=int, help="webchat.sessions_per_minute_total")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    result = asyncio.run(measure(args.visitors, args.spread, args.total))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
