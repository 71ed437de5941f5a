"""The store in memory: every concern, nothing kept; for fast unit tests (``memory://``).

It keeps the SQL stores' rules (the contract tests run over all three), including leases
and timers, but only within one process.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import StoreError
from bot.store import rows
from bot.store.base import (
    Contact,
    HandoffEvent,
    InboundRow,
    LaneLeases,
    OutboxRow,
    Outgoing,
    Reach,
    TimerChange,
    TimerRow,
    Turn,
)
from bot.store.migrations import MIGRATIONS
from bot.store.sql import ERROR_CHARS, month_of


@dataclass
class _Inbound:
    row: InboundRow
    status: str = "pending"
    error: str | None = None


@dataclass
class _Out:
    row: OutboxRow
    status: str = "pending"
    error: str | None = None
    priority: int = 0
    platform_id: str | None = None


@dataclass
class _Contact:
    contact: Contact
    tags: str = ""
    notes: str = ""
    seen_at: float | None = None
    window_closed_at: float | None = None
    unreachable_at: float | None = None


@dataclass
class _Tables:
    inbound: dict[int, _Inbound] = field(default_factory=dict)
    dedup: set[str] = field(default_factory=set)
    states: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    leases: dict[str, tuple[str, float]] = field(default_factory=dict)
    contacts: dict[str, _Contact] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    outbox: dict[int, _Out] = field(default_factory=dict)
    timers: dict[tuple[str, str], TimerRow] = field(default_factory=dict)
    handoffs: list[dict[str, Any]] = field(default_factory=list)
    links: dict[tuple[str, str, str], tuple[int, str]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    marks: dict[str, float] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    lessons: list[dict[str, Any]] = field(default_factory=list)  # issue 12
    dismissed: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    ids: int = 0

    def next_id(self) -> int:
        self.ids += 1
        return self.ids


class MemoryStore:
    """``Store`` in this process's memory."""

    def __init__(self) -> None:
        self._t = _Tables()
        self._open = False

    @property
    def _tables(self) -> _Tables:
        if not self._open:
            raise StoreError("the store is not open")
        return self._t

    async def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False

    async def ping(self) -> bool:
        return self._open

    async def schema_version(self) -> int:
        return len(MIGRATIONS)

    # inbound ---------------------------------------------------------------------------
    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        t = self._tables
        if dedup_key in t.dedup:
            return False
        t.dedup.add(dedup_key)
        n = t.next_id()
        t.inbound[n] = _Inbound(InboundRow(n, chat_key, copy.deepcopy(payload), now))
        return True

    async def next_inbound(self, chat_key: str) -> InboundRow | None:
        for item in self._tables.inbound.values():
            if item.status == "pending" and item.row.chat_key == chat_key:
                return item.row
        return None

    async def next_turn(self, chat_key: str) -> tuple[InboundRow | None, dict[str, Any] | None]:
        row = await self.next_inbound(chat_key)
        return (row, await self.load_state(chat_key)) if row else (None, None)

    async def chats_with_pending_inbound(self) -> list[str]:
        return list(
            dict.fromkeys(
                i.row.chat_key for i in self._tables.inbound.values() if i.status == "pending"
            )
        )

    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None:
        item = self._tables.inbound.get(inbound_id)
        if item is not None:
            item.status, item.error = "failed", error[:ERROR_CHARS]

    # leases ----------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, now: float, ttl: float) -> bool:
        leases = self._tables.leases
        holder = leases.get(key)
        if holder is not None and holder[0] != owner and holder[1] >= now:
            return False
        leases[key] = (owner, now + ttl)
        return True

    async def release(self, key: str, owner: str) -> None:
        leases = self._tables.leases
        if key in leases and leases[key][0] == owner:
            del leases[key]

    # secwire: a killed predecessor's leases
    async def drop_leases(self, keep: str = "") -> int:
        leases = self._tables.leases
        dropped = [key for key in leases if not (keep and key.startswith(keep))]
        for key in dropped:
            del leases[key]
        return len(dropped)

    # conversations ---------------------------------------------------------------------
    async def load_state(self, chat_key: str) -> dict[str, Any] | None:
        return copy.deepcopy(self._tables.states.get(chat_key))

    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        t = self._tables
        if turn.state is not None:
            t.states[turn.chat_key] = copy.deepcopy(turn.state)
        if turn.handoff is not None:
            self._handoff(turn.chat_key, turn.handoff, now)
        if turn.contact is not None:
            self._contact(turn.contact)
        if turn.logged_text is not None:
            self._log(turn.chat_key, "in", turn.logged_kind, turn.logged_text, now)
            t.messages[-1].update(platform_id=turn.platform_id, action=turn.action)
        for change in turn.timers:
            self._timer(turn.chat_key, change)
        t.lessons += [copy.deepcopy(dict(lesson)) for lesson in turn.lessons]
        ids = [self._enqueue(out, now, turn.inbound_id) for out in turn.outgoing]  # perf: turn
        item = t.inbound.get(turn.inbound_id)
        if item is not None:
            item.status = "done"
        if turn.contact is not None:  # the buyer wrote: what waited for that goes out
            self._release(turn.chat_key)
        return ids

    # perf: as SqlStore's, one call a turn
    async def commit_and_next(
        self,
        turn: Turn,
        now: float,
        lease: tuple[str, str] | None = None,
        lanes: LaneLeases | None = None,
    ) -> tuple[list[int], InboundRow | None, dict[str, Any] | None]:
        ids = await self.commit_turn(turn, now)
        row, state = await self.next_turn(turn.chat_key)
        if row is None and lease is not None:
            await self.release(*lease)
        if lanes is not None:
            for lane in dict.fromkeys(out.lane for out in turn.outgoing):
                holder = self._tables.leases.get(lanes.prefix + lane)
                if holder is None or holder[1] < now:  # no one holds it (us neither)
                    self._tables.leases[lanes.prefix + lane] = (lanes.owner, now + lanes.ttl)
        return ids, row, state

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        return [
            (key, copy.deepcopy(state))
            for key, state in self._tables.states.items()
            if state is not None and state.get("stage") == "handed_off"
        ]

    def _handoff(self, chat_key: str, event: HandoffEvent, now: float) -> None:
        records = self._tables.handoffs
        open_one = next(
            (h for h in records if h["chat_key"] == chat_key and h["released_at"] is None), None
        )
        if event.kind == "opened":
            if open_one is not None:
                open_one["released_at"] = now
            self._new_handoff(chat_key, event.reason or "seller", now)
        elif event.kind == "answered":
            if open_one is None:  # a seller stepped into a chat the bot had
                self._new_handoff(chat_key, "seller", now, event.seller, now)
            elif open_one["first_answer_at"] is None:
                open_one["first_answer_at"], open_one["seller"] = now, event.seller
        elif open_one is not None:
            open_one["released_at"] = now
            open_one["released_by"] = event.seller or event.kind

    def _new_handoff(
        self,
        chat_key: str,
        reason: str,
        now: float,
        seller: str | None = None,
        answered: float | None = None,
    ) -> None:
        self._tables.handoffs.append(
            {
                "id": len(self._tables.handoffs) + 1,
                "chat_key": chat_key,
                "reason": reason,
                "at": now,
                "seller": seller,
                "first_answer_at": answered,
                "released_at": None,
                "released_by": None,
            }
        )

    def _contact(self, c: Contact) -> None:
        known = self._tables.contacts.get(c.chat_key)
        if known is None:
            self._tables.contacts[c.chat_key] = _Contact(c)
            return
        old = known.contact
        known.contact = replace(
            old,
            name=c.name or old.name,
            username=c.username or old.username,
            phone=c.phone or old.phone,
            language=c.language or old.language,
            last_seen=c.last_seen,
        )
        known.unreachable_at = None  # they wrote: reachable again

    def _log(self, chat_key: str, direction: str, kind: str, text: str | None, now: float) -> None:
        self._tables.messages.append(
            {
                "id": self._tables.next_id(),
                "chat_key": chat_key,
                "direction": direction,
                "kind": kind,
                "text": text,
                "at": now,
                "status": None,
                "platform_id": None,
                "outbox_id": None,
                "error": None,
                "action": None,
            }
        )

    # outbox ----------------------------------------------------------------------------
    async def enqueue(self, out: Outgoing, now: float) -> int:
        return self._enqueue(out, now)

    def _enqueue(self, out: Outgoing, now: float, turn: int | None = None) -> int:
        n = self._tables.next_id()
        payload = copy.deepcopy(out.payload)
        row = OutboxRow(
            n, out.lane, payload, 0, 0.0, now, out.log_chat, out.log_kind, out.log_text, turn=turn
        )
        self._tables.outbox[n] = _Out(row, priority=out.priority)
        return n

    async def next_outgoing(self, lane: str, skip: Sequence[int] = ()) -> OutboxRow | None:
        pending = [
            o
            for o in self._tables.outbox.values()
            if o.status == "pending" and o.row.lane == lane and o.row.id not in skip  # perf
        ]  # secwire: lowest priority first, then the oldest
        return min(pending, key=lambda o: (o.priority, o.row.id)).row if pending else None

    async def lanes_with_pending_outbox(self) -> list[str]:
        return list(
            dict.fromkeys(
                o.row.lane for o in self._tables.outbox.values() if o.status == "pending"
            )
        )

    async def lanes_with_held_outbox(self) -> list[str]:
        return list(
            dict.fromkeys(o.row.lane for o in self._tables.outbox.values() if o.status == "held")
        )

    async def mark_sent(self, row: OutboxRow, platform_id: str | None, now: float) -> int:
        item = self._tables.outbox.get(row.id)
        if item is not None:
            item.status = "sent"
            item.platform_id = platform_id
            item.row = replace(item.row, attempts=item.row.attempts + 1)
        if row.log_chat is None:  # not a message (receipts and tap answers)
            return 0
        key = (month_of(now), row.lane.split(":", 1)[0])
        counts = self._tables.sent_counts
        counts[key] = counts.get(key, 0) + 1
        self._log(row.log_chat, "out", row.log_kind, row.log_text, now)
        line = self._tables.messages[-1]
        line.update(platform_id=platform_id, outbox_id=row.id, status="sent")
        return counts[key]

    # perf: as SqlStore's, one call a send
    async def mark_sent_next(
        self,
        row: OutboxRow,
        platform_id: str | None,
        now: float,
        skip: Sequence[int] = (),
        lease: tuple[str, str] | None = None,
    ) -> tuple[int, OutboxRow | None]:
        count = await self.mark_sent(row, platform_id, now)
        following = await self.next_outgoing(row.lane, (row.id, *skip))
        if lease is not None and await self.next_outgoing(row.lane) is None:
            await self.release(*lease)
        return count, following

    async def claim_turn(
        self, key: str, owner: str, now: float, ttl: float, chat_key: str
    ) -> tuple[bool, InboundRow | None, dict[str, Any] | None]:
        if not await self.claim(key, owner, now, ttl):
            return False, None, None
        row, state = await self.next_turn(chat_key)
        return True, row, state

    async def claim_lane(
        self, key: str, owner: str, now: float, ttl: float, lane: str
    ) -> tuple[bool, OutboxRow | None]:
        return await self.claim(key, owner, now, ttl), await self.next_outgoing(lane)

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None:
        item = self._tables.outbox.get(outbox_id)
        if item is not None:
            attempts = item.row.attempts + 1
            item.row = replace(item.row, attempts=attempts, not_before=not_before)
            item.error = error[:ERROR_CHARS]

    # secwire: a long message's pieces sent so far
    async def mark_progress(self, outbox_id: int, pieces: int) -> None:
        item = self._tables.outbox.get(outbox_id)
        if item is not None:
            item.row = replace(item.row, progress=pieces)

    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None:
        item = self._tables.outbox.get(outbox_id)
        if item is not None:
            item.status, item.error = "failed", error[:ERROR_CHARS]
            item.row = replace(item.row, attempts=item.row.attempts + 1)

    async def outbox_depth(self) -> int:
        return sum(o.status == "pending" for o in self._tables.outbox.values())

    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool:
        found = False
        for line in self._tables.messages:
            if line["platform_id"] == platform_id and line["direction"] == "out":
                line["status"] = status
                line["error"] = error or line["error"]
                found = True
        return found

    # messages the shop starts ----------------------------------------------------------
    async def reach(self, chat_key: str) -> Reach:
        known = self._tables.contacts.get(chat_key)
        if known is None:
            return Reach()
        state = self._tables.states.get(chat_key) or {}
        return Reach(
            last_inbound=known.contact.last_seen,
            window_closed_at=known.window_closed_at,
            unreachable=known.unreachable_at is not None,
            opted_out=bool(state.get("opted_out")),
        )

    async def mark_reach(
        self, chat_key: str, now: float, *, window_closed: bool = False, unreachable: bool = False
    ) -> bool:
        known = self._tables.contacts.get(chat_key)
        if known is None:
            return False
        if window_closed:
            known.window_closed_at = now
        if unreachable and known.unreachable_at is None:
            known.unreachable_at = now
            return True
        return False

    async def hold_outgoing(self, outbox_id: int, reason: str) -> None:
        item = self._tables.outbox.get(outbox_id)
        if item is not None and item.status == "pending":
            item.status, item.error = "held", reason[:ERROR_CHARS]

    async def release_held(self, lane: str) -> int:
        return self._release(lane)

    def _release(self, lane: str) -> int:
        outbox = self._tables.outbox.values()
        held = [o for o in outbox if o.row.lane == lane and o.status == "held"]
        for item in held:
            item.status = "pending"
            item.row = replace(item.row, not_before=0.0)
        return len(held)

    def _sent(self, platform_id: str) -> _Out | None:
        """The latest sent row with ``platform_id`` (a late report names it)."""
        sent = [
            o
            for o in self._tables.outbox.values()
            if o.platform_id == platform_id and o.status == "sent"
        ]
        return sent[-1] if sent else None

    async def resend_refused(self, platform_id: str, now: float) -> str | None:
        item = self._sent(platform_id)
        if item is None:
            return None
        known = self._tables.contacts.get(item.row.lane)
        if known is not None:
            known.window_closed_at = now
        if not item.row.payload.get("initiated"):
            return None
        item.status, item.platform_id = "pending", None
        item.row = replace(item.row, not_before=0.0)
        return item.row.lane

    async def reopen_sent(self, platform_id: str, not_before: float) -> OutboxRow | None:
        item = self._sent(platform_id)
        if item is None:
            return None
        # the send counted as an attempt when it was taken: the caller counts it again,
        # as the refusal it turned out to be (``Outbox._failed``)
        was = replace(item.row, attempts=max(item.row.attempts - 1, 0))
        item.status, item.platform_id = "pending", None
        item.row = replace(was, not_before=not_before)
        return was

    async def sent_this_month(self, channel: str, now: float) -> int:
        return self._tables.sent_counts.get((month_of(now), channel), 0)

    # timers ----------------------------------------------------------------------------
    async def set_timer(
        self, chat_key: str, kind: str, due_at: float, data: Mapping[str, Any], now: float
    ) -> None:
        self._timer(chat_key, TimerChange(kind, due_at, data))

    async def cancel_timer(self, chat_key: str, kind: str) -> None:
        self._timer(chat_key, TimerChange(kind, None))

    def _timer(self, chat_key: str, change: TimerChange) -> None:
        timers = self._tables.timers
        key = (chat_key, change.kind)
        if change.due_at is None:
            timers.pop(key, None)
            return
        known = timers.get(key)
        n = known.id if known else self._tables.next_id()
        data = copy.deepcopy(dict(change.data))
        timers[key] = TimerRow(n, chat_key, change.kind, change.due_at, data)

    async def fire_due_timers(self, now: float, limit: int = 100) -> list[str]:
        timers = self._tables.timers
        due = sorted((t for t in timers.values() if t.due_at <= now), key=_due)[:limit]
        chats: dict[str, None] = {}
        for timer in due:
            del timers[(timer.chat_key, timer.kind)]
            payload = {
                "type": "tick",
                "kind": timer.kind,
                "data": timer.data,
                "due_at": timer.due_at,
            }
            key = f"timer:{timer.id}:{timer.due_at}"
            if await self.accept_inbound(key, timer.chat_key, payload, now):
                chats[timer.chat_key] = None
        return list(chats)

    async def next_timer_at(self) -> float | None:
        return min((t.due_at for t in self._tables.timers.values()), default=None)

    async def timers_of(self, chat_key: str) -> list[TimerRow]:
        mine = [t for t in self._tables.timers.values() if t.chat_key == chat_key]
        return sorted(mine, key=_due)

    # the read model --------------------------------------------------------------------
    async def contact(self, chat_key: str) -> Contact | None:
        known = self._tables.contacts.get(chat_key)
        return None if known is None else known.contact

    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]:
        mine = [m for m in self._tables.messages if m["chat_key"] == chat_key][-limit:]
        keys = ("id", "direction", "kind", "text", "at", "status")
        return [{k: m[k] for k in keys} for m in mine]

    async def recent_histories(
        self, chat_keys: Sequence[str], limit: int
    ) -> dict[str, list[dict[str, Any]]]:
        return {key: await self.history(key, limit) for key in chat_keys}

    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]:
        found = []
        for m in self._tables.messages:
            if m["chat_key"] == chat_key and m["direction"] == direction and m["id"] > after_id:
                sent = self._tables.outbox.get(m["outbox_id"] or 0)
                if direction != "in" and (sent is None or sent.row.lane != chat_key):
                    continue  # the seller group's posts about the chat
                payload = copy.deepcopy(sent.row.payload) if sent else None
                found.append(
                    {k: m[k] for k in ("id", "kind", "text", "at")} | {"payload": payload}
                )
        return found[:200]

    async def activity(self, since: float, until: float) -> list[dict[str, Any]]:
        return [
            {k: m[k] for k in ("chat_key", "at", "action", "text")}
            | {"channel": m["chat_key"].split(":", 1)[0]}
            for m in sorted(self._tables.messages, key=lambda m: (m["at"], m["id"]))
            if m["direction"] == "in" and since <= m["at"] < until
        ]

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        return [
            dict(h) for h in self._tables.handoffs if chat_key is None or h["chat_key"] == chat_key
        ]

    async def contact_rows(self) -> list[dict[str, Any]]:
        found = []
        for known in sorted(self._tables.contacts.values(), key=lambda k: k.contact.first_seen):
            count = sum(h["chat_key"] == known.contact.chat_key for h in self._tables.handoffs)
            found.append(self._contact_row(known) | {"handoffs": count})
        return found

    def _contact_row(self, known: _Contact) -> dict[str, Any]:
        c = known.contact
        return {
            "chat_key": c.chat_key,
            "channel": c.channel,
            "external_id": c.external_id,
            "name": c.name,
            "username": c.username,
            "phone": c.phone,
            "language": c.language,
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
            "tags": known.tags,
            "notes": known.notes,
            "seen_at": known.seen_at,
        }

    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        needle = _needle(rows.search_pattern(search))
        found = []
        for known in self._tables.contacts.values():
            c = known.contact
            if chat_key is not None and c.chat_key != chat_key:
                continue
            fields = (c.name, c.username, c.phone, c.external_id, known.tags)
            if needle is not None and not any(needle in (f or "").lower() for f in fields):
                continue
            state = self._tables.states.get(c.chat_key)
            unread = sum(
                m["chat_key"] == c.chat_key
                and m["direction"] == "in"
                and m["at"] > (known.seen_at or 0)
                for m in self._tables.messages
            )
            row = self._contact_row(known)
            del row["language"], row["seen_at"]
            row |= {
                "stage": (state or {}).get("stage") if c.chat_key in self._tables.states else None,
                "state": None if state is None else rows.dump(state),
                "unread": unread,
            }
            found.append(rows.inbox_chat(row))
        found.sort(key=lambda r: (r["stage"] == "handed_off", r["last_seen"]), reverse=True)
        return found[:limit]

    async def mark_seen(self, chat_key: str, now: float) -> None:
        known = self._tables.contacts.get(chat_key)
        if known is not None:
            known.seen_at = now

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool:
        known = self._tables.contacts.get(chat_key)
        if known is None:
            return False
        known.tags = known.tags if tags is None else tags
        known.notes = known.notes if notes is None else notes
        return True

    # seller links ----------------------------------------------------------------------
    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None:
        self._tables.links[(seller_chat, kind, ref)] = (self._tables.next_id(), chat_key)

    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None:
        found = self._tables.links.get((seller_chat, kind, ref))
        return None if found is None else found[1]

    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None:
        topics = [
            (n, ref)
            for (chat, kind, ref), (n, key) in self._tables.links.items()
            if chat == seller_chat and kind == "topic" and key == chat_key
        ]
        return max(topics)[1] if topics else None

    # sessions and secrets --------------------------------------------------------------
    async def secret(self, name: str, make: Callable[[], str]) -> str:
        return self._tables.secrets.setdefault(name, make())

    # marks of one-off steps ------------------------------------------------------------
    async def marked(self, name: str) -> bool:
        return name in self._tables.marks

    async def mark(self, name: str, now: float) -> None:
        self._tables.marks.setdefault(name, now)

    async def create_session(
        self, token_hash: str, seller: str, now: float, expires_at: float
    ) -> None:
        if token_hash in self._tables.sessions:
            raise StoreError("the session exists already")
        self._tables.sessions[token_hash] = {
            "seller": seller,
            "created_at": now,
            "expires_at": expires_at,
        }

    async def session(self, token_hash: str, now: float) -> dict[str, Any] | None:
        found = self._tables.sessions.get(token_hash)
        return dict(found) if found is not None and found["expires_at"] > now else None

    async def revoke_session(self, token_hash: str) -> None:
        self._tables.sessions.pop(token_hash, None)

    async def revoke_all_sessions(self) -> int:
        count = len(self._tables.sessions)
        self._tables.sessions.clear()
        return count

    # lessons (issue 12) ----------------------------------------------------------------
    async def lessons(self, since: float | None = None) -> list[dict[str, Any]]:
        found = [m for m in self._tables.lessons if since is None or m["at"] >= since]
        return copy.deepcopy(sorted(found, key=lambda m: m["at"]))

    async def dismiss_suggestion(self, suggestion_id: str, who: str, now: float) -> None:
        self._tables.dismissed.setdefault(suggestion_id, {"who": who, "at": now})

    async def dismissed_suggestions(self) -> dict[str, dict[str, Any]]:
        return copy.deepcopy(self._tables.dismissed)

    # retention -------------------------------------------------------------------------
    async def purge(self, before: float) -> int:
        t = self._tables
        gone = 0

        def keep(items: dict[Any, Any], old: Callable[[Any], bool]) -> None:
            nonlocal gone
            for key in [k for k, v in items.items() if old(v)]:
                del items[key]
                gone += 1

        kept = [m for m in t.messages if m["at"] >= before]
        gone += len(t.messages) - len(kept)
        t.messages = kept
        keep(t.inbound, lambda i: i.status != "pending" and i.row.received_at < before)
        keep(t.outbox, lambda o: o.status != "pending" and o.row.created_at < before)
        keep(t.sessions, lambda s: s["expires_at"] < before)
        keep(t.leases, lambda lease: lease[1] < before)
        visitors = {
            key
            for key, known in t.contacts.items()
            if key.startswith("web:") and known.contact.last_seen < before
        }
        keep(t.timers, lambda timer: timer.chat_key in visitors)
        keep(t.contacts, lambda known: known.contact.chat_key in visitors)
        for key in [k for k in t.states if k.startswith("web:") and k in visitors]:
            del t.states[key]
            gone += 1
        handoffs = [
            h for h in t.handoffs if not (h["chat_key"].startswith("web:") and h["at"] < before)
        ]
        gone += len(t.handoffs) - len(handoffs)
        t.handoffs = handoffs
        return gone


def _due(timer: TimerRow) -> tuple[float, int]:
    return timer.due_at, timer.id


def _needle(pattern: str | None) -> str | None:
    """The text a LIKE pattern of ``rows.search_pattern`` looks for, lower-cased."""
    if pattern is None:
        return None
    return re.sub(r"\\(.)", r"\1", pattern[1:-1]).lower()
