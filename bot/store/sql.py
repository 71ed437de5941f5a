"""The store, written once in SQL for every engine (SQLite, PostgreSQL).

Each method is one batch: one transaction, one trip to the engine. Statements are in
qmark style and plain SQL both engines speak; what differs lives in ``dialect.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

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
from bot.store.dialect import Stmt
from bot.store.engine import Engine, Result
from bot.store.migrations import MIGRATIONS

if TYPE_CHECKING:
    from bot.store.orders import TurnOrders

ERROR_CHARS = 2000

_INBOUND = "SELECT id, chat_key, payload, received_at FROM inbound"
_OUTBOX = (
    "SELECT id, lane, payload, attempts, not_before, created_at, log_chat, log_kind, "
    "log_text, progress, turn FROM outbox"
)
# perf: the sent row a platform id names, found by the messages' index on platform_id (the
# outbox has none, and keeps its sent rows as long as the transcripts: retention.days)
_SENT_AS = (
    "id = (SELECT outbox_id FROM messages WHERE platform_id = ? AND direction = 'out' "
    "AND outbox_id IS NOT NULL ORDER BY id DESC LIMIT 1) AND status = 'sent'"
)
_TIMERS = "SELECT id, chat_key, kind, due_at, data FROM timers"
_INBOX = (  # {like}: the dialect's case-insensitive LIKE
    "SELECT c.chat_key, c.channel, c.external_id, c.name, c.username, c.phone, "
    "c.tags, c.notes, c.first_seen, c.last_seen, v.stage, v.state, "
    "(SELECT COUNT(*) FROM messages m WHERE m.chat_key = c.chat_key "
    " AND m.direction = 'in' AND m.at > COALESCE(c.seen_at, 0)) AS unread "
    "FROM contacts c LEFT JOIN conversations v ON v.chat_key = c.chat_key "
    "WHERE (CAST(? AS TEXT) IS NULL OR c.chat_key = ?) AND (CAST(? AS TEXT) IS NULL "
    "OR c.name {like} ? ESCAPE '\\' OR c.username {like} ? ESCAPE '\\' "
    "OR c.phone {like} ? ESCAPE '\\' OR c.external_id {like} ? ESCAPE '\\' "
    "OR c.tags {like} ? ESCAPE '\\') "
    "ORDER BY COALESCE(v.stage = 'handed_off', FALSE) DESC, c.last_seen DESC LIMIT ?"
)


class SqlStore:
    """``Store`` over an SQL engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # perf: a chat's state as read together with its next event (``next_turn``,
        # ``commit_and_next``), handed to the turn's ``load_state`` instead of a second
        # read. Only the chat's lease holder reads and writes it during the turn; its
        # commit (or failure) drops the entry.
        self._prefetched: dict[str, str | None] = {}
        # perf: lanes a commit took for the outbox (``commit_and_next(lanes=…)``): lane ->
        # (lease key, owner, when, the lane's next row as read in that commit), for the
        # outbox's ``claim_lane`` right after. Any other look at or change of the lane's
        # queue or lease drops the entry (then ``claim_lane`` reads the lane again).
        self._lanes_taken: dict[str, tuple[str, str, float, OutboxRow | None]] = {}
        # perf: lanes a commit on its way takes: lane -> (lease key, a token of that
        # commit). A look at or change of the lane meanwhile drops it; the commit then
        # keeps nothing of that lane.
        self._lanes_taking: dict[str, tuple[str, object]] = {}
        # perf: the chat's newest orders, read with its next event (set by the orders)
        self.turn_orders: TurnOrders | None = None

    async def _one(self, sql: str, *params: Any) -> dict[str, Any] | None:
        [result] = await self.engine.run([(sql, params)], write=False)
        return result.one()

    async def _all(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        [result] = await self.engine.run([(sql, params)], write=False)
        return result.rows

    async def _write(self, sql: str, *params: Any) -> Result:
        [result] = await self.engine.run([(sql, params)])
        return result

    # lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        await self.engine.open(MIGRATIONS)

    async def close(self) -> None:
        await self.engine.close()

    async def ping(self) -> bool:
        return await self.engine.writable()

    async def schema_version(self) -> int:
        return await self.engine.schema_version()

    # inbound ---------------------------------------------------------------------------
    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        inserted = await self._write(
            "INSERT INTO inbound (dedup_key, chat_key, payload, received_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING",
            dedup_key,
            chat_key,
            rows.dump(payload),
            now,
        )
        return inserted.rowcount == 1

    async def next_inbound(self, chat_key: str) -> InboundRow | None:
        row = await self._one(
            f"{_INBOUND} WHERE chat_key = ? AND status = 'pending' ORDER BY id LIMIT 1",
            chat_key,
        )
        return None if row is None else rows.inbound(row)

    async def next_turn(self, chat_key: str) -> tuple[InboundRow | None, dict[str, Any] | None]:
        """The chat's next pending event and its state, read together (one trip)."""
        results = await self.engine.run(self._turn_reads(chat_key), write=False)
        return self._turn_read(chat_key, results)

    def _turn_reads(self, chat_key: str) -> list[Stmt]:
        """The chat's next event with its state (and its newest orders, when asked)."""
        reads = [_next_turn(chat_key)]
        if self.turn_orders is not None:
            reads.append(self.turn_orders.statement(chat_key))
        return reads

    def _turn_read(
        self, chat_key: str, results: Sequence[Result]
    ) -> tuple[InboundRow | None, dict[str, Any] | None]:
        """What ``_turn_reads`` read (``results``, the statements' own)."""
        row = results[0].one()
        if self.turn_orders is not None:
            self.turn_orders.keep(chat_key, None if row is None else results[1].rows)
        if row is None:
            self._prefetched.pop(chat_key, None)
            return None, None
        if len(self._prefetched) > 10_000:  # turns that never committed: forget them
            self._prefetched.clear()
        self._prefetched[chat_key] = row["state"]  # perf: for the turn's load_state
        return rows.inbound(row), json.loads(row["state"]) if row["state"] else None

    async def chats_with_pending_inbound(self) -> list[str]:
        found = await self._all(
            "SELECT chat_key FROM inbound WHERE status = 'pending' GROUP BY chat_key "
            "ORDER BY MIN(id)"
        )
        return [r["chat_key"] for r in found]

    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None:
        self._prefetched.clear()  # perf: rare; which chat it was does not matter
        await self._write(
            "UPDATE inbound SET status = 'failed', error = ?, processed_at = ? WHERE id = ?",
            error[:ERROR_CHARS],
            now,
            inbound_id,
        )

    # leases ----------------------------------------------------------------------------
    async def claim(self, key: str, owner: str, now: float, ttl: float) -> bool:
        self._lane_lease_used(key)
        [claimed] = await self.engine.run([_claim(key, owner, now, ttl)])
        return claimed.rowcount == 1

    # perf: the claim and the read in one trip
    async def claim_turn(
        self, key: str, owner: str, now: float, ttl: float, chat_key: str
    ) -> tuple[bool, InboundRow | None, dict[str, Any] | None]:
        claimed, *found = await self.engine.run(
            [_claim(key, owner, now, ttl), *self._turn_reads(chat_key)]
        )
        if claimed.rowcount != 1:
            return False, None, None
        row, state = self._turn_read(chat_key, found)
        return True, row, state

    async def claim_lane(
        self, key: str, owner: str, now: float, ttl: float, lane: str
    ) -> tuple[bool, OutboxRow | None]:
        taken = self._lanes_taken.pop(lane, None)
        if taken is not None and taken[:2] == (key, owner) and 0 <= now - taken[2] < ttl / 4:
            return True, taken[3]  # perf: the turn's commit took it just now
        claimed, found = await self.engine.run(
            [_claim(key, owner, now, ttl), _next_outgoing(lane, ())]
        )
        row = found.one()
        return claimed.rowcount == 1, None if row is None else rows.outbox(row)

    async def release(self, key: str, owner: str) -> None:
        self._lane_lease_used(key)
        await self._write("DELETE FROM leases WHERE key = ? AND owner = ?", key, owner)

    def _lane_lease_used(self, key: str) -> None:
        """perf: a lease changes hands outside a commit: a lane taken with it is read anew."""
        if not (self._lanes_taken or self._lanes_taking):
            return
        keys = [(lane, taken[0]) for lane, taken in self._lanes_taken.items()]
        keys += [(lane, taking[0]) for lane, taking in self._lanes_taking.items()]
        for lane, lease in keys:
            if lease == key:
                self._lane_touched(lane)

    def _lane_touched(self, lane: str) -> None:
        """perf: what a commit took or takes of ``lane`` for the outbox is no longer known."""
        self._lanes_taken.pop(lane, None)
        self._lanes_taking.pop(lane, None)

    def _lanes_touched(self) -> None:
        self._lanes_taken.clear()
        self._lanes_taking.clear()

    # secwire: a killed predecessor's leases
    async def drop_leases(self, keep: str = "") -> int:
        self._lanes_touched()
        if not keep:
            return max((await self._write("DELETE FROM leases")).rowcount, 0)
        escaped = keep.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        kept = "DELETE FROM leases WHERE key NOT LIKE ? ESCAPE '\\'"
        return max((await self._write(kept, escaped + "%")).rowcount, 0)

    # conversations ---------------------------------------------------------------------
    async def load_state(self, chat_key: str) -> dict[str, Any] | None:
        if chat_key in self._prefetched:  # perf: read with the turn's event just now
            raw = self._prefetched.pop(chat_key)
        else:
            row = await self._one("SELECT state FROM conversations WHERE chat_key = ?", chat_key)
            raw = None if row is None else row["state"]
        if raw is None:
            return None
        state: dict[str, Any] = json.loads(raw)
        return state

    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        batch, first_out = self._turn_batch(turn, now)
        results = await self.engine.run(batch)
        return [int(r.rows[0]["id"]) for r in results[first_out : first_out + len(turn.outgoing)]]

    # perf: the turn, the next event and (when none is left) the lease, in one trip
    async def commit_and_next(
        self,
        turn: Turn,
        now: float,
        lease: tuple[str, str] | None = None,
        lanes: LaneLeases | None = None,
    ) -> tuple[list[int], InboundRow | None, dict[str, Any] | None]:
        batch, first_out = self._turn_batch(turn, now)
        read = len(batch)
        batch += self._turn_reads(turn.chat_key)
        reads = len(batch) - read
        if lease is not None:
            batch.append(
                (
                    "DELETE FROM leases WHERE key = ? AND owner = ? AND NOT EXISTS "
                    "(SELECT 1 FROM inbound WHERE chat_key = ? AND status = 'pending')",
                    (lease[0], lease[1], turn.chat_key),
                )
            )
        taking = len(batch)
        queued = list(dict.fromkeys(out.lane for out in turn.outgoing))
        token = object()
        if lanes is not None:  # perf: take the lanes for the outbox, with their next rows
            batch += [stmt for lane in queued for stmt in _take_lane(lanes, lane, now)]
            for lane in queued:
                self._lane_touched(lane)
                self._lanes_taking[lane] = (lanes.prefix + lane, token)
        try:
            results = await self.engine.run(batch)
        except BaseException:
            self._took_lanes_not(queued, token)
            raise
        ids = [int(r.rows[0]["id"]) for r in results[first_out : first_out + len(turn.outgoing)]]
        row, state = self._turn_read(turn.chat_key, results[read : read + reads])
        if lanes is not None:
            self._took_lanes(lanes, queued, results[taking:], now, token)
        return ids, row, state

    def _took_lanes(
        self,
        lanes: LaneLeases,
        queued: list[str],
        results: Sequence[Result],
        now: float,
        token: object,
    ) -> None:
        """Remember the lanes a commit took (``_take_lane``'s results), for ``claim_lane``,
        unless the lane was looked at or changed while the commit was on its way."""
        if len(self._lanes_taken) > 1_000:  # never claimed (the outbox closed): forget them
            self._lanes_taken.clear()
        for n, lane in enumerate(queued):
            took, found = results[2 * n], results[2 * n + 1].one()
            taking = self._lanes_taking.get(lane)
            untouched = taking is not None and taking[1] is token
            if untouched:
                del self._lanes_taking[lane]
            if took.rowcount == 1 and untouched:
                following = None if found is None else rows.outbox(found)
                self._lanes_taken[lane] = (lanes.prefix + lane, lanes.owner, now, following)

    def _took_lanes_not(self, queued: list[str], token: object) -> None:
        for lane in queued:
            taking = self._lanes_taking.get(lane)
            if taking is not None and taking[1] is token:
                del self._lanes_taking[lane]

    def _turn_batch(self, turn: Turn, now: float) -> tuple[list[Stmt], int]:
        """The turn's statements, and where its outbox inserts start among them."""
        self._prefetched.pop(turn.chat_key, None)  # perf: the state changes now
        batch: list[Stmt] = []
        if turn.state is not None:
            batch.append(
                (
                    "INSERT INTO conversations (chat_key, state, stage, updated_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (chat_key) DO UPDATE SET "
                    "state = excluded.state, stage = excluded.stage, "
                    "updated_at = excluded.updated_at",
                    (turn.chat_key, rows.dump(turn.state), turn.state.get("stage"), now),
                )
            )
        if turn.handoff is not None:
            batch += _handoff(turn.chat_key, turn.handoff, now)
        if turn.contact is not None:
            batch.append(_contact(turn.contact))
        if turn.logged_text is not None:
            batch.append(
                (
                    "INSERT INTO messages (chat_key, direction, kind, text, platform_id, at, "
                    "action) VALUES (?, 'in', ?, ?, ?, ?, ?)",
                    (
                        turn.chat_key,
                        turn.logged_kind,
                        turn.logged_text,
                        turn.platform_id,
                        now,
                        turn.action,
                    ),
                )
            )
        batch += [_timer(turn.chat_key, change) for change in turn.timers]
        batch += [_lesson(lesson, now) for lesson in turn.lessons]
        first_out = len(batch)
        batch += [_enqueue(out, now, turn.inbound_id) for out in turn.outgoing]  # perf: turn
        batch.append(
            (
                "UPDATE inbound SET status = 'done', processed_at = ? WHERE id = ?",
                (now, turn.inbound_id),
            )
        )
        if turn.contact is not None:  # the buyer wrote: what waited for that goes out
            batch.append(_release(turn.chat_key))
        return batch, first_out

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        found = await self._all(
            "SELECT chat_key, state FROM conversations WHERE stage = 'handed_off'"
        )
        return [(r["chat_key"], json.loads(r["state"] or "{}")) for r in found]

    # outbox ----------------------------------------------------------------------------
    async def enqueue(self, out: Outgoing, now: float) -> int:
        self._lane_touched(out.lane)
        [result] = await self.engine.run([_enqueue(out, now)])
        return int(result.rows[0]["id"])

    async def next_outgoing(self, lane: str, skip: Sequence[int] = ()) -> OutboxRow | None:
        self._lane_touched(lane)
        [result] = await self.engine.run([_next_outgoing(lane, skip)], write=False)
        row = result.one()
        return None if row is None else rows.outbox(row)

    async def lanes_with_pending_outbox(self) -> list[str]:
        found = await self._all(
            "SELECT lane FROM outbox WHERE status = 'pending' GROUP BY lane ORDER BY MIN(id)"
        )
        return [r["lane"] for r in found]

    async def lanes_with_held_outbox(self) -> list[str]:
        found = await self._all("SELECT DISTINCT lane FROM outbox WHERE status = 'held'")
        return [r["lane"] for r in found]

    async def mark_sent(self, row: OutboxRow, platform_id: str | None, now: float) -> int:
        self._lane_touched(row.lane)
        batch = _sent(row, platform_id, now)
        results = await self.engine.run(batch)
        return int(results[1].rows[0]["n"]) if row.log_chat is not None else 0

    # perf: the sent mark and the lane's next row in one trip
    async def mark_sent_next(
        self,
        row: OutboxRow,
        platform_id: str | None,
        now: float,
        skip: Sequence[int] = (),
        lease: tuple[str, str] | None = None,
    ) -> tuple[int, OutboxRow | None]:
        self._lane_touched(row.lane)
        batch = _sent(row, platform_id, now)
        read = len(batch)
        batch.append(_next_outgoing(row.lane, (row.id, *skip)))
        if lease is not None:
            batch.append(
                (
                    "DELETE FROM leases WHERE key = ? AND owner = ? AND NOT EXISTS "
                    "(SELECT 1 FROM outbox WHERE lane = ? AND status = 'pending')",
                    (lease[0], lease[1], row.lane),
                )
            )
        results = await self.engine.run(batch)
        count = int(results[1].rows[0]["n"]) if row.log_chat is not None else 0
        found = results[read].one()
        return count, None if found is None else rows.outbox(found)

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        await self._write(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, error = ? WHERE id = ?",
            not_before,
            error[:ERROR_CHARS],
            outbox_id,
        )

    # secwire: a long message's pieces sent so far
    async def mark_progress(self, outbox_id: int, pieces: int) -> None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        await self._write("UPDATE outbox SET progress = ? WHERE id = ?", pieces, outbox_id)

    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        await self._write(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, "
            "sent_at = ? WHERE id = ?",
            error[:ERROR_CHARS],
            now,
            outbox_id,
        )

    async def outbox_depth(self) -> int:
        row = await self._one("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return int(row["n"]) if row else 0

    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool:
        updated = await self._write(
            "UPDATE messages SET status = ?, status_at = ?, error = COALESCE(?, error) "
            "WHERE platform_id = ? AND direction = 'out'",
            status,
            now,
            error,
            platform_id,
        )
        return updated.rowcount > 0

    # messages the shop starts ----------------------------------------------------------
    async def reach(self, chat_key: str) -> Reach:
        row = await self._one(
            "SELECT c.last_seen, c.window_closed_at, c.unreachable_at, v.state FROM contacts c "
            "LEFT JOIN conversations v ON v.chat_key = c.chat_key WHERE c.chat_key = ?",
            chat_key,
        )
        if row is None:
            return Reach()
        state = json.loads(row["state"]) if row["state"] else {}
        return Reach(
            last_inbound=row["last_seen"],
            window_closed_at=row["window_closed_at"],
            unreachable=row["unreachable_at"] is not None,
            opted_out=bool(state.get("opted_out")),
        )

    async def mark_reach(
        self, chat_key: str, now: float, *, window_closed: bool = False, unreachable: bool = False
    ) -> bool:
        batch: list[Stmt] = []
        if window_closed:
            batch.append(
                ("UPDATE contacts SET window_closed_at = ? WHERE chat_key = ?", (now, chat_key))
            )
        if unreachable:
            batch.append(
                (
                    "UPDATE contacts SET unreachable_at = ? WHERE chat_key = ? "
                    "AND unreachable_at IS NULL",
                    (now, chat_key),
                )
            )
        results = await self.engine.run(batch) if batch else []
        return unreachable and results[-1].rowcount == 1

    async def hold_outgoing(self, outbox_id: int, reason: str) -> None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        await self._write(
            "UPDATE outbox SET status = 'held', error = ? WHERE id = ? AND status = 'pending'",
            reason[:ERROR_CHARS],
            outbox_id,
        )

    async def release_held(self, lane: str) -> int:
        self._lane_touched(lane)
        return max((await self.engine.run([_release(lane)]))[0].rowcount, 0)

    async def resend_refused(self, platform_id: str, now: float) -> str | None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        row = await self._one(f"{_OUTBOX} WHERE {_SENT_AS}", platform_id)
        if row is None:
            return None
        lane = str(row["lane"])
        batch: list[Stmt] = [
            ("UPDATE contacts SET window_closed_at = ? WHERE chat_key = ?", (now, lane))
        ]
        if json.loads(row["payload"]).get("initiated"):
            batch.append(
                (  # not once it went again under another id (the other report's resend)
                    "UPDATE outbox SET status = 'pending', not_before = 0, platform_id = NULL "
                    "WHERE id = ? AND status = 'sent' AND platform_id = ?",
                    (row["id"], platform_id),
                )
            )
        results = await self.engine.run(batch)
        return lane if len(batch) > 1 and results[1].rowcount > 0 else None

    async def reopen_sent(self, platform_id: str, not_before: float) -> OutboxRow | None:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        found = await self._one(f"{_OUTBOX} WHERE {_SENT_AS}", platform_id)
        if found is None:
            return None
        # the send counted as an attempt when it was taken: the caller counts it again,
        # as the refusal it turned out to be (``Outbox._failed``)
        row = replace(rows.outbox(found), attempts=max(int(found["attempts"]) - 1, 0))
        # the guard: of two reports of one refusal, one reopens the row, and not once it
        # went again under another id (two workers: the other report's resend is out)
        reopened = await self._write(
            "UPDATE outbox SET status = 'pending', not_before = ?, platform_id = NULL, "
            "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
            "WHERE id = ? AND status = 'sent' AND platform_id = ?",
            not_before,
            row.id,
            platform_id,
        )
        return row if reopened.rowcount > 0 else None

    async def sent_this_month(self, channel: str, now: float) -> int:
        row = await self._one(
            "SELECT n FROM sent_counts WHERE month = ? AND channel = ?", month_of(now), channel
        )
        return int(row["n"]) if row else 0

    # timers ----------------------------------------------------------------------------
    async def set_timer(
        self, chat_key: str, kind: str, due_at: float, data: Mapping[str, Any], now: float
    ) -> None:
        await self.engine.run([_timer(chat_key, TimerChange(kind, due_at, data))])

    async def cancel_timer(self, chat_key: str, kind: str) -> None:
        await self.engine.run([_timer(chat_key, TimerChange(kind, None))])

    async def fire_due_timers(self, now: float, limit: int = 100) -> list[str]:
        results = await self.engine.run(self.engine.dialect.fire(now, limit))
        return list(dict.fromkeys(r["chat_key"] for r in results[0].rows))

    async def next_timer_at(self) -> float | None:
        row = await self._one("SELECT MIN(due_at) AS due FROM timers")
        return None if row is None or row["due"] is None else float(row["due"])

    async def timers_of(self, chat_key: str) -> list[TimerRow]:
        found = await self._all(f"{_TIMERS} WHERE chat_key = ? ORDER BY due_at, id", chat_key)
        return [rows.timer(row) for row in found]

    # the read model --------------------------------------------------------------------
    async def contact(self, chat_key: str) -> Contact | None:
        row = await self._one("SELECT * FROM contacts WHERE chat_key = ?", chat_key)
        return None if row is None else rows.contact(row)

    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT id, direction, kind, text, at, status FROM messages WHERE chat_key = ? "
            "ORDER BY id DESC LIMIT ?",
            chat_key,
            limit,
        )
        return found[::-1]

    async def recent_histories(
        self, chat_keys: Sequence[str], limit: int
    ) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {key: [] for key in chat_keys}
        if not chat_keys:
            return found
        marks = ", ".join("?" * len(chat_keys))  # placeholders only: no value in the SQL
        for row in await self._all(
            "SELECT id, chat_key, direction, kind, text, at, status FROM ("  # noqa: S608
            " SELECT id, chat_key, direction, kind, text, at, status, ROW_NUMBER() OVER"
            " (PARTITION BY chat_key ORDER BY id DESC) AS n FROM messages"
            f" WHERE chat_key IN ({marks})) AS latest WHERE n <= ? ORDER BY id",
            *chat_keys,
            limit,
        ):
            found[row.pop("chat_key")].append(row)
        return found

    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT m.id, m.kind, m.text, m.at, o.payload FROM messages m "
            "LEFT JOIN outbox o ON o.id = m.outbox_id "
            "WHERE m.chat_key = ? AND m.direction = ? AND m.id > ? "
            "AND (m.direction = 'in' OR o.lane = m.chat_key) ORDER BY m.id LIMIT 200",
            chat_key,
            direction,
            after_id,
        )
        return [rows.with_payload(row) for row in found]

    async def activity(self, since: float, until: float) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT chat_key, at, action, text FROM messages WHERE direction = 'in' "
            "AND at >= ? AND at < ? ORDER BY at, id",
            since,
            until,
        )
        return [row | {"channel": row["chat_key"].split(":", 1)[0]} for row in found]

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]:
        return await self._all(
            "SELECT * FROM handoffs WHERE CAST(? AS TEXT) IS NULL OR chat_key = ? ORDER BY id",
            chat_key,
            chat_key,
        )

    async def contact_rows(self) -> list[dict[str, Any]]:
        return await self._all(
            "SELECT c.*, (SELECT COUNT(*) FROM handoffs h WHERE h.chat_key = c.chat_key) "
            "AS handoffs FROM contacts c ORDER BY c.first_seen"
        )

    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        pattern = rows.search_pattern(search)
        found = await self._all(
            _INBOX.format(like=self.engine.dialect.like),
            chat_key,
            chat_key,
            pattern,
            *[pattern] * 5,
            limit,
        )
        return [rows.inbox_chat(row) for row in found]

    async def mark_seen(self, chat_key: str, now: float) -> None:
        await self._write("UPDATE contacts SET seen_at = ? WHERE chat_key = ?", now, chat_key)

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool:
        updated = await self._write(
            "UPDATE contacts SET tags = COALESCE(?, tags), notes = COALESCE(?, notes) "
            "WHERE chat_key = ?",
            tags,
            notes,
            chat_key,
        )
        return updated.rowcount == 1

    # seller links ----------------------------------------------------------------------
    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None:
        key = (seller_chat, kind, ref)
        await self.engine.run(  # a re-link counts as the newest: topic_of takes the latest
            [
                ("DELETE FROM seller_links WHERE seller_chat = ? AND kind = ? AND ref = ?", key),
                (
                    "INSERT INTO seller_links (seller_chat, kind, ref, chat_key) "
                    "VALUES (?, ?, ?, ?)",
                    (*key, chat_key),
                ),
            ]
        )

    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None:
        row = await self._one(
            "SELECT chat_key FROM seller_links WHERE seller_chat = ? AND kind = ? AND ref = ?",
            seller_chat,
            kind,
            ref,
        )
        return None if row is None else str(row["chat_key"])

    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None:
        row = await self._one(
            "SELECT ref FROM seller_links WHERE seller_chat = ? AND kind = 'topic' "
            "AND chat_key = ? ORDER BY id DESC LIMIT 1",
            seller_chat,
            chat_key,
        )
        return None if row is None else str(row["ref"])

    # sessions and secrets --------------------------------------------------------------
    async def secret(self, name: str, make: Callable[[], str]) -> str:
        results = await self.engine.run(
            [
                (
                    "INSERT INTO secrets (name, value) VALUES (?, ?) "
                    "ON CONFLICT (name) DO NOTHING",
                    (name, make()),
                ),
                ("SELECT value FROM secrets WHERE name = ?", (name,)),
            ]
        )
        return str(results[1].rows[0]["value"])

    # marks of one-off steps ------------------------------------------------------------
    async def marked(self, name: str) -> bool:
        return await self._one("SELECT name FROM marks WHERE name = ?", name) is not None

    async def mark(self, name: str, now: float) -> None:
        await self._write(
            "INSERT INTO marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, now
        )

    async def create_session(
        self, token_hash: str, seller: str, now: float, expires_at: float
    ) -> None:
        await self._write(
            "INSERT INTO sessions (token_hash, seller, created_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            token_hash,
            seller,
            now,
            expires_at,
        )

    async def session(self, token_hash: str, now: float) -> dict[str, Any] | None:
        return await self._one(
            "SELECT seller, created_at, expires_at FROM sessions "
            "WHERE token_hash = ? AND expires_at > ?",
            token_hash,
            now,
        )

    async def revoke_session(self, token_hash: str) -> None:
        await self._write("DELETE FROM sessions WHERE token_hash = ?", token_hash)

    async def revoke_all_sessions(self) -> int:
        return (await self._write("DELETE FROM sessions")).rowcount

    # lessons (issue 12) ----------------------------------------------------------------
    async def lessons(self, since: float | None = None) -> list[dict[str, Any]]:
        found = await self._all(
            "SELECT lesson FROM lessons WHERE at >= ? ORDER BY at, id",
            -1.0 if since is None else since,
        )
        return [json.loads(row["lesson"]) for row in found]

    async def dismiss_suggestion(self, suggestion_id: str, who: str, now: float) -> None:
        await self._write(
            "INSERT INTO dismissed_suggestions (id, who, at) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING",
            suggestion_id,
            who,
            now,
        )

    async def dismissed_suggestions(self) -> dict[str, dict[str, Any]]:
        found = await self._all("SELECT id, who, at FROM dismissed_suggestions ORDER BY at")
        return {row["id"]: {"who": row["who"], "at": row["at"]} for row in found}

    # retention -------------------------------------------------------------------------
    async def purge(self, before: float) -> int:
        self._lanes_touched()  # perf: rare; which lane it was does not matter
        web = "web:%"  # web-chat visitors are anonymous: nothing of theirs is kept
        results = await self.engine.run(
            [
                ("DELETE FROM messages WHERE at < ?", (before,)),
                (
                    "DELETE FROM inbound WHERE status <> 'pending' AND received_at < ?",
                    (before,),
                ),
                ("DELETE FROM outbox WHERE status <> 'pending' AND created_at < ?", (before,)),
                ("DELETE FROM sessions WHERE expires_at < ?", (before,)),
                ("DELETE FROM leases WHERE until < ?", (before,)),
                (
                    "DELETE FROM timers WHERE chat_key IN (SELECT chat_key FROM contacts "
                    "WHERE chat_key LIKE ? AND last_seen < ?)",
                    (web, before),
                ),
                (
                    "DELETE FROM conversations WHERE chat_key LIKE ? AND updated_at < ?",
                    (web, before),
                ),
                ("DELETE FROM handoffs WHERE chat_key LIKE ? AND at < ?", (web, before)),
                ("DELETE FROM contacts WHERE chat_key LIKE ? AND last_seen < ?", (web, before)),
            ]
        )
        return sum(max(r.rowcount, 0) for r in results)


