"""The store for scaling out: PostgreSQL, shared by gateway processes on several machines.

The same tables and the same rules as the SQLite store (``bot/store/sqlite.py``); every
public method is one transaction on a pooled connection (psycopg 3). Chat and outbox
leases are rows here too, so any number of processes can share one database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from bot.errors import StoreError
from bot.store import rows
from bot.store.base import (
    Contact,
    HandoffEvent,
    InboundRow,
    OutboxRow,
    Outgoing,
    TimerChange,
    TimerRow,
    Turn,
)

Conn = psycopg.AsyncConnection[dict[str, Any]]

# Each step moves the schema one version up; never edit a released step, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contacts (
        chat_key TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL,
        name TEXT, username TEXT, phone TEXT, language TEXT,
        first_seen DOUBLE PRECISION NOT NULL, last_seen DOUBLE PRECISION NOT NULL,
        tags TEXT NOT NULL DEFAULT '', notes TEXT NOT NULL DEFAULT '',
        seen_at DOUBLE PRECISION
    );
    CREATE TABLE conversations (
        chat_key TEXT PRIMARY KEY, state TEXT, stage TEXT, updated_at DOUBLE PRECISION,
        lease_owner TEXT, lease_until DOUBLE PRECISION
    );
    CREATE INDEX conversations_stage ON conversations (stage) WHERE stage = 'handed_off';
    CREATE TABLE inbound (
        id BIGSERIAL PRIMARY KEY, dedup_key TEXT NOT NULL UNIQUE,
        chat_key TEXT NOT NULL, payload TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', processed_at DOUBLE PRECISION, error TEXT
    );
    CREATE INDEX inbound_pending ON inbound (chat_key, id) WHERE status = 'pending';
    CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY, chat_key TEXT NOT NULL,
        direction TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, platform_id TEXT,
        outbox_id BIGINT, at DOUBLE PRECISION NOT NULL, status TEXT,
        status_at DOUBLE PRECISION, error TEXT
    );
    CREATE INDEX messages_chat ON messages (chat_key, id);
    CREATE INDEX messages_platform ON messages (platform_id) WHERE platform_id IS NOT NULL;
    CREATE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
    CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY, lane TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
        created_at DOUBLE PRECISION NOT NULL, sent_at DOUBLE PRECISION,
        platform_id TEXT, error TEXT
    );
    CREATE INDEX outbox_pending ON outbox (lane, id) WHERE status = 'pending';
    CREATE TABLE seller_links (
        id BIGSERIAL, seller_chat TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
        chat_key TEXT NOT NULL, PRIMARY KEY (seller_chat, kind, ref)
    );
    CREATE INDEX seller_links_chat ON seller_links (seller_chat, kind, chat_key);
    CREATE TABLE handoffs (
        id BIGSERIAL PRIMARY KEY, chat_key TEXT NOT NULL, reason TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL, seller TEXT, first_answer_at DOUBLE PRECISION,
        released_at DOUBLE PRECISION, released_by TEXT
    );
    CREATE INDEX handoffs_open ON handoffs (chat_key) WHERE released_at IS NULL
    """,
    """
    CREATE TABLE leases (
        key TEXT PRIMARY KEY, owner TEXT NOT NULL, until DOUBLE PRECISION NOT NULL
    );
    DELETE FROM conversations WHERE chat_key LIKE 'outbox:%' AND state IS NULL;
    CREATE TABLE timers (
        id BIGSERIAL PRIMARY KEY, chat_key TEXT NOT NULL, kind TEXT NOT NULL,
        due_at DOUBLE PRECISION NOT NULL, data TEXT NOT NULL DEFAULT '{}',
        UNIQUE (chat_key, kind)
    );
    CREATE INDEX timers_due ON timers (due_at);
    ALTER TABLE outbox ADD COLUMN log_chat TEXT;
    ALTER TABLE outbox ADD COLUMN log_kind TEXT NOT NULL DEFAULT 'say';
    ALTER TABLE outbox ADD COLUMN log_text TEXT;
    UPDATE outbox SET log_chat = CASE WHEN payload::jsonb ->> 'op'
        IN ('ack_callback', 'mark_read') THEN NULL
        ELSE COALESCE(payload::jsonb ->> 'about', lane) END,
        log_kind = COALESCE(NULLIF(payload::jsonb ->> 'kind', ''), payload::jsonb ->> 'op', 'say'),
        log_text = payload::jsonb ->> 'text' WHERE status = 'pending'
    """,
)
_SCHEMA_LOCK = 7_242_017  # pg_advisory_xact_lock key: processes starting together migrate once


