"""What the SQL store needs from a database engine: run a batch of statements atomically.

One batch is one transaction and, on PostgreSQL, one round trip (one query text); on SQLite
one hop to the connection's own thread. Driver errors leave an engine as ``StoreError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.store.dialect import Dialect, Stmt
from bot.store.migrations import Step


class Result:
    """One statement's outcome: the rows it returned (as dicts) and the rows it changed."""

    __slots__ = ("rowcount", "rows")

    def __init__(self, rows: list[dict[str, Any]], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount

    def one(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None


class Engine(Protocol):
    dialect: Dialect

    async def open(self, migrations: Sequence[Step]) -> None:
        """Connect, and bring the schema up to date (once, when processes start together)."""
        ...

    async def close(self) -> None: ...

    async def run(self, stmts: Sequence[Stmt], write: bool = True) -> list[Result]:
        """The statements in order, in one transaction (a write one with ``write``)."""
        ...

    async def schema_version(self) -> int: ...

    async def writable(self) -> bool:
        """Whether the database is there and takes a write now."""
        ...
