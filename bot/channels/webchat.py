"""The built-in web chat: a page where anyone can talk to the bot as a buyer, no token."""

from __future__ import annotations

import re
import uuid
from typing import Any, assert_never

from bot.channels.base import Inbound, Sent
from bot.commands import (
    AckTap,
    BuyerCommand,
    CopyMessage,
    MarkRead,
    Say,
)
from bot.errors import ParseError
from bot.events import BuyerEvent, Profile

NAME = "web"
SESSION = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
MAX_TEXT = 4096


def chat_key(session: str) -> str:
    return f"{NAME}:{session}"


def parse_post(data: Any) -> Inbound:
    """``{"session", "id", "text"}`` or ``{"session", "id", "choice"}`` from the page.

    Raises:
        ParseError: naming what is wrong.
    """
    if not isinstance(data, dict):
        raise ParseError("expected a JSON object")
    session = str(data.get("session") or "")
    if not SESSION.match(session):
        raise ParseError("session must be 8-40 letters, digits, - or _")
    message_id = str(data.get("id") or uuid.uuid4().hex)[:64]
    text = data.get("text")
    choice = data.get("choice")
    if text is None and choice is None:
        raise ParseError("give text or choice")
    event = BuyerEvent(
        profile=Profile(
            channel=NAME,
            external_id=session,
            name=str(data.get("name") or "") or None,
            language=str(data.get("language") or "") or None,
        ),
        kind="choice" if choice is not None else "text",
        text=str(text or "")[:MAX_TEXT],
        choice=None if choice is None else str(choice)[:200],
        platform_id=message_id,
    )
    return Inbound(f"{NAME}:{session}:{message_id}", chat_key(session), event)


class WebChatChannel:
    """Nothing to call: a message is 'sent' once stored; the page fetches it."""

    name = NAME

    async def send(self, to: str, command: BuyerCommand) -> Sent:
        match command:
            case Say() | CopyMessage():
                # the page shows the text; a seller's photo shows as its history line
                return Sent(f"web-{uuid.uuid4().hex[:16]}")
            case AckTap() | MarkRead():
                return Sent()  # the page has no spinners or ticks
            case _:
                assert_never(command)

    async def close(self) -> None:
        return None
