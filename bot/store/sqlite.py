"""The embedded default store: one SQLite file in WAL mode, a versioned schema.

Statements are tiny and indexed, so they run on the event loop's thread (a thread hop
per call would cost more than the query). Every public method is one transaction.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

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

# Each step moves the schema one version up; never edit a released step, add one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE contacts (
        chat_key TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL,
        name TEXT, username TEXT, phone TEXT, language TEXT,
        first_seen REAL NOT NULL, last_seen REAL NOT NULL
    );
    CREATE TABLE conversations (
        chat_key TEXT PRIMARY KEY, state TEXT, updated_at REAL,
        lease_owner TEXT, lease_until REAL
    );
    CREATE TABLE inbound (
        id INTEGER PRIMARY KEY AUTOINCREMENT, dedup_key TEXT NOT NULL UNIQUE,
        chat_key TEXT NOT NULL, payload TEXT NOT NULL, received_at REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', processed_at REAL, error TEXT
    );
    CREATE INDEX inbound_pending ON inbound (chat_key, id) WHERE status = 'pending';
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT, chat_key TEXT NOT NULL,
        direction TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, platform_id TEXT,
        outbox_id INTEGER, at REAL NOT NULL, status TEXT, status_at REAL, error TEXT
    );
    CREATE INDEX messages_chat ON messages (chat_key, id);
    CREATE INDEX messages_platform ON messages (platform_id) WHERE platform_id IS NOT NULL;
    CREATE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, lane TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        not_before REAL NOT NULL DEFAULT 0, created_at REAL NOT NULL, sent_at REAL,
        platform_id TEXT, error TEXT
    );
    CREATE INDEX outbox_pending ON outbox (lane, id) WHERE status = 'pending';
    CREATE TABLE seller_links (
        seller_chat TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
        chat_key TEXT NOT NULL, PRIMARY KEY (seller_chat, kind, ref)
    );
    CREATE INDEX seller_links_chat ON seller_links (seller_chat, kind, chat_key);
    """,
    """
    ALTER TABLE conversations ADD COLUMN stage TEXT;
    CREATE INDEX conversations_stage ON conversations (stage) WHERE stage = 'handed_off';
    ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    CREATE TABLE handoffs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, chat_key TEXT NOT NULL, reason TEXT NOT NULL,
        at REAL NOT NULL, seller TEXT, first_answer_at REAL, released_at REAL,
        released_by TEXT
    );
    CREATE INDEX handoffs_open ON handoffs (chat_key) WHERE released_at IS NULL;
    """,
    """
    ALTER TABLE contacts ADD COLUMN seen_at REAL;
    """,
    """
    CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL);
    DELETE FROM conversations WHERE chat_key LIKE 'outbox:%' AND state IS NULL;
    CREATE TABLE timers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, chat_key TEXT NOT NULL, kind TEXT NOT NULL,
        due_at REAL NOT NULL, data TEXT NOT NULL DEFAULT '{}', UNIQUE (chat_key, kind)
    );
    CREATE INDEX timers_due ON timers (due_at);
    ALTER TABLE outbox ADD COLUMN log_chat TEXT;
    ALTER TABLE outbox ADD COLUMN log_kind TEXT NOT NULL DEFAULT 'say';
    ALTER TABLE outbox ADD COLUMN log_text TEXT;
    UPDATE outbox SET log_chat = CASE WHEN json_extract(payload, '$.op')
        IN ('ack_callback', 'mark_read') THEN NULL
        ELSE COALESCE(json_extract(payload, '$.about'), lane) END,
        log_kind = COALESCE(NULLIF(json_extract(payload, '$.kind'), ''),
        json_extract(payload, '$.op'), 'say'),
        log_text = json_extract(payload, '$.text') WHERE status = 'pending';
    """,
)


