"""What differs between SQLite and PostgreSQL SQL: types, search, JSON, firing timers.

Statements are written once in qmark style (``?``); a dialect turns them into its driver's
placeholders. Everything else (upserts, RETURNING, partial indexes) both engines share.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

Stmt = tuple[str, tuple[Any, ...]]  # SQL in qmark style and its parameters


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str  # "sqlite" or "postgresql", as the migration steps name their variants
    ddl: dict[str, str]  # DDL words: {serial} (an id column), {real} (a timestamp)
    like: str  # case-insensitive LIKE
    fire_sql: str  # move due timers into inbound ticks; parameters from fire_params
    fire_reads_twice: bool  # SQLite fires with two statements (one transaction)

    def sql(self, text: str) -> str:
        """``text`` with this driver's placeholders."""
        return _placeholders(text) if self.name == "postgresql" else text

    def fire(self, now: float, limit: int) -> list[Stmt]:
        """Statements that turn up to ``limit`` timers due by ``now`` into inbound ticks and
        delete them; the first returns the chats that got a tick."""
        if self.fire_reads_twice:
            return [
                (self.fire_sql, (now, now, limit)),
                (
                    "DELETE FROM timers WHERE id IN (SELECT id FROM timers WHERE due_at <= ? "
                    "ORDER BY due_at, id LIMIT ?)",
                    (now, limit),
                ),
            ]
        return [(self.fire_sql, (now, limit, now))]


@lru_cache(maxsize=512)
def _placeholders(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


SQLITE = Dialect(
    name="sqlite",
    ddl={"serial": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL"},
    like="LIKE",
    # one write transaction: the SELECT below and the DELETE after it see the same rows
    fire_sql=(
        "INSERT INTO inbound (dedup_key, chat_key, payload, received_at) "
        "SELECT 'timer:' || id || ':' || due_at, chat_key, json_object('type', 'tick', "
        "'kind', kind, 'data', json(data), 'due_at', due_at), ? FROM timers "
        "WHERE due_at <= ? ORDER BY due_at, id LIMIT ? "
        "ON CONFLICT (dedup_key) DO NOTHING RETURNING chat_key"
    ),
    fire_reads_twice=True,
)

POSTGRESQL = Dialect(
    name="postgresql",
    ddl={"serial": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION"},
    like="ILIKE",
    # SKIP LOCKED: processes firing together take different timers, never the same one
    fire_sql=(
        "WITH due AS (DELETE FROM timers WHERE id IN (SELECT id FROM timers "
        "WHERE due_at <= ? ORDER BY due_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
        "RETURNING id, chat_key, kind, due_at, data) "
        "INSERT INTO inbound (dedup_key, chat_key, payload, received_at) "
        "SELECT 'timer:' || id || ':' || due_at, chat_key, json_build_object('type', 'tick', "
        "'kind', kind, 'data', data::json, 'due_at', due_at)::text, ? FROM due "
        "ORDER BY due_at, id ON CONFLICT (dedup_key) DO NOTHING RETURNING chat_key"
    ),
    fire_reads_twice=False,
)
