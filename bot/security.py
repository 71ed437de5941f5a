"""The HTTP edge: body caps before a byte is read, security headers, who the client is,
and the start-up checks that keep the gateway from running open."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import ConfigError
from bot.settings import Settings

WEBHOOK_BODY = 1_000_000  # a real Telegram/WhatsApp update is a few KB
WEBCHAT_BODY = 16_000  # one buyer line (capped at a few thousand characters) in JSON
INBOX_BODY = 64_000  # a seller's reply, tags and notes
OTHER_BODY = 16_000  # nothing else takes a body
INBOX_FIELDS = 16  # the largest inbox form has four fields

# Inline <script>/<style> blocks are part of the pages (no build step); everything else
# comes from this origin only, and no other site may frame a page (clickjacking).
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_HTML = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its cap: FastAPI and Starlette pass an
    HTTPException through their body parsing, so the client gets a 413, not a 400/500."""

    def __init__(self, detail: str = "body too large") -> None:
        super().__init__(413, detail)


def body_limit(path: str) -> tuple[int, int | None]:
    """``(bytes, form fields or None)`` a request to ``path`` may send."""
    if path.startswith("/webhook/"):
        return WEBHOOK_BODY, None
    if path.startswith("/chat/"):
        return WEBCHAT_BODY, None
    if path.startswith("/inbox"):
        return INBOX_BODY, INBOX_FIELDS
    return OTHER_BODY, None


class EdgeMiddleware:
    """Pure ASGI (no per-request task or body copy, unlike BaseHTTPMiddleware): refuses a
    body over its route's cap before reading it (Content-Length) or while it streams in,
    counts form fields as they stream, and adds security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, fields = body_limit(scope["path"])
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, b"body too large")
            return
        if fields is not None and scope["method"] == "POST":
            kind = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
            if kind not in ("", "application/x-www-form-urlencoded"):  # no multipart parts
                await _refuse(send, 415, b"send the form as application/x-www-form-urlencoded")
                return
        started = False
        seen = 0
        separators = 0

        async def capped_receive() -> Message:
            nonlocal seen, separators
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > limit:
                    raise BodyTooLarge()
                if fields is not None:
                    separators += chunk.count(b"&")
                    if separators >= fields:
                        raise BodyTooLarge("too many form fields")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers += _ALWAYS
                content_type = next((v for k, v in headers if k == b"content-type"), b"")
                if content_type.startswith(b"text/html"):
                    headers += _HTML
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except BodyTooLarge as exc:  # raised outside a route (no handler turned it into 413)
            if not started:
                await _refuse(guarded_send, 413, str(exc.detail).encode())


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, text: bytes) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(text)).encode()),
        (b"connection", b"close"),  # the rest of the body is not read
        *_ALWAYS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


# who is asking ----------------------------------------------------------------------


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Proxies:
    """The reverse proxies whose ``X-Forwarded-For`` is believed (``server.trusted_proxies``);
    none by default, so a client cannot make up its address."""

    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Proxies:
        return cls(tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries))

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def client(self, peer: str | None, forwarded: str | None) -> str:
        """The client's address: the socket peer, or, when the peer is a trusted proxy,
        the last address in X-Forwarded-For that is not one of ours (the entries before
        it were written by the client and prove nothing)."""
        address = peer or "?"
        if not forwarded or not self.trusted(address):
            return address
        for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
            address = hop
            if not self.trusted(hop):
                break
        return address


def client_address(request: Any, proxies: Proxies) -> str:
    """``client`` of a Starlette request, through ``proxies``."""
    peer = request.client.host if request.client else None
    return proxies.client(peer, request.headers.get("x-forwarded-for"))


# start-up checks --------------------------------------------------------------------


def check_settings(settings: Settings) -> None:
    """Refuse to run open. Telegram in webhook mode without ``telegram.webhook_secret``
    would take anyone's POST as Telegram's: forged seller posts reach buyers, forged taps
    mute the bot.

    Raises:
        ConfigError: naming the key to set.
    """
    tg = settings.telegram
    if tg.token and tg.mode == "webhook" and not tg.webhook_secret:
        raise ConfigError(
            "telegram.webhook_secret",
            "is not set, so anyone could post to /webhook/telegram as Telegram. Set it "
            "(TELEGRAM_WEBHOOK_SECRET: 1-256 of A-Z a-z 0-9 _ -, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`), then run "
            "`japri telegram set-webhook`; or use telegram.mode: polling",
        )
