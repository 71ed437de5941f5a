"""WhatsApp's rate limits, each waited out as Meta documents it: the number's throughput
(130429) for seconds, one buyer's pair limit (131056) on 4^X seconds for that buyer only,
the spam restriction (131048) for hours and not for ever, the call limits (80007, 4) for
as long as X-Business-Use-Case-Usage says; a reply tried again carries its read receipt
only the first time. A limit of the whole number waited out a minute or more pauses every
buyer's replies (in every process sharing the store), and the sellers hear of it once."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.whatsapp import WhatsAppChannel, graph_error, parse_notification
from bot.commands import Say, decode, queued
from bot.delivery import Delivery
from bot.errors import RateLimited
from bot.metrics import Metrics
from bot.outbox import PAUSE_KEY, Outbox
from bot.ratelimit import Limits
from bot.relay import MediaRelay
from bot.seller import SellerChat
from bot.shop_messages import shop_duration, shop_text
from bot.store import Store, open_store
from bot.store.memory import MemoryStore
from tests.bot.fakes import FakeGraphApi
from tests.bot.gateway_kit import (
    PHONE_ID,
    WA_TOKEN,
    FakeClock,
    Running,
    eventually,
    running,
    wa_envelope,
    wa_text,
)

QUESTION = "bahannya apa kak?"  # answered with one message (test_whatsapp_receipts.py)


def _refusal(code: int, message: str = "Rate limit hit") -> dict[str, Any]:
    return {"error": {"message": f"({code}) {message}", "type": "OAuthException", "code": code}}


def _limited(status: int, code: int | None, headers: dict[str, str] | None = None) -> RateLimited:
    body = _refusal(code) if code is not None else {}
    error = graph_error(status, httpx.Response(200, json=body).content, "", headers)
    assert isinstance(error, RateLimited)
    return error


def _waits(error: RateLimited, tries: int) -> list[float | None]:
    return [error.wait(n) for n in range(1, tries + 1)]


def test_the_throughput_limit_is_seconds_for_the_whole_number() -> None:
    error = _limited(400, 130429)  # Meta answers its throttling codes with HTTP 400
    assert _waits(error, 10) == [1, 2, 5, 10, 30, 60, 120, 300, 300, 300]
    assert error.whole_channel
    assert error.tries is None
    assert "faster than WhatsApp allows" in str(error)


def test_the_pair_limit_waits_4_to_the_x_seconds_for_that_buyer_only() -> None:
    error = _limited(400, 131056)
    assert _waits(error, 7) == [1, 4, 16, 64, 256, 256, 256]  # bounded at 256 s
    assert not error.whole_channel
    assert "this buyer" in str(error)


def test_the_spam_limit_waits_long_and_is_not_tried_for_ever() -> None:
    error = _limited(400, 131048)
    assert _waits(error, 4) == [600, 1800, 3600, 3600]
    assert error.tries == 4
    assert "spam" in str(error)
    assert "quality rating" in str(error)


@pytest.mark.parametrize("code", [80007, 4])
def test_the_call_limits_wait_minutes(code: int) -> None:
    assert _waits(_limited(400, code), 4) == [60, 300, 900, 900]


def test_business_use_case_usage_says_how_many_minutes() -> None:
    usage = (
        '{"102290129340398": [{"type": "whatsapp_business_management", "call_count": 100,'
        ' "total_cputime": 12, "total_time": 9, "estimated_time_to_regain_access": 7}]}'
    )
    error = _limited(400, 80007, {"X-Business-Use-Case-Usage": usage})
    assert _waits(error, 3) == [420, 420, 420]
    assert "about 7 min" in str(error)
    free = usage.replace(
        '"estimated_time_to_regain_access": 7', '"estimated_time_to_regain_access": 0'
    )
    assert _limited(400, 80007, {"x-business-use-case-usage": free}).wait(1) == 60


def test_a_retry_after_header_is_honoured_within_an_hour() -> None:
    assert _limited(429, None, {"Retry-After": "30"}).wait(1) == 30
    assert _limited(429, 130429, {"retry-after": "86400"}).wait(1) == 3600
    assert _limited(429, 130429, {"Retry-After": "0"}).wait(1) == 1  # the code's waits
    garbled = _limited(429, 131056, {"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    assert garbled.wait(2) == 4  # a date: Meta sends none; the code's waits


def test_app_usage_is_told_and_a_429_without_a_code_is_still_a_limit() -> None:
    error = _limited(400, 4, {"X-App-Usage": '{"call_count": 100, "total_time": 3}'})
    assert "100 % of its hourly calls" in str(error)
    assert _waits(_limited(429, None), 2) == [1, 2]
    broken = _limited(400, 80007, {"X-Business-Use-Case-Usage": "{not json", "X-App-Usage": "[]"})
    assert broken.wait(1) == 60


def test_json_nested_past_the_parsers_depth_is_as_unreadable_as_any_garble() -> None:
    """A proxy's (or a broken) answer: read as no code and no usage, not a RecursionError
    the outbox takes for a bug and gives the reply up on."""
    deep = "[" * 5000
    assert _limited(429, 130429, {"X-Business-Use-Case-Usage": deep}).wait(1) == 1
    assert _limited(400, 4, {"X-App-Usage": deep}).wait(1) == 60
    error = graph_error(502, deep.encode(), "Bad Gateway")
    assert not error.permanent  # a server error: tried again
    assert "server error 502" in str(error)


async def test_a_success_answer_nested_past_the_parsers_depth_still_counts_as_sent() -> None:
    """The message is out whatever the answer says: not given up as a bug and told to the
    sellers as not delivered."""
    answer = httpx.MockTransport(lambda request: httpx.Response(200, content=b"[" * 5000))
    channel = WhatsAppChannel(WA_TOKEN, PHONE_ID, "http://graph.test/v21.0", transport=answer)
    try:
        sent = await channel.send("6281234567890", Say("halo"))
    finally:
        await channel.close()
    assert sent.platform_id is None


def test_a_limit_reported_in_a_failed_status_is_told_in_plain_words() -> None:
    failed = {
        "id": "wamid.OUT1",
        "status": "failed",
        "timestamp": "1",
        "recipient_id": "6281234567890",
        "errors": [
            {"code": 131056, "title": "(Business Account, Consumer Account) pair rate limit hit"}
        ],
    }
    _, [status] = parse_notification(wa_envelope({"statuses": [failed]}), PHONE_ID)
    assert status.error is not None
    assert status.error.startswith("131056: ")  # the code first, as intake reads it
    assert "too many messages to this buyer" in status.error


def _delivering(graph: FakeGraphApi) -> tuple[WhatsAppChannel, Delivery]:
    """A WhatsApp channel on ``graph`` and the delivery an outbox sends through."""
    channel = WhatsAppChannel(
        WA_TOKEN, PHONE_ID, "http://graph.test/v21.0", transport=graph.transport()
    )
    return channel, Delivery(
        {"whatsapp": channel}, None, MediaRelay(None, None), SellerChat(None, "id")
    )


class TimedGraph(FakeGraphApi):
    """The Graph API fake noting, for each call, the outbox's clock when it arrived."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(WA_TOKEN, PHONE_ID)
        self.clock = clock
        self.at: list[float] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle(request)
        self.at.extend([self.clock.now] * (len(self.calls) - len(self.at)))
        return answer

    def gaps(self, method: str = "messages") -> list[float]:
        times = [t for c, t in zip(self.calls, self.at, strict=True) if c.method == method]
        return [round(b - a, 3) for a, b in pairwise(times)]


