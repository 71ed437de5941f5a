"""Both channels over real sockets, on the aiohttp plumbing they use in production
(bot/channels/http.py): the recording platform fakes are served by a local aiohttp server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import aiohttp
import httpx
import pytest
from aiohttp import web

from bot.channels.base import Sent
from bot.channels.http import AiohttpRequest, JsonPoster, pooled_transport
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.commands import MarkRead, Say
from bot.errors import ChannelError, DeliveryFailed, OutsideReplyWindow, RateLimited
from tests.bot.fakes import FakeBotApi, FakeGraphApi

TOKEN = "123:TEST"
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Server:
    url: str  # http://127.0.0.1:<port>
    delay: list[float] = field(default_factory=lambda: [0.0])  # a slow platform's wait


async def _serve(handler: Handler) -> AsyncIterator[Server]:
    """``handler`` (a fake's httpx handler) behind a real HTTP server on a free port."""
    server = Server("")

    async def handle(request: web.Request) -> web.Response:
        if server.delay[0]:
            await asyncio.sleep(server.delay[0])
        body = await request.read()
        answer = handler(
            httpx.Request(request.method, str(request.url), headers=request.headers, content=body)
        )
        # the fakes name a pretend host for media; point it at this server
        content = answer.content.replace(b"http://graph.test", server.url.encode())
        own = ("content-type", "content-length")
        return web.Response(
            status=answer.status_code,
            body=content,
            content_type=answer.headers.get("content-type", "application/json").split(";")[0],
            headers={k: v for k, v in answer.headers.items() if k.lower() not in own},
        )

    app = web.Application(client_max_size=2**24)
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.url = f"http://127.0.0.1:{port}"
    yield server
    await runner.cleanup()


@dataclass
class Served:
    api: FakeBotApi
    base_url: str
    delay: list[float]


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    """The Bot API fake over HTTP."""
    api = FakeBotApi(TOKEN)
    async for server in _serve(api.handle):
        yield Served(api, f"{server.url}/bot", server.delay)


@dataclass
class Graph:
    api: FakeGraphApi
    channel: WhatsAppChannel


@pytest.fixture
async def graph() -> AsyncIterator[Graph]:
    """The Graph API fake over HTTP and a WhatsApp channel on the production transport."""
    api = FakeGraphApi()
    async for server in _serve(api.handle):
        channel = WhatsAppChannel(api.token, api.phone_number_id, f"{server.url}/v21.0")
        yield Graph(api, channel)
        await channel.close()


Sender = Callable[[TelegramChannel], Awaitable[object]]


async def _with_channel(base_url: str, act: Sender, **timeouts: float) -> object:
    channel = TelegramChannel(TOKEN, base_url, request=AiohttpRequest(2, **timeouts))
    await channel.start()
    try:
        return await act(channel)
    finally:
        await channel.close()


async def test_a_reply_with_buttons_reaches_the_bot_api(served: Served) -> None:
    say = Say("Ukuran M atau L kak? 😊", (("m", "M"), ("l", "L")))
    sent = await _with_channel(served.base_url, lambda ch: ch.send("42", say))

    [call] = served.api.sent("sendMessage")
    assert call.chat == "42"
    assert call.text == "Ukuran M atau L kak? 😊"
    rows = call.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in rows] == ["faq:m", "faq:l"]
    assert sent == Sent("1000")


async def test_a_photo_goes_up_as_multipart(served: Served) -> None:
    photo = b"\xff\xd8 a product photo"
    await _with_channel(
        served.base_url, lambda ch: ch.send_file("-100", photo, "photo", "warna navy ya kak")
    )

    [call] = served.api.sent("sendPhoto")
    assert call.params["caption"] == "warna navy ya kak"
    assert call.params["chat_id"] == "-100"


