"""The built-in web chat: the page at / and its two JSON calls."""

from __future__ import annotations

from importlib import resources
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.abuse import WebChatGuard
from bot.channels import webchat
from bot.errors import StoreError
from bot.routes.deps import MALFORMED, GatewayDep, WebChatDep, load_json, read_body
from bot.security import client_address

router = APIRouter()
# What a web buyer may see of a message: the bot's and the seller's words, and the
# bot's buttons. Seller-chat posts are logged under the buyer's chat too (the inbox
# shows them); the page never does.
_SHOWN = ("id", "kind", "text", "at", "options")
_NOT_THEIRS = frozenset({"seller_post"})


def _off() -> Response:
    return JSONResponse({"error": "the web chat is off (webchat.enabled)"}, status_code=404)


@router.get("/", response_class=HTMLResponse)
async def page(gateway: GatewayDep) -> Response:
    if not gateway.settings.webchat.enabled:
        return _off()
    html = resources.files("bot").joinpath("static/chat.html").read_text(encoding="utf-8")
    shop = gateway.settings.shop.name
    safe = shop.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HTMLResponse(html.replace("{{shop}}", safe))


@router.post("/chat/messages")
async def send(request: Request, gateway: GatewayDep, chat: WebChatDep) -> Response:
    if not gateway.settings.webchat.enabled:
        return _off()
    guard: WebChatGuard = request.app.state.webchat_guard
    try:
        data = load_json(await read_body(request))
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        inbound = webchat.parse_post(guard.clean(data))
        session = inbound.chat_key.removeprefix("web:")
    except MALFORMED as exc:
        return JSONResponse({"error": str(exc)[:200]}, status_code=400)
    verdict = guard.admit(client_address(request, request.app.state.proxies), session)
    if not verdict.ok:
        wait = max(1, round(verdict.retry_after))
        return JSONResponse(
            {"error": f"too many {verdict.reason}, try again later"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    try:
        fresh = await chat.post(inbound)
    except StoreError:
        return JSONResponse({"error": "store unavailable, try again"}, status_code=503)
    return JSONResponse({"accepted": fresh}, status_code=202)


@router.get("/chat/messages")
async def receive(
    session: str, gateway: GatewayDep, chat: WebChatDep, after: str = "0"
) -> Response:
    if not gateway.settings.webchat.enabled:
        return _off()
    if not webchat.SESSION.match(session):
        return JSONResponse({"error": "bad session"}, status_code=400)
    # the id of the last message seen: not "1e23", "-1", "0x10" (nor 5,000 digits)
    if not (after.isascii() and after.isdigit() and len(after) <= 20):
        return JSONResponse({"error": "after must be a message id"}, status_code=400)
    try:
        messages = await chat.messages(session, int(after))
    except StoreError:
        return JSONResponse({"error": "store unavailable, try again"}, status_code=503)
    return JSONResponse({"messages": buyer_view(webchat.chat_key(session), messages)})


def buyer_view(chat_key: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Only what the buyer received: a message sent on the buyer's own lane (when the store
    says which lane), never a post to the seller chat about them."""
    return [
        {k: m.get(k) for k in _SHOWN}
        for m in messages
        if m.get("kind") not in _NOT_THEIRS and m.get("lane", chat_key) == chat_key
    ]
