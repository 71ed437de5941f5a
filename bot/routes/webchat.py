"""The built-in web chat: the page at / and its two JSON calls."""

from __future__ import annotations

import json
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.channels import webchat
from bot.errors import ParseError, StoreError
from bot.routes.deps import GatewayDep, WebChatDep, read_body

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def page(gateway: GatewayDep) -> HTMLResponse:
    html = resources.files("bot").joinpath("static/chat.html").read_text(encoding="utf-8")
    shop = gateway.settings.shop.name
    safe = shop.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HTMLResponse(html.replace("{{shop}}", safe))


@router.post("/chat/messages")
async def send(request: Request, chat: WebChatDep) -> Response:
    try:
        data = json.loads(await read_body(request))
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"error": "the body is not JSON"}, status_code=400)
    try:
        fresh = await chat.post(data)
    except ParseError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    except StoreError:
        return JSONResponse({"error": "store unavailable, try again"}, status_code=503)
    return JSONResponse({"accepted": fresh}, status_code=202)


@router.get("/chat/messages")
async def receive(session: str, chat: WebChatDep, after: str = "0") -> Response:
    if not webchat.SESSION.match(session):
        return JSONResponse({"error": "bad session"}, status_code=400)
    # the id of the last message seen: not "1e23", "-1", "0x10" (nor 5,000 digits)
    if not (after.isascii() and after.isdigit() and len(after) <= 20):
        return JSONResponse({"error": "after must be a message id"}, status_code=400)
    try:
        messages = await chat.messages(session, int(after))
    except StoreError:
        return JSONResponse({"error": "store unavailable, try again"}, status_code=503)
    return JSONResponse({"messages": messages})
