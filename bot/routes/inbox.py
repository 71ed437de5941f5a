"""/inbox: the sellers' web inbox (server-rendered, behind a login)."""

from __future__ import annotations

import io
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from bot import inbox_view, stats
from bot.contacts import write_csv
from bot.inbox_auth import (
    COOKIE,
    DEFAULT_NAME,
    DEVICE_COOKIE,
    DEVICE_DAYS,
    SESSION_DAYS,
    secure_cookies,
)
from bot.inbox_texts import texts_for
from bot.learning import IMPACT_CHECKED, SuggestionGone
from bot.learning_texts import counted, saran_texts, side_effect_lines, side_effect_texts
from bot.orders import inbox as order_inbox
from bot.orders.model import Status
from bot.routes.deps import GatewayDep, InboxDep
from bot.security import client_address
from faq.model import Faq
from faq.pairs import Pair
from faq.suggest import AddHandoffWord, AddQuestion, NewEntry
from faq.writer import FaqWriteError

router = APIRouter(prefix="/inbox")
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
MAX_REPLY = 4096


async def _session(request: Request, gateway: GatewayDep) -> dict[str, Any] | None:
    return await gateway.inbox_auth.session(request.cookies.get(COOKIE))


def _to_login() -> RedirectResponse:
    return RedirectResponse("/inbox/login", status_code=303)


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    gateway = request.app.state.gateway
    context.setdefault("shop", gateway.settings.shop.name)
    context.setdefault("lang", gateway.settings.shop.language)
    context.setdefault("t", texts_for(gateway.settings.shop.language))
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
    address = client_address(request, request.app.state.proxies)
    done = await gateway.inbox_auth.login(
        address, password, name=name, device_cookie=request.cookies.get(DEVICE_COOKIE)
    )
    if done.error == "too_many":
        refused = _page(request, "login.html", error="too_many", status_code=429)
        refused.headers["Retry-After"] = str(max(1, round(done.retry_after)))
        return refused
    if done.cookie is None or done.device is None:
        return _page(request, "login.html", error="wrong", status_code=401)
    response = RedirectResponse("/inbox", status_code=303)
    secure = secure_cookies(gateway.settings.server.public_url, request.url.scheme)
    for name_, value, days in (
        (COOKIE, done.cookie, SESSION_DAYS),
        (DEVICE_COOKIE, done.device, DEVICE_DAYS),
    ):
        response.set_cookie(
            name_,
            value,
            max_age=days * 86400,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/inbox",
        )
    return response


@router.post("/logout")
async def logout(request: Request, gateway: GatewayDep) -> Response:
    await gateway.inbox_auth.logout(request.cookies.get(COOKIE))  # the cookie dies here too
    response = _to_login()
    response.delete_cookie(COOKIE, path="/inbox")
    return response


@router.get("", response_class=HTMLResponse)
async def chats(
    request: Request, gateway: GatewayDep, inbox: InboxDep, partial: bool = False, q: str = ""
) -> Response:
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    q = q.strip()[:100]
    rows = await inbox.chats(search=q or None)
    recent = await inbox.recent([r["chat_key"] for r in rows], inbox_view.RECENT)
    shown = inbox_view.chat_rows(rows, recent, gateway.settings.shop.language, time.time())
    name = "chat_list.html" if partial else "inbox.html"
    return _page(request, name, chats=shown, csrf=session["csrf"], seller=session.get("name"), q=q)


@router.get("/chat/{chat_key}", response_class=HTMLResponse)
async def chat(
    request: Request, chat_key: str, gateway: GatewayDep, inbox: InboxDep, partial: bool = False
) -> Response:
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    contact = await inbox.contact(chat_key)
    if contact is None:
        return Response("no such chat", status_code=404)
    history, info = await inbox.open_chat(chat_key)
    sent = await inbox.sent(chat_key, history[0]["id"] - 1) if history else []
    lang = gateway.settings.shop.language
    faq = gateway.faq.faq
    titles = {e.id: e.title_for(lang, lang) for e in faq.entries} if faq is not None else {}
    stage, seller = info.get("stage"), info.get("seller")
    context = {
        "chat_key": chat_key,
        "contact": contact,
        "display": inbox_view.display_name(
            contact.name, contact.channel, contact.external_id, lang
        ),
        "info": info,
        "phone": inbox_view.contact_line(contact.phone, None),
        "channel_name": inbox_view.channel_label(contact.channel, lang),
        "items": inbox_view.transcript(history, sent, lang, _zone(gateway), titles),
        "csrf": session["csrf"],
        "seller": session.get("name"),
        "row": inbox_view.chat_rows([info], {}, lang, time.time())[0] if info else None,
        "actions": inbox_view.actions(stage, seller),
    }
    return _page(request, "transcript.html" if partial else "chat.html", **context)