async def _answered(bot: Running, sends: int) -> None:
    await bot.whatsapp(wa_text(QUESTION))
    await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= sends, timeout=10)

    async def done() -> bool:
        return not await bot.gateway.store.outbox_depth()

    await eventually(done, what="the outbox to empty")
    await bot.gateway.outbox.close()


async def test_a_reply_refused_twice_marks_the_message_read_once(config: Path) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    async with running(config, wa=wa, clock=clock) as bot:
        wa.fail("messages", 429, _refusal(130429), times=2)
        await _answered(bot, 3)
        assert [c.method for c in wa.calls] == ["mark_read", "messages", "messages", "messages"]
        assert wa.gaps() == [1, 2]
        assert bot.gateway.outbox.limits.overall_rate("whatsapp") == 80  # the number slows


async def test_a_pair_limit_holds_back_only_that_buyer(config: Path) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    async with running(config, wa=wa, clock=clock) as bot:
        wa.fail("messages", 400, _refusal(131056, "pair rate limit hit"), times=3)
        await _answered(bot, 4)
        assert wa.gaps() == [1, 4, 16]
        assert len(wa.sent("mark_read")) == 1
        assert bot.gateway.outbox.limits.overall_rate("whatsapp") == 0  # others go on as fast


async def test_the_call_limit_waits_what_the_usage_header_says(config: Path) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    usage = (
        '{"1": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 3}]}'
    )
    async with running(config, wa=wa, clock=clock) as bot:
        wa.fail("messages", 400, _refusal(80007), headers={"X-Business-Use-Case-Usage": usage})
        await _answered(bot, 2)
        assert wa.gaps() == [180]


