"""What the SQL backends share: their rows as the store's values, JSON in and out.

The SQLite and PostgreSQL stores keep the same tables; only their SQL dialects differ.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.store.base import Contact, InboundRow, OutboxRow, Outgoing, TimerRow

Row = Mapping[str, Any]


def dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def inbound(row: Row) -> InboundRow:
    return InboundRow(row["id"], row["chat_key"], json.loads(row["payload"]), row["received_at"])


def outbox(row: Row) -> OutboxRow:
    return OutboxRow(
        row["id"],
        row["lane"],
        json.loads(row["payload"]),
        row["attempts"],
        row["not_before"],
        row["created_at"],
        row["log_chat"],
        row["log_kind"],
        row["log_text"],
        row["progress"],
        row["turn"],  # perf
    )


def contact(row: Row) -> Contact:
    return Contact(
        chat_key=row["chat_key"],
        channel=row["channel"],
        external_id=row["external_id"],
        name=row["name"],
        username=row["username"],
        phone=row["phone"],
        language=row["language"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def contact_values(c: Contact) -> tuple[Any, ...]:
    """In the order of the contacts upsert's columns."""
    return (
        c.chat_key,
        c.channel,
        c.external_id,
        c.name,
        c.username,
        c.phone,
        c.language,
        c.first_seen,
        c.last_seen,
    )


def outgoing_values(out: Outgoing, now: float) -> tuple[Any, ...]:
    """In the order of the outbox insert's columns."""
    return (
        out.lane,
        dump(out.payload),
        now,
        out.log_chat,
        out.log_kind,
        out.log_text,
        out.priority,
    )


def queued(out: Outgoing, outbox_id: int, now: float, turn: int | None) -> OutboxRow:
    """The row ``out`` became when queued at ``now`` (by ``turn``), as ``outbox`` would read
    it back (perf: the outbox takes a turn's first row without reading it)."""
    return OutboxRow(
        outbox_id,
        out.lane,
        out.payload,
        attempts=0,
        not_before=0.0,
        created_at=now,
        log_chat=out.log_chat,
        log_kind=out.log_kind,
        log_text=out.log_text,
        turn=turn,
    )


def sent_values(row: OutboxRow, platform_id: str | None, now: float) -> tuple[Any, ...]:
    """A sent message's history row: chat, kind, text, platform id, outbox id, at, status at."""
    return (row.log_chat, row.log_kind, row.log_text, platform_id, row.id, now, now)


def with_payload(row: Row) -> dict[str, Any]:
    """A message as the web chat reads it, with the outbox payload it was sent from."""
    item = {k: row[k] for k in ("id", "kind", "text", "at")}
    item["payload"] = json.loads(row["payload"]) if row["payload"] else None
    return item


def timer(row: Row) -> TimerRow:
    return TimerRow(
        row["id"], row["chat_key"], row["kind"], row["due_at"], json.loads(row["data"])
    )


def search_pattern(search: str | None) -> str | None:
    """A LIKE pattern (escape character ``\\``) for a seller's search: words as typed, and
    a phone number as its digits without the leading 0 or country code ("0812-345" finds
    +62 812 345…)."""
    text = " ".join((search or "").split())
    if not text:
        return None
    number = re.sub(r"[\s+()-]", "", text)
    if number.isdigit():  # "0812-3456", "+62 812 345": stored as +62812345…
        text = number.removeprefix("62").lstrip("0") or number
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def inbox_chat(row: Row) -> dict[str, Any]:
    """A chat as the inbox lists it: the handoff's details lifted out of the state."""
    chat = dict(row)
    state = json.loads(chat.pop("state") or "{}")
    chat["handed_off_at"] = state.get("handed_off_at")
    chat["seller"] = state.get("seller")
    chat["handoff_reason"] = state.get("handoff_reason")
    return chat
