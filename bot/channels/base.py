"""What every channel adapter produces (inbound events) and offers (a ``send``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

# Operations an outbox payload can ask a channel for ("op" key):
#   say           text to a chat, with "options" [[id, title], ...] to tap
#   ack_callback  answer a Telegram button tap ("callback_id")
#   mark_read     WhatsApp read receipt ("message_id")
#   copy          copy a Telegram message ("from_chat", "message_id"), e.g. a seller's photo
#   seller_post   a post about a buyer in the seller chat ("about", "text", "forward")
BEST_EFFORT_OPS = frozenset({"ack_callback", "mark_read"})


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
    def from_dict(cls, data: dict[str, Any]) -> Profile:
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
class Inbound:
    """One buyer event, platform details stripped, ready to be stored and processed.

    ``payload`` is JSON-able: ``type`` "buyer", ``kind``, ``text``, ``choice``,
    ``profile``, and optional ``platform_id``, ``callback_id``, ``edited``.
    """

    dedup_key: str
    chat_key: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SellerPost:
    """Something a seller wrote in the seller chat; which buyer it is for is looked up."""

    dedup_key: str
    seller_chat: str
    thread_id: str | None
    reply_to: str | None
    payload: dict[str, Any]  # "type": "seller", "text", "command", "copy", "seller_name"


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery receipt for a message we sent (WhatsApp ``statuses``)."""

    platform_id: str
    status: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """What the platform answered to a send: the new message's id."""

    platform_id: str | None = None


class Channel(Protocol):
    """Sends one outbox payload to one chat; raises ``ChannelError`` when it cannot."""

    name: str

    async def send(self, to: str, payload: dict[str, Any]) -> Sent: ...

    async def close(self) -> None: ...


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to ``limit`` characters on a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def split_text(text: str, limit: int = 4096) -> list[str]:
    """Split a long text into pieces of at most ``limit`` characters, at line or word ends."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = rest.rfind(" ", 0, limit)
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return [p for p in pieces if p] or [text[:limit]]