async def test_a_spam_restriction_is_tried_four_times_then_given_up_and_told(
    config: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    caplog.set_level(logging.WARNING, "japri.outbox")
    async with running(config, wa=wa, clock=clock) as bot:
        wa.fail("messages", 400, _refusal(131048, "Spam rate limit hit"), times=10)
        await _answered(bot, 4)
        assert len(wa.sent("messages")) == 4
        assert wa.gaps() == [600, 1800, 3600]
        assert len(wa.sent("mark_read")) == 1
        [told] = _notes(bot, "⚠️ Pesan toko tidak sampai ke pembeli")  # the sellers know
        assert "spam" in told
        assert "katun combed" in told  # which reply
        # and of each pause of the number's sends, how long it is
        paused = [n.split("dijeda ")[1].split(".")[0] for n in _notes(bot)]
        assert paused == ["10 menit", "30 menit", "1 jam", "1 jam"]
    lines = [r.getMessage() for r in caplog.records if r.name == "japri.outbox"]
    assert [line for line in lines if "channel=whatsapp paused" in line] == [
        f"out channel=whatsapp paused for {wait}" for wait in ("10 min", "30 min", "1 h", "1 h")
    ]
    lines = [line for line in lines if "chat=whatsapp" in line]
    assert "trying again in 10 min" in lines[0]
    assert "trying again in 1 h" in lines[2]
    assert "given up after 4 tries" in lines[-1]
    assert "blocked or reported its messages as spam" in lines[-1]


async def test_a_long_reply_refused_piece_by_piece_is_read_once_and_sent_once(
    store: Store,
) -> None:
    clock = FakeClock()
    graph = FakeGraphApi(WA_TOKEN, PHONE_ID)
    graph.fail("messages", 400, _refusal(131056, "pair rate limit hit"), times=2)
    channel, delivery = _delivering(graph)
    outbox = Outbox(store, delivery, Limits({}, {}), Metrics(), wall=clock.wall, sleep=clock.sleep)
    text = "Detail produk: " + "kain katun adem " * 100  # past what a message with buttons holds
    options = (("ongkir", "Ongkir"), ("cod", "COD"))
    lane = "whatsapp:628123"
    await store.enqueue(queued(lane, Say(text, options=options, read="wamid.IN1")), clock.wall())
    outbox.kick(lane)

    async def done() -> bool:
        return not await store.outbox_depth()

    await eventually(done, what="the outbox to empty")
    await outbox.close()
    await channel.close()
    # refused twice on the text, then the text and the buttons once each
    assert [c.method for c in graph.calls] == ["mark_read", *["messages"] * 4]
    kinds = [c.params["type"] for c in graph.sent("messages")]
    assert kinds == ["text", "text", "text", "interactive"]


def _failed_status(wamid: str, code: int, title: str) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": "failed",
        "timestamp": "1",
        "recipient_id": "6281234567890",
        "errors": [{"code": code, "title": title}],
    }


