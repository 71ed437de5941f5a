"""Durable sending: one worker per lane (destination chat), retries, limits, order kept."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from bot.channels.base import Sent
from bot.commands import Command, Say, decode
from bot.errors import ChannelError, Held, ParseError, RateLimited, StoreError
from bot.keyed import KeyedWorkers
from bot.leases import LeaseHolder, Sleep
from bot.metrics import Metrics
from bot.pieces import pieces
from bot.ratelimit import Limits
from bot.shop_messages import shop_duration
from bot.store.base import OutboxRow, Outgoing, Store

T = TypeVar("T")


class _Look:
    """perf: what comes next in a lane is not known: read the lane again."""


LOOK = _Look()


@dataclass(frozen=True, slots=True)
class _After:
    """perf: what a sent mark read: the lane's next row (None: none) apart from the rows
    ``beside`` it, those in flight at the time."""

    row: OutboxRow | None
    beside: frozenset[int]


# perf: sends awaiting their answers, by outbox id
_Flight = dict[int, tuple[OutboxRow, "asyncio.Task[_After | _Look]"]]
log = logging.getLogger("japri.outbox")

MAX_ATTEMPTS = 12  # with backoff up to 5 minutes: about half an hour of trying
MAX_AGE = 24 * 3600.0  # a reply older than a day is no longer worth sending
LEASE_TTL = 60.0
DEFAULT_CONCURRENCY = 64
MARK_RETRY = 0.1  # seconds before recording a done send is tried again (doubling, to 5 s)
_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# A limit of the whole number waited out this long (WhatsApp's spam restriction, its call
# limits) pauses the channel's sends: its other chats would only be refused too.
PAUSE_FROM = 60.0
# The pause is a lease in the store ("pause:<channel>", held until the wait is over), so
# every process sharing the store keeps it; each asks at most this often (seconds) whether
# another one paused, and only for the channels whose limits pause them.
PAUSE_KEY = "pause:"
PROBE_EVERY = 10.0
PAUSABLE = frozenset({"whatsapp"})
_PROBE = "probe"  # the owner a look takes the lease as, already run out: it holds nothing
_MOMENT = 0.001  # seconds


class Delivery(Protocol):
    """What the outbox hands commands to (see ``bot.delivery``)."""

    async def send(self, lane: str, command: Command) -> Sent: ...

    def given_up(
        self, lane: str, command: Command, error: ChannelError, *, told: bool = False
    ) -> list[Outgoing]:
        """What to queue when ``command`` will never be sent, or is held until the buyer
        writes (e.g. tell the sellers). ``told``: the sellers already know of ``error``
        (a pause of the channel they were told of)."""
        ...

    def paused(self, channel: str, error: RateLimited, seconds: float) -> list[Outgoing]:
        """What to queue when ``error`` pauses ``channel``'s sends for ``seconds`` (once
        a pause: tell the sellers)."""
        ...

    def counted(self, channel: str, count: int) -> list[Outgoing]:
        """What to queue now that ``count`` messages went out on ``channel`` this month."""
        ...


class Outbox:
    """Takes what the store's outbox holds to the platforms.

    Each lane (one destination chat) has at most one worker task in this process; a 429 or
    a retry holds back only that lane. ``delivery`` does the platform call; ``Limits``
    paces it.

    Order (perf, issue 9): the messages of one turn (one inbound event) go out strictly one
    after another, each waiting for the platform's answer to the previous one. A message
    of a LATER turn may start while an earlier turn's last message still waits for its
    answer: the buyer wrote that later message after the earlier reply reached the
    platform, so nothing they saw can be overtaken. The price: a buyer who sends two
    questions faster than the platform answers may get the two answers swapped. Rows
    queued outside a turn (notes to the sellers, warnings) keep the strict order, and a
    retry is never overtaken by a row that has not started yet (nor started beside one).
    """

    def __init__(
        self,
        store: Store,
        delivery: Delivery,
        limits: Limits,
        metrics: Metrics,
        *,
        wall: Callable[[], float] = time.time,
        sleep: Sleep = asyncio.sleep,
        concurrency: dict[str, int] | None = None,
        shared: bool = False,
    ) -> None:
        self.store = store
        self.shared = shared  # other processes send from the same store: lease each lane
        # At most as many calls in flight per channel as its HTTP pool has connections:
        # waiting here is cheap, waiting in the pool's queue costs CPU on every request.
        sizes = concurrency or {}
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(DEFAULT_CONCURRENCY)
        )
        for channel, size in sizes.items():
            self._slots[channel] = asyncio.Semaphore(size)
        self.delivery = delivery
        self.limits = limits
        self.metrics = metrics
        self.wall = wall
        self.sleep = sleep
        self.leases = LeaseHolder(store, "outbox:", LEASE_TTL, wall=wall, sleep=sleep)
        self._lanes = KeyedWorkers(self._run, "outbox")
        # perf: lanes whose worker waits for answers in flight; a kick wakes it (a later
        # turn's row may start before those answers are back)
        self._wake: dict[str, asyncio.Event] = {}
        # perf: a lane's first row handed over by the turn that queued it, so its worker
        # skips one read. Trusted only in a process that sends alone (not ``shared``), for
        # a lane whose last worker here found it empty (``_drained``) with nothing queued
        # there since, and none of whose rows wait for their buyer (``_holding``: a buyer's
        # message releases those ahead of its reply).
        self._first: dict[str, OutboxRow] = {}
        self._drained: set[str] = set()
        self._holding: set[str] = set()
        # channels whose sends pause for a limit of the whole number: until when, as this
        # process knows it; and (shared) when it last looked at the store's pause
        self._paused: dict[str, float] = {}
        self._looked: dict[str, float] = {}
        self._looking: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        # sending alone: the channels whose pause in the store was found over (a pause of
        # the process before a restart); from then on only this process pauses them
        self._over: set[str] = set()

    async def refused_later(self, platform_id: str, refusal: RateLimited) -> None:
        """The platform took ``platform_id``, then reported it refused for a limit (a
        WhatsApp ``failed`` status naming 130429, 131056, 131048 …): its row goes again
        after the limit's wait, from the piece that was refused, or is given up (and the
        sellers told) as a refusal at send time would be. Nothing happens for an id no
        sent row has (an earlier piece of a long message, a report seen before)."""
        now = self.wall()
        first = refusal.wait(1)  # a guard until the wait is recorded below
        row = await self.store.reopen_sent(platform_id, now + (first or _BACKOFF[0]))
        if row is None:
            return
        try:
            command = decode(row.payload)
        except ParseError as exc:  # e.g. written by a newer version: not ours
            log.error("outbox %s #%d: %s", row.lane, row.id, exc)
            await self.store.mark_failed(row.id, str(exc), now)
            return
        await self._failed(row.lane.split(":", 1)[0], row, command, refusal)
        self.kick(row.lane)

    def kick(self, lane: str, first: OutboxRow | None = None) -> None:
        """Make sure ``lane``'s pending messages are on their way. ``first``: the row the
        caller just queued there, the first of its rows in the lane's order (perf)."""
        if (
            first is not None
            and lane in self._drained
            and lane not in self._holding
            and not self._lanes.running(lane)
        ):
            self._first[lane] = first
        else:
            self._first.pop(lane, None)
        self._drained.discard(lane)
        self._lanes.poke(lane)
        woken = self._wake.get(lane)
        if woken is not None:
            woken.set()

    async def resume(self) -> None:
        """After a start: finish whatever was accepted but not yet sent."""
        self._holding.update(await self.store.lanes_with_held_outbox())
        for lane in await self.store.lanes_with_pending_outbox():
            self.kick(lane)

    async def close(self, grace: float = 3.0) -> None:
        await self._lanes.close(grace)

    async def _pending(self, lane: str) -> bool:
        return not self._lanes.closing and await self.store.next_outgoing(lane) is not None

    async def _run(self, lane: str) -> None:
        channel = lane.split(":", 1)[0]
        # the lane's next row, when a read (or the turn that queued it) told it
        known: OutboxRow | _Look | None = self._first.pop(lane, LOOK)
        if self.shared:
            self._lanes.seen(lane)  # the claim reads the lane
            took, known = await self._claim(lane)
            if not took:
                return
        # perf: sends started and not yet answered, by outbox id. Rows of one turn go out
        # strictly one after another; a row of a LATER turn may start while an earlier
        # turn's row waits for the platform's answer (see ``_may_overlap``). A kick while
        # they wait wakes the worker (``_wake``) to look for such a row.
        flight: _Flight = {}
        woken = self._wake[lane] = asyncio.Event()
        try:
            while True:  # on close too, until the grace time runs out
                if isinstance(known, _Look):
                    self._lanes.seen(lane)
                    woken.clear()  # a kick from now on is seen below
                    row = await self.store.next_outgoing(lane, tuple(flight))
                else:
                    row, known = known, LOOK
                if flight and (row is None or not _may_overlap(row, flight)):
                    # the next row waits for an answer; with none, so does a kick
                    known = await self._settle(lane, flight, woken if row is None else None)
                    if known is None and not flight:
                        self._emptied(lane)
                        return  # all answered, nothing queued since: the lane is empty
                    continue
                if row is None:
                    self._emptied(lane)
                    return
                wait = row.not_before - self.wall()
                if wait > 0:
                    if self._lanes.closing:
                        return  # a retry for later: the next start takes it up
                    await self._nap(wait)
                    continue
                try:
                    command = decode(row.payload)
                except ParseError as exc:  # e.g. written by a newer version: not ours
                    log.error("outbox %s #%d: %s", lane, row.id, exc)
                    await self.store.mark_failed(row.id, str(exc), self.wall())
                    continue
                left = await self._pause_left(channel)
                if left > 0:  # the whole number is limited: nothing is tried until it ends
                    if command.best_effort:  # a receipt is not worth keeping that long
                        await self.store.mark_failed(row.id, "the channel is paused", self.wall())
                        continue
                    if self._lanes.closing:
                        return  # waits in the store: the next start takes it up
                    await self._nap(left)
                    continue
                # receipts and tap acknowledgements are not messages: they are not paced
                pause = 0.0 if command.best_effort else self.limits.delay(channel, lane)
                if pause > 0:
                    await self.sleep(pause)
                if self.shared and not await self.leases.renew(lane):
                    return  # the lease ran out while we waited: another process has the lane
                sending = asyncio.ensure_future(self._send(channel, row, command, flight))
                flight[row.id] = (row, sending)
                if not woken.is_set():  # nothing queued since the read: wait for the answer
                    known = await self._settle(lane, flight, woken)
                    if known is None and not flight:
                        self._emptied(lane)
                        return
        except asyncio.CancelledError:  # closed after the grace time: stop those sends too
            for _, task in flight.values():
                task.cancel()
            raise
        finally:
            while flight:  # sends on their way are answered and recorded before it ends
                await self._settle(lane, flight, None)
            if self._wake.get(lane) is woken:
                del self._wake[lane]
            if self.shared and self.leases.holds(lane):
                await self.leases.release(lane)

    def _emptied(self, lane: str) -> None:
        """The worker leaves ``lane`` empty: the next turn may hand it its first row."""
        if self.shared or self._lanes.poked(lane):
            return  # others queue here too / a kick since the last read: read next time
        if len(self._drained) >= 100_000:  # a bound, not a cache policy: forget, read again
            self._drained.clear()
        self._drained.add(lane)

    async def _claim(self, lane: str) -> tuple[bool, OutboxRow | _Look | None]:
        """Take the lane's lease (perf: with its next row, in one trip); False: another
        process has it and sends what waited."""
        if self.leases.needs_claim(lane):
            took, row = await self.leases.claim_with(
                lane,
                lambda key, owner, now, ttl: self.store.claim_lane(key, owner, now, ttl, lane),
            )
            if took:
                return True, row
        return await self.leases.hold(lane, lambda: self._pending(lane)), LOOK

    async def _settle(
        self, lane: str, flight: _Flight, woken: asyncio.Event | None
    ) -> OutboxRow | _Look | None:
        """Wait for one send in ``flight`` to be answered (each records its own outcome)
        or, given ``woken``, for a kick, and forget the sends done. What comes next: the
        lane's next row apart from those still in flight, as the send answered just now
        read it when it was recorded (None: nothing else waits), or LOOK (read the lane
        again)."""
        tasks: set[asyncio.Future[Any]] = {task for _, task in flight.values()}
        waiting = None if woken is None else asyncio.ensure_future(woken.wait())
        try:
            await asyncio.wait(
                tasks if waiting is None else {*tasks, waiting},
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if waiting is not None:
                waiting.cancel()
        hints: list[_After | _Look] = []
        for key, (row, task) in list(flight.items()):
            if not task.done():
                continue
            del flight[key]
            if task.cancelled():
                hints.append(LOOK)
            elif (exc := task.exception()) is not None:
                log.error("out chat=%s #%d: %r", lane, row.id, exc)
                hints.append(LOOK)
            else:
                hints.append(task.result())
        # another answer, a new row or a send that failed (its retry is the next row, which
        # the others' reads left out) may change what is next: read the lane again. The
        # mark's read holds (perf) when no kick came since the last read (``woken``) and
        # it left out exactly the rows still in flight.
        if woken is None or woken.is_set() or len(hints) != 1:
            return LOOK
        [hint] = hints
        if isinstance(hint, _Look) or hint.beside != frozenset(flight):
            return LOOK
        return hint.row

    async def _nap(self, seconds: float) -> None:
        """Wait for a retry's time, or until the outbox closes."""
        closed = asyncio.ensure_future(self._lanes.closed.wait())
        napping = asyncio.ensure_future(self.sleep(seconds))
        try:
            await asyncio.wait((closed, napping), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (closed, napping):
                task.cancel()

    async def _send(
        self, channel: str, row: OutboxRow, command: Command, flight: _Flight
    ) -> _After | _Look:
        """Send ``row``; once recorded as sent, the lane's next row apart from those in
        ``flight`` (read with the sent mark); LOOK when it failed, waits for a retry or
        stopped halfway."""
        started = time.perf_counter()
        # secwire: a long message goes piece by piece, each recorded once it is out, so a
        # retry (a 429 at piece 9 of 49) starts at the piece that failed
        parts = pieces(channel, command)
        if row.attempts and isinstance(parts[0], Say) and parts[0].read is not None:
            # the read receipt riding with the first piece went out with the first try
            # (or failed then, and a receipt is best effort): once per message, not again
            # with every retry of a reply the platform refused
            parts[0] = replace(parts[0], read=None)
        sent = Sent()
        first = min(row.progress, len(parts) - 1)
        for number in range(first, len(parts)):
            if number > first and not await self._next_piece(channel, row.lane):
                return LOOK  # closing, or the lane went to another process: it resumes there
            try:
                async with self._slots[channel]:
                    if self._paused.get(channel, 0.0) > self.wall():
                        return LOOK  # paused while it waited its turn: it goes after that
                    sent = await self.delivery.send(row.lane, parts[number])
            except ChannelError as exc:
                await self._failed(channel, row, command, exc)
                return LOOK
            except Exception as exc:  # a bug must not silently eat the lane
                log.exception("outbox %s #%d: unexpected error", row.lane, row.id)
                error = ChannelError(repr(exc), permanent=True)
                await self._failed(channel, row, command, error)
                return LOOK
            if number + 1 < len(parts):
                await self._recorded(row, "piece", self.store.mark_progress, row.id, number + 1)
        took = time.perf_counter() - started
        now = self.wall()
        others = tuple(key for key in flight if key != row.id)
        # perf: shared, the last send of the lane gives the lease back with its mark
        lease = (self.leases.prefix + row.lane, self.leases.owner)
        last = self.shared and not others and not self._lanes.closing
        count, following = await self._recorded(
            row,
            "send",
            self.store.mark_sent_next,
            row,
            sent.platform_id,
            now,
            others,
            lease if last else None,
        )
        if last and following is None:
            self.leases.forget(row.lane)
        self.metrics.sent(channel, command.tag, took)
        if not command.best_effort:
            await self._queue(self.delivery.counted(channel, count), now)
        # perf: DEBUG (one INFO line a message is the turn's "in" line; the send times are
        # in /metrics as japri_send_seconds); failures and retries are warnings
        log.debug(
            "out chat=%s op=%s id=%s queued_ms=%.0f send_ms=%.0f attempts=%d",
            row.lane,
            command.tag,
            sent.platform_id,
            (now - row.created_at) * 1000,
            took * 1000,
            row.attempts + 1,
        )
        return _After(following, frozenset(others))

    async def _next_piece(self, channel: str, lane: str) -> bool:
        """Pace the next piece of a long message like any message; False: stop here."""
        pause = self.limits.delay(channel, lane)
        if pause > 0:
            await self.sleep(pause)
        return not self.shared or await self.leases.renew(lane)

    async def _recorded(
        self, row: OutboxRow, what: str, write: Callable[..., Awaitable[T]], *args: Any
    ) -> T:
        """Record a send (or a piece of one) that happened. A store hiccup here must not
        lose it: unrecorded, it would go out a second time, so keep trying (while the
        outbox runs)."""
        pause = MARK_RETRY
        while True:
            try:
                return await write(*args)
            except StoreError as exc:
                if self._lanes.closing:
                    log.error(
                        "out chat=%s #%d %s sent but not recorded: %s", row.lane, row.id, what, exc
                    )
                    raise
                log.warning(
                    "out chat=%s #%d %s sent; recording it failed, again: %s",
                    row.lane,
                    row.id,
                    what,
                    exc,
                )
                await self._nap(pause)
                pause = min(pause * 2, 5.0)

    async def _failed(
        self, channel: str, row: OutboxRow, command: Command, exc: ChannelError
    ) -> bool:
        """Record a failed send; True: given up on (or held), False: tried again later."""
        now = self.wall()
        attempts = row.attempts + 1
        too_old = now - row.created_at > MAX_AGE
        op = command.tag
        if isinstance(exc, Held):  # waits for the buyer's next message (store.release_held)
            self._holding.add(row.lane)
            await self.store.hold_outgoing(row.id, str(exc))
            log.info("out chat=%s op=%s held: %s", row.lane, op, exc)
            await self._queue(self.delivery.given_up(row.lane, command, exc), now)
            return True
        tries = min(exc.tries or MAX_ATTEMPTS, MAX_ATTEMPTS)
        wait = exc.wait(attempts)
        # a limit of the whole number for a minute or more: the channel's sends pause until
        # it is over, and the sellers are told once a pause (``told``: not by this row)
        told = False
        if isinstance(exc, RateLimited) and exc.pause and wait is not None and wait >= PAUSE_FROM:
            told = not await self._pause(channel, wait)
            if not told:
                await self._queue(self.delivery.paused(channel, exc, wait), now)
        if exc.permanent or command.best_effort or attempts >= tries or too_old:
            await self.store.mark_failed(row.id, str(exc), now)
            self.metrics.failed(channel, op)
            level = logging.DEBUG if command.best_effort else logging.WARNING
            why = "" if exc.permanent or command.best_effort else f" after {attempts} tries"
            log.log(level, "out chat=%s op=%s not sent, given up%s: %s", row.lane, op, why, exc)
            if not command.best_effort:
                given_up = self.delivery.given_up(row.lane, command, exc, told=told)
                await self._queue(given_up, now)
            return True
        if isinstance(exc, RateLimited) and exc.whole_channel:
            # the channel keeps to the platform's pace a while (after the pause, if any)
            self.limits.throttled(channel, self._paused.get(channel, now) - now)
        delay = _backoff(attempts) if wait is None else wait
        await self.store.mark_retry(row.id, now + delay, str(exc))
        self.metrics.retried(channel, op)
        log.warning(
            "out chat=%s op=%s not sent yet (try %d of at most %d), trying again in %s: %s",
            row.lane,
            op,
            attempts,
            tries,
            shop_duration("en", delay),
            exc,
        )
        return False

    async def _pause(self, channel: str, seconds: float) -> bool:
        """Pause ``channel``'s sends for ``seconds``; True: a new pause (none held, in this
        process or another sharing the store), which the sellers are told of."""
        now = self.wall()
        self._paused[channel] = max(self._paused.get(channel, 0.0), now + seconds)
        # a new owner each time: the claim succeeds only where no pause is held. A lease
        # holds until and including its end; a pause is over then (a refusal at that very
        # moment starts a new one): claimed a moment later, for as much less.
        key, owner = PAUSE_KEY + channel, uuid.uuid4().hex
        started = await self.store.claim(key, owner, now + _MOMENT, seconds - _MOMENT)
        log.warning(
            "out channel=%s paused for %s%s",
            channel,
            shop_duration("en", seconds),
            "" if started else " (paused already: the sellers know)",
        )
        return started

    async def _pause_left(self, channel: str) -> float:
        """Seconds ``channel``'s sends still wait for a limit of the whole number (0: go).
        Shared, the store's pause is looked at every ``PROBE_EVERY`` seconds; a pause
        another process holds keeps this one's sends back until the next look. Alone,
        it is looked at so until it is over (one a predecessor began, stopped during
        it: its buyers' replies would only be refused, each costing a try)."""
        left = self._known_pause(channel)
        if left is not None:
            return left
        async with self._looking[channel]:  # one look at a time: the others wait for it
            left = self._known_pause(channel)
            if left is not None:
                return left
            now = self.wall()
            # a claim already run out (ttl < 0) takes the key only where no pause holds it
            free = await self.store.claim(PAUSE_KEY + channel, _PROBE, now, -1.0)
            self._looked[channel] = now
            if free:
                if not self.shared:
                    self._over.add(channel)
                return 0.0
            self._paused[channel] = now + PROBE_EVERY
            self.limits.throttled(channel, PROBE_EVERY)
            return PROBE_EVERY

    def _known_pause(self, channel: str) -> float | None:
        """Seconds of a pause this process knows of (0: none, and none to look for in
        the store now); None: time to look."""
        now = self.wall()
        until = self._paused.get(channel, 0.0)
        if until > now:
            return until - now
        if channel not in PAUSABLE or channel in self._over:
            return 0.0
        if now - self._looked.get(channel, -PROBE_EVERY) < PROBE_EVERY:
            return 0.0
        return None

    async def _queue(self, outgoing: list[Outgoing], now: float) -> None:
        """Notes the delivery asks for (to the sellers), on their way."""
        for out in outgoing:
            await self.store.enqueue(out, now)
            self.kick(out.lane)


def _may_overlap(row: OutboxRow, flight: _Flight) -> bool:
    """May ``row`` start while the rows in ``flight`` wait for their answers?

    Only a row of a later turn than all of them: the buyer wrote that turn's message after
    the earlier reply reached the platform, so the two cannot be read in the wrong order.
    Rows queued outside a turn (notes to the sellers, warnings) and the rows of one turn
    keep the strict order. A retry is never started beside anything, nor anything beside
    it: once an earlier row failed, it is the lane's next row again (lowest id) and waits
    for its time; rows of later turns not yet started wait behind it. (Rows that were
    already on their way when it failed are not called back: for a fast typer, two answers
    to two questions may arrive swapped.)
    """
    if row.turn is None or row.attempts > 0 or row.progress > 0:
        return False
    return all(
        r.turn is not None and r.turn < row.turn and r.attempts == 0 for r, _ in flight.values()
    )


def _backoff(attempts: int) -> float:
    return _BACKOFF[min(attempts, len(_BACKOFF)) - 1]


__all__ = ["Delivery", "Outbox", "Sleep"]
