"""WhatsApp Cloud API: signed webhooks in, Graph API calls out (httpx)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, assert_never

import httpx

from bot.channels.base import Inbound, Sent, StatusUpdate, shorten, split_text
from bot.channels.graph_limits import LIMITS, TOO_MANY, rate_limited, refused_later
from bot.channels.http import SEND_READ_TIMEOUT, JsonPoster
from bot.commands import (
    AckTap,
    BuyerCommand,
    CopyMessage,
    MarkRead,
    Say,
)
from bot.errors import (
    ChannelError,
    DeliveryFailed,
    OutsideReplyWindow,
    ParseError,
    TemplateRefused,
)
from bot.events import BuyerEvent, BuyerFile, Profile
from bot.settings import TemplateSettings

log = logging.getLogger("japri.whatsapp")
NAME = "whatsapp"
OPTION_PREFIX = "faq:"
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
MAX_BUTTONS = 3
MAX_ROWS = 10
INTERACTIVE_BODY = 1024
TEXT_LIMIT = 4096
_LIST_LABEL = {"id": "Lihat pilihan", "ms": "Lihat pilihan", "en": "See options"}
_MEDIA = {"image": "photo", "video": "video", "audio": "audio", "document": "document"}
_SILENT = frozenset({"reaction", "revoke", "edit", "system", "ephemeral", "request_welcome"})
# Graph error codes (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes)
_RETRY_CODES = frozenset({1, 2, 131000, 131016, 133004})
WINDOW_CLOSED = 131047  # more than 24 hours since the buyer last wrote
# what a template can be refused for: never fixed by trying again
_TEMPLATE_CODES = {
    132000: "the number of parameters does not match the approved template",
    132001: "no approved template of that name in that language",
    132005: "the filled-in text is too long",
    132007: "the template's content breaks WhatsApp policy",
    132012: "a parameter is not in the approved format",
    132015: "the template is paused (low quality)",
    132016: "the template is disabled",
    132018: "a parameter holds a newline, a tab or too many spaces",
    131008: "a required parameter is missing",
    131009: "a parameter value is not valid",
}
DEFAULT_TEMPLATE = "order_update"  # the use a shop message names when it names none
PARAM_LIMIT = 1024 - 64  # the whole body may hold 1024 characters


def chat_key(wa_id: str) -> str:
    return f"{NAME}:{wa_id}"


def signature_ok(app_secret: str | None, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``, constant time."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    good = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(good.encode(), header.removeprefix("sha256=").strip().encode())


def parse_notification(
    data: Any, phone_number_id: str | None
) -> tuple[list[Inbound], list[StatusUpdate]]:
    """Every message and delivery receipt in one webhook delivery (entries × changes).

    Raises:
        ParseError: the JSON is not a WhatsApp notification.
    """
    if not isinstance(data, dict) or not isinstance(data.get("entry", []), list):
        raise ParseError("not a WhatsApp Cloud API notification")
    inbound: list[Inbound] = []
    statuses: list[StatusUpdate] = []
    for entry in _list(data.get("entry")):
        for change in _list(_dict(entry).get("changes")):
            value = _dict(_dict(change).get("value"))
            ours = _dict(value.get("metadata")).get("phone_number_id")
            if phone_number_id and ours and str(ours) != str(phone_number_id):
                continue  # another number on the same Meta app: not ours to answer
            names = _names(value.get("contacts"))
            for message in _list(value.get("messages")):
                parsed = _message(message, names) if isinstance(message, dict) else None
                if parsed is not None:
                    inbound.append(parsed)
            for status in _list(value.get("statuses")):
                if isinstance(status, dict) and status.get("id"):
                    statuses.append(_status(status))
            for error in _list(value.get("errors")):
                _log_account_error(_dict(error))
    return inbound, statuses


def _log_account_error(error: dict[str, Any]) -> None:
    """An "errors" webhook: a problem of the app, the account or Meta's systems that is
    about no one message (Meta: "a system-level problem prevents a request from being
    processed"), e.g. 130429 for the number's throughput. Nothing to resend: the shop
    owner reads it in the log, in plain words where the code is a known limit."""
    code = error.get("code")
    limit = LIMITS.get(code) if isinstance(code, int) else None
    said = error.get("title") or error.get("message") or "no title"
    details = _dict(error.get("error_data")).get("details")
    log.warning(
        "WhatsApp reports a problem with the account, not with one message: %s: %s%s%s",
        code,
        said,
        f" ({details})" if details else "",
        f"; {limit.words}" if limit else "",
    )


def _list(value: Any) -> list[Any]:
    """``value`` when the payload holds a list there, else nothing (payloads are untrusted)."""
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sent_id(answer: dict[str, Any]) -> str | None:
    """The id of the message a success answer says was sent, whatever its shape: the
    message is out by then, and an odd answer must not mark it failed (a bug to the
    outbox) after delivery."""
    messages = _list(answer.get("messages"))
    wamid = _dict(messages[0]).get("id") if messages else None
    return str(wamid) if isinstance(wamid, str | int) and wamid != "" else None


def _count(value: Any) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError, OverflowError):
        return 1


def _names(contacts: Any) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in _list(contacts):
        if isinstance(contact, dict):
            name = _dict(contact.get("profile")).get("name")
            for key in ("wa_id", "user_id"):
                if contact.get(key) and name:
                    names[str(contact[key])] = str(name)
    return names


def _message(message: dict[str, Any], names: dict[str, str]) -> Inbound | None:
    sender = message.get("from") or message.get("from_user_id")
    wamid = message.get("id")
    kind = str(message.get("type") or "unknown")
    if not sender or not wamid or kind in _SILENT:
        return None  # reactions, deletions, edits, number changes: nothing to answer
    sender = str(sender)
    kind_of: str = "text"
    text = ""
    choice: str | None = None
    file: BuyerFile | None = None
    raw = message.get(kind)
    body: dict[str, Any] = raw if isinstance(raw, dict) else {}
    if kind == "text":
        text = str(body.get("body") or "")
    elif kind == "interactive":
        reply = _dict(body.get("button_reply") or body.get("list_reply"))
        option = str(reply.get("id") or "")
        if option.startswith(OPTION_PREFIX):
            kind_of, choice = "choice", option.removeprefix(OPTION_PREFIX)
        else:
            text = str(reply.get("title") or "")
    elif kind == "button":  # a template's quick-reply button
        text = str(body.get("text") or body.get("payload") or "")
    elif kind == "order":
        items = [i for i in _list(body.get("product_items")) if isinstance(i, dict)]
        count = sum(_count(i.get("quantity")) for i in items)
        text = f"saya mau order {count} barang {body.get('text') or ''}".strip()
    elif kind in _MEDIA or kind in ("sticker", "location", "contacts"):
        kind_of = _MEDIA.get(kind, "contact" if kind == "contacts" else kind)
        text = str(body.get("caption") or "")
        if kind in _MEDIA and body.get("id"):
            filename = body.get("filename")
            file = BuyerFile(
                str(body["id"]),
                str(body.get("mime_type") or "application/octet-stream"),
                None if filename is None else str(filename),
            )
    else:
        kind_of = "other"
    if kind == "audio" and body.get("voice"):
        kind_of = "voice"
    profile = Profile(
        channel=NAME,
        external_id=sender,
        name=names.get(sender),
        phone=f"+{sender}" if sender.isdigit() else None,
    )
    event = BuyerEvent(profile, kind_of, text, choice, platform_id=str(wamid), file=file)
    return Inbound(f"{NAME}:{wamid}", chat_key(sender), event)


def _status(status: dict[str, Any]) -> StatusUpdate:
    error = None
    refusal = None
    errors = _list(status.get("errors"))
    if errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        error = f"{code}: {errors[0].get('title') or errors[0].get('message')}"
        limit = LIMITS.get(code) if isinstance(code, int) else None
        if limit is not None:  # Meta reports these limits in a failed status too
            refusal = refused_later(limit, error)
            error += f" ({limit.words})"
    return StatusUpdate(str(status["id"]), str(status.get("status") or "unknown"), error, refusal)


def say_pieces(say: Say) -> list[Say]:
    """``say`` as replies that are one Cloud API message each (``message_bodies`` makes
    one body of every piece), so the outbox records each once it is out and a retry never
    sends one twice: a text too long for a message with buttons goes first as text, the
    buttons (or list) after it under "👇"; options past a list's rows become numbered lines
    of the text. The reply mark and the read receipt ride with the first piece."""
    if say.template is not None:
        return [say]  # a template message: the platform fills it in, one message
    text, options = say.text, say.options
    if len(options) > MAX_ROWS:
        text, options = _numbered(text, options), ()
    if options and len(text) <= INTERACTIVE_BODY:
        return [say]
    texts = split_text(text, TEXT_LIMIT) if text or not options else []
    parts = [replace(say, text=piece, options=()) for piece in texts]
    if options:
        parts.append(replace(say, text="", options=options))
    return [parts[0], *(replace(part, reply_to=None, read=None) for part in parts[1:])]


def _numbered(text: str, options: tuple[tuple[str, str], ...]) -> str:
    """Options too many to tap, as a numbered list the buyer answers with a number."""
    lines = [f"{n}. {title}" for n, (_, title) in enumerate(options, start=1)]
    return "\n".join([text, "", *lines]) if text else "\n".join(lines)


def message_bodies(to: str, say: Say) -> list[dict[str, Any]]:
    """The Cloud API bodies for a reply, one a piece (``say_pieces``; more than one only
    for a reply longer than one message)."""
    return [_message_body(to, piece) for piece in say_pieces(say)]


def _message_body(to: str, piece: Say) -> dict[str, Any]:
    """One piece's body: its buttons (or list) under its text ("👇" when it has none), else
    its text."""
    base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if piece.options:
        interactive = _interactive(list(piece.options), piece.text or "👇", piece.lang or "id")
        return {**base, "type": "interactive", "interactive": interactive}
    return {**base, "type": "text", "text": {"body": piece.text, "preview_url": False}}


def template_body(to: str, template: TemplateSettings, params: tuple[str, ...]) -> dict[str, Any]:
    """A template message: the approved ``template`` with ``params`` as its body text.
    Each value is made one line (WhatsApp refuses newlines, tabs, runs of spaces: 132018)
    and never empty (131008); with ``body_params`` the count is made to match (132000)."""
    values = [param_text(p) for p in params]
    if template.body_params is not None:
        values = (values + ["-"] * template.body_params)[: template.body_params]
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if values:
        parameters = [{"type": "text", "text": v} for v in values]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": body,
    }


def param_text(value: str) -> str:
    """A template parameter as WhatsApp takes it: one line, single spaces, not empty."""
    return " ".join(value.split())[:PARAM_LIMIT] or "-"


def _interactive(options: list[tuple[str, str]], body: str, lang: str) -> dict[str, Any]:
    if len(options) <= MAX_BUTTONS:
        titles = _unique([shorten(t, BUTTON_TITLE) for _, t in options], BUTTON_TITLE)
        buttons = [
            {"type": "reply", "reply": {"id": OPTION_PREFIX + i, "title": title}}
            for (i, _), title in zip(options, titles, strict=True)
        ]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    titles = _unique([shorten(t, ROW_TITLE) for _, t in options], ROW_TITLE)
    rows = []
    for (option_id, title), short in zip(options, titles, strict=True):
        row = {"id": OPTION_PREFIX + option_id, "title": short}
        if short != title:
            row["description"] = shorten(title, ROW_DESCRIPTION)
        rows.append(row)
    label = _LIST_LABEL.get(lang, _LIST_LABEL["id"])
    return {
        "type": "list",
        "body": {"text": body},
        "action": {"button": label, "sections": [{"title": shorten(label, 24), "rows": rows}]},
    }


def _unique(titles: list[str], limit: int) -> list[str]:
    """WhatsApp refuses two buttons with one title: number the repeats."""
    seen: dict[str, int] = {}
    result = []
    for title in titles:
        count = seen.get(title, 0)
        seen[title] = count + 1
        result.append(title if not count else shorten(title, limit - 3) + f" {count + 1}")
    return result


class WhatsAppChannel:
    """Sends outbox payloads as Cloud API messages over one connection pool: the messages
    endpoint's JSON posts straight on aiohttp (``JsonPoster``), uploads and downloads
    through an httpx client on the same session (``bot.channels.http``)."""

    name = NAME

    def __init__(
        self,
        access_token: str,
        phone_number_id: str,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        pool_size: int = 64,
        templates: dict[str, TemplateSettings] | None = None,
    ) -> None:
        self.templates = dict(templates or {})  # whatsapp.templates: use -> approved one
        self.url = f"{base_url.rstrip('/')}/{phone_number_id}/messages"
        auth = f"Bearer {access_token}"
        self._headers = {"Authorization": auth, "Content-Type": "application/json"}
        # perf: the messages endpoint's posts straight on aiohttp, the rest (uploads,
        # downloads) through httpx on the same session; a ``transport`` given (tests)
        # carries everything
        self._poster = JsonPoster(pool_size) if transport is None else None
        self.client = httpx.AsyncClient(
            headers={"Authorization": auth},
            timeout=httpx.Timeout(10.0, read=SEND_READ_TIMEOUT, connect=5.0, pool=5.0),
            # holds the connection pool
            transport=transport if self._poster is None else self._poster.transport(),
        )

    async def close(self) -> None:
        await self.client.aclose()
        if self._poster is not None:
            await self._poster.close()

    async def send(self, to: str, command: BuyerCommand) -> Sent:
        match command:
            case Say():
                if command.read is not None:  # the receipt riding with this reply
                    await self._mark_read(command.read, best_effort=True)
                last: str | None = None
                for body in message_bodies(to, command):
                    last = _sent_id(await self._post(body)) or last
                return Sent(last)
            case MarkRead():
                await self._mark_read(command.message_id)
                return Sent()
            case AckTap() | CopyMessage():
                raise DeliveryFailed(
                    f"WhatsApp cannot {command.tag}; only text reaches WhatsApp buyers"
                )
            case _:
                assert_never(command)

    async def _mark_read(self, message_id: str, *, best_effort: bool = False) -> None:
        """The buyer's message (and those before it) marked read: blue ticks. Best effort
        (before a reply): a failure is logged and the reply goes on, as the outbox gives up
        a failed ``MarkRead`` at once and sends the next row."""
        read = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
        if not best_effort:
            await self._post(read)
            return
        try:
            await self._post(read)
        except ChannelError as exc:
            log.debug("read receipt %s failed for good: %s", message_id, exc)

    async def send_template(self, to: str, say: Say) -> Sent | None:
        """``say`` as its configured template (a message the shop starts, outside the
        24-hour window); None when no template is configured for it.

        Raises:
            TemplateRefused: WhatsApp refused the template (not approved, paused, wrong
                parameters); the message will not go out this way.
        """
        template = self.templates.get(say.template or DEFAULT_TEMPLATE)
        if template is None:
            return None
        return Sent(_sent_id(await self._post(template_body(to, template, say.params))))

    async def download(self, media_id: str) -> tuple[bytes, str]:
        """A buyer's photo or file: Graph tells where it is, then we fetch it (with auth)."""
        base = self.url.rsplit("/", 2)[0]
        try:
            meta = await self.client.get(f"{base}/{media_id}")
            if meta.status_code >= 400:
                raise graph_error(meta.status_code, meta.content, meta.reason_phrase, meta.headers)
            info = meta.json()
            media = await self.client.get(str(info["url"]))
        except httpx.HTTPError as exc:
            raise ChannelError(f"WhatsApp: media download failed ({type(exc).__name__})") from None
        except (ValueError, KeyError):
            raise DeliveryFailed("WhatsApp: the media answer had no url") from None
        if media.status_code >= 400:
            raise graph_error(media.status_code, media.content, media.reason_phrase, media.headers)
        return media.content, str(info.get("mime_type") or "application/octet-stream")

    async def send_file(
        self, to: str, data: bytes, kind: str, mime: str, caption: str | None, filename: str | None
    ) -> Sent:
        """Upload a file to the Cloud API, then send it: image, audio, video or document."""
        upload_url = self.url.rsplit("/", 1)[0] + "/media"
        try:
            uploaded = await self.client.post(
                upload_url,
                data={"messaging_product": "whatsapp", "type": mime},
                files={"file": (filename or "file", data, mime)},
            )
        except httpx.HTTPError as exc:
            raise ChannelError(f"WhatsApp: upload failed ({type(exc).__name__})") from None
        if uploaded.status_code >= 400:
            raise graph_error(
                uploaded.status_code, uploaded.content, uploaded.reason_phrase, uploaded.headers
            )
        media_id = uploaded.json().get("id")
        wa_type = {"photo": "image", "voice": "audio", "audio": "audio", "video": "video"}.get(
            kind, "document"
        )
        media: dict[str, Any] = {"id": media_id}
        if caption and wa_type != "audio":
            media["caption"] = caption[:1024]
        if wa_type == "document" and filename:
            media["filename"] = filename
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": wa_type,
            wa_type: media,
        }
        return Sent(_sent_id(await self._post(body)))

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        # as httpx encodes ``json=``
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        try:
            if self._poster is not None:
                status, data, reason, headers = await self._poster.post(
                    self.url, content.encode(), self._headers
                )
            else:
                response = await self.client.post(
                    self.url, content=content.encode(), headers=_JSON
                )
                status, data, reason, headers = (
                    response.status_code,
                    response.content,
                    response.reason_phrase,
                    response.headers,
                )
        except httpx.HTTPError as exc:
            raise ChannelError(f"WhatsApp: network error ({type(exc).__name__})") from None
        if status < 400:
            try:
                answer = json.loads(data)
            except (ValueError, RecursionError):  # the message is out: an odd answer is {}
                answer = {}
            return answer if isinstance(answer, dict) else {}
        raise graph_error(status, data, reason, headers)


