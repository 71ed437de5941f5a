"""The store's values and its interface, split by concern; every backend implements all.

Backends: SQL (SQLite embedded, PostgreSQL shared) and memory (tests). One contract test
class runs over each. Every method is atomic; store failures raise ``StoreError``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol


@dataclass(frozen=True, slots=True)
class Contact:
    """A buyer as the shop's address book keeps them."""

    chat_key: str  # "<channel>:<platform id>", opaque
    channel: str
    external_id: str
    name: str | None = None
    username: str | None = None
    phone: str | None = None  # E.164, when the platform tells it
    language: str | None = None
    first_seen: float = 0.0
    last_seen: float = 0.0


@dataclass(frozen=True, slots=True)
class InboundRow:
    """An accepted inbound event waiting to be (or having been) processed."""

    id: int
    chat_key: str
    payload: dict[str, Any]
    received_at: float


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One command to send, as a turn queues it: the lane (destination chat) and the
    command's JSON (the store never looks inside). ``log_chat`` names the buyer's chat whose
    history the message joins once it is sent (None: not kept, e.g. read receipts)."""

    lane: str
    payload: dict[str, Any]
    log_chat: str | None = None
    log_kind: str = "say"
    log_text: str | None = None
    # secwire: a lane's next row is its lowest priority, then its oldest (the seller chat
    # takes posts about real-channel buyers before web-chat ones; see bot.abuse)
    priority: int = 0


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One queued command, in its lane's order."""

    id: int
    lane: str  # the destination chat: messages of one lane go out one at a time, in order
    payload: dict[str, Any]
    attempts: int
    not_before: float
    created_at: float
    log_chat: str | None = None
    log_kind: str = "say"
    log_text: str | None = None
    # secwire: pieces of a long message already sent (a retry starts at the next one)
    progress: int = 0
    # perf: the inbound event (turn) that queued it; None: queued outside a turn. A row of
    # a later turn may go out while an earlier turn's row still waits for its answer
    turn: int | None = None


@dataclass(frozen=True, slots=True)
class Reach:
    """What decides how a message the shop starts reaches a buyer: when they last wrote
    (WhatsApp's 24-hour window runs from it), when the platform last said the window was
    closed (131047), whether they blocked the bot, whether they opted out."""

    last_inbound: float | None = None
    window_closed_at: float | None = None
    unreachable: bool = False
    opted_out: bool = False

    def window_open(self, now: float, window: float) -> bool:
        """Whether a free-form message may go: the buyer wrote within ``window`` seconds
        and the platform has not refused one since."""
        if self.last_inbound is None or now - self.last_inbound >= window:
            return False
        return self.window_closed_at is None or self.last_inbound > self.window_closed_at


@dataclass(frozen=True, slots=True)
class LaneLeases:
    """Whose the outbox's lane leases are: key ``prefix + lane``, ``owner``, ``ttl``
    seconds."""

    prefix: str
    owner: str
    ttl: float


@dataclass(frozen=True, slots=True)
class HandoffEvent:
    """A handoff opened (``reason``), first answered (``seller``), or closed."""

    kind: Literal["opened", "answered", "released", "idle"]
    reason: str | None = None
    seller: str | None = None


@dataclass(frozen=True, slots=True)
class TimerChange:
    """Set (``due_at``) or cancel (None) the chat's timer of this kind. A chat has at most
    one timer per kind ("handoff_remind", "order_feedback:JP-0007", ...): setting it again
    moves it."""

    kind: str
    due_at: float | None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TimerRow:
    """A timer waiting to fire."""

    id: int
    chat_key: str
    kind: str
    due_at: float
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Turn:
    """Everything one processed inbound event changes, written in one transaction."""

    inbound_id: int
    chat_key: str
    state: dict[str, Any] | None  # the conversation after the event (None: unchanged)
    outgoing: Sequence[Outgoing] = ()  # in sending order
    contact: Contact | None = None
    logged_text: str | None = None  # the inbound message as the history keeps it
    logged_kind: str = "text"
    platform_id: str | None = None
    handoff: HandoffEvent | None = None
    timers: Sequence[TimerChange] = ()  # this chat's timers, set or cancelled
    action: str | None = None  # what the bot did about it ("answer", "handoff:price", ...)
    lessons: Sequence[Mapping[str, Any]] = ()  # faq.lessons.to_dict() of what it taught


