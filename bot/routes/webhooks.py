"""POST /webhook/telegram, GET+POST /webhook/whatsapp: verify, parse, record, answer fast."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.channels import telegram, whatsapp
from bot.errors import ParseError, StoreError
from bot.gateway import Gateway
from bot.routes.deps import MALFORMED, BadJson, GatewayDep, gateway_of, load_json, read_body
from bot.security import header

log = logging.getLogger("japri.webhook")
router = APIRouter()
_OK = b"{}"


@dataclass(frozen=True, slots=True)
class Reply:
    """A webhook's answer: the status and its JSON body."""

    status: int
    body: bytes = _OK

    def response(self) -> Response:
        """As the FastAPI routes answer (the fast path sends it over ASGI itself)."""
        return Response(self.body, status_code=self.status, media_type="application/json")


def _refused(status: int, message: str) -> Reply:
    return Reply(
        status, json.dumps({"error": message}, ensure_ascii=False, separators=(",", ":")).encode()
    )


async def telegram_update(
    gateway: Gateway, given: str | None, read: Callable[[], Awaitable[bytes]]
) -> Reply:
    """One POST to /webhook/telegram: the secret checked before the body is read, then
    parsed and recorded once. Served by ``FastWebhooks`` (and the route below)."""
    settings = gateway.settings.telegram
    if gateway.telegram is None:
        return _refused(404, "the Telegram channel is off (telegram.token is not set)")
    if not settings.webhook_secret:  # fail closed: polling mode, or a start check skipped
        return _refused(403, "set telegram.webhook_secret to take Telegram webhooks")
    if given is None:
        return _refused(401, "missing X-Telegram-Bot-Api-Secret-Token")
    if not telegram.secret_ok(settings.webhook_secret, given):
        return _refused(403, "wrong X-Telegram-Bot-Api-Secret-Token")
    try:
        data = load_json(await read())
    except BadJson:
        return _refused(400, "the body is not JSON")
    try:
        await gateway.intake.accept_any(gateway.telegram.parse(data))
    except ParseError as exc:
        return _refused(400, str(exc))
    except (*MALFORMED, AttributeError) as exc:  # Telegram's, past the secret: skip it,
        log.warning("skipped a Telegram update it could not read: %r", exc)  # no retries
        return Reply(200)
    except StoreError as exc:  # not recorded: let Telegram deliver it again
        log.error("could not record a Telegram update: %s", exc)
        return _refused(503, "store unavailable")
    return Reply(200)


@router.post("/webhook/telegram")
async def telegram_webhook(request: Request) -> Response:
    """Listed for the API docs; requests are served by ``FastWebhooks``."""
    reply = await telegram_update(
        gateway_of(request),
        request.headers.get("x-telegram-bot-api-secret-token"),
        lambda: read_body(request),
    )
    return reply.response()


class FastWebhooks:
    """perf: POST /webhook/telegram (issue 9) and POST /webhook/whatsapp (session 8), the
    hottest routes, straight from ASGI: no routing, no Request or Response objects (~4 %
    of a Telegram message's CPU, ~10 % of a WhatsApp one's: its route also solved a
    dependency). Sits inside ``EdgeMiddleware``, which caps the body and adds the
    security headers as for any route; everything else goes on to FastAPI."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"] if scope["type"] == "http" else None
        if path not in _FAST or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        gateway: Gateway = scope["app"].state.gateway

        async def read() -> bytes:
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    raise _Gone
                body += message.get("body", b"")
                if not message.get("more_body"):
                    return bytes(body)

        try:
            if path == TELEGRAM_PATH:
                reply = await telegram_update(gateway, header(scope, _SECRET_HEADER), read)
            else:
                given = header(scope, _SIGNATURE_HEADER)
                reply = await whatsapp_notification(gateway, given, await read())
        except _Gone:
            return  # the platform hung up before the whole update came: it sends it again
        await send(
            {
                "type": "http.response.start",
                "status": reply.status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(reply.body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": reply.body})


class _Gone(Exception):
    """The client disconnected while its body was being read."""


TELEGRAM_PATH = "/webhook/telegram"
WHATSAPP_PATH = "/webhook/whatsapp"
_FAST = frozenset({TELEGRAM_PATH, WHATSAPP_PATH})
_SECRET_HEADER = b"x-telegram-bot-api-secret-token"
_SIGNATURE_HEADER = b"x-hub-signature-256"


@router.get("/webhook/whatsapp")
async def whatsapp_verify(request: Request, gateway: GatewayDep) -> Response:
    query = request.query_params
    expected = gateway.settings.whatsapp.verify_token
    given = query.get("hub.verify_token") or ""
    if (
        query.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(expected.encode(), given.encode())
    ):
        return PlainTextResponse(query.get("hub.challenge", ""))
    return PlainTextResponse("verification failed", status_code=403)


async def whatsapp_notification(gateway: Gateway, given: str | None, body: bytes) -> Reply:
    """One POST to /webhook/whatsapp (its whole body read): the signature checked, then
    parsed and recorded once. Served by ``FastWebhooks`` (and the route below)."""
    settings = gateway.settings.whatsapp
    if given is None:
        return _refused(401, "missing X-Hub-Signature-256")
    if not whatsapp.signature_ok(settings.app_secret, body, given):
        return _refused(403, "X-Hub-Signature-256 does not match (whatsapp.app_secret)")
    try:
        data = load_json(body)
        messages, statuses = whatsapp.parse_notification(data, settings.phone_number_id)
    except MALFORMED as exc:
        return _refused(400, f"not a WhatsApp notification: {exc}")
    try:
        for event in messages:
            if gateway.whatsapp is None:
                log.warning("a WhatsApp message arrived but whatsapp.access_token is not set")
                break
            await gateway.intake.accept(event)
        for status in statuses:
            await gateway.intake.receipt(status)
    except StoreError as exc:
        log.error("could not record a WhatsApp notification: %s", exc)
        return _refused(503, "store unavailable")
    return Reply(200)


@router.post("/webhook/whatsapp")
async def whatsapp_webhook(request: Request) -> Response:
    """Listed for the API docs; requests are served by ``FastWebhooks``."""
    body = await read_body(request)
    given = request.headers.get("x-hub-signature-256")
    reply = await whatsapp_notification(gateway_of(request), given, body)
    return reply.response()