_JSON = {"Content-Type": "application/json"}


def graph_error(
    status: int, body: bytes, reason: str, headers: Mapping[str, str] | None = None
) -> ChannelError:
    """A Graph API error answer (``status``, its ``body``, reason phrase and ``headers``)
    as what to do about it."""
    try:
        # not an object from a proxy in between ({"error": "Bad Gateway"}): its status
        # decides, not an AttributeError the outbox would take for a bug and give up on
        error = _dict(_dict(json.loads(body)).get("error"))
    except (ValueError, RecursionError):  # RecursionError: nested past the parser's depth
        error = {}
    raw = error.get("code")
    code = raw if isinstance(raw, int) else None  # a list or object there: no known code
    detail = f"{raw}: {error.get('message') or reason}"
    if code in _TEMPLATE_CODES:
        details = _dict(error.get("error_data")).get("details")
        return TemplateRefused(
            f"WhatsApp refused the template ({detail}): {_TEMPLATE_CODES[code]}"
            + (f" ({details})" if details else "")
        )
    if code == WINDOW_CLOSED:
        return OutsideReplyWindow(
            f"WhatsApp {detail} (more than 24 h since the buyer last wrote; "
            "only a template message can reach them now)"
        )
    limit = LIMITS.get(code) if code is not None else None
    if limit is not None or status == 429:
        return rate_limited(limit or TOO_MANY, status, detail, headers or {})
    if code == 190 or status == 401:
        return ChannelError(f"WhatsApp {detail}: the access token expired or is wrong")
    if status >= 500 or code in _RETRY_CODES:
        return ChannelError(f"WhatsApp server error {status} ({detail})")
    return DeliveryFailed(f"WhatsApp refused the message ({status} {detail})")