def _handoff(chat_key: str, event: HandoffEvent, now: float) -> list[Stmt]:
    """Open, answer or close the chat's current handoff record."""
    if event.kind == "opened":
        return [
            (
                "UPDATE handoffs SET released_at = ? WHERE chat_key = ? AND released_at IS NULL",
                (now, chat_key),
            ),
            (
                "INSERT INTO handoffs (chat_key, reason, at) VALUES (?, ?, ?)",
                (chat_key, event.reason or "seller", now),
            ),
        ]
    if event.kind == "answered":
        return [
            (
                "UPDATE handoffs SET first_answer_at = ?, seller = ? WHERE chat_key = ? "
                "AND released_at IS NULL AND first_answer_at IS NULL",
                (now, event.seller, chat_key),
            ),
            (  # a seller stepped into a chat the bot had: that is a handoff too
                "INSERT INTO handoffs (chat_key, reason, at, seller, first_answer_at) "
                "SELECT ?, 'seller', ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM handoffs "
                "WHERE chat_key = ? AND released_at IS NULL)",
                (chat_key, now, event.seller, now, chat_key),
            ),
        ]
    return [
        (
            "UPDATE handoffs SET released_at = ?, released_by = ? WHERE chat_key = ? "
            "AND released_at IS NULL",
            (now, event.seller or event.kind, chat_key),
        )
    ]


