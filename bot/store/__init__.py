"""Japri's durable memory: contacts, chat state, messages, processed ids and the outbox."""

from __future__ import annotations

from pathlib import Path

from bot.errors import ConfigError
from bot.store.base import Contact, InboundRow, OutboxRow, Store


def open_store(url: str, base_dir: Path | None = None) -> Store:
    """The store a ``store.url`` names: ``sqlite:///relative.db``, ``sqlite:////abs.db``
    (SQLAlchemy's spelling) or ``sqlite://:memory:``, a relative path taken from
    ``base_dir`` (the config file's folder); or ``postgresql://user:pass@host:5432/db``."""
    if url.startswith("sqlite://"):
        from bot.store.sqlite import SqliteStore

        path = url.removeprefix("sqlite://").removeprefix("/") or ":memory:"
        if path != ":memory:" and base_dir is not None and not Path(path).is_absolute():
            path = str(base_dir / path)
        return SqliteStore(path)
    if url.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresStore

        return PostgresStore(url)
    scheme = url.split(":", 1)[0]
    raise ConfigError(
        "store.url",
        f"{scheme!r} stores are not built yet; use sqlite:///japri.db or postgresql://…",
    )


__all__ = ["Contact", "InboundRow", "OutboxRow", "Store", "open_store"]
