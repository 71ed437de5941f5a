"""Japri's durable memory: contacts, chat state, messages, processed ids and the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

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


if TYPE_CHECKING:
    from bot.settings import Settings

T = TypeVar("T")


async def with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    """Run ``work`` on the bot's store, opened beside a running ``japri serve`` (not
    exclusively): what the command-line tools use."""
    store = open_store(settings.store.url, settings.base_dir, exclusive=False)
    await store.open()
    try:
        return await work(store)
    finally:
        await store.close()


__all__ = ["Contact", "InboundRow", "OutboxRow", "Store", "open_store", "with_store"]