class SqliteStore:
    """``Store`` on one SQLite file (``:memory:`` for tests)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    # lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the SQLite store {self.path!r}: {exc}") from None
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA busy_timeout=5000")  # first: other workers may be starting too
        db.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
        db.execute("PRAGMA foreign_keys=ON")
        self._db = db
        for attempt in range(50):
            try:
                # Switching a new file to WAL takes a lock SQLite's busy wait does not cover
                # when another process is doing the same: try again shortly.
                db.execute("PRAGMA journal_mode=WAL")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 49:
                    raise StoreError(
                        f"cannot open the SQLite store {self.path!r}: {exc}"
                    ) from None
                await asyncio.sleep(0.1)

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    async def ping(self) -> bool:
        try:
            self._conn.execute("SELECT 1").fetchone()
        except (sqlite3.Error, StoreError):
            return False
        return True

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        """Bring the schema up to date, one step per transaction. The version is read under
        the write lock, so processes starting together on a new file migrate it once."""
        while True:
            with self._tx() as db:
                version = int(db.execute("PRAGMA user_version").fetchone()[0])
                if version > len(MIGRATIONS):
                    raise StoreError(
                        f"{self.path}: schema version {version} is newer than this Japri "
                        f"({len(MIGRATIONS)}); upgrade Japri"
                    )
                if version == len(MIGRATIONS):
                    return
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the store is not open")
        return self._db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._conn
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # inbound ---------------------------------------------------------------------------
    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        cursor = self._conn.execute(  # one statement: atomic on its own
            "INSERT OR IGNORE INTO inbound (dedup_key, chat_key, payload, received_at) "
            "VALUES (?, ?, ?, ?)",
            (dedup_key, chat_key, rows.dump(payload), now),
        )
        return cursor.rowcount == 1

    async def next_inbound(self, chat_key: str) -> InboundRow | None:
        row = self._conn.execute(
            "SELECT id, chat_key, payload, received_at FROM inbound "
            "WHERE chat_key = ? AND status = 'pending' ORDER BY id LIMIT 1",
            (chat_key,),
        ).fetchone()
        return None if row is None else rows.inbound(row)

    async def chats_with_pending_inbound(self) -> list[str]:
        found = self._conn.execute(
            "SELECT chat_key FROM inbound WHERE status = 'pending' GROUP BY chat_key "
            "ORDER BY MIN(id)"
        ).fetchall()
        return [r[0] for r in found]

    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None:
        self._conn.execute(
            "UPDATE inbound SET status = 'failed', error = ?, processed_at = ? WHERE id = ?",
            (error[:2000], now, inbound_id),
        )

    # leases ----------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, now: float, ttl: float) -> bool:
        cursor = self._conn.execute(
            "INSERT INTO leases (key, owner, until) VALUES (?1, ?2, ?3 + ?4) "
            "ON CONFLICT (key) DO UPDATE SET owner = ?2, until = ?3 + ?4 "
            "WHERE leases.owner = ?2 OR leases.until < ?3",
            (key, owner, now, ttl),
        )
        return cursor.rowcount == 1

    async def release(self, key: str, owner: str) -> None:
        self._conn.execute("DELETE FROM leases WHERE key = ? AND owner = ?", (key, owner))

    # conversations ---------------------------------------------------------------------
    async def load_state(self, chat_key: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT state FROM conversations WHERE chat_key = ?", (chat_key,)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        state: dict[str, Any] = json.loads(row[0])
        return state

    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        ids: list[int] = []
        with self._tx() as db:
            if turn.state is not None:
                db.execute(
                    "INSERT INTO conversations (chat_key, state, stage, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (chat_key) DO UPDATE SET "
                    "state = excluded.state, stage = excluded.stage, "
                    "updated_at = excluded.updated_at",
                    (turn.chat_key, rows.dump(turn.state), turn.state.get("stage"), now),
                )
            if turn.handoff is not None:
                _record_handoff(db, turn.chat_key, turn.handoff, now)
            if turn.contact is not None:
                _upsert_contact(db, turn.contact)
            if turn.logged_text is not None:
                db.execute(
                    "INSERT INTO messages (chat_key, direction, kind, text, platform_id, at) "
                    "VALUES (?, 'in', ?, ?, ?, ?)",
                    (turn.chat_key, turn.logged_kind, turn.logged_text, turn.platform_id, now),
                )
            for change in turn.timers:
                _change_timer(db, turn.chat_key, change)
            for out in turn.outgoing:
                ids.append(_enqueue(db, out, now))
            db.execute(
                "UPDATE inbound SET status = 'done', processed_at = ? WHERE id = ?",
                (now, turn.inbound_id),
            )
        return ids

    # contacts and history --------------------------------------------------------------
    async def contact(self, chat_key: str) -> Contact | None:
        row = self._conn.execute(
            "SELECT * FROM contacts WHERE chat_key = ?", (chat_key,)
        ).fetchone()
        return None if row is None else rows.contact(row)

    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]:
        found = self._conn.execute(
            "SELECT id, direction, kind, text, at, status FROM messages WHERE chat_key = ? "
            "ORDER BY id DESC LIMIT ?",
            (chat_key, limit),
        ).fetchall()
        return [dict(r) for r in reversed(found)]

    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]:
        found = self._conn.execute(
            "SELECT m.id, m.kind, m.text, m.at, o.payload FROM messages m "
            "LEFT JOIN outbox o ON o.id = m.outbox_id "
            "WHERE m.chat_key = ? AND m.direction = ? AND m.id > ? ORDER BY m.id LIMIT 200",
            (chat_key, direction, after_id),
        ).fetchall()
        return [rows.with_payload(row) for row in found]

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        found = self._conn.execute(
            "SELECT chat_key, state FROM conversations WHERE stage = 'handed_off'"
        ).fetchall()
        return [(r[0], json.loads(r[1] or "{}")) for r in found]

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM handoffs"
        found = (
            self._conn.execute(sql + " WHERE chat_key = ? ORDER BY id", (chat_key,))
            if chat_key
            else self._conn.execute(sql + " ORDER BY id")
        ).fetchall()
        return [dict(r) for r in found]

    async def contact_rows(self) -> list[dict[str, Any]]:
        found = self._conn.execute(
            "SELECT c.*, (SELECT COUNT(*) FROM handoffs h WHERE h.chat_key = c.chat_key) "
            "AS handoffs FROM contacts c ORDER BY c.first_seen"
        ).fetchall()
        return [dict(r) for r in found]

    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        found = self._conn.execute(
            "SELECT c.chat_key, c.channel, c.external_id, c.name, c.username, c.phone, "
            "c.tags, c.notes, c.first_seen, c.last_seen, v.stage, v.state, "
            "(SELECT COUNT(*) FROM messages m WHERE m.chat_key = c.chat_key "
            " AND m.direction = 'in' AND m.at > COALESCE(c.seen_at, 0)) AS unread "
            "FROM contacts c LEFT JOIN conversations v ON v.chat_key = c.chat_key "
            "WHERE (?1 IS NULL OR c.chat_key = ?1) AND (?3 IS NULL "
            "OR c.name LIKE ?3 ESCAPE '\\' OR c.username LIKE ?3 ESCAPE '\\' "
            "OR c.phone LIKE ?3 ESCAPE '\\' OR c.external_id LIKE ?3 ESCAPE '\\' "
            "OR c.tags LIKE ?3 ESCAPE '\\') "
            "ORDER BY (v.stage = 'handed_off') DESC, c.last_seen DESC LIMIT ?2",
            (chat_key, limit, rows.search_pattern(search)),
        ).fetchall()
        return [rows.inbox_chat(row) for row in found]

    async def mark_seen(self, chat_key: str, now: float) -> None:
        self._conn.execute("UPDATE contacts SET seen_at = ? WHERE chat_key = ?", (now, chat_key))

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool:
        cursor = self._conn.execute(
            "UPDATE contacts SET tags = COALESCE(?, tags), notes = COALESCE(?, notes) "
            "WHERE chat_key = ?",
            (tags, notes, chat_key),
        )
        return cursor.rowcount == 1

    # outbox ----------------------------------------------------------------------------
    async def enqueue(self, out: Outgoing, now: float) -> int:
        with self._tx() as db:
            return _enqueue(db, out, now)

    async def next_outgoing(self, lane: str) -> OutboxRow | None:
        row = self._conn.execute(
            "SELECT id, lane, payload, attempts, not_before, created_at, log_chat, log_kind, "
            "log_text FROM outbox WHERE lane = ? AND status = 'pending' ORDER BY id LIMIT 1",
            (lane,),
        ).fetchone()
        return None if row is None else rows.outbox(row)

    async def lanes_with_pending_outbox(self) -> list[str]:
        found = self._conn.execute(
            "SELECT lane FROM outbox WHERE status = 'pending' GROUP BY lane ORDER BY MIN(id)"
        ).fetchall()
        return [r[0] for r in found]

    async def mark_sent(self, row: OutboxRow, platform_id: str | None, now: float) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, platform_id = ?, "
                "attempts = attempts + 1 WHERE id = ?",
                (now, platform_id, row.id),
            )
            if row.log_chat is not None:
                db.execute(
                    "INSERT INTO messages (chat_key, direction, kind, text, platform_id, "
                    "outbox_id, at, status, status_at) VALUES (?, 'out', ?, ?, ?, ?, ?, "
                    "'sent', ?)",
                    rows.sent_values(row, platform_id, now),
                )

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None:
        self._conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, error = ? WHERE id = ?",
            (not_before, error[:2000], outbox_id),
        )

    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None:
        self._conn.execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, "
            "sent_at = ? WHERE id = ?",
            (error[:2000], now, outbox_id),
        )

    async def outbox_depth(self) -> int:
        row = self._conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        return int(row.fetchone()[0])

    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool:
        cursor = self._conn.execute(
            "UPDATE messages SET status = ?, status_at = ?, error = COALESCE(?, error) "
            "WHERE platform_id = ? AND direction = 'out'",
            (status, now, error, platform_id),
        )
        return cursor.rowcount > 0

    # timers ----------------------------------------------------------------------------
    async def set_timer(
        self, chat_key: str, kind: str, due_at: float, data: Mapping[str, Any], now: float
    ) -> None:
        _change_timer(self._conn, chat_key, TimerChange(kind, due_at, data))

    async def cancel_timer(self, chat_key: str, kind: str) -> None:
        _change_timer(self._conn, chat_key, TimerChange(kind, None))

    async def fire_due_timers(self, now: float, limit: int = 100) -> list[str]:
        chats: dict[str, None] = {}
        with self._tx() as db:
            due = db.execute(
                "SELECT id, chat_key, kind, due_at, data FROM timers WHERE due_at <= ? "
                "ORDER BY due_at, id LIMIT ?",
                (now, limit),
            ).fetchall()
            for row in due:
                dedup_key, chat_key, payload = rows.tick(row)
                db.execute(
                    "INSERT OR IGNORE INTO inbound (dedup_key, chat_key, payload, received_at) "
                    "VALUES (?, ?, ?, ?)",
                    (dedup_key, chat_key, rows.dump(payload), now),
                )
                db.execute("DELETE FROM timers WHERE id = ?", (row["id"],))
                chats[chat_key] = None
        return list(chats)

    async def next_timer_at(self) -> float | None:
        row = self._conn.execute("SELECT MIN(due_at) FROM timers").fetchone()
        return None if row[0] is None else float(row[0])

    async def timers_of(self, chat_key: str) -> list[TimerRow]:
        found = self._conn.execute(
            "SELECT id, chat_key, kind, due_at, data FROM timers WHERE chat_key = ? "
            "ORDER BY due_at, id",
            (chat_key,),
        ).fetchall()
        return [rows.timer(row) for row in found]

    # seller links ----------------------------------------------------------------------
    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO seller_links (seller_chat, kind, ref, chat_key) "
            "VALUES (?, ?, ?, ?)",
            (seller_chat, kind, ref, chat_key),
        )

    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None:
        row = self._conn.execute(
            "SELECT chat_key FROM seller_links WHERE seller_chat = ? AND kind = ? AND ref = ?",
            (seller_chat, kind, ref),
        ).fetchone()
        return None if row is None else str(row[0])

    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None:
        row = self._conn.execute(
            "SELECT ref FROM seller_links WHERE seller_chat = ? AND kind = 'topic' "
            "AND chat_key = ? ORDER BY rowid DESC LIMIT 1",
            (seller_chat, chat_key),
        ).fetchone()
        return None if row is None else str(row[0])


def _record_handoff(
    db: sqlite3.Connection, chat_key: str, event: HandoffEvent, now: float
) -> None:
    """Open, answer or close the chat's current handoff record."""
    if event.kind == "opened":
        db.execute(
            "UPDATE handoffs SET released_at = ? WHERE chat_key = ? AND released_at IS NULL",
            (now, chat_key),
        )
        db.execute(
            "INSERT INTO handoffs (chat_key, reason, at) VALUES (?, ?, ?)",
            (chat_key, event.reason or "seller", now),
        )
    elif event.kind == "answered":
        updated = db.execute(
            "UPDATE handoffs SET first_answer_at = ?, seller = ? WHERE chat_key = ? "
            "AND released_at IS NULL AND first_answer_at IS NULL",
            (now, event.seller, chat_key),
        ).rowcount
        if (
            not updated
            and not db.execute(
                "SELECT 1 FROM handoffs WHERE chat_key = ? AND released_at IS NULL", (chat_key,)
            ).fetchone()
        ):  # a seller stepped into a chat the bot had: that is a handoff too
            db.execute(
                "INSERT INTO handoffs (chat_key, reason, at, seller, first_answer_at) "
                "VALUES (?, 'seller', ?, ?, ?)",
                (chat_key, now, event.seller, now),
            )
    else:
        db.execute(
            "UPDATE handoffs SET released_at = ?, released_by = ? WHERE chat_key = ? "
            "AND released_at IS NULL",
            (now, event.seller or event.kind, chat_key),
        )


