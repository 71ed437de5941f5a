"""The store protocol every backend (SQLite today; Redis, PostgreSQL next) implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class Contact:
    """A buyer as the shop's address book keeps them."""

    chat_key: str  # "<channel>:<platform id>", opaque
    channel: str
    external_id: str
    name: str | None = None
    username: str | None = None
    phone: str | None = None  # E.164, when the platform tells it
    language: str | None = None
    first_seen: float = 0.0
    last_seen: float = 0.0


@dataclass(frozen=True, slots=True)
class InboundRow:
    """An accepted inbound event waiting to be (or having been) processed."""

    id: int
    chat_key: str
    payload: dict[str, Any]
    received_at: float


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message (or platform call) waiting to go out, in its lane's order."""

    id: int
    lane: str  # the destination chat: messages of one lane go out one at a time, in order
    payload: dict[str, Any]
    attempts: int
    not_before: float
    created_at: float


@dataclass(frozen=True, slots=True)
class HandoffEvent:
    """A handoff opened (``reason``), first answered (``seller``), or closed."""

    kind: Literal["opened", "answered", "released", "idle"]
    reason: str | None = None
    seller: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything one processed inbound event changes, written in one transaction."""

    inbound_id: int
    chat_key: str
    state: dict[str, Any] | None  # the conversation after the event (None: unchanged)
    outgoing: list[tuple[str, dict[str, Any]]]  # (lane, payload) in sending order
    contact: Contact | None = None
    logged_text: str | None = None  # the inbound message as the history keeps it
    logged_kind: str = "text"
    platform_id: str | None = None
    handoff: HandoffEvent | None = None


class Store(Protocol):
    """Durable state behind the gateway.

    Every method is atomic. Per-chat serialisation: a worker must hold the chat's lease
    (``claim_chat``) while it processes that chat, so two processes sharing one store
    never work on the same chat at once.
    """

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> bool: ...

    # inbound, exactly once
    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        """Record an inbound event; False when ``dedup_key`` was seen before."""
        ...

    async def next_inbound(self, chat_key: str) -> InboundRow | None: ...
    async def chats_with_pending_inbound(self) -> list[str]: ...
    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None: ...

    # per-chat lease
    async def claim_chat(self, chat_key: str, owner: str, now: float, ttl: float) -> bool: ...
    async def release_chat(self, chat_key: str, owner: str) -> None: ...

    # conversations, contacts and history
    async def load_state(self, chat_key: str) -> dict[str, Any] | None: ...
    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        """Apply a processed event: state, contact, history, outbox; mark it done.

        Returns the outbox ids, in order."""
        ...

    async def contact(self, chat_key: str) -> Contact | None: ...
    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]: ...
    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]: ...

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        """Chats a seller owns now, with their state (for reminders, idle hand-back)."""
        ...

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]: ...
    async def contact_rows(self) -> list[dict[str, Any]]:
        """Every contact with tags, notes and its number of handoffs (the contact book)."""
        ...

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool: ...
    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Chats for the web inbox: handed-off first, then by last activity; with unread
        counts since a seller last looked (``chat_key``: just that chat; ``search``: buyers
        whose name, username, phone, id or tags hold it — see ``rows.search_pattern``)."""
        ...

    async def mark_seen(self, chat_key: str, now: float) -> None: ...

    # outbox
    async def enqueue(self, lane: str, payload: dict[str, Any], now: float) -> int: ...
    async def next_outgoing(self, lane: str) -> OutboxRow | None: ...
    async def lanes_with_pending_outbox(self) -> list[str]: ...
    async def mark_sent(
        self, row: OutboxRow, platform_id: str | None, now: float, chat_key: str | None = None
    ) -> None:
        """The row went out; with ``chat_key`` it joins that chat's history."""
        ...

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None: ...
    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None: ...
    async def outbox_depth(self) -> int: ...

    # delivery receipts
    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool: ...

    # seller chat links: forum topics and posted messages that stand for a buyer
    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None: ...
    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None: ...
    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None: ...
