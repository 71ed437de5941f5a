"""What every channel adapter produces (inbound events) and offers (a ``send``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.commands import BuyerCommand
from bot.errors import RateLimited
from bot.events import BuyerEvent, Profile, SellerEvent


@dataclass(frozen=True, slots=True)
class Inbound:
    """One buyer event, platform details stripped, ready to be stored and processed."""

    dedup_key: str
    chat_key: str
    event: BuyerEvent


@dataclass(frozen=True, slots=True)
class SellerPost:
    """Something a seller wrote in the seller chat; which buyer it is for is looked up
    (the forum topic it is in, the bot's message it replies to)."""

    dedup_key: str
    seller_chat: str
    thread_id: str | None
    reply_to: str | None
    event: SellerEvent


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A delivery receipt for a message we sent (WhatsApp ``statuses``). ``refusal``: the
    platform took the message, then refused it for a limit it names; it goes again as if
    refused at once (``Outbox.refused_later``)."""

    platform_id: str
    status: str
    error: str | None = None
    refusal: RateLimited | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """What the platform answered to a send: the new message's id."""

    platform_id: str | None = None


class Channel(Protocol):
    """Sends one command to one chat; raises ``ChannelError`` when it cannot."""

    name: str

    async def send(self, to: str, command: BuyerCommand) -> Sent: ...

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


__all__ = [
    "Channel",
    "Inbound",
    "Profile",
    "SellerPost",
    "Sent",
    "StatusUpdate",
    "shorten",
    "split_text",
]