def month_of(now: float) -> str:
    """The calendar month (UTC) a message sent at ``now`` is counted in: "2026-10"."""
    return time.strftime("%Y-%m", time.gmtime(now))


def _sent(row: OutboxRow, platform_id: str | None, now: float) -> list[Stmt]:
    """Mark ``row`` sent; a message (not a receipt or tap answer) is counted for the month
    (the second statement returns the count) and joins its chat's history."""
    batch: list[Stmt] = [
        (
            "UPDATE outbox SET status = 'sent', sent_at = ?, platform_id = ?, "
            "attempts = attempts + 1 WHERE id = ?",
            (now, platform_id, row.id),
        ),
    ]
    if row.log_chat is not None:
        batch.append(
            (
                "INSERT INTO sent_counts (month, channel, n) VALUES (?, ?, 1) ON CONFLICT "
                "(month, channel) DO UPDATE SET n = sent_counts.n + 1 RETURNING n",
                (month_of(now), row.lane.split(":", 1)[0]),
            )
        )
        batch.append(
            (
                "INSERT INTO messages (chat_key, direction, kind, text, platform_id, "
                "outbox_id, at, status, status_at) VALUES (?, 'out', ?, ?, ?, ?, ?, "
                "'sent', ?)",
                rows.sent_values(row, platform_id, now),
            )
        )
    return batch