async def _allowed(
    request: Request, gateway: GatewayDep, chat_key: str, csrf: str
) -> dict[str, Any] | Response:
    """The seller's session when a change to a chat may go ahead; else why not (no login,
    bad CSRF token, no such chat) as the response to give."""
    session = await _session(request, gateway)
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
    if await _session(request, gateway) is None:
        return _to_login()
    out = io.StringIO()
    write_csv(await gateway.inbox.contact_rows(), out)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="japri-contacts.csv"'},
    )


# -- the inbox's reads and the Ringkasan page (issue 14) -----------------------------------


def _zone(gateway: Any) -> ZoneInfo:
    return ZoneInfo(gateway.settings.shop.timezone)


@router.get("/summary", response_class=HTMLResponse)
async def summary(
    request: Request, gateway: GatewayDep, inbox: InboxDep, days: int = 7
) -> Response:
    """Ringkasan: how the bot is doing, per day and channel."""
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    days = min(max(days, 1), 90)
    found = await inbox.summary(_zone(gateway), time.time(), days)
    return _page(
        request,
        "summary.html",
        summary=found,
        days=days,
        csrf=session["csrf"],
        seller=session.get("name"),
        duration=stats.short_duration,
        channel_label=inbox_view.channel_label,
        reasons=inbox_view.reasons_shown,
    )


# -- Saran FAQ: suggestions from the bot's misses (issue 12) --------------------------------

MAX_SUGGESTION_TEXT = 300
MAX_SUGGESTION_ANSWER = 4000
PAIRS_SHOWN = 3  # pairs of entries buyers mix up, shown above the rest (counted)