async def test_a_sellers_photo_comes_down_from_the_file_server(served: Served) -> None:
    data = await _with_channel(served.base_url, lambda ch: ch.download("photo-file-id"))

    assert data == b"\xff\xd8 a seller's photo"
    assert served.api.sent("getFile")[0].params["file_id"] == "photo-file-id"


async def test_429_becomes_a_rate_limit_with_its_wait(served: Served) -> None:
    body = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 3"}
    served.api.fail("sendMessage", 429, {**body, "parameters": {"retry_after": 3}})

    with pytest.raises(RateLimited) as caught:
        await _with_channel(served.base_url, lambda ch: ch.send("42", Say("halo")))
    assert caught.value.retry_after == 3


async def test_a_blocked_bot_is_a_permanent_failure(served: Served) -> None:
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"}
    served.api.fail("sendMessage", 403, body)

    with pytest.raises(DeliveryFailed):
        await _with_channel(served.base_url, lambda ch: ch.send("42", Say("halo")))


async def test_a_platform_slower_than_the_read_timeout_is_a_retryable_error(
    served: Served,
) -> None:
    served.delay[0] = 1.0

    with pytest.raises(ChannelError) as caught:
        await _with_channel(
            served.base_url,
            lambda ch: ch.send("42", Say("halo")),
            read_timeout=0.2,
            write_timeout=0.2,
        )
    assert not caught.value.permanent
    assert "TimedOut" in str(caught.value)


async def test_an_unreachable_platform_is_a_retryable_error() -> None:
    with pytest.raises(ChannelError) as caught:
        await _with_channel("http://127.0.0.1:9/bot", lambda ch: ch.send("42", Say("halo")))
    assert not caught.value.permanent
    assert "NetworkError" in str(caught.value)


async def test_requests_before_initialize_are_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/bot/getMe", "POST")


async def test_whatsapp_reply_and_read_receipt_reach_the_graph_api(graph: Graph) -> None:
    await graph.channel.send("6281234567890", MarkRead("wamid.IN1"))
    sent = await graph.channel.send("6281234567890", Say("Bisa COD kak 😊"))

    assert [c.method for c in graph.api.calls] == ["mark_read", "messages"]
    assert graph.api.calls[1].text == "Bisa COD kak 😊"
    assert sent == Sent("wamid.OUT1")


async def test_whatsapp_media_comes_down_and_goes_up(graph: Graph) -> None:
    data, mime = await graph.channel.download("media-1")
    assert (data, mime) == (b"\xff\xd8 a buyer's photo", "image/jpeg")

    await graph.channel.send_file("6281234567890", data, "photo", mime, "ini kak", "a.jpg")
    upload, message = graph.api.calls
    assert upload.method == "upload"
    assert upload.params["size"] > len(data)  # the multipart body around the photo
    assert message.params["image"] == {"id": "uploaded-1", "caption": "ini kak"}


async def test_whatsapp_errors_keep_their_meaning(graph: Graph) -> None:
    window = {"error": {"code": 131047, "message": "Re-engagement message"}}
    graph.api.fail("messages", 400, window)
    with pytest.raises(OutsideReplyWindow):
        await graph.channel.send("6281234567890", Say("halo"))

    graph.api.fail("messages", 400, {"error": {"code": 130429, "message": "Rate limit hit"}})
    with pytest.raises(RateLimited):
        await graph.channel.send("6281234567890", Say("halo"))