def _claim(key: str, owner: str, now: float, ttl: float) -> Stmt:
    return (
        "INSERT INTO leases (key, owner, until) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until "
        "WHERE leases.owner = excluded.owner OR leases.until < ?",
        (key, owner, now + ttl, now),
    )


def _take_lane(lanes: LaneLeases, lane: str, now: float) -> list[Stmt]:
    """Take the lane's lease only when no one holds it (us neither: then the first
    statement changes no row), and read the lane's next row."""
    take = (
        "INSERT INTO leases (key, owner, until) VALUES (?, ?, ?) "
        "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, until = excluded.until "
        "WHERE leases.until < ?",
        (lanes.prefix + lane, lanes.owner, now + lanes.ttl, now),
    )
    return [take, _next_outgoing(lane, ())]


def _next_turn(chat_key: str) -> Stmt:
    return (
        "SELECT i.id, i.chat_key, i.payload, i.received_at, c.state FROM inbound i "
        "LEFT JOIN conversations c ON c.chat_key = i.chat_key "
        "WHERE i.chat_key = ? AND i.status = 'pending' ORDER BY i.id LIMIT 1",
        (chat_key,),
    )


def _next_outgoing(lane: str, skip: Sequence[int]) -> Stmt:
    # perf: ``skip`` holds the few rows in flight (one or two), so a short NOT IN
    leave = f" AND id NOT IN ({', '.join('?' * len(skip))})" if skip else ""
    return (
        f"{_OUTBOX} WHERE lane = ? AND status = 'pending'{leave} ORDER BY priority, id LIMIT 1",
        (lane, *skip),
    )


