"""POST /webhook/telegram, GET+POST /webhook/whatsapp: verify, parse, record, answer fast."""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from bot.channels import telegram, whatsapp
from bot.errors import ParseError, StoreError
from bot.routes.deps import MALFORMED, BadJson, GatewayDep, gateway_of, load_json, read_body

log = logging.getLogger("japri.webhook")
router = APIRouter()
_OK = b"{}"


def _ok() -> Response:
    return Response(_OK, media_type="application/json")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


@router.post("/webhook/telegram")
async def telegram_webhook(request: Request) -> Response:
    gateway = gateway_of(request)  # not a Depends: the hottest route skips the DI machinery
    settings = gateway.settings.telegram
    if gateway.telegram is None:
        return _error(404, "the Telegram channel is off (telegram.token is not set)")
    given = request.headers.get("x-telegram-bot-api-secret-token")
    if not settings.webhook_secret:  # fail closed: polling mode, or a start check skipped
        return _error(403, "set telegram.webhook_secret to take Telegram webhooks")
    if given is None:
        return _error(401, "missing X-Telegram-Bot-Api-Secret-Token")
    if not telegram.secret_ok(settings.webhook_secret, given):
        return _error(403, "wrong X-Telegram-Bot-Api-Secret-Token")
    body = await read_body(request)
    try:
        data = load_json(body)
    except BadJson:
        return _error(400, "the body is not JSON")
    try:
        await gateway.intake.accept_any(gateway.telegram.parse(data))
    except ParseError as exc:
        return _error(400, str(exc))
    except (*MALFORMED, AttributeError) as exc:  # Telegram's, past the secret: skip it,
        log.warning("skipped a Telegram update it could not read: %r", exc)  # no retries
        return _ok()
    except StoreError as exc:  # not recorded: let Telegram deliver it again
        log.error("could not record a Telegram update: %s", exc)
        return _error(503, "store unavailable")
    return _ok()


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


@router.post("/webhook/whatsapp")
async def whatsapp_webhook(request: Request) -> Response:
    gateway = gateway_of(request)
    settings = gateway.settings.whatsapp
    body = await read_body(request)
    header = request.headers.get("x-hub-signature-256")
    if header is None:
        return _error(401, "missing X-Hub-Signature-256")
    if not whatsapp.signature_ok(settings.app_secret, body, header):
        return _error(403, "X-Hub-Signature-256 does not match (whatsapp.app_secret)")
    try:
        data = load_json(body)
        messages, statuses = whatsapp.parse_notification(data, settings.phone_number_id)
    except MALFORMED as exc:
        return _error(400, f"not a WhatsApp notification: {exc}")
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
        return _error(503, "store unavailable")
    return _ok()
