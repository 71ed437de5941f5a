"""What the store costs a message: turns a second and the bot's CPU per turn.

One "turn" is the store calls the gateway makes for one buyer message when the store is
shared (PostgreSQL, or SQLite with server.workers): accept the webhook's event, take the
chat's lease, read the event and the chat's state, commit the turn (state, contact, the
history line, one reply), find nothing more, release; then the outbox takes the lane's
lease, reads the reply, marks it sent, finds nothing more and releases. ``--solo`` leaves
out the leases, as one process on SQLite does. CPU is this process's (the SQLite thread
included; the PostgreSQL server's is not).

    .venv/bin/python bench/store.py --url sqlite:////tmp/bench.db [--turns 3000]
    .venv/bin/python bench/store.py --url postgresql://postgres@127.0.0.1:5432/bench

``--sqlalchemy`` runs the same store (the same SQL, bot/store/sql.py) with SQLAlchemy
Core's async engine as the layer under it instead of our own engines (aiosqlite or
psycopg underneath; ``pip install sqlalchemy aiosqlite`` first): thin layer vs library.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.store import open_store  # noqa: E402
from bot.store.base import Contact, Outgoing, Turn  # noqa: E402


async def turn(store: Any, chat: str, n: int, solo: bool, owner: str) -> None:
    legacy = not hasattr(store, "fire_due_timers")  # the store before timers, for "before"
    now = time.time()
    payload = {"type": "buyer", "kind": "text", "text": f"harga kaos {n}?", "profile": {}}
    await store.accept_inbound(f"bench:{owner}:{n}", chat, payload, now)
    claim = store.claim_chat if legacy else store.claim
    release = store.release_chat if legacy else store.release
    if not solo:
        await claim(chat, owner, now, 30.0)
    row = await store.next_inbound(chat)
    state = await store.load_state(chat)
    state = dict(state or {}, stage="bot", turns=n)
    contact = Contact(chat, "telegram", chat, "Budi", first_seen=now, last_seen=now)
    reply = {"op": "say", "text": "Kaos katun Rp 75.000 kak", "options": [], "lang": "id"}
    out: Any = Outgoing(chat, reply, chat, "say", reply["text"])
    if legacy:
        out = (chat, reply)
    await store.commit_turn(
        Turn(row.id, chat, state, [out], contact, logged_text=payload["text"]), now
    )
    await store.next_inbound(chat)
    if not solo:
        await release(chat, owner)
        await claim("lane:" + chat, owner, now, 60.0)
    sent = await store.next_outgoing(chat)
    if legacy:
        await store.mark_sent(sent, f"m{n}", now, chat_key=chat)
    else:
        await store.mark_sent(sent, f"m{n}", now)
    await store.next_outgoing(chat)
    if not solo:
        await release("lane:" + chat, owner)


class AlchemyEngine:
    """The store's ``Engine`` on SQLAlchemy Core (text statements, one transaction a batch)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        from bot.store.dialect import POSTGRESQL, SQLITE

        self.dialect = SQLITE if url.startswith("sqlite") else POSTGRESQL
        driver = url.replace("sqlite://", "sqlite+aiosqlite://", 1).replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
        self.engine = create_async_engine(driver, pool_size=10)
        self._texts: dict[str, Any] = {}

    async def open(self, migrations: Any) -> None:
        pass  # our own engine made the schema (see run)

    async def close(self) -> None:
        await self.engine.dispose()

    def _text(self, sql: str) -> Any:
        from sqlalchemy import text

        if sql not in self._texts:
            parts = sql.split("?")
            named = parts[0] + "".join(f":p{i}{part}" for i, part in enumerate(parts[1:]))
            self._texts[sql] = text(named)
        return self._texts[sql]

    async def run(self, stmts: Any, write: bool = True) -> list[Any]:
        from bot.store.engine import Result

        results = []
        async with self.engine.begin() as conn:
            for sql, params in stmts:
                found = await conn.execute(
                    self._text(sql), {f"p{i}": v for i, v in enumerate(params)}
                )
                rows = [dict(r) for r in found.mappings().all()] if found.returns_rows else []
                results.append(Result(rows, found.rowcount))
        return results


async def run(
    url: str, turns: int, concurrency: int, solo: bool, alchemy: bool = False
) -> dict[str, float]:
    store = open_store(url)
    await store.open()
    if alchemy:
        from bot.store.sql import SqlStore

        await store.close()  # it made the schema; SQLAlchemy runs the statements
        store = SqlStore(AlchemyEngine(url))  # type: ignore[arg-type]
        await store.open()
    owner = uuid.uuid4().hex[:8]
    chats = [f"telegram:{owner}{c}" for c in range(concurrency)]

    async def chat_worker(c: int, count: int, first: int) -> None:
        for n in range(first + c, first + count, concurrency):
            await turn(store, chats[c], n, solo, owner)

    warm = min(turns, 200)
    await asyncio.gather(*(chat_worker(c, warm, 0) for c in range(concurrency)))
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(chat_worker(c, turns, warm) for c in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await store.close()
    return {"turns_per_s": turns / wall, "cpu_ms_per_turn": cpu * 1000 / turns}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--turns", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=1, help="chats at once")
    parser.add_argument("--solo", action="store_true", help="no leases (one SQLite process)")
    parser.add_argument("--sqlalchemy", action="store_true", help="SQLAlchemy Core underneath")
    args = parser.parse_args()
    if args.url.startswith("sqlite:") and not args.url.endswith(":memory:"):
        path = args.url.removeprefix("sqlite://").removeprefix("/")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    found = asyncio.run(run(args.url, args.turns, args.concurrency, args.solo, args.sqlalchemy))
    layer = "sqlalchemy" if args.sqlalchemy else "own"
    print(
        f"{args.url.split(':')[0]} {layer} concurrency={args.concurrency} solo={args.solo}: "
        f"{found['turns_per_s']:.0f} turns/s, {found['cpu_ms_per_turn']:.3f} ms CPU/turn"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