def _enqueue(db: sqlite3.Connection, out: Outgoing, now: float) -> int:
    cursor = db.execute(
        "INSERT INTO outbox (lane, payload, created_at, log_chat, log_kind, log_text, "
        "not_before) VALUES (?, ?, ?, ?, ?, ?, 0)",
        rows.outgoing_values(out, now),
    )
    return int(cursor.lastrowid or 0)


def _change_timer(db: sqlite3.Connection, chat_key: str, change: TimerChange) -> None:
    if change.due_at is None:
        db.execute("DELETE FROM timers WHERE chat_key = ? AND kind = ?", (chat_key, change.kind))
        return
    db.execute(
        "INSERT INTO timers (chat_key, kind, due_at, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_key, kind) DO UPDATE SET due_at = excluded.due_at, "
        "data = excluded.data",
        (chat_key, change.kind, change.due_at, rows.dump(dict(change.data))),
    )


def _upsert_contact(db: sqlite3.Connection, c: Contact) -> None:
    db.execute(
        "INSERT INTO contacts (chat_key, channel, external_id, name, username, phone, language, "
        "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (chat_key) DO UPDATE SET name = COALESCE(excluded.name, name), "
        "username = COALESCE(excluded.username, username), "
        "phone = COALESCE(excluded.phone, phone), "
        "language = COALESCE(excluded.language, language), last_seen = excluded.last_seen",
        rows.contact_values(c),
    )