def _release(lane: str) -> Stmt:
    return (
        "UPDATE outbox SET status = 'pending', not_before = 0 WHERE lane = ? AND status = 'held'",
        (lane,),
    )


def _enqueue(out: Outgoing, now: float, turn: int | None = None) -> Stmt:
    return (
        "INSERT INTO outbox (lane, payload, created_at, log_chat, log_kind, log_text, "
        "priority, turn, not_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        (*rows.outgoing_values(out, now), turn),  # perf: the turn that queued it
    )


def _timer(chat_key: str, change: TimerChange) -> Stmt:
    if change.due_at is None:
        return ("DELETE FROM timers WHERE chat_key = ? AND kind = ?", (chat_key, change.kind))
    return (
        "INSERT INTO timers (chat_key, kind, due_at, data) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_key, kind) DO UPDATE SET due_at = excluded.due_at, "
        "data = excluded.data",
        (chat_key, change.kind, change.due_at, rows.dump(dict(change.data))),
    )


def _lesson(lesson: Mapping[str, Any], now: float) -> Stmt:
    """One lesson row: its kind, time, buyer hash and (masked) question kept apart for
    reading without parsing the JSON."""
    text = lesson.get("text", lesson.get("after_text", ""))
    return (
        "INSERT INTO lessons (kind, at, buyer, text, lesson) VALUES (?, ?, ?, ?, ?)",
        (
            str(lesson.get("kind", "")),
            float(lesson.get("at", now)),
            lesson.get("buyer"),
            str(text),
            rows.dump(dict(lesson)),
        ),
    )


def _contact(c: Contact) -> Stmt:
    return (
        "INSERT INTO contacts (chat_key, channel, external_id, name, username, phone, "
        "language, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (chat_key) DO UPDATE SET name = COALESCE(excluded.name, contacts.name), "
        "username = COALESCE(excluded.username, contacts.username), "
        "phone = COALESCE(excluded.phone, contacts.phone), "
        "language = COALESCE(excluded.language, contacts.language), "
        "last_seen = excluded.last_seen, unreachable_at = NULL",  # they wrote: reachable
        rows.contact_values(c),
    )