async def _saran_page(
    request: Request,
    gateway: GatewayDep,
    session: dict[str, Any],
    notice: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = gateway.settings.shop.language
    faq = gateway.faq.faq
    shown = []
    unchecked = False  # suggestions past the first IMPACT_CHECKED are shown unchecked
    reviewed, found = await gateway.learning.saran_page(IMPACT_CHECKED)
    for item, effects in reviewed:
        entry = None
        if faq is not None and isinstance(item, AddQuestion):
            entry = faq.get(item.entry_id)
        shown.append(
            {
                "id": item.id,
                "kind": item.kind,
                "text": item.phrase if isinstance(item, AddHandoffWord) else item.question,
                "entry": entry.title_for(lang, lang) if entry is not None else "",
                "entry_id": entry.id if entry is not None else "",
                "count": item.count,
                "examples": item.examples,
                "draft": item.draft_answer if isinstance(item, NewEntry) else None,
                "careful": side_effect_lines(lang, effects or ()),
            }
        )
        unchecked = unchecked or effects is None
    note = side_effect_texts(lang)["unchecked"].format(n=IMPACT_CHECKED)
    # the pairs of entries buyers keep choosing between (faq/pairs.py)
    pairs = [_pair_view(p, faq, lang) for p in found[:PAIRS_SHOWN]] if faq is not None else []
    more_pairs = max(0, len(found) - PAIRS_SHOWN)
    return _page(
        request,
        "saran.html",
        status_code=status_code,
        s=saran_texts(lang),
        counted=counted,
        unchecked=note if unchecked else None,
        suggestions=shown,
        pairs=pairs,
        more_pairs=more_pairs,
        notice=notice,
        error=error,
        csrf=session["csrf"],
        seller=session.get("name"),
    )


def _pair_view(pair: Pair, faq: Faq, lang: str) -> dict[str, Any]:
    """Two entries buyers mix up, named as buttons name them."""

    def title(entry_id: str) -> str:
        entry = faq.get(entry_id)
        return entry.title_for(lang, lang) if entry is not None else entry_id

    a, b = pair.entry_ids
    sides = [
        {
            "entry": title(side.entry_id),
            "entry_id": side.entry_id,
            "count": side.count,
            "examples": side.examples,
            "words": ", ".join(side.words),
        }
        for side in pair.sides
    ]
    return {
        "a": title(a),
        "b": title(b),
        "entry_ids": pair.entry_ids,
        "count": pair.count,
        "undecided": pair.undecided,
        "unsure": pair.unsure,
        "sides": sides,
    }


@router.get("/saran", response_class=HTMLResponse)
async def saran(request: Request, gateway: GatewayDep, done: str = "") -> Response:
    """The suggestions, most asked first: accept (edited), create an entry, or dismiss."""
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    texts = saran_texts(gateway.settings.shop.language)
    notices = {"dismissed": texts["dismissed"], "already": texts["already"]}
    notice = notices.get(done) or (texts["done"].format(entry=done[:80]) if done else None)
    return await _saran_page(request, gateway, session, notice=notice)


async def _saran_allowed(request: Request, gateway: GatewayDep, csrf: str) -> Any:
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    if not gateway.inbox_auth.csrf_ok(session, csrf):
        return Response("CSRF token missing or wrong", status_code=403)
    return session


@router.post("/saran/{suggestion_id}/accept")
async def saran_accept(
    request: Request,
    suggestion_id: str,
    gateway: GatewayDep,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    answer: Annotated[str | None, Form()] = None,
) -> Response:
    session = await _saran_allowed(request, gateway, csrf)
    if isinstance(session, Response):
        return session
    text = text.strip()[:MAX_SUGGESTION_TEXT]
    reply = None if answer is None else answer.strip()[:MAX_SUGGESTION_ANSWER]
    chosen = await gateway.learning.find(suggestion_id)
    if isinstance(chosen, NewEntry) and not (reply or chosen.draft_answer):
        need = saran_texts(gateway.settings.shop.language)["need_answer"]  # said in words
        return await _saran_page(request, gateway, session, error=need, status_code=422)
    try:
        result = await gateway.learning.accept(suggestion_id, time.time(), text or None, reply)
    except SuggestionGone:
        gone = saran_texts(gateway.settings.shop.language)["gone"]
        return await _saran_page(request, gateway, session, error=gone, status_code=409)
    except FaqWriteError as exc:  # shown as it is: the seller can fix the text and retry
        return await _saran_page(request, gateway, session, error=str(exc), status_code=422)
    done = (result.entry_id or "") if result.changed else "already"
    return RedirectResponse(f"/inbox/saran?done={quote(done)}", status_code=303)


@router.post("/saran/{suggestion_id}/dismiss")
async def saran_dismiss(
    request: Request, suggestion_id: str, gateway: GatewayDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    session = await _saran_allowed(request, gateway, csrf)
    if isinstance(session, Response):
        return session
    who = str(session.get("name") or DEFAULT_NAME)
    await gateway.learning.dismiss(suggestion_id[:64], who, time.time())
    return RedirectResponse("/inbox/saran?done=dismissed", status_code=303)


# -- orders: the panel beside a chat and the orders page (issue 11) ------------------------


def _order_rows(gateway: Any, orders: list[Any]) -> list[order_inbox.OrderRow]:
    s = gateway.settings
    now = datetime.fromtimestamp(gateway.runtime.wall(), _zone(gateway))  # the service's clock
    return order_inbox.rows(
        orders, s.shop.language, now, s.after_sale.delivery_days, s.after_sale.delay_grace_days
    )


@router.get("/chat/{chat_key}/orders", response_class=HTMLResponse)
async def order_panel(request: Request, chat_key: str, gateway: GatewayDep) -> Response:
    """The chat's orders with record / ship / deliver / cancel (a partial for chat.html)."""
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    if gateway.orders is None:
        return Response("", media_type="text/html")
    orders = await gateway.orders.store.for_chat(chat_key)
    return _page(
        request,
        "order_panel.html",
        chat_key=chat_key,
        orders=_order_rows(gateway, orders),
        o=order_inbox.texts_for(gateway.settings.shop.language),
        csrf=session["csrf"],
    )


@router.post("/chat/{chat_key}/orders/{action}")
async def order_action(
    request: Request,
    chat_key: str,
    action: str,
    gateway: GatewayDep,
    csrf: Annotated[str, Form()] = "",
    number: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    courier: Annotated[str, Form()] = "",
    tracking: Annotated[str, Form()] = "",
) -> Response:
    """The panel's buttons, carried out as the seller commands are (same service)."""
    target = f" #{number.strip()}" if number.strip() else ""
    commands = {
        "record": ("order", f"/order {text.strip()[:500]}"),
        "ship": ("resi", f"/resi{target} {courier.strip()[:40]} {tracking.strip()[:60]}"),
        "deliver": ("sampai", f"/sampai{target}"),
        "cancel": ("batal", f"/batal{target}"),
    }
    if action not in commands:
        return Response("unknown order action", status_code=404)
    command, line = commands[action]
    return await _act(request, gateway, chat_key, csrf, text=line, command=command)


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(request: Request, gateway: GatewayDep, status: str = "open") -> Response:
    """Every order, filtered by status, late ones first."""
    session = await _session(request, gateway)
    if session is None:
        return _to_login()
    status = status if status in order_inbox.STATUS_FILTERS else "open"
    wanted = {"open": ("new", "paid", "shipped"), "all": None}.get(status, (status,))
    chosen = cast("tuple[Status, ...] | None", wanted)
    orders = await gateway.orders.store.all(chosen) if gateway.orders is not None else []
    return _page(
        request,
        "orders.html",
        orders=_order_rows(gateway, orders),
        status=status,
        filters=order_inbox.STATUS_FILTERS,
        o=order_inbox.texts_for(gateway.settings.shop.language),
        csrf=session["csrf"],
        seller=session.get("name"),
    )