async def test_a_whatsapp_refusal_is_read_with_its_rate_limit_headers(graph: Graph) -> None:
    usage = (
        '{"1": [{"type": "whatsapp_business_management", "estimated_time_to_regain_access": 2}]}'
    )
    refusal = {"error": {"code": 80007, "message": "(#80007) Rate limit issues"}}
    graph.api.fail("messages", 400, refusal, headers={"X-Business-Use-Case-Usage": usage})
    with pytest.raises(RateLimited) as caught:
        await graph.channel.send("6281234567890", Say("halo"))
    assert caught.value.retry_after == 120  # minutes, as Meta gives them

    graph.api.fail("messages", 429, {}, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        await graph.channel.send("6281234567890", Say("halo"))
    assert caught.value.retry_after == 7


@pytest.mark.parametrize(
    "answer",
    [
        {"error": "Bad Gateway"},  # a proxy's own error: not the Graph API's object
        {"error": ["upstream", "timeout"]},
        ["Bad Gateway"],
    ],
)
async def test_a_5xx_in_a_shape_the_graph_api_never_sends_is_still_retried(
    graph: Graph, answer: object
) -> None:
    graph.api.fail("messages", 502, answer)  # type: ignore[arg-type]
    with pytest.raises(ChannelError) as caught:
        await graph.channel.send("6281234567890", Say("halo"))
    assert not caught.value.permanent
    assert "502" in str(caught.value)


@pytest.mark.parametrize("status", [400, 500])
async def test_an_error_code_that_is_no_number_is_decided_by_the_status(
    graph: Graph, status: int
) -> None:
    graph.api.fail("messages", status, {"error": {"code": [131047], "message": "odd"}})
    with pytest.raises(ChannelError) as caught:
        await graph.channel.send("6281234567890", Say("halo"))
    assert caught.value.permanent is (status == 400)  # a known failure, not a bug


@pytest.mark.parametrize(
    "answer",
    [{"messages": "wamid.1"}, {"messages": [None]}, {"messages": [{"id": ["x"]}]}, {}],
)
async def test_a_success_answer_of_an_odd_shape_still_counts_as_sent(
    graph: Graph, answer: dict[str, object]
) -> None:
    graph.api.fail("messages", 200, answer)  # the message is out whatever the answer says
    sent = await graph.channel.send("6281234567890", Say("halo"))
    assert sent.platform_id is None


async def test_an_unreachable_graph_api_is_a_retryable_error() -> None:
    channel = WhatsAppChannel("EAATEST", "1055000000", "http://127.0.0.1:9/v21.0")
    try:
        with pytest.raises(ChannelError) as caught:
            await channel.send("6281234567890", Say("halo"))
    finally:
        await channel.close()
    assert not caught.value.permanent


class _FailingSession:
    """Stands in for aiohttp's session: every request fails with ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def request(self, *args: object, **kwargs: object) -> _FailingSession:
        return self

    post = request

    async def __aenter__(self) -> None:
        raise self.error

    async def __aexit__(self, *exc: object) -> None:
        return None


@pytest.mark.parametrize(
    ("error", "seen_as"),
    [
        (aiohttp.ClientError("an error httpx-aiohttp does not map"), httpx.TransportError),
        (TimeoutError(), httpx.TimeoutException),
    ],
)
async def test_aiohttp_failures_the_library_leaves_unmapped_still_reach_us_as_httpx_ones(
    error: BaseException, seen_as: type[Exception]
) -> None:
    transport = pooled_transport(2)
    transport.client = lambda: _FailingSession(error)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(seen_as):
            await client.get("http://graph.test/v21.0/1/messages")

    channel = WhatsAppChannel("EAATEST", "1", "http://graph.test/v21.0", transport=transport)
    with pytest.raises(ChannelError) as caught:
        await channel.send("6281234567890", Say("halo"))
    assert not caught.value.permanent


@pytest.mark.parametrize(
    ("error", "seen_as"),
    [
        (aiohttp.ClientPayloadError("cut short"), httpx.ReadError),  # httpx-aiohttp's map
        (aiohttp.ClientError("an error httpx-aiohttp does not map"), httpx.TransportError),
        (TimeoutError(), httpx.TimeoutException),
    ],
)
async def test_the_graph_posts_failures_are_httpx_ones_and_retryable(
    error: BaseException, seen_as: type[Exception]
) -> None:
    poster = JsonPoster(2)
    poster.session = lambda: _FailingSession(error)  # type: ignore[assignment,method-assign,return-value]
    with pytest.raises(seen_as):
        await poster.post("http://graph.test/v21.0/1/messages", b"{}", {})

    channel = WhatsAppChannel("EAATEST", "1", "http://graph.test/v21.0")
    assert channel._poster is not None
    channel._poster.session = poster.session  # type: ignore[method-assign]
    with pytest.raises(ChannelError) as caught:
        await channel.send("6281234567890", MarkRead("wamid.IN1"))
    assert not caught.value.permanent
    await channel.close()


async def _hang_up_after_the_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()  # the request came; no answer


@pytest.mark.parametrize("path", ["posts", "media"])
async def test_connection_failures_are_named_for_what_they_are_not_timeouts(path: str) -> None:
    """httpx-aiohttp maps every aiohttp connection error to ``ConnectTimeout``; a refused
    connection is a ``ConnectError`` (the request never left) and a server that hangs up
    after the request a ``NetworkError`` (it may have gone out), on both WhatsApp paths."""
    server = await asyncio.start_server(_hang_up_after_the_request, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    poster = JsonPoster(2)
    client = httpx.AsyncClient(transport=poster.transport())

    async def call(url: str) -> object:
        if path == "posts":
            return await poster.post(url, b"{}", {})
        return await client.get(url)

    try:
        with pytest.raises(httpx.ConnectError):
            await call("http://127.0.0.1:9/v21.0/1/messages")  # nothing listens there
        with pytest.raises(httpx.NetworkError) as caught:
            await call(f"http://127.0.0.1:{port}/v21.0/1/messages")
        assert not isinstance(caught.value, httpx.TimeoutException)
    finally:
        await client.aclose()
        await poster.close()
        server.close()
        await server.wait_closed()


async def test_a_graph_api_slower_than_the_read_timeout_is_a_timeout() -> None:
    api = FakeGraphApi()
    async for server in _serve(api.handle):
        server.delay[0] = 1.0
        poster = JsonPoster(2, read_timeout=0.2)
        try:
            with pytest.raises(httpx.TimeoutException):
                await poster.post(f"{server.url}/v21.0/{api.phone_number_id}/messages", b"{}", {})
        finally:
            await poster.close()


async def test_graph_posts_and_media_share_one_connection_pool(graph: Graph) -> None:
    await graph.channel.send("6281234567890", Say("halo"))
    await graph.channel.download("media-1")
    poster = graph.channel._poster
    assert poster is not None
    assert graph.channel.client._transport.client is poster.session()  # type: ignore[attr-defined]


def test_proxies_come_from_the_environment_as_httpx_takes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.shop.lan:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    request = AiohttpRequest()
    assert request._proxy_for("https://api.telegram.org/bot1:x/sendMessage") == (
        "http://proxy.shop.lan:3128"
    )
    assert request._proxy_for("http://127.0.0.1:8081/bot1:x/getMe") is None


@pytest.mark.parametrize("first", ["post", "download", "none"])
async def test_the_whatsapp_channel_closes_its_one_session_whichever_call_made_it(
    first: str,
) -> None:
    """The Graph posts and the media calls share a session made on first use, by either;
    closing the channel closes it (no "Unclosed client session"), and a channel that never
    called makes none."""
    api = FakeGraphApi()
    async for server in _serve(api.handle):
        channel = WhatsAppChannel(api.token, api.phone_number_id, f"{server.url}/v21.0")
        poster = channel._poster
        assert poster is not None
        if first == "post":
            await channel.send("6281234567890", Say("halo"))
        elif first == "download":
            await channel.download("media-1")
        made = poster._session
        if first != "none":
            await channel.send("6281234567890", MarkRead("wamid.IN1"))
            await channel.download("media-1")
            assert made is not None
            assert poster._session is made
            assert channel.client._transport.client is made  # type: ignore[attr-defined]
        await channel.close()
        assert poster._session is None
        assert made is None if first == "none" else made.closed
