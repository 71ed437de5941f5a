"""POST /webhook/orders: a shop system's signed order posts, recorded for the buyer's chat."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from bot.channels import telegram, whatsapp
from bot.errors import StoreError
from bot.orders.webhook import BadOrderBody, parse_order, verify_signature
from bot.routes.deps import BadJson, gateway_of, load_json, read_body

log = logging.getLogger("japri.http")
router = APIRouter()


def _answer(status: int, message: str) -> JSONResponse:
    return JSONResponse({"ok": status < 300, "message": message}, status_code=status)


@router.post("/webhook/orders")
async def orders_webhook(request: Request) -> Response:
    gateway = gateway_of(request)
    secret = gateway.settings.orders.webhook_secret
    if not secret or gateway.orders is None:
        return _answer(404, "order posts are off (set orders.webhook_secret)")
    body = await read_body(request)
    check = verify_signature(body, request.headers.get("x-japri-signature"), secret)
    if check == "missing":
        return _answer(401, "missing X-Japri-Signature")
    if check != "ok":
        return _answer(403, "wrong X-Japri-Signature")
    try:
        data = load_json(body)  # decoded once: checked here, recorded as it came
        order = parse_order(data)
    except BadJson:
        return _answer(400, "body is not JSON")
    except BadOrderBody as exc:
        return _answer(400, str(exc))
    key = order.buyer.channel
    chat_key = (
        telegram.chat_key(order.buyer.id)
        if key == "telegram"
        else whatsapp.chat_key(order.buyer.id)
    )
    try:
        if await gateway.orders.store.event_seen(order.order_id, order.status):
            return _answer(200, "already processed")
        await gateway.intake.order_posted(chat_key, order.order_id, order.status, data)
    except StoreError as exc:  # not recorded: the shop system should post again
        log.error("could not record an order post: %s", exc)
        return _answer(503, "store unavailable")
    return _answer(202, "accepted")
