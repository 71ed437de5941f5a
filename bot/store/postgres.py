"""The engine for scaling out: PostgreSQL, shared by gateway processes on several machines.

A batch of statements is one round trip on a pooled connection (psycopg 3), however many
statements a turn writes. A lone statement goes with its parameters apart (psycopg
prepares the frequent ones). A batch of several goes as one query text with the values
bound into it by psycopg's client-side binding (quoted by libpq): PostgreSQL runs such a
text as one transaction and answers it at once. perf (issue 9): half the client CPU of
the same batch in pipeline mode, where psycopg reads the socket after every statement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import AsyncClientCursor
from psycopg.rows import dict_row

from bot.errors import StoreError
from bot.store.dialect import POSTGRESQL, Stmt
from bot.store.engine import Result
from bot.store.migrations import MIGRATIONS, POSTGRES_LEGACY, Step, statements
from bot.store.pgpool import Conn, Connections
from bot.store.sql import SqlStore

_SCHEMA_LOCK = 7_242_017  # pg_advisory_xact_lock key: processes starting together migrate once


class PostgresEngine:
    """Runs batches on a pool of PostgreSQL connections."""

    dialect = POSTGRESQL

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: Connections | None = None

    async def _connect(self) -> Conn:
        return await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, row_factory=dict_row, connect_timeout=5
        )

    async def open(self, migrations: Sequence[Step] = MIGRATIONS) -> None:
        pool = Connections(self._connect, self.pool_size)
        try:  # one connection now: a clear error at once rather than at the first trip
            await pool.put(await pool.get())
            self._pool = pool
            await self._migrate(migrations)
        except psycopg.Error as exc:
            await pool.close()
            self._pool = None
            raise StoreError(
                f"cannot open the PostgreSQL store {masked(self.url)}: {exc}"
            ) from None
        except BaseException:
            await pool.close()
            self._pool = None
            raise

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def run(self, stmts: Sequence[Stmt], write: bool = True) -> list[Result]:
        if self._pool is None:
            raise StoreError("the store is not open")
        try:
            db = await self._pool.get()
        except psycopg.Error as exc:
            raise StoreError(
                f"the PostgreSQL store {masked(self.url)} failed: {exc}", transient=True
            ) from exc
        except TimeoutError as exc:  # every connection was lent for the whole wait
            raise StoreError(f"the PostgreSQL store is busy: {exc}", transient=True) from exc
        try:
            if len(stmts) == 1:  # autocommit: one statement is a transaction
                text, params = stmts[0]
                return [await _result(await db.execute(self.dialect.sql(text), params))]
            return await _batch(db, stmts, write)
        except psycopg.Error as exc:
            transient = isinstance(exc, psycopg.OperationalError)
            raise StoreError(
                f"the PostgreSQL store {masked(self.url)} failed: {exc}", transient=transient
            ) from exc
        finally:
            await self._pool.put(db)

    async def schema_version(self) -> int:
        [found] = await self.run([("SELECT version FROM schema_version", ())], write=False)
        row = found.one()
        return int(row["version"]) if row else 0

    async def writable(self) -> bool:
        try:
            await self.run(
                [
                    (
                        "INSERT INTO leases (key, owner, until) VALUES ('ping', 'ping', 0) "
                        "ON CONFLICT (key) DO NOTHING",
                        (),
                    ),
                    ("DELETE FROM leases WHERE key = 'ping' AND owner = 'ping'", ()),
                ]
            )
        except StoreError:
            return False
        return True

    async def _migrate(self, migrations: Sequence[Step]) -> None:
        assert self._pool is not None  # noqa: S101 - called by open
        db = await self._pool.get()
        try:
            async with db.transaction():
                await self._migrate_on(db, migrations)
        finally:
            await self._pool.put(db)

    async def _migrate_on(self, db: Conn, migrations: Sequence[Step]) -> None:
        """The steps not yet applied, under a lock: processes starting together migrate once."""
        await db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        version = await _version(db)
        if version > len(migrations):
            raise StoreError(
                f"{masked(self.url)}: schema version {version} is newer than this Japri "
                f"({len(migrations)}); upgrade Japri"
            )
        if version == len(migrations):
            return
        for step in migrations[version:]:
            for statement in statements(step, POSTGRESQL):
                await db.execute(statement)
        await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        await db.execute("DELETE FROM schema_version")
        await db.execute("INSERT INTO schema_version (version) VALUES (%s)", (len(migrations),))
        await db.execute("DROP TABLE IF EXISTS japri_schema")


async def _version(db: Conn) -> int:
    tables = await db.execute(
        "SELECT table_name AS name FROM information_schema.tables "
        "WHERE table_schema = current_schema() "
        "AND table_name IN ('schema_version', 'japri_schema')"
    )
    names = {row["name"] for row in await tables.fetchall()}
    if "schema_version" in names:
        row = await (await db.execute("SELECT version FROM schema_version")).fetchone()
        return int(row["version"]) if row else 0
    if "japri_schema" in names:  # from before the schema_version table
        row = await (await db.execute("SELECT version FROM japri_schema")).fetchone()
        legacy = int(row["version"]) if row else 0
        return POSTGRES_LEGACY.get(legacy, legacy)
    return 0


async def _batch(db: Conn, stmts: Sequence[Stmt], write: bool) -> list[Result]:
    """``stmts`` as one query text: one transaction (an implicit one when writing), one
    round trip, a result for each statement."""
    sql = POSTGRESQL.sql
    texts = [sql(text) for text, _ in stmts]
    if not write:
        texts = ["BEGIN READ ONLY", *texts, "COMMIT"]
    values = [value for _, params in stmts for value in params]
    cursor = AsyncClientCursor(db)
    try:
        await cursor.execute(";\n".join(texts), values, prepare=False)
        results = []
        while True:
            results.append(await _result(cursor))
            if not cursor.nextset():
                break
    except psycopg.Error:
        if db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            await db.rollback()  # an explicit BEGIN READ ONLY stays open after an error
        raise
    return results if write else results[1:-1]


async def _result(cursor: psycopg.AsyncCursor[dict[str, Any]]) -> Result:
    found = await cursor.fetchall() if cursor.description is not None else []
    return Result(found, cursor.rowcount)


def masked(url: str) -> str:
    """The URL without its password, for error messages and logs."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


class PostgresStore(SqlStore):
    """``Store`` on a PostgreSQL database (``postgresql://user:pass@host:5432/db``)."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        super().__init__(PostgresEngine(url, pool_size))
        self.url = url
