"""Japri's durable memory: contacts, chat state, messages, processed ids and the outbox."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ConfigError
from bot.store.base import Contact, InboundRow, OutboxRow, Store


def open_store(url: str, base_dir: Path | None = None, *, exclusive: bool = True) -> Store:
    """The store a ``store.url`` names: ``sqlite:///relative.db``, ``sqlite:////abs.db``
    (SQLAlchemy's spelling) or ``sqlite://:memory:``, a relative path taken from
    ``base_dir`` (the config file's folder); ``postgresql://user:pass@host:5432/db``; or
    ``memory://`` (nothing kept, for tests).

    ``exclusive``: a SQLite file serves one ``japri serve`` (its workers included); a
    second one is refused at ``open``. Tools that only read pass False."""
    if url.startswith("memory://"):
        from bot.store.memory import MemoryStore

        return MemoryStore()
    if url.startswith("sqlite://"):
        from bot.store.sqlite import SqliteStore

        path = url.removeprefix("sqlite://").removeprefix("/") or ":memory:"
        if path != ":memory:" and base_dir is not None and not Path(path).is_absolute():
            path = str(base_dir / path)
        return SqliteStore(path, exclusive=exclusive)
    if url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresStore

        return PostgresStore(url)
    scheme = url.split(":", 1)[0]
    raise ConfigError(
        "store.url",
        f"{scheme!r} stores are not built yet; use sqlite:///japri.db or postgresql://…",
    )


__all__ = ["Contact", "InboundRow", "OutboxRow", "Store", "open_store"]