class InboundLog(Protocol):
    """Inbound events, exactly once: deduplicated on arrival, processed in order per chat."""

    async def accept_inbound(
        self, dedup_key: str, chat_key: str, payload: dict[str, Any], now: float
    ) -> bool:
        """Record an inbound event; False when ``dedup_key`` was seen before."""
        ...

    async def next_inbound(self, chat_key: str) -> InboundRow | None: ...

    async def next_turn(self, chat_key: str) -> tuple[InboundRow | None, dict[str, Any] | None]:
        """The chat's next pending event and the chat's state, read together (one trip)."""
        ...

    # perf: the chat's lease taken with the read, one trip when several processes share
    async def claim_turn(
        self, key: str, owner: str, now: float, ttl: float, chat_key: str
    ) -> tuple[bool, InboundRow | None, dict[str, Any] | None]:
        """``Leases.claim(key, …)`` and ``next_turn(chat_key)`` in one trip; the event
        and state mean nothing when the claim failed."""
        ...

    async def chats_with_pending_inbound(self) -> list[str]: ...
    async def fail_inbound(self, inbound_id: int, error: str, now: float) -> None: ...


class Leases(Protocol):
    """Who works on a key (a chat, an outbox lane) right now, across processes."""

    async def claim(self, key: str, owner: str, now: float, ttl: float) -> bool:
        """Take or renew the lease on ``key`` until ``now + ttl``; False while another
        owner holds an unexpired lease."""
        ...

    async def release(self, key: str, owner: str) -> None: ...

    async def drop_leases(self, keep: str = "") -> int:
        """Forget every lease (secwire): for a process that knows it is the store's only
        user (one ``japri serve`` on SQLite holds the file's lock), the leases it finds
        are a killed predecessor's, and waiting for them to run out would stall its chats.
        Those whose key begins with ``keep`` (when given) stay: no work of the process
        that stopped, but a fact that outlives it (the outbox's channel pause). How many
        were dropped."""
        ...


class Conversations(Protocol):
    """Chat state, written together with everything else a turn changes."""

    async def load_state(self, chat_key: str) -> dict[str, Any] | None: ...

    async def commit_turn(self, turn: Turn, now: float) -> list[int]:
        """Apply a processed event: state, contact, history, handoff record, timers,
        outbox; mark it done. Returns the outbox ids, in order."""
        ...

    # perf: one trip a turn instead of two ------------------------------------------------
    async def commit_and_next(
        self,
        turn: Turn,
        now: float,
        lease: tuple[str, str] | None = None,
        lanes: LaneLeases | None = None,
    ) -> tuple[list[int], InboundRow | None, dict[str, Any] | None]:
        """``commit_turn``, then the chat's next pending event and its state, as
        ``next_turn`` reads them, in the same transaction. ``lease`` (key, owner): give
        that lease back in it too when no event is pending (the caller no longer holds it
        then). ``lanes``: also take, for the outbox, the lease of each lane the turn queued
        for that no one holds (perf: its ``claim_lane`` right after needs no trip)."""
        ...

    async def handed_off_chats(self) -> list[tuple[str, dict[str, Any]]]:
        """Chats a seller owns now, with their state."""
        ...


class OutboxQueue(Protocol):
    """Commands waiting to go out, one lane (destination chat) at a time."""

    async def enqueue(self, out: Outgoing, now: float) -> int: ...
    async def next_outgoing(self, lane: str, skip: Sequence[int] = ()) -> OutboxRow | None:
        """The lane's next pending row (lowest priority, then oldest), leaving out the ids
        in ``skip`` (perf: rows this process is sending right now)."""
        ...

    async def lanes_with_pending_outbox(self) -> list[str]: ...

    async def lanes_with_held_outbox(self) -> list[str]:
        """Lanes holding rows until their buyer writes (``hold_outgoing``)."""
        ...

    # perf: the lane's lease taken with the read; the lease given back with the last mark
    async def claim_lane(
        self, key: str, owner: str, now: float, ttl: float, lane: str
    ) -> tuple[bool, OutboxRow | None]:
        """``Leases.claim(key, …)`` and ``next_outgoing(lane)`` in one trip; the row means
        nothing when the claim failed."""
        ...

    async def mark_sent(self, row: OutboxRow, platform_id: str | None, now: float) -> int:
        """The row went out; with ``row.log_chat`` it joins that chat's history. Returns
        how many messages went out on the row's channel this month (UTC), this one
        included (WhatsApp bills per message); 0 for a row that is no message (a
        ``log_chat`` of None: read receipts, tap answers)."""
        ...

    async def mark_sent_next(
        self,
        row: OutboxRow,
        platform_id: str | None,
        now: float,
        skip: Sequence[int] = (),
        lease: tuple[str, str] | None = None,
    ) -> tuple[int, OutboxRow | None]:
        """perf: ``mark_sent``, then the lane's ``next_outgoing`` (leaving out ``row`` and
        ``skip``), in one trip. ``lease`` (key, owner): given back in it too when nothing
        of the lane is pending any more (then the next row is None)."""
        ...

    async def mark_retry(self, outbox_id: int, not_before: float, error: str) -> None: ...

    async def mark_progress(self, outbox_id: int, pieces: int) -> None:
        """``pieces`` of the row's message have gone out (secwire: resume, never repeat)."""
        ...

    async def mark_failed(self, outbox_id: int, error: str, now: float) -> None: ...
    async def outbox_depth(self) -> int: ...

    async def record_status(
        self, platform_id: str, status: str, now: float, error: str | None = None
    ) -> bool:
        """A delivery receipt for a sent message (WhatsApp ``statuses``)."""
        ...