class PostgresStore:
    """``Store`` on a PostgreSQL database (``postgresql://user:pass@host:5432/db``)."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: AsyncConnectionPool[Conn] | None = None

    # lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        try:  # one plain connection first: a clear error at once, not a pool timeout
            probe = await psycopg.AsyncConnection.connect(self.url, connect_timeout=5)
            await probe.close()
        except psycopg.Error as exc:
            where = _masked(self.url)
            raise StoreError(f"cannot open the PostgreSQL store {where}: {exc}") from None
        pool: AsyncConnectionPool[Conn] = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=self.pool_size,
            open=False,
            kwargs={"autocommit": True, "row_factory": dict_row},
            connection_class=psycopg.AsyncConnection[dict[str, Any]],
        )
        try:
            await pool.open(wait=True, timeout=10)
            self._pool = pool
            await self._migrate()
        except (psycopg.Error, TimeoutError) as exc:  # the pool's timeout too
            await pool.close()
            self._pool = None
            raise StoreError(
                f"cannot open the PostgreSQL store {_masked(self.url)}: {exc}"
            ) from None

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def ping(self) -> bool:
        try:
            await self._one("SELECT 1 AS ok")
        except (psycopg.Error, StoreError):
            return False
        return True

    async def schema_version(self) -> int:
        row = await self._one("SELECT version FROM japri_schema")
        return int(row["version"]) if row else 0

    async def _migrate(self) -> None:
        async with self._conn() as db, db.transaction():
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            await db.execute("CREATE TABLE IF NOT EXISTS japri_schema (version INTEGER NOT NULL)")
            row = await (await db.execute("SELECT version FROM japri_schema")).fetchone()
            version = int(row["version"]) if row else 0
            if row is None:
                await db.execute("INSERT INTO japri_schema (version) VALUES (0)")
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"{_masked(self.url)}: schema version {version} is newer than this Japri "
                    f"({len(MIGRATIONS)}); upgrade Japri"
                )
            for step in MIGRATIONS[version:]:
                for statement in step.split(";"):
                    if statement.strip():
                        await db.execute(statement)
            await db.execute("UPDATE japri_schema SET version = %s", (len(MIGRATIONS),))

    def _conn(self) -> Any:
        if self._pool is None:
            raise StoreError("the store is not open")
        return self._pool.connection()

    async def _run(self, sql: str, params: Any = ()) -> int:
        async with self._conn() as db:
            cursor = await db.execute(sql, params)
            return int(cursor.rowcount)

    async def _one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        async with self._conn() as db:
            row: dict[str, Any] | None = await (await db.execute(sql, params)).fetchone()
            return row

    async def _all(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        async with self._conn() as db:
            found: list[dict[str, Any]] = await (await db.execute(sql, params)).fetchall()
            return found

    # inbound ---------------------------------------------------------------------------
    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        inserted = await self._run(
            "INSERT INTO inbound (dedup_key, chat_key, payload, received_at) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (dedup_key) DO NOTHING",
            (dedup_key, chat_key, rows.dump(payload), now),
        )
        return inserted == 1

    async def next_inbound(self, chat_key: str) -> InboundRow | None:
        row = await self._one(
            "SELECT id, chat_key, payload, received_at FROM inbound "
            "WHERE chat_key = %s AND status = 'pending' ORDER BY id LIMIT 1",
            (chat_key,),
        )
        return None if row is None else rows.inbound(row)

    async def chats_with_pending_inbound(self) -> list[str]:
        found = await self._all(
            "SELECT chat_key FROM inbound WHERE status = 'pending' GROUP BY chat_key "
            "ORDER BY MIN(id)"
        )
        return [r["chat_key"] for r in found]

    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None:
        await self._run(
            "UPDATE inbound SET status = 'failed', error = %s, processed_at = %s WHERE id = %s",
            (error[:2000], now, inbound_id),
        )

    # leases ----------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, now: float, ttl: float) -> bool:
        claimed = await self._run(
            "INSERT INTO leases (key, owner, until) VALUES (%(key)s, %(owner)s, %(until)s) "
            "ON CONFLICT (key) DO UPDATE SET owner = %(owner)s, until = %(until)s "
            "WHERE leases.owner = %(owner)s OR leases.until < %(now)s",
            {"key": key, "owner": owner, "now": now, "until": now + ttl},
        )
        return claimed == 1

    async def release(self, key: str, owner: str) -> None:
        await self._run("DELETE FROM leases WHERE key = %s AND owner = %s", (key, owner))

    # conversations ---------------------------------------------------------------------
    async def load_state(self, chat_key: str) -> dict[str, Any] | None:
        row = await self._one("SELECT state FROM conversations WHERE chat_key = %s", (chat_key,))
        if row is None or row["state"] is None:
            return None
        state: dict[str, Any] = json.loads(row["state"])
        return state

    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        ids: list[int] = []
        async with self._conn() as db, db.transaction():
            if turn.state is not None:
                await db.execute(
                    "INSERT INTO conversations (chat_key, state, stage, updated_at) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT (chat_key) DO UPDATE SET "
                    "state = excluded.state, stage = excluded.stage, "
                    "updated_at = excluded.updated_at",
                    (turn.chat_key, rows.dump(turn.state), turn.state.get("stage"), now),
                )
            if turn.handoff is not None:
                await _record_handoff(db, turn.chat_key, turn.handoff, now)
            if turn.contact is not None:
                await _upsert_contact(db, turn.contact)
            if turn.logged_text is not None:
                await db.execute(
                    "INSERT INTO messages (chat_key, direction, kind, text, platform_id, at) "
                    "VALUES (%s, 'in', %s, %s, %s, %s)",
                    (turn.chat_key, turn.logged_kind, turn.logged_text, turn.platform_id, now),
                )
            for change in turn.timers:
                await _change_timer(db, turn.chat_key, change)
            for out in turn.outgoing:
                ids.append(await _enqueue(db, out, now))
            await db.execute(
                "UPDATE inbound SET status = 'done', processed_at = %s WHERE id = %s",
                (now, turn.inbound_id),
            )
        return ids

    # contacts and history --------------------------------------------------------------
    async def contact(self, chat_key: str) -> Contact | None:
        row = await self._one("SELECT * FROM contacts WHERE chat_key = %s", (chat_key,))
        return None if row is None else rows.contact(row)

    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT id, direction, kind, text, at, status FROM messages WHERE chat_key = %s "
            "ORDER BY id DESC LIMIT %s",
            (chat_key, limit),
        )
        return list(reversed(found))

    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT m.id, m.kind, m.text, m.at, o.payload FROM messages m "
            "LEFT JOIN outbox o ON o.id = m.outbox_id "
            "WHERE m.chat_key = %s AND m.direction = %s AND m.id > %s ORDER BY m.id LIMIT 200",
            (chat_key, direction, after_id),
        )
        return [rows.with_payload(row) for row in found]

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        found = await self._all(
            "SELECT chat_key, state FROM conversations WHERE stage = 'handed_off'"
        )
        return [(r["chat_key"], json.loads(r["state"] or "{}")) for r in found]

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        return await self._all(
            "SELECT * FROM handoffs WHERE %(key)s::text IS NULL OR chat_key = %(key)s ORDER BY id",
            {"key": chat_key},
        )

    async def contact_rows(self) -> list[dict[str, Any]]:
        return await self._all(
            "SELECT c.*, (SELECT COUNT(*) FROM handoffs h WHERE h.chat_key = c.chat_key) "
            "AS handoffs FROM contacts c ORDER BY c.first_seen"
        )

    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT c.chat_key, c.channel, c.external_id, c.name, c.username, c.phone, "
            "c.tags, c.notes, c.first_seen, c.last_seen, v.stage, v.state, "
            "(SELECT COUNT(*) FROM messages m WHERE m.chat_key = c.chat_key "
            " AND m.direction = 'in' AND m.at > COALESCE(c.seen_at, 0)) AS unread "
            "FROM contacts c LEFT JOIN conversations v ON v.chat_key = c.chat_key "
            "WHERE (%(key)s::text IS NULL OR c.chat_key = %(key)s) "
            "AND (%(like)s::text IS NULL OR c.name ILIKE %(like)s "
            "OR c.username ILIKE %(like)s OR c.phone ILIKE %(like)s "
            "OR c.external_id ILIKE %(like)s OR c.tags ILIKE %(like)s) "
            "ORDER BY COALESCE(v.stage = 'handed_off', FALSE) DESC, c.last_seen DESC "
            "LIMIT %(limit)s",
            {"key": chat_key, "limit": limit, "like": rows.search_pattern(search)},
        )
        return [rows.inbox_chat(row) for row in found]

    async def mark_seen(self, chat_key: str, now: float) -> None:
        await self._run("UPDATE contacts SET seen_at = %s WHERE chat_key = %s", (now, chat_key))

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool:
        updated = await self._run(
            "UPDATE contacts SET tags = COALESCE(%s, tags), notes = COALESCE(%s, notes) "
            "WHERE chat_key = %s",
            (tags, notes, chat_key),
        )
        return updated == 1

    # outbox ----------------------------------------------------------------------------
    async def enqueue(self, out: Outgoing, now: float) -> int:
        async with self._conn() as db:
            return await _enqueue(db, out, now)

    async def next_outgoing(self, lane: str) -> OutboxRow | None:
        row = await self._one(
            "SELECT id, lane, payload, attempts, not_before, created_at, log_chat, log_kind, "
            "log_text FROM outbox WHERE lane = %s AND status = 'pending' ORDER BY id LIMIT 1",
            (lane,),
        )
        return None if row is None else rows.outbox(row)

    async def lanes_with_pending_outbox(self) -> list[str]:
        found = await self._all(
            "SELECT lane FROM outbox WHERE status = 'pending' GROUP BY lane ORDER BY MIN(id)"
        )
        return [r["lane"] for r in found]

    async def mark_sent(self, row: OutboxRow, platform_id: str | None, now: float) -> None:
        async with self._conn() as db, db.transaction():
            await db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = %s, platform_id = %s, "
                "attempts = attempts + 1 WHERE id = %s",
                (now, platform_id, row.id),
            )
            if row.log_chat is not None:
                await db.execute(
                    "INSERT INTO messages (chat_key, direction, kind, text, platform_id, "
                    "outbox_id, at, status, status_at) VALUES (%s, 'out', %s, %s, %s, %s, %s, "
                    "'sent', %s)",
                    rows.sent_values(row, platform_id, now),
                )

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None:
        await self._run(
            "UPDATE outbox SET attempts = attempts + 1, not_before = %s, error = %s WHERE id = %s",
            (not_before, error[:2000], outbox_id),
        )

    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None:
        await self._run(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = %s, "
            "sent_at = %s WHERE id = %s",
            (error[:2000], now, outbox_id),
        )

    async def outbox_depth(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return int(row["n"]) if row else 0

    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool:
        updated = await self._run(
            "UPDATE messages SET status = %s, status_at = %s, error = COALESCE(%s, error) "
            "WHERE platform_id = %s AND direction = 'out'",
            (status, now, error, platform_id),
        )
        return updated > 0

    # timers ----------------------------------------------------------------------------
    async def set_timer(
        self, chat_key: str, kind: str, due_at: float, data: Mapping[str, Any], now: float
    ) -> None:
        async with self._conn() as db:
            await _change_timer(db, chat_key, TimerChange(kind, due_at, data))

    async def cancel_timer(self, chat_key: str, kind: str) -> None:
        async with self._conn() as db:
            await _change_timer(db, chat_key, TimerChange(kind, None))

    async def fire_due_timers(self, now: float, limit: int = 100) -> list[str]:
        async with self._conn() as db, db.transaction():
            # SKIP LOCKED: processes firing together each take other timers, never the same
            cursor = await db.execute(
                "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE due_at <= %s "
                "ORDER BY due_at, id LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING id, chat_key, kind, due_at, data",
                (now, limit),
            )
            due = sorted(await cursor.fetchall(), key=lambda r: (r["due_at"], r["id"]))
            ticks = [rows.tick(row) for row in due]
            if ticks:
                async with db.cursor() as many:
                    await many.executemany(
                        "INSERT INTO inbound (dedup_key, chat_key, payload, received_at) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (dedup_key) DO NOTHING",
                        [(key, chat, rows.dump(payload), now) for key, chat, payload in ticks],
                    )
        return list(dict.fromkeys(chat for _, chat, _ in ticks))

    async def next_timer_at(self) -> float | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM timers")
        return None if row is None or row["due"] is None else float(row["due"])

    async def timers_of(self, chat_key: str) -> list[TimerRow]:
        found = await self._all(
            "SELECT id, chat_key, kind, due_at, data FROM timers WHERE chat_key = %s "
            "ORDER BY due_at, id",
            (chat_key,),
        )
        return [rows.timer(row) for row in found]

    # seller links ----------------------------------------------------------------------
    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None:
        # a re-link counts as the newest (topic_of takes the latest), as SQLite's REPLACE does
        await self._run(
            "INSERT INTO seller_links (seller_chat, kind, ref, chat_key) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (seller_chat, kind, ref) DO UPDATE SET chat_key = excluded.chat_key, "
            "id = DEFAULT",
            (seller_chat, kind, ref, chat_key),
        )

    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None:
        row = await self._one(
            "SELECT chat_key FROM seller_links WHERE seller_chat = %s AND kind = %s AND ref = %s",
            (seller_chat, kind, ref),
        )
        return None if row is None else str(row["chat_key"])

    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None:
        row = await self._one(
            "SELECT ref FROM seller_links WHERE seller_chat = %s AND kind = 'topic' "
            "AND chat_key = %s ORDER BY id DESC LIMIT 1",
            (seller_chat, chat_key),
        )
        return None if row is None else str(row["ref"])


async def _record_handoff(db: Conn, chat_key: str, event: HandoffEvent, now: float) -> None:
    """Open, answer or close the chat's current handoff record."""
    if event.kind == "opened":
        await db.execute(
            "UPDATE handoffs SET released_at = %s WHERE chat_key = %s AND released_at IS NULL",
            (now, chat_key),
        )
        await db.execute(
            "INSERT INTO handoffs (chat_key, reason, at) VALUES (%s, %s, %s)",
            (chat_key, event.reason or "seller", now),
        )
    elif event.kind == "answered":
        updated = await db.execute(
            "UPDATE handoffs SET first_answer_at = %s, seller = %s WHERE chat_key = %s "
            "AND released_at IS NULL AND first_answer_at IS NULL",
            (now, event.seller, chat_key),
        )
        if not updated.rowcount:
            open_one = await db.execute(
                "SELECT 1 FROM handoffs WHERE chat_key = %s AND released_at IS NULL",
                (chat_key,),
            )
            if await open_one.fetchone() is None:
                # a seller stepped into a chat the bot had: that is a handoff too
                await db.execute(
                    "INSERT INTO handoffs (chat_key, reason, at, seller, first_answer_at) "
                    "VALUES (%s, 'seller', %s, %s, %s)",
                    (chat_key, now, event.seller, now),
                )
    else:
        await db.execute(
            "UPDATE handoffs SET released_at = %s, released_by = %s WHERE chat_key = %s "
            "AND released_at IS NULL",
            (now, event.seller or event.kind, chat_key),
        )


