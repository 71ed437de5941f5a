"""Exactly once, honestly: a long message goes out piece by piece with its progress kept,
so a retry resumes where it failed; a send that happened is recorded even when the first
write fails; a slow platform is waited for rather than sent to twice."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.channels.base import Inbound, Sent
from bot.channels.http import SEND_READ_TIMEOUT, AiohttpRequest
from bot.channels.telegram import TelegramChannel, parse_update
from bot.channels.whatsapp import WhatsAppChannel, message_bodies
from bot.commands import Command, Say, queued
from bot.delivery import Delivery
from bot.errors import RateLimited, StoreError
from bot.events import encode
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.pieces import PIECE_CHARS, pieces
from bot.ratelimit import Limits
from bot.relay import MediaRelay
from bot.seller import SellerChat
from bot.store import Store, open_store
from bot.store.memory import MemoryStore
from tests.bot.gateway_kit import FakeClock, eventually, running, tg_text, write_config

LANE = "telegram:42"
LONG = "\n".join(f"baris {n:03d} " + "x" * 990 for n in range(196))  # 49 pieces on Telegram


class FakeTelegram:
    """A platform that refuses the calls numbered in ``refuse`` with a 429."""

    name = "telegram"

    def __init__(self, refuse: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.refuse = set(refuse)
        self.calls = 0
        self.delivered: list[str] = []

    async def send(self, to: str, command: Command) -> Sent:
        self.calls += 1
        if self.calls in self.refuse:
            raise RateLimited("Telegram: too many requests, retry after 3s", 3.0)
        assert isinstance(command, Say)
        self.delivered.append(command.text)
        return Sent(str(self.calls))

    async def close(self) -> None:
        return None


def _outbox(store: Store, platform: FakeTelegram, clock: FakeClock) -> Outbox:
    delivery = Delivery(
        {"telegram": platform}, None, MediaRelay(None, None), SellerChat(None, "id")
    )
    limits = Limits({}, {"telegram": (1.0, 6.0)}, clock=clock.wall)
    return Outbox(store, delivery, limits, Metrics(), wall=clock.wall, sleep=clock.sleep)


async def _drained(store: Store, outbox: Outbox, lane: str = LANE) -> None:
    outbox.kick(lane)

    async def empty() -> bool:
        return not await store.outbox_depth()

    await eventually(empty, what="the outbox to empty")


def test_a_long_message_is_the_pieces_telegram_takes() -> None:
    parts = pieces("telegram", Say(LONG, options=(("a", "A"),), reply_to="7"))
    assert len(parts) == 49
    assert all(isinstance(p, Say) and len(p.text) <= PIECE_CHARS["telegram"] for p in parts)
    assert [bool(p.options) for p in parts if isinstance(p, Say)] == [False] * 48 + [True]
    assert [p.reply_to for p in parts if isinstance(p, Say)] == ["7"] + [None] * 48
    read = pieces("whatsapp", Say(LONG, read="wamid.IN1"))
    assert [p.read for p in read if isinstance(p, Say)] == ["wamid.IN1"] + [None] * 48
    assert pieces("web", Say(LONG)) == [Say(LONG)]


async def test_two_429s_in_a_49_piece_message_double_nothing(store: Store) -> None:
    platform = FakeTelegram(refuse={10, 31})
    clock = FakeClock()
    outbox = _outbox(store, platform, clock)
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    expected = [p.text for p in pieces("telegram", Say(LONG)) if isinstance(p, Say)]
    assert platform.delivered == expected  # each piece once, in order
    assert platform.calls == 49 + 2
    [line] = [m for m in await store.history(LANE) if m["direction"] == "out"]
    assert line["text"] == LONG  # the history keeps the message whole, once


async def test_a_restart_resumes_at_the_piece_after_the_last_recorded(store: Store) -> None:
    clock = FakeClock()
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    row = await store.next_outgoing(LANE)
    assert row is not None
    await store.mark_progress(row.id, 20)  # a process sent 20 pieces, then died
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    await _drained(store, outbox)
    await outbox.close()
    expected = [p.text for p in pieces("telegram", Say(LONG)) if isinstance(p, Say)]
    assert platform.delivered == expected[20:]


async def test_a_piece_whose_progress_write_fails_is_not_sent_again(store: Store) -> None:
    clock = FakeClock()
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    real = store.mark_progress
    failures = 3

    async def flaky(*args: Any) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise StoreError("database is locked")
        await real(*args)

    store.mark_progress = flaky  # type: ignore[method-assign]
    await store.enqueue(queued(LANE, Say(LONG)), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    assert failures == 0
    assert len(platform.delivered) == len(set(platform.delivered)) == 49


async def test_a_send_whose_bookkeeping_fails_is_recorded_later(store: Store) -> None:
    clock = FakeClock()
    platform = FakeTelegram()
    outbox = _outbox(store, platform, clock)
    real = store.mark_sent_next  # the outbox records a send with the lane's next row
    failures = 2

    async def flaky(*args: Any) -> Any:
        nonlocal failures
        if failures:
            failures -= 1
            raise StoreError("database is locked")
        return await real(*args)

    store.mark_sent_next = flaky  # type: ignore[method-assign]
    await store.enqueue(queued(LANE, Say("bisa cod?")), clock.wall())
    await _drained(store, outbox)
    await outbox.close()
    assert (failures, platform.delivered) == (0, ["bisa cod?"])


def test_a_whatsapp_reply_too_long_for_buttons_is_one_piece_a_message() -> None:
    options = (("ongkir", "Ongkir"), ("cod", "COD"))
    text = "Detail produk: " + "kain katun adem " * 100  # past the 1,024 buttons hold
    parts = pieces("whatsapp", Say(text, options=options, read="wamid.IN1"))
    assert [(bool(p.text), p.options, p.read) for p in parts if isinstance(p, Say)] == [
        (True, (), "wamid.IN1"),
        (False, options, None),
    ]
    for part in parts:
        assert isinstance(part, Say)
        assert len(message_bodies("628123", part)) == 1
    many = tuple((f"o{n}", f"Pilihan {n}") for n in range(12))  # a numbered list
    [listed] = pieces("whatsapp", Say("Yang mana kak?", options=many))
    assert isinstance(listed, Say)
    assert listed.options == ()
    assert "12. Pilihan 11" in listed.text
    short = Say("Ada kak 😊", options=options)
    assert pieces("whatsapp", short) == [short]


async def test_a_whatsapp_reply_whose_buttons_fail_once_sends_its_text_once(
    store: Store,
) -> None:
    posted: list[str] = []

    def graph(request: httpx.Request) -> httpx.Response:
        kind = json.loads(request.content)["type"]
        posted.append(kind)
        if kind == "interactive" and posted.count("interactive") == 1:
            return httpx.Response(500, json={"error": {"code": 1, "message": "try again"}})
        return httpx.Response(200, json={"messages": [{"id": f"wamid.{len(posted)}"}]})

    channel = WhatsAppChannel(
        "EAATEST", "1055000000", "http://graph.test", transport=httpx.MockTransport(graph)
    )
    clock = FakeClock()
    delivery = Delivery(
        {"whatsapp": channel}, None, MediaRelay(None, None), SellerChat(None, "id")
    )
    limits = Limits({}, {"whatsapp": (1.0, 6.0)}, clock=clock.wall)
    outbox = Outbox(store, delivery, limits, Metrics(), wall=clock.wall, sleep=clock.sleep)
    text = "Detail produk: " + "kain katun adem " * 100
    options = (("ongkir", "Ongkir"), ("cod", "COD"))
    await store.enqueue(queued("whatsapp:628123", Say(text, options=options)), clock.wall())
    await _drained(store, outbox, "whatsapp:628123")
    await outbox.close()
    await channel.close()
    assert posted == ["text", "interactive", "interactive"]  # the text once, the buttons again


def test_sends_wait_longer_than_a_slow_platform_answers() -> None:
    """The decision: wait (60 s) rather than re-send; at 10 s an 11 s answer doubled."""
    assert AiohttpRequest().read_timeout == SEND_READ_TIMEOUT >= 30
    whatsapp = WhatsAppChannel("EAATEST", "1055000000", "http://127.0.0.1:9")
    assert whatsapp.client.timeout.read == SEND_READ_TIMEOUT


@pytest.mark.parametrize(
    ("answer_after", "read_timeout", "calls"),
    [
        # 11 s against 60 s, a hundred times faster: one call, one message (the timeout is
        # never reached here, so a long one costs nothing and a loaded machine cannot hit it)
        (0.11, 30.0, 1),
        (0.11, 0.05, 2),  # against a timeout shorter than the answer: the retry doubles
    ],
)
async def test_a_platform_slower_than_usual_gets_one_call(
    answer_after: float, read_timeout: float, calls: int
) -> None:
    received: list[str] = []
    finished = 0  # calls the platform is done with (answered, or dropped by the client)

    async def send_message(request: web.Request) -> web.Response:
        nonlocal finished
        received.append(await request.text())
        try:
            if len(received) == 1:  # a slow moment: the first answer takes long
                await asyncio.sleep(answer_after)
            return web.json_response({"ok": True, "result": {"message_id": len(received)}})
        finally:
            finished += 1

    app = web.Application()
    app.router.add_post("/bot123:TEST/sendMessage", send_message)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    channel = TelegramChannel(
        "123:TEST",
        f"http://127.0.0.1:{port}/bot",
        request=AiohttpRequest(read_timeout=read_timeout),
    )
    try:
        await channel.bot.request.initialize()
        clock = FakeClock()
        store = MemoryStore()
        await store.open()
        delivery = Delivery(
            {"telegram": channel}, None, MediaRelay(None, None), SellerChat(None, "id")
        )
        outbox = Outbox(
            store, delivery, Limits({}, {}), Metrics(), wall=clock.wall, sleep=clock.sleep
        )
        await store.enqueue(queued(LANE, Say("sudah kami kirim ya kak")), clock.wall())
        outbox.kick(LANE)

        async def settled() -> bool:  # sent, and no call still on its way
            done = not await store.outbox_depth() and len(received) >= calls
            return done and finished == len(received)

        await eventually(settled, what="the message to be sent")
        await outbox.close()
        assert len(received) == calls
    finally:
        await channel.bot.request.shutdown()
        await runner.cleanup()


@pytest.mark.slow  # two real `japri serve` processes
def test_a_second_serve_on_the_same_sqlite_file_is_refused(tmp_path: Path) -> None:
    from tests.bot.test_serve import _free_port, serving

    with serving(tmp_path, workers=2) as first:
        second = subprocess.run(  # noqa: S603 - our own interpreter and CLI
            [
                *(sys.executable, "-m", "bot.cli", "serve", "--config"),
                *(str(tmp_path / "config.yaml"), "--port", str(_free_port())),
            ],
            capture_output=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            check=False,
        )
        assert second.returncode != 0
        assert b"another Japri" in second.stderr, second.stderr[-2000:]
        assert httpx.get(f"{first.base}/healthz", timeout=5).status_code == 200


async def test_after_a_kill_the_next_start_does_not_wait_for_the_dead_ones_leases(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path)
    dead = open_store(f"sqlite:///{tmp_path / 'japri.db'}")
    await dead.open()
    parsed = parse_update(tg_text("bisa cod?", user_id=81), None, None)
    assert isinstance(parsed, Inbound)
    assert await dead.accept_inbound(
        parsed.dedup_key, parsed.chat_key, encode(parsed.event), time.time()
    )
    # the killed process held the chat for 30 s more, and never gave it back
    assert await dead.claim("telegram:81", "killed-process", time.time(), 30.0)
    await dead.close()
    async with running(config) as bot:  # would wait 30 s for the lease (a cap of 15 s)
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", "81")) == 1, timeout=15)
