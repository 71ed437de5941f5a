"""The built-in web chat: the page at / and its two JSON calls."""

from __future__ import annotations

import json
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.channels import webchat
from bot.routes.deps import GatewayDep, read_body

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def page(gateway: GatewayDep) -> HTMLResponse:
    html = resources.files("bot").joinpath("static/chat.html").read_text(encoding="utf-8")
    shop = gateway.settings.shop.name
    safe = shop.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HTMLResponse(html.replace("{{shop}}", safe))


@router.post("/chat/messages")
async def send(request: Request, gateway: GatewayDep) -> Response:
    try:
        event = webchat.parse_post(json.loads(await read_body(request)))
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    fresh = await gateway.runtime.accept(event)
    return JSONResponse({"accepted": fresh}, status_code=202)


@router.get("/chat/messages")
async def receive(session: str, gateway: GatewayDep, after: int = 0) -> Response:
    if not webchat.SESSION.match(session):
        return JSONResponse({"error": "bad session"}, status_code=400)
    found = await gateway.store.messages_after(webchat.chat_key(session), after)
    messages = [
        {k: m[k] for k in ("id", "kind", "text", "at")}
        | {"options": (m["payload"] or {}).get("options") or []}
        for m in found
    ]
    return JSONResponse({"messages": messages})
