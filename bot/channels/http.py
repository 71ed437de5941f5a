"""The HTTP plumbing under both platform clients: aiohttp moves the bytes.

Every reply Japri sends is one platform call, and under load httpcore's connection pool
(it polls each pooled socket on every request) was the largest CPU cost of a message —
more than the engine and the store together. aiohttp's connector does the same job for a
fraction of it (bench/README.md, "Gateway load"), so:

- Telegram: python-telegram-bot's ``Bot`` runs on ``AiohttpRequest``, a ``BaseRequest``
  (the library's documented way to bring another HTTP backend). python-telegram-bot sees
  what ``HTTPXRequest`` gives it: ``(status, body)``, ``TimedOut``, ``NetworkError``.
- WhatsApp: the Graph API's JSON posts (a read receipt and a reply a buyer message) go
  straight through an aiohttp session (:class:`JsonPoster`); uploads and downloads
  through an ``httpx.AsyncClient`` on httpx-aiohttp's transport over the same session
  (:func:`pooled_transport`). Any failure below either surfaces as an
  ``httpx.HTTPError``, so the channel need not know what moves the bytes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import map_aiohttp_exceptions
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_MEDIA_WRITE_TIMEOUT = 20.0
# How long a send waits for the platform's answer. Longer than its slow answers: a send
# that timed out is retried, and if the platform had taken it the buyer gets it twice
# (at 10 s, a platform answering in 11 s doubled 3 of 3). Neither platform lets a retry
# say "the same message again", so waiting is the only guard (tests/bot/test_exactly_once.py).
SEND_READ_TIMEOUT = 60.0
# python-telegram-bot passes "not given" as a sentinel of a private class; its public
# instance tells the class (so nothing here imports telegram._utils)
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}
# how long httpx (and so httpx-aiohttp's transport) keeps an idle connection: 5 s
_HTTPX_KEEPALIVE = httpx.Limits().keepalive_expiry
_FAILURES = (aiohttp.ClientError, TimeoutError)  # what aiohttp raises when a call fails


def _as_httpx(exc: BaseException) -> httpx.TransportError:
    message = f"aiohttp.{type(exc).__name__}: {exc}"
    if isinstance(exc, TimeoutError):
        return httpx.TimeoutException(message)
    if isinstance(exc, aiohttp.ClientConnectorError):  # DNS, refused, TLS: never sent
        return httpx.ConnectError(message)
    if isinstance(exc, aiohttp.ClientConnectionError):  # dropped once made: maybe sent
        return httpx.NetworkError(message)
    return httpx.TransportError(message)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """aiohttp's failures as httpx's: httpx-aiohttp's mapping, then ours for the rest.

    Its mapping takes every aiohttp connection error for a ``ConnectTimeout`` (of the
    classes it matches, it keeps the first's unless a later one is a subclass of it): a
    DNS failure, a refused connection, a server that hung up after the request. Those are
    named for what they are, so a log does not send anyone hunting a timeout, nor read
    "the request never left" into a reset that may have delivered it."""
    try:
        with map_aiohttp_exceptions():
            yield
    except httpx.ConnectTimeout as exc:
        cause = exc.__cause__
        if isinstance(cause, aiohttp.ClientConnectionError) and not isinstance(
            cause, TimeoutError
        ):
            raise _as_httpx(cause) from cause
        raise
    except _FAILURES as exc:
        raise _as_httpx(exc) from exc


class _Body(httpx.AsyncByteStream):
    """A response body read through aiohttp, its failures as httpx's."""

    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._inner:
                yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Transport(AiohttpTransport):
    """httpx-aiohttp's transport, which maps most aiohttp errors to httpx's; the rest are
    mapped here, so a failed call is always an ``httpx.HTTPError``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _as_httpx_errors():
            response = await super().handle_async_request(request)
        response.stream = _Body(response.stream)  # type: ignore[arg-type]
        return response


def pooled_transport(
    pool_size: int, session: Callable[[], aiohttp.ClientSession] | None = None
) -> httpx.AsyncBaseTransport:
    """An httpx transport on aiohttp holding at most ``pool_size`` connections; on
    ``session``'s (it makes the session on first use) when given."""
    limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
    return _Transport(limits=limits, client=session)


class JsonPoster:
    """perf: JSON POSTs on a pooled aiohttp session, for the WhatsApp channel's two calls a
    buyer message. Through ``httpx.AsyncClient`` each built a ``Request``, merged URLs,
    ran a cookie jar over the answer and wrapped the aiohttp response in an httpx one:
    about as much CPU again as aiohttp's own work (bench/README.md, "Session 8").

    Sent as the httpx client on httpx-aiohttp's transport sent them: no proxy from the
    environment (httpx takes none with a transport of its own), the same timeouts (no
    total; ``connect`` the wait for a pooled connection), the body as httpx encodes
    ``json=``. A failure is an ``httpx.HTTPError``, as through httpx.
    """

    def __init__(
        self,
        pool_size: int,
        *,
        read_timeout: float = SEND_READ_TIMEOUT,
        connect_timeout: float = 5.0,
        pool_timeout: float = 5.0,
    ) -> None:
        self._pool_size = pool_size
        self._timeout = aiohttp.ClientTimeout(
            connect=pool_timeout, sock_connect=connect_timeout, sock_read=read_timeout
        )
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The session (made on first use, inside the event loop)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size,
                keepalive_timeout=_HTTPX_KEEPALIVE,
                ssl=httpx.create_ssl_context(),  # what httpx-aiohttp's transport uses
            )
            self._session = aiohttp.ClientSession(
                connector=connector, cookie_jar=aiohttp.DummyCookieJar()
            )
        return self._session

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport on this poster's session (one connection pool for both)."""
        return pooled_transport(self._pool_size, self.session)

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, bytes, str, Mapping[str, str]]:
        """POST ``body`` (JSON) to ``url``: the answer's status, body, reason phrase and
        headers (case-insensitive: a refusal's rate-limit headers are read from them)."""
        with _as_httpx_errors():
            async with self.session().post(
                url, data=body, headers=headers, timeout=self._timeout
            ) as response:
                data = await response.read()
                return response.status, data, response.reason or "", response.headers

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session for the Bot API (created on ``initialize``)."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float = SEND_READ_TIMEOUT,
        write_timeout: float = 10.0,
        connect_timeout: float = 5.0,
        pool_timeout: float = 5.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    def _proxy_for(self, url: str) -> str | None:
        """HTTPS_PROXY / NO_PROXY as httpx honours them, looked up once per host.
        (aiohttp's own ``trust_env`` also reads ~/.netrc in a thread on every request.)"""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            proxy = getproxies().get(parts.scheme)
            self._proxies[key] = None if not proxy or proxy_bypass(key[1]) else proxy
        return self._proxies[key]

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._pool_size,
                keepalive_timeout=60,
                # the same CA bundle httpx trusts, not whatever the OS happens to ship
                ssl=httpx.create_ssl_context(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("Accept-Encoding",),
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if fields and not files:
            # perf: encoded here; given the dict, aiohttp builds a FormData (and a
            # multipart writer with a random boundary) for every call
            body = urlencode(fields).encode()
            headers = _FORM
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        read = _seconds(read_timeout, self._read)
        write = _seconds(write_timeout, _MEDIA_WRITE_TIMEOUT if files else self._write)
        connect = _seconds(connect_timeout, self._connect)
        pool = _seconds(pool_timeout, self._pool)
        # aiohttp has no separate write timeout: the request as a whole gets read + write
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(
            total=total, connect=pool, sock_connect=connect, sock_read=read
        )
        try:
            proxy = self._proxy_for(url)
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy
            ) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout python-telegram-bot passed: the default when it gave none."""
    if isinstance(value, _NOT_GIVEN):
        return default
    if value is None or isinstance(value, int | float):
        return value
    raise TypeError(f"a timeout must be seconds, not {value!r}")
