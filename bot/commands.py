"""Everything Japri asks a platform to do, as typed commands with a tagged JSON codec.

A turn decides commands; the outbox stores them as JSON (``encode``) and the delivery
reads them back (``decode``) for the channel that sends them. Each channel ``match``es on
:data:`Command` and ends with ``assert_never``, so a new command type is a type error in
every channel until each one says how it sends it (or that it cannot).

The JSON names its type under ``"op"`` (the key rows written before these types used);
rows from that older shape still decode, so a message queued before an upgrade is sent
after it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from bot.errors import ParseError
from bot.store.base import Outgoing

Options = tuple[tuple[str, str], ...]  # (id, title) pairs a buyer or seller can tap


@dataclass(frozen=True, slots=True)
class Say:
    """Text for a chat, with options to tap. ``by_seller``: a seller's answer relayed to
    the buyer (it joins the history as the seller's, and a failure is told to sellers)."""

    tag: ClassVar[str] = "say"
    best_effort: ClassVar[bool] = False

    text: str
    options: Options = ()
    lang: str | None = None  # the buyer's language: labels the channel adds itself
    reply_to: str | None = None  # the message this answers (the seller chat's hints)
    by_seller: bool = False
    # a message the shop starts (an order update), not a reply: outside WhatsApp's 24-hour
    # window it can go only as the approved ``template`` filled with ``params``
    initiated: bool = False
    template: str | None = None
    params: tuple[str, ...] = ()
    # perf: the buyer's message to mark read (WhatsApp's blue ticks) just before this
    # reply goes out, a receipt riding with the turn's first reply instead of an outbox
    # row of its own; best effort, as a ``MarkRead`` is (``bot.handlers._receipt``)
    read: str | None = None

    @property
    def log_kind(self) -> str:
        return "seller" if self.by_seller else "say"

    @property
    def log_text(self) -> str | None:
        return self.text


@dataclass(frozen=True, slots=True)
class AckTap:
    """Acknowledge a button tap, so the tapper's client stops its spinner."""

    tag: ClassVar[str] = "ack_tap"
    best_effort: ClassVar[bool] = True  # not a message: not paced, not retried, not kept

    tap_id: str
    log_kind: ClassVar[str] = "ack"
    log_text: ClassVar[str | None] = None


@dataclass(frozen=True, slots=True)
class MarkRead:
    """A read receipt for the buyer's message (blue ticks)."""

    tag: ClassVar[str] = "mark_read"
    best_effort: ClassVar[bool] = True

    message_id: str
    log_kind: ClassVar[str] = "read"
    log_text: ClassVar[str | None] = None


@dataclass(frozen=True, slots=True)
class CopyMessage:
    """A seller's message (a photo, a sticker ...) copied as it is into a buyer's chat on
    the same platform."""

    tag: ClassVar[str] = "copy"
    best_effort: ClassVar[bool] = False

    from_chat: str
    message_id: str
    log_kind: ClassVar[str] = "seller"
    log_text: ClassVar[str | None] = None


@dataclass(frozen=True, slots=True)
class RelayFile:
    """A seller's file from the seller chat, uploaded into a buyer's chat on the other
    platform (the media relay fetches it, the buyer's channel uploads it)."""

    tag: ClassVar[str] = "tg_media"
    best_effort: ClassVar[bool] = False

    file_id: str
    media_kind: str  # photo, video, voice, audio, document
    text: str  # as the history shows it: the caption, else "[photo]"
    caption: str | None = None
    mime: str | None = None
    filename: str | None = None
    log_kind: ClassVar[str] = "seller"

    @property
    def log_text(self) -> str | None:
        return self.text


@dataclass(frozen=True, slots=True)
class SellerNote:
    """A post about buyer ``about`` in the seller chat: in their forum topic (opened under
    ``topic_name`` when there is none yet), with ``options`` as buttons."""

    tag: ClassVar[str] = "seller_post"
    best_effort: ClassVar[bool] = False

    about: str
    text: str
    topic_name: str | None = None
    options: Options = ()
    thread_id: str | None = None  # the topic, filled in by the seller desk when it sends
    log_kind: ClassVar[str] = "seller_post"

    @property
    def log_text(self) -> str | None:
        return self.text


@dataclass(frozen=True, slots=True)
class SellerForward:
    """A buyer's message (a photo, a voice note ...) forwarded into the seller chat."""

    tag: ClassVar[str] = "seller_forward"
    best_effort: ClassVar[bool] = False

    about: str
    from_chat: str
    message_id: str
    thread_id: str | None = None
    log_kind: ClassVar[str] = "seller_post"
    log_text: ClassVar[str | None] = None


@dataclass(frozen=True, slots=True)
class SellerUpload:
    """A buyer's file from the other platform, uploaded into the seller chat."""

    tag: ClassVar[str] = "seller_upload"
    best_effort: ClassVar[bool] = False

    about: str
    media_id: str
    media_kind: str
    caption: str | None = None
    mime: str | None = None
    filename: str | None = None
    thread_id: str | None = None
    log_kind: ClassVar[str] = "seller_post"

    @property
    def log_text(self) -> str | None:
        return self.caption


SellerCommand = SellerNote | SellerForward | SellerUpload
BuyerCommand = Say | AckTap | MarkRead | CopyMessage  # what a channel sends to a buyer
Command = BuyerCommand | RelayFile | SellerCommand

_TYPES: dict[str, type[Command]] = {
    t.tag: t
    for t in (
        Say,
        AckTap,
        MarkRead,
        CopyMessage,
        RelayFile,
        SellerNote,
        SellerForward,
        SellerUpload,
    )
}


def queued(lane: str, command: Command, chat: str | None = None) -> Outgoing:
    """``command`` for the outbox of ``lane``; once sent it joins ``chat``'s history (the
    lane's own by default; receipts and tap answers join none)."""
    return Outgoing(
        lane,
        encode(command),
        log_chat=None if command.best_effort else (chat or lane),
        log_kind=command.log_kind,
        log_text=command.log_text,
    )


def encode(command: Command) -> dict[str, Any]:
    """The command as JSON-able data, its type under ``"op"``; defaults are left out."""
    data: dict[str, Any] = {"op": command.tag}
    for f in fields(command):
        value = getattr(command, f.name)
        if value != f.default:
            data[f.name] = _json(value)
    return data


def decode(data: Mapping[str, Any]) -> Command:
    """A command back from its JSON (also from rows written before these types).

    Raises:
        ParseError: the type is unknown, or a field is missing or of the wrong kind.
    """
    data = _upgraded(data)
    kind = data.get("op")
    cls = _TYPES.get(str(kind))
    if cls is None:
        raise ParseError(f"unknown command type {kind!r} (known: {', '.join(sorted(_TYPES))})")
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name in data and data[f.name] is not None:
            value = data[f.name]
            if f.name == "options":
                value = tuple((str(i), str(t)) for i, t in value)
            elif f.name == "params":
                value = tuple(str(p) for p in value)
            values[f.name] = value
    try:
        return cls(**values)
    except TypeError as exc:
        raise ParseError(f"command {kind!r}: {exc}") from None


def _json(value: Any) -> Any:
    return [_json(v) for v in value] if isinstance(value, tuple) else value


def _upgraded(data: Mapping[str, Any]) -> dict[str, Any]:
    """Rows written before the typed commands: the same ops, other field names."""
    data = dict(data)
    op = data.get("op", "say")
    data["op"] = op
    if op == "say" and data.get("kind") == "seller":
        data["by_seller"] = True
    elif op == "ack_callback":  # the Telegram word
        data["op"] = "ack_tap"
        data["tap_id"] = data.pop("callback_id", None)
    elif op == "seller_post" and data.get("send_op") == "forward":
        data["op"] = "seller_forward"
    elif op == "seller_post" and data.get("send_op") == "wa_media":
        data["op"] = "seller_upload"
    for key in ("from_chat", "message_id", "reply_to", "thread_id"):  # ids were numbers
        if isinstance(data.get(key), int):
            data[key] = str(data[key])
    return data
