"""What arrives for a chat, as typed events with a tagged JSON codec for the inbound log.

Channels turn platform payloads into these; the inbound log stores them as JSON
(``encode``, the type under ``"type"``); the runtime reads them back (``decode``) and
hands each to the handler for its type. Rows written before these types still decode.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, cast, get_args

from bot.errors import ParseError
from flows.messages import OrderChange, OrderView

_CHANGES = frozenset(get_args(OrderChange))


@dataclass(frozen=True, slots=True)
class Profile:
    """Who a buyer is, as far as the platform says."""

    channel: str
    external_id: str
    name: str | None = None
    username: str | None = None
    phone: str | None = None
    language: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "external_id": self.external_id,
            "name": self.name,
            "username": self.username,
            "phone": self.phone,
            "language": self.language,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Profile:
        return cls(
            channel=str(data.get("channel", "")),
            external_id=str(data.get("external_id", "")),
            name=data.get("name"),
            username=data.get("username"),
            phone=data.get("phone"),
            language=data.get("language"),
        )

    @property
    def display(self) -> str:
        """How a seller reads this buyer's name: 'Budi (@budi)', or the id."""
        fallback = f"web {self.external_id[:8]}" if self.channel == "web" else self.external_id
        name = self.name or self.phone or fallback
        return f"{name} (@{self.username})" if self.username else name