async def _enqueue(db: Conn, out: Outgoing, now: float) -> int:
    cursor = await db.execute(
        "INSERT INTO outbox (lane, payload, created_at, log_chat, log_kind, log_text, "
        "not_before) VALUES (%s, %s, %s, %s, %s, %s, 0) RETURNING id",
        rows.outgoing_values(out, now),
    )
    row = await cursor.fetchone()
    return int(row["id"]) if row else 0


async def _change_timer(db: Conn, chat_key: str, change: TimerChange) -> None:
    if change.due_at is None:
        await db.execute(
            "DELETE FROM timers WHERE chat_key = %s AND kind = %s", (chat_key, change.kind)
        )
        return
    await db.execute(
        "INSERT INTO timers (chat_key, kind, due_at, data) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (chat_key, kind) DO UPDATE SET due_at = excluded.due_at, "
        "data = excluded.data",
        (chat_key, change.kind, change.due_at, rows.dump(dict(change.data))),
    )


async def _upsert_contact(db: Conn, c: Contact) -> None:
    await db.execute(
        "INSERT INTO contacts (chat_key, channel, external_id, name, username, phone, language, "
        "first_seen, last_seen) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (chat_key) DO UPDATE SET name = COALESCE(excluded.name, contacts.name), "
        "username = COALESCE(excluded.username, contacts.username), "
        "phone = COALESCE(excluded.phone, contacts.phone), "
        "language = COALESCE(excluded.language, contacts.language), "
        "last_seen = excluded.last_seen",
        rows.contact_values(c),
    )


def _masked(url: str) -> str:
    """The URL without its password, for error messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)