class ShopReach(Protocol):
    """Messages the shop starts: whether and how they can reach a buyer, and the ones held
    until the buyer writes again. A committed turn with a ``contact`` (the buyer wrote)
    releases the chat's held rows and clears ``unreachable``."""

    async def reach(self, chat_key: str) -> Reach:
        """The buyer's window, reachability and opt-out, read in one trip."""
        ...

    async def mark_reach(
        self, chat_key: str, now: float, *, window_closed: bool = False, unreachable: bool = False
    ) -> bool:
        """Record that the platform refused a message: the 24-hour window is closed, or
        the buyer blocked the bot. True when ``unreachable`` is news (tell the seller once)."""
        ...

    async def hold_outgoing(self, outbox_id: int, reason: str) -> None:
        """Keep the row, unsent, until the buyer writes (status ``held``)."""
        ...

    async def release_held(self, lane: str) -> int:
        """The lane's held rows are pending again, in their order; how many."""
        ...

    async def resend_refused(self, platform_id: str, now: float) -> str | None:
        """The platform reported later that a sent message was refused because the
        window was closed (a ``failed`` status with 131047): the window is marked closed
        and, if it was a message the shop started, its row is pending again (it then goes
        as the template or is held). The lane to kick, or None."""
        ...

    async def reopen_sent(self, platform_id: str, not_before: float) -> OutboxRow | None:
        """The platform took a sent message, then reported it refused for a limit (a
        ``failed`` status naming one): its row is pending again, not before
        ``not_before``, with the pieces already sent still counted. The row (as it was
        sent: its attempts so far), or None when no sent row has that id (an earlier
        piece's id, a report seen before)."""
        ...

    async def sent_this_month(self, channel: str, now: float) -> int:
        """Messages sent on ``channel`` in ``now``'s month (UTC)."""
        ...


class Timers(Protocol):
    """Durable per-chat timers. A due timer becomes an inbound ``tick`` event of its chat
    (payload ``{"type": "tick", "kind", "data", "due_at"}``) in the same transaction that
    removes it, so it fires once even when several processes share the store."""

    async def set_timer(
        self, chat_key: str, kind: str, due_at: float, data: Mapping[str, Any], now: float
    ) -> None: ...

    async def cancel_timer(self, chat_key: str, kind: str) -> None: ...

    async def fire_due_timers(self, now: float, limit: int = 100) -> list[str]:
        """Turn timers due by ``now`` into tick events; the chats that got one."""
        ...

    async def next_timer_at(self) -> float | None:
        """When the earliest timer is due (None: none set)."""
        ...

    async def timers_of(self, chat_key: str) -> list[TimerRow]: ...


