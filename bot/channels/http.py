"""The HTTP plumbing under both platform clients: aiohttp moves the bytes.

Every reply Japri sends is one platform call, and under load httpcore's connection pool
(it polls each pooled socket on every request) was the largest CPU cost of a message —
more than the engine and the store together. aiohttp's connector does the same job for a
fraction of it (bench/README.md, "Gateway load"), so:

- Telegram: python-telegram-bot's ``Bot`` runs on ``AiohttpRequest``, a ``BaseRequest``
  (the library's documented way to bring another HTTP backend). python-telegram-bot sees
  what ``HTTPXRequest`` gives it: ``(status, body)``, ``TimedOut``, ``NetworkError``.
- WhatsApp: the Cloud API client stays an ``httpx.AsyncClient``, with httpx-aiohttp's
  transport underneath (:func:`pooled_transport`); ``NETWORK_ERRORS`` is what a call can
  raise when the network or the platform's server fails.
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_MEDIA_WRITE_TIMEOUT = 20.0

# httpx's own errors, plus aiohttp's where the transport passes one through unmapped
NETWORK_ERRORS = (httpx.HTTPError, aiohttp.ClientError, TimeoutError)


def pooled_transport(pool_size: int) -> httpx.AsyncBaseTransport:
    """An httpx transport on aiohttp holding at most ``pool_size`` connections."""
    limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
    return AiohttpTransport(limits=limits)


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session for the Bot API (created on ``initialize``)."""

    def __init__(
        self,
        connection_pool_size: int = 8,
        *,
        read_timeout: float = 10.0,
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
                trust_env=True,  # HTTPS_PROXY and friends, as httpx honours them
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
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        body: aiohttp.FormData | dict[str, str] | None = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = _MEDIA_WRITE_TIMEOUT if files else self._write
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        # aiohttp has no separate write timeout: the request as a whole gets read + write
        total = None if read is None or write is None else read + write
        timeout = aiohttp.ClientTimeout(
            total=total, connect=pool, sock_connect=connect, sock_read=read
        )
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