async def test_a_reply_refused_after_it_was_taken_goes_again_after_the_limits_wait(
    config: Path,
) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    async with running(config, wa=wa, clock=clock) as bot:
        await bot.whatsapp(wa_text(QUESTION))
        await wa.wait_for(lambda c: len(wa.sent("messages")) == 1)
        wamid = f"wamid.OUT{len(wa.sent('messages'))}"  # the fake numbers what it takes
        # Meta answered 200, then reports the pair limit in the status webhook
        late = _failed_status(wamid, 131056, "pair rate limit hit")
        for _ in range(2):  # the report delivered twice: the reply goes again once
            assert (await bot.whatsapp(wa_envelope({"statuses": [late]}))).status_code == 200
        await wa.wait_for(lambda c: len(wa.sent("messages")) == 2)

        async def done() -> bool:
            return not await bot.gateway.store.outbox_depth()

        await eventually(done, what="the outbox to empty")
        await bot.gateway.outbox.close()
        first, again = wa.sent("messages")
        assert again.params == first.params  # the same reply, whole
        assert len(wa.sent("mark_read")) == 1  # its receipt went with the first send
        assert wa.gaps() == [1]  # 4^0 s for that buyer
        assert bot.gateway.outbox.limits.overall_rate("whatsapp") == 0  # others go on


async def test_a_late_spam_refusal_past_its_tries_is_given_up_and_told(config: Path) -> None:
    clock = FakeClock()
    wa = TimedGraph(clock)
    async with running(config, wa=wa, clock=clock) as bot:
        await bot.whatsapp(wa_text(QUESTION))
        for sends in range(1, 5):  # each send taken, then reported refused as spam
            await wa.wait_for(lambda c, n=sends: len(wa.sent("messages")) == n, timeout=10)
            wamid = f"wamid.OUT{sends}"
            late = _failed_status(wamid, 131048, "Spam rate limit hit")
            assert (await bot.whatsapp(wa_envelope({"statuses": [late]}))).status_code == 200
        await bot.tg.wait_for(lambda c: any("spam" in m.text for m in bot.tg.sent("sendMessage")))
        await bot.gateway.outbox.close()
        assert len(wa.sent("messages")) == 4  # 4 tries, not more
        assert wa.gaps() == [600, 1800, 3600]


async def test_a_late_refusal_of_an_unknown_message_changes_nothing(config: Path) -> None:
    async with running(config) as bot:
        late = _failed_status("wamid.NOT-OURS", 130429, "Rate limit hit")
        assert (await bot.whatsapp(wa_envelope({"statuses": [late]}))).status_code == 200
        assert await bot.gateway.store.outbox_depth() == 0


async def test_reopening_a_sent_row_keeps_its_progress_and_happens_once(
    backend_store: Store,
) -> None:
    store = backend_store
    lane = "whatsapp:628123"
    await store.enqueue(queued(lane, Say("halo kak")), 0.0)
    row = await store.next_outgoing(lane)
    assert row is not None
    await store.mark_progress(row.id, 2)
    await store.mark_sent(row, "wamid.OUT7", 1.0)
    reopened = await store.reopen_sent("wamid.OUT7", 5.0)
    assert reopened is not None
    assert reopened.id == row.id
    assert await store.reopen_sent("wamid.OUT7", 5.0) is None  # a second report: nothing
    pending = await store.next_outgoing(lane)
    assert pending is not None
    assert (pending.id, pending.progress, pending.not_before) == (row.id, 2, 5.0)


LANE = "whatsapp:628123"