class ReadModel(Protocol):
    """What sellers read: contacts, transcripts, the inbox list."""

    async def contact(self, chat_key: str) -> Contact | None: ...
    async def history(self, chat_key: str, limit: int = 20) -> list[dict[str, Any]]: ...

    async def recent_histories(
        self, chat_keys: Sequence[str], limit: int
    ) -> dict[str, list[dict[str, Any]]]:
        """``history(chat_key, limit)`` of several chats in one read (the inbox list)."""
        ...

    async def messages_after(
        self, chat_key: str, after_id: int, direction: str = "out"
    ) -> list[dict[str, Any]]:
        """Messages of a chat after ``after_id``: ``id``, ``kind``, ``text``, ``at`` and
        the outbox ``payload`` (a command's JSON) they were sent from, or None. Outgoing
        ones only as the buyer got them: sent to the chat itself, never the seller group's
        posts about the chat (those are in ``history``)."""
        ...

    async def activity(self, since: float, until: float) -> list[dict[str, Any]]:
        """Buyers' messages received in ``[since, until)``, oldest first: ``chat_key``,
        ``channel``, ``at``, ``action`` (what the bot did) and ``text``."""
        ...

    async def handoffs(self, chat_key: str | None = None) -> list[dict[str, Any]]: ...

    async def contact_rows(self) -> list[dict[str, Any]]:
        """Every contact with tags, notes and its number of handoffs (the contact book)."""
        ...

    async def annotate(self, chat_key: str, tags: str | None, notes: str | None) -> bool: ...

    async def inbox_chats(
        self, limit: int = 200, chat_key: str | None = None, search: str | None = None
    ) -> list[dict[str, Any]]:
        """Chats for the web inbox: handed-off first, then by last activity; with unread
        counts since a seller last looked (``chat_key``: just that chat; ``search``: buyers
        whose name, username, phone, id or tags hold it)."""
        ...

    async def mark_seen(self, chat_key: str, now: float) -> None: ...


class SellerLinks(Protocol):
    """Seller-chat forum topics and posts that stand for a buyer."""

    async def link(self, seller_chat: str, kind: str, ref: str, chat_key: str) -> None: ...
    async def linked_chat(self, seller_chat: str, kind: str, ref: str) -> str | None: ...
    async def topic_of(self, seller_chat: str, chat_key: str) -> str | None: ...


class Sessions(Protocol):
    """Secrets made once (signing keys) and sellers' inbox sessions, revocable."""

    async def secret(self, name: str, make: Callable[[], str]) -> str:
        """The secret called ``name``; made with ``make`` and kept the first time, so every
        process sharing the store gets the same one."""
        ...

    async def create_session(
        self, token_hash: str, seller: str, now: float, expires_at: float
    ) -> None: ...

    async def session(self, token_hash: str, now: float) -> dict[str, Any] | None:
        """``seller``, ``created_at``, ``expires_at``; None when unknown, expired or revoked."""
        ...

    async def revoke_session(self, token_hash: str) -> None: ...

    async def revoke_all_sessions(self) -> int:
        """Log every seller out (a password change); how many sessions there were."""
        ...


class Marks(Protocol):
    """One-off steps done once per store (an upgrade), by name."""

    async def marked(self, name: str) -> bool:
        """Whether the one-off step ``name`` is done."""
        ...

    async def mark(self, name: str, now: float) -> None:
        """Record the one-off step ``name`` as done (marking it twice keeps the first)."""
        ...


class Retention(Protocol):
    """Forgetting what is no longer needed."""

    async def purge(self, before: float) -> int:
        """Delete transcripts, processed inbound events, sent or failed outbox rows, expired
        sessions and leases, and web-chat visitors (contact, chat, timers) older than
        ``before``; contacts of real channels stay. How many rows went."""
        ...


# -- lessons (issue 12) --------------------------------------------------------------------


class Lessons(Protocol):
    """What the bot learned from its misses (masked, keyed by an opaque buyer hash) and the
    FAQ suggestions sellers turned down. Lessons are written with their turn
    (``Turn.lessons``)."""

    async def lessons(self, since: float | None = None) -> list[dict[str, Any]]:
        """Stored lessons (``faq.lessons.to_dict`` shape), oldest first."""
        ...

    async def dismiss_suggestion(self, suggestion_id: str, who: str, now: float) -> None:
        """Never suggest ``suggestion_id`` again (a second dismissal keeps the first)."""
        ...

    async def dismissed_suggestions(self) -> dict[str, dict[str, Any]]:
        """Dismissed suggestion ids, each with ``who`` and ``at``."""
        ...


class Store(
    Lessons,
    InboundLog,
    Leases,
    Conversations,
    OutboxQueue,
    ShopReach,
    Timers,
    ReadModel,
    SellerLinks,
    Sessions,
    Marks,
    Retention,
    Protocol,
):
    """Durable state behind the gateway: all concerns over one database.

    Per-chat serialisation: a worker holds the chat's lease (``claim``) while it processes
    that chat, so two processes sharing one store never work on the same chat at once.
    """

    async def open(self) -> None: ...
    async def close(self) -> None: ...

    async def ping(self) -> bool:
        """Whether the database answers and can be written."""
        ...