@dataclass(frozen=True, slots=True)
class BuyerFile:
    """A file a buyer sent that the platform keeps for us to fetch (WhatsApp media)."""

    media_id: str
    mime: str = "application/octet-stream"
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class SellerFile:
    """A file a seller posted in the seller chat (the largest photo size)."""

    file_id: str
    kind: str  # photo, document, video, voice, audio
    mime: str = "application/octet-stream"
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message on a platform: which chat, which message."""

    chat: str
    message_id: str


@dataclass(frozen=True, slots=True)
class BuyerEvent:
    """A buyer wrote, tapped an option, or sent a photo.

    ``platform_id`` is the message's id on its platform; ``tap_id`` names a button tap to
    acknowledge; ``file``: what a media message carries when it can be fetched.
    """

    profile: Profile
    kind: str = "text"  # a flows.messages.MessageKind
    text: str = ""
    choice: str | None = None
    platform_id: str | None = None
    tap_id: str | None = None
    edited: bool = False
    file: BuyerFile | None = None


@dataclass(frozen=True, slots=True)
class SellerEvent:
    """A seller wrote or pressed a button, in the seller chat or the web inbox.

    ``command``: "done", "take", "chats" ...; ``original``: the seller's own message
    (to copy to a buyer on the same platform); ``orphan``: it names no buyer.
    """

    text: str = ""
    command: str | None = None
    seller_name: str | None = None
    message_id: str | None = None
    original: MessageRef | None = None
    file: SellerFile | None = None
    tap_id: str | None = None
    about: str | None = None  # a button names its buyer's chat
    source: str = "chat"  # "chat" (the seller chat) or "inbox"
    orphan: bool = False


@dataclass(frozen=True, slots=True)
class TimerEvent:
    """A timer of the chat fired (see ``Timers`` in the store)."""

    kind: str = "handoff"
    data: Mapping[str, Any] = field(default_factory=dict)
    due_at: float | None = None


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """An order of the chat was recorded or moved (a seller's command, the inbox, the
    shop's system): ``change`` is what happened, ``by`` who did it."""

    order: OrderView
    change: OrderChange
    by: str | None = None


Event = BuyerEvent | SellerEvent | TimerEvent | OrderUpdate


def encode(event: Event) -> dict[str, Any]:
    """The event as JSON-able data, its type under ``"type"``."""
    match event:
        case BuyerEvent():
            data: dict[str, Any] = {
                "type": "buyer",
                "kind": event.kind,
                "text": event.text,
                "profile": event.profile.to_dict(),
            }
            _put(data, choice=event.choice, platform_id=event.platform_id, tap_id=event.tap_id)
            if event.edited:
                data["edited"] = True
            if event.file is not None:
                f = event.file
                data["media"] = {"media_id": f.media_id, "mime": f.mime, "filename": f.filename}
            return data
        case SellerEvent():
            data = {"type": "seller_orphan" if event.orphan else "seller", "text": event.text}
            _put(
                data,
                command=event.command,
                seller_name=event.seller_name,
                message_id=event.message_id,
                tap_id=event.tap_id,
                about=event.about,
            )
            if event.source != "chat":
                data["source"] = event.source
            if event.original is not None:
                o = event.original
                data["copy"] = {"from_chat": o.chat, "message_id": o.message_id}
            if event.file is not None:
                s = event.file
                data["media"] = {
                    "file_id": s.file_id,
                    "kind": s.kind,
                    "mime": s.mime,
                    "filename": s.filename,
                }
            return data
        case TimerEvent():
            data = {"type": "tick", "kind": event.kind, "data": dict(event.data)}
            _put(data, due_at=event.due_at)
            return data
        case OrderUpdate():
            data = {"type": "order", "order": asdict(event.order), "change": event.change}
            _put(data, by=event.by)
            return data


def decode(data: Mapping[str, Any]) -> Event:
    """An event back from the inbound log.

    Raises:
        ParseError: an unknown type, or a buyer event without a profile.
    """
    kind = data.get("type")
    if kind == "buyer":
        profile = data.get("profile")
        if not isinstance(profile, Mapping):
            raise ParseError("a buyer event needs a profile")
        media = data.get("media")
        return BuyerEvent(
            profile=Profile.from_dict(profile),
            kind=str(data.get("kind") or "text"),
            text=str(data.get("text") or ""),
            choice=_str(data.get("choice")),
            platform_id=_str(data.get("platform_id")),
            tap_id=_str(data.get("tap_id") or data.get("callback_id")),
            edited=bool(data.get("edited")),
            file=(
                BuyerFile(
                    str(media["media_id"]),
                    str(media.get("mime") or "application/octet-stream"),
                    _str(media.get("filename")),
                )
                if isinstance(media, Mapping) and media.get("media_id")
                else None
            ),
        )
    if kind in ("seller", "seller_orphan"):
        copy, media = data.get("copy"), data.get("media")
        return SellerEvent(
            text=str(data.get("text") or ""),
            command=_str(data.get("command")),
            seller_name=_str(data.get("seller_name")),
            message_id=_str(data.get("message_id")),
            original=(
                MessageRef(str(copy["from_chat"]), str(copy["message_id"]))
                if isinstance(copy, Mapping)
                else None
            ),
            file=(
                SellerFile(
                    str(media["file_id"]),
                    str(media.get("kind") or "document"),
                    str(media.get("mime") or "application/octet-stream"),
                    _str(media.get("filename")),
                )
                if isinstance(media, Mapping) and media.get("file_id")
                else None
            ),
            tap_id=_str(data.get("tap_id") or data.get("callback_id")),
            about=_str(data.get("about")),
            source=str(data.get("source") or "chat"),
            orphan=kind == "seller_orphan",
        )
    if kind == "tick":
        due = data.get("due_at")
        return TimerEvent(
            kind=str(data.get("kind") or "handoff"),
            data=dict(data.get("data") or {}),
            due_at=float(due) if isinstance(due, int | float) else None,
        )
    if kind == "order":
        order = data.get("order")
        change = data.get("change")
        if not isinstance(order, Mapping) or not order.get("number") or change not in _CHANGES:
            raise ParseError(
                f"an order update needs an order with a number and a change, not {change!r}"
            )
        known = {f.name for f in fields(OrderView)}
        view = OrderView(**{k: v for k, v in order.items() if k in known})
        return OrderUpdate(view, cast(OrderChange, change), _str(data.get("by")))
    raise ParseError(f"unknown event type {kind!r} (known: buyer, seller, tick, order)")


def _put(data: dict[str, Any], **values: Any) -> None:
    for key, value in values.items():
        if value is not None:
            data[key] = value


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
