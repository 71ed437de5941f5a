"""/inbox: the sellers' web inbox (server-rendered, behind a login)."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot.contacts import write_csv
from bot.inbox_auth import COOKIE, DEFAULT_NAME, SESSION_DAYS
from bot.routes.deps import GatewayDep, InboxDep
from bot.seller import channel_name, pretty_phone

router = APIRouter(prefix="/inbox")
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
MAX_REPLY = 4096


def _session(request: Request, gateway: GatewayDep) -> dict[str, Any] | None:
    return gateway.inbox_auth.session(request.cookies.get(COOKIE))


def _to_login() -> RedirectResponse:
    return RedirectResponse("/inbox/login", status_code=303)


def _buyer_name(name: str | None, channel: str, external_id: str) -> str:
    """A web-chat visitor has no name: show the start of their session id instead."""
    if name:
        return name
    return f"{channel_name(channel)} · {external_id[:8]}" if channel == "web" else external_id


def _waited(since: float | None) -> str:
    if not since:
        return ""
    minutes = int((time.time() - since) // 60)
    return f"{minutes // 60} j {minutes % 60} m" if minutes >= 60 else f"{minutes} m"


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    gateway = request.app.state.gateway
    context.setdefault("shop", gateway.settings.shop.name)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, gateway: GatewayDep) -> Response:
    if not gateway.inbox_auth.enabled:
        return _page(request, "login.html", disabled=True, status_code=503)
    return _page(request, "login.html")


@router.post("/login")
async def login(
    request: Request,
    gateway: GatewayDep,
    password: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
) -> Response:
    address = request.client.host if request.client else "?"
    auth = gateway.inbox_auth
    if not auth.allowed(address):
        return _page(request, "login.html", error="too_many", status_code=429)
    cookie = auth.login(address, password, name=name)
    if cookie is None:
        return _page(request, "login.html", error="wrong", status_code=401)
    response = RedirectResponse("/inbox", status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=SESSION_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/inbox",
    )
    return response


@router.post("/logout")
async def logout() -> Response:
    response = _to_login()
    response.delete_cookie(COOKIE, path="/inbox")
    return response


@router.get("", response_class=HTMLResponse)
async def chats(
    request: Request, gateway: GatewayDep, inbox: InboxDep, partial: bool = False, q: str = ""
) -> Response:
    session = _session(request, gateway)
    if session is None:
        return _to_login()
    q = q.strip()[:100]
    rows = await inbox.chats(search=q or None)
    for row in rows:
        row["display"] = _buyer_name(row["name"], row["channel"], row["external_id"])
        row["channel_name"] = channel_name(row["channel"])
        row["contact"] = pretty_phone(row["phone"]) or (
            f"@{row['username']}" if row["username"] else ""
        )
        row["waited"] = _waited(row["handed_off_at"]) if row["stage"] == "handed_off" else ""
    name = "chat_list.html" if partial else "inbox.html"
    return _page(request, name, chats=rows, csrf=session["csrf"], seller=session.get("name"), q=q)


@router.get("/chat/{chat_key}", response_class=HTMLResponse)
async def chat(
    request: Request, chat_key: str, gateway: GatewayDep, inbox: InboxDep, partial: bool = False
) -> Response:
    session = _session(request, gateway)
    if session is None:
        return _to_login()
    contact = await inbox.contact(chat_key)
    if contact is None:
        return Response("no such chat", status_code=404)
    history, info = await inbox.open_chat(chat_key)
    context = {
        "chat_key": chat_key,
        "contact": contact,
        "display": _buyer_name(contact.name, contact.channel, contact.external_id),
        "info": info,
        "phone": pretty_phone(contact.phone),
        "channel_name": channel_name(contact.channel),
        "history": history,
        "csrf": session["csrf"],
        "seller": session.get("name"),
        "handed_off": info.get("stage") == "handed_off",
    }
    return _page(request, "transcript.html" if partial else "chat.html", **context)


async def _allowed(
    request: Request, gateway: GatewayDep, chat_key: str, csrf: str
) -> dict[str, Any] | Response:
    """The seller's session when a change to a chat may go ahead; else why not (no login,
    bad CSRF token, no such chat) as the response to give."""
    session = _session(request, gateway)
    if session is None:
        return _to_login()
    if not gateway.inbox_auth.csrf_ok(session, csrf):
        return Response("CSRF token missing or wrong", status_code=403)
    if await gateway.inbox.contact(chat_key) is None:
        return Response("no such chat", status_code=404)
    return session


async def _act(
    request: Request,
    gateway: GatewayDep,
    chat_key: str,
    csrf: str,
    text: str = "",
    command: str | None = None,
) -> Response:
    session = await _allowed(request, gateway, chat_key, csrf)
    if isinstance(session, Response):
        return session
    name = str(session.get("name") or DEFAULT_NAME)  # sessions from before names: "Inbox"
    await gateway.inbox.act(chat_key, name, text, command)
    return RedirectResponse(f"/inbox/chat/{chat_key}", status_code=303)


@router.post("/chat/{chat_key}/reply")
async def reply(
    request: Request,
    chat_key: str,
    gateway: GatewayDep,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    text = text.strip()[:MAX_REPLY]
    if not text:
        return RedirectResponse(f"/inbox/chat/{chat_key}", status_code=303)
    return await _act(request, gateway, chat_key, csrf, text=text)


@router.post("/chat/{chat_key}/take")
async def take(
    request: Request, chat_key: str, gateway: GatewayDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    return await _act(request, gateway, chat_key, csrf, command="take")


@router.post("/chat/{chat_key}/release")
async def release(
    request: Request, chat_key: str, gateway: GatewayDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    return await _act(request, gateway, chat_key, csrf, command="done")


@router.post("/chat/{chat_key}/contact")
async def annotate(
    request: Request,
    chat_key: str,
    gateway: GatewayDep,
    csrf: Annotated[str, Form()] = "",
    tags: Annotated[str, Form()] = "",
    notes: Annotated[str, Form()] = "",
) -> Response:
    session = await _allowed(request, gateway, chat_key, csrf)
    if isinstance(session, Response):
        return session
    await gateway.inbox.annotate(chat_key, tags.strip()[:500], notes.strip()[:4000])
    return RedirectResponse(f"/inbox/chat/{chat_key}", status_code=303)


@router.get("/contacts.csv")
async def contacts_csv(request: Request, gateway: GatewayDep) -> Response:
    if _session(request, gateway) is None:
        return _to_login()
    out = io.StringIO()
    write_csv(await gateway.inbox.contact_rows(), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="japri-contacts.csv"'},
    )