async def _raced(
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
    say: Say,
    other: Callable[[], Awaitable[None]],
) -> None:
    """``say`` sent as wamid.OUT1; this worker's next read of its row is followed, before
    its write, by ``other``: a second worker taking the report's other delivery."""
    if isinstance(store, MemoryStore):
        pytest.skip("the memory store reads and writes the row in one step")
    await store.enqueue(queued(LANE, say), 0.0)
    row = await store.next_outgoing(LANE)
    assert row is not None
    await store.mark_sent(row, "wamid.OUT1", 1.0)
    read = store._one  # type: ignore[attr-defined]

    async def meanwhile(*args: Any) -> Any:
        found = await read(*args)
        monkeypatch.setattr(store, "_one", read)
        await other()
        return found

    monkeypatch.setattr(store, "_one", meanwhile)


async def test_a_late_second_report_leaves_the_reply_sent_again_since_alone(
    backend_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers take the two deliveries of one report: one reopens the row and the reply
    goes again (a new id) while the other still holds what it read; that one must not
    reopen the reply now sent under the new id."""
    store = backend_store

    async def other_worker() -> None:
        again = await store.reopen_sent("wamid.OUT1", 2.0)
        assert again is not None
        await store.mark_sent(again, "wamid.OUT2", 3.0)  # the reply went again

    await _raced(store, monkeypatch, Say("halo kak"), other_worker)
    assert await store.reopen_sent("wamid.OUT1", 5.0) is None
    assert await store.next_outgoing(LANE) is None  # sent as wamid.OUT2: not a third time


async def test_a_late_second_window_report_leaves_the_template_sent_since_alone(
    backend_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above for 131047 (the 24-hour window closed after the send): a message the shop
    started goes again as its template once, not twice."""
    store = backend_store

    async def other_worker() -> None:
        assert await store.resend_refused("wamid.OUT1", 2.0) == LANE
        again = await store.next_outgoing(LANE)
        assert again is not None
        await store.mark_sent(again, "wamid.OUT2", 3.0)  # the template went

    await _raced(store, monkeypatch, Say("Pesanan dikirim", initiated=True), other_worker)
    assert await store.resend_refused("wamid.OUT1", 5.0) is None
    assert await store.next_outgoing(LANE) is None  # sent as wamid.OUT2: not a third time


async def test_a_late_report_finds_its_row_by_an_index_not_a_scan_of_the_outbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox keeps 90 days of sent rows (retention.days); during a storm of limits
    each failed status must not read all of them (~40 ms a report at 450 000 rows, with
    the webhook and every turn waiting on SQLite)."""
    path = tmp_path / "japri.db"
    store = open_store(f"sqlite:///{path}")
    await store.open()
    lane = "whatsapp:628123"
    await store.enqueue(queued(lane, Say("Pesanan dikirim", initiated=True)), 0.0)
    row = await store.next_outgoing(lane)
    assert row is not None
    await store.mark_sent(row, "wamid.OUT1", 1.0)
    ran: list[tuple[str, tuple[Any, ...]]] = []
    engine = store.engine  # type: ignore[attr-defined]
    run = engine.run

    async def noted(batch: list[tuple[str, tuple[Any, ...]]], **kw: Any) -> Any:
        ran.extend(batch)
        return await run(batch, **kw)

    monkeypatch.setattr(engine, "run", noted)
    assert await store.resend_refused("wamid.OUT1", 2.0) == lane
    await store.mark_sent(row, "wamid.OUT2", 3.0)
    assert await store.reopen_sent("wamid.OUT2", 4.0) is not None
    await store.close()
    lookups = [(sql, params) for sql, params in ran if "platform_id = ?" in sql]
    assert len(lookups) >= 2
    with sqlite3.connect(path) as db:
        plans = [
            " | ".join(str(step[-1]) for step in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in lookups
        ]
    assert not [p for p in plans if re.search(r"\bSCAN (outbox|messages)\b", p)], plans


def test_an_account_error_without_a_message_is_told_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "japri.whatsapp")
    value = {"errors": [{"code": 130429, "title": "Rate limit hit", "error_data": {}}]}
    assert parse_notification(wa_envelope(value), PHONE_ID) == ([], [])
    [line] = [r.getMessage() for r in caplog.records if r.name == "japri.whatsapp"]
    assert "130429: Rate limit hit" in line
    assert "faster than WhatsApp allows" in line
    broken = {"errors": ["not an object", {"code": [1]}]}
    assert parse_notification(wa_envelope(broken), PHONE_ID) == ([], [])  # no crash


class HeldClock(FakeClock):
    """Wall time that moves only when the test moves it: a sleep waits for that, so a
    wait of the outbox is seen as one (nothing goes before its time)."""

    def __init__(self) -> None:
        super().__init__()
        self._moved = asyncio.Event()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        self._moved.set()
        self._moved = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        until = self.now + seconds
        while self.now < until:
            await self._moved.wait()


OTHER_BUYER = "6281299990000"
_PAUSED = "dijeda"  # what the sellers' note on a pause says, in the shop's Indonesian


def _notes(bot: Running, words: str = _PAUSED) -> list[str]:
    return [m.text for m in bot.tg.sent("sendMessage") if words in m.text]


async def _outbox_empty(bot: Running) -> None:
    async def done() -> bool:
        return not await bot.gateway.store.outbox_depth()

    await eventually(done, what="the outbox to empty")


async def _depth(bot: Running, rows: int) -> None:
    async def queued_up() -> bool:
        return await bot.gateway.store.outbox_depth() >= rows

    await eventually(queued_up, what=f"{rows} rows in the outbox")
    await asyncio.sleep(0.2)  # the lanes' workers have looked at them


_USAGE_3_MIN = (
    '{"1": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 3}]}'
)


@pytest.mark.parametrize(
    ("code", "headers", "pause", "told"),
    [
        (131048, {}, 600, ["10 menit", "quality rating", "WhatsApp Manager"]),
        (80007, {"X-Business-Use-Case-Usage": _USAGE_3_MIN}, 180, ["3 menit", "Meta App"]),
    ],
)
async def test_a_limit_of_the_whole_number_pauses_every_buyers_replies_and_tells_once(
    config: Path, code: int, headers: dict[str, str], pause: float, told: list[str]
) -> None:
    clock = HeldClock()
    wa = TimedGraph(clock)
    async with running(config, wa=wa, clock=clock) as bot:
        start = clock.now
        wa.fail("messages", 400, _refusal(code), headers=headers)
        await bot.whatsapp(wa_text(QUESTION))
        await bot.tg.wait_for(lambda c: bool(_notes(bot)), timeout=10)
        await bot.whatsapp(wa_text(QUESTION, OTHER_BUYER, "Rina"))
        await _depth(bot, 2)
        assert len(wa.sent("messages")) == 1  # the other buyer's reply does not even try
        assert wa.sent("messages", OTHER_BUYER) == []
        clock.advance(pause)
        await wa.wait_for(lambda c: len(wa.sent("messages")) == 3, timeout=10)
        await _outbox_empty(bot)
        await bot.gateway.outbox.close()
        assert len(wa.sent("messages", OTHER_BUYER)) == 1  # both replies went, once each
        later = [t for c, t in zip(wa.calls, wa.at, strict=True) if c.method == "messages"][1:]
        assert later == [start + pause] * 2  # when the pause ended, not before
        [note] = _notes(bot)  # one note for the pause, not one a buyer
        for words in told:
            assert words in note


@pytest.mark.parametrize(
    ("code", "wait"), [(131056, 1.0), (130429, 1.0)], ids=["pair limit", "throughput"]
)
async def test_a_limit_of_one_buyer_or_of_seconds_pauses_no_one_else(
    config: Path, code: int, wait: float, caplog: pytest.LogCaptureFixture
) -> None:
    clock = HeldClock()
    wa = TimedGraph(clock)
    caplog.set_level(logging.WARNING, "japri.outbox")
    async with running(config, wa=wa, clock=clock) as bot:
        wa.fail("messages", 400, _refusal(code))
        await bot.whatsapp(wa_text(QUESTION))
        await wa.wait_for(lambda c: len(wa.sent("messages")) == 1, timeout=10)
        await bot.whatsapp(wa_text(QUESTION, OTHER_BUYER, "Rina"))
        # the other buyer's reply goes while the first one waits its second
        await wa.wait_for(lambda c: len(wa.sent("messages", OTHER_BUYER)) == 1, timeout=10)
        clock.advance(wait)
        await wa.wait_for(lambda c: len(wa.sent("messages")) == 3, timeout=10)
        await _outbox_empty(bot)
        await bot.gateway.outbox.close()
        assert _notes(bot) == []
    assert not [r for r in caplog.records if "paused" in r.getMessage()]


async def test_a_pause_holds_for_every_process_sharing_the_store(store: Store) -> None:
    """server.workers > 1: the process that was refused pauses the number in the store;
    another one, sending to another buyer, looks there before it sends."""
    clock = HeldClock()
    graph = TimedGraph(clock)
    graph.fail("messages", 400, _refusal(131048, "Spam rate limit hit"))
    channel, delivery = _delivering(graph)
    one, two = (
        Outbox(
            store,
            delivery,
            Limits({}, {}),
            Metrics(),
            wall=clock.wall,
            sleep=clock.sleep,
            shared=True,
        )
        for _ in range(2)
    )
    start = clock.now
    await store.enqueue(queued("whatsapp:628111", Say("halo kak")), start)
    one.kick("whatsapp:628111")
    await graph.wait_for(lambda c: len(graph.sent("messages")) == 1)

    async def refused() -> bool:
        row = await store.next_outgoing("whatsapp:628111")
        return row is not None and row.attempts == 1

    await eventually(refused, what="the refusal recorded")
    for buyer in ("628222", "628333"):  # two lanes there, both asking at once
        await store.enqueue(queued(f"whatsapp:{buyer}", Say("halo juga")), start)
    for buyer in ("628222", "628333"):
        two.kick(f"whatsapp:{buyer}")
    await asyncio.sleep(0.2)
    assert len(graph.sent("messages")) == 1  # the other process does not try
    clock.advance(600)  # the pause is over; the other process looks again within 10 s
    clock.advance(10)

    async def done() -> bool:
        return not await store.outbox_depth()

    await eventually(done, what="the outbox to empty")
    for outbox in (one, two):
        await outbox.close()
    await channel.close()
    assert sorted(c.chat for c in graph.sent("messages")[1:]) == ["628111", "628222", "628333"]
    assert min(graph.at[1:]) >= start + 600


async def test_a_pause_outlives_a_restart_of_a_process_sending_alone(store: Store) -> None:
    """One ``japri serve`` on SQLite restarted during a pause: its successor drops the
    leases of the process that stopped, not the pause, and looks at it before it sends
    (its buyers' replies would only be refused, each costing one of its few tries)."""
    clock = HeldClock()
    graph = TimedGraph(clock)
    graph.fail("messages", 400, _refusal(131048, "Spam rate limit hit"))
    channel, delivery = _delivering(graph)

    def outbox() -> Outbox:
        return Outbox(
            store, delivery, Limits({}, {}), Metrics(), wall=clock.wall, sleep=clock.sleep
        )

    before = outbox()
    start = clock.now
    await store.enqueue(queued("whatsapp:628111", Say("halo kak")), start)
    before.kick("whatsapp:628111")

    async def refused() -> bool:
        row = await store.next_outgoing("whatsapp:628111")
        return row is not None and row.attempts == 1

    await eventually(refused, what="the refusal recorded")
    await before.close()
    await store.drop_leases(keep=PAUSE_KEY)  # what the gateway does as it starts alone
    after = outbox()
    await store.enqueue(queued("whatsapp:628222", Say("halo juga")), start)
    await after.resume()
    await asyncio.sleep(0.2)
    assert len(graph.sent("messages")) == 1  # the pause holds after the restart too
    clock.advance(600)  # the pause is over; the process looks again within 10 s
    clock.advance(10)

    async def done() -> bool:
        return not await store.outbox_depth()

    await eventually(done, what="the outbox to empty")
    await after.close()
    await channel.close()
    assert sorted(c.chat for c in graph.sent("messages")[1:]) == ["628111", "628222"]
    assert min(graph.at[1:]) >= start + 600


async def test_a_lone_process_drops_its_predecessors_leases_but_not_a_pause(
    backend_store: Store,
) -> None:
    store = backend_store
    for key in ("outbox:whatsapp:628111", "chat:whatsapp:628111", "pauseless", "pause_x"):
        assert await store.claim(key, "stopped", 0.0, 600.0)
    assert await store.claim(PAUSE_KEY + "whatsapp", "stopped", 0.0, 600.0)
    assert await store.drop_leases(keep=PAUSE_KEY) == 4
    assert await store.claim("outbox:whatsapp:628111", "next", 1.0, 60.0)
    assert await store.claim("pause_x", "next", 1.0, 60.0)  # a LIKE wildcard is a letter
    assert not await store.claim(PAUSE_KEY + "whatsapp", "next", 1.0, -1.0)  # still paused
    assert await store.drop_leases() == 3  # without ``keep``: every lease


def test_a_reply_given_up_in_a_pause_the_sellers_know_of_is_not_told_again() -> None:
    """Many buyers' replies refused in one pause: the sellers hear of the pause once, not
    of each reply; a message the shop started, or a seller's own, is still told."""
    delivery = Delivery({}, None, MediaRelay(None, None), SellerChat("-100777", "id"))
    spam = _limited(400, 131048)
    lane = "whatsapp:628111"
    assert len(delivery.given_up(lane, Say("Bahannya katun"), spam)) == 1  # began the pause
    assert delivery.given_up(lane, Say("Bahannya katun"), spam, told=True) == []
    assert len(delivery.given_up(lane, Say("Resi JP1", initiated=True), spam, told=True)) == 1
    assert len(delivery.given_up(lane, Say("Bisa kak", by_seller=True), spam, told=True)) == 1
    [note] = delivery.paused("whatsapp", spam, 1800)
    assert note.lane == "telegram:-100777"
    said = decode(note.payload)
    assert isinstance(said, Say)
    assert "dijeda 30 menit" in said.text
    assert delivery.paused("telegram", _telegram_flood(), 120) == []  # never paused


def _telegram_flood() -> RateLimited:
    return RateLimited("Telegram: too many requests, retry after 120s", 120.0)


@pytest.mark.parametrize(
    ("language", "seconds", "words"),
    [
        ("id", 600, "10 menit"),
        ("id", 3600, "1 jam"),
        ("id", 5400, "1 jam 30 menit"),
        ("ms", 180, "3 minit"),
        ("en", 7200, "2 h"),
        ("xx", 60, "1 menit"),
    ],
)
def test_a_pause_is_told_in_minutes_and_hours_of_the_shop_language(
    language: str, seconds: float, words: str
) -> None:
    assert shop_duration(language, seconds) == words


@pytest.mark.parametrize("language", ["id", "ms", "en"])
@pytest.mark.parametrize("key", ["paused_spam", "paused_calls", "paused"])
def test_every_pause_note_says_how_long_and_what_to_check(language: str, key: str) -> None:
    text = shop_text(language, key, wait="10 menit", error="(detail)")
    assert "10 menit" in text
    assert re.search(r"WhatsApp Manager|Meta App Dashboard", text)
    assert re.search(r"tidak hilang|not lost", text)


def test_after_a_pause_the_number_keeps_to_whatsapps_pace_a_minute_more() -> None:
    clock = FakeClock()
    limits = Limits({}, {}, clock=clock.wall)
    limits.throttled("whatsapp", 600)
    clock.now += 10
    limits.throttled("whatsapp")  # a short refusal meanwhile does not cut it short
    clock.now += 640
    assert limits.overall_rate("whatsapp") == 80  # the pause and a minute more
    clock.now += 15
    assert limits.overall_rate("whatsapp") == 0
