"""The learning loop at run time: lessons from turns, suggestions to accept or dismiss, the
seller chat's /saran and its weekly note (issue 12)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, Protocol

from bot.commands import AckTap, Say, queued
from bot.events import SellerEvent, TimerEvent
from bot.faqsource import FaqSource
from bot.seller import SARAN, SellerChat, saran_done, saran_list
from bot.store.base import InboundRow, Lessons, Outgoing, Sessions, TimerChange, Timers, Turn
from faq.impact import SideEffect, known_answers, side_effects
from faq.lessons import Lesson, LessonFormatError, buyer_key, from_dict, to_dict
from faq.model import Faq
from faq.pairs import Pair, confused_pairs
from faq.suggest import NewEntry, Suggestion, suggest
from faq.writer import FaqWriteError, WriteResult, apply
from flows.learning import Pending, observe, observe_seller, weekly_note
from flows.messages import BuyerMessage, Outcome
from flows.state import Conversation, Stage

WEEKLY = "learning_weekly"  # the seller lane's timer kind for the weekly note
WEEKDAY, HOUR = 0, 9  # Monday 09:00, shop time
SARAN_SHOWN = 3  # suggestions under one /saran
IMPACT_CHECKED = 5  # suggestions of the inbox page whose side effects are worked out (~50 ms each)
SALT = "lessons_salt"
# a suggestion, and what accepting it would undo (None: not worked out)
Reviewed = tuple[Suggestion, tuple[SideEffect, ...] | None]


class SuggestionGone(FaqWriteError):
    """The suggestion is not there any more: accepted, dismissed, or answered by now."""


class LearningStore(Lessons, Sessions, Timers, Protocol):
    """Lessons and dismissals, the salt that keys buyers, the weekly timer."""


class Learning:
    """Records what each turn teaches and acts on sellers' choices."""

    def __init__(
        self,
        store: LearningStore,
        faq: FaqSource,
        seller: SellerChat,
        zone: tzinfo,
    ) -> None:
        self.store = store
        self.faq = faq
        self.seller = seller
        self.zone = zone
        self._salt: str | None = None
        self._write_lock = asyncio.Lock()

    # recording ---------------------------------------------------------------------------
    async def buyer(self, chat_key: str) -> str:
        """The buyer's opaque key (a per-shop salt kept in the store, shared by workers)."""
        if self._salt is None:
            self._salt = await self.store.secret(SALT, lambda: secrets.token_hex(16))
        return buyer_key(chat_key, self._salt)

    def buyer_turn(
        self,
        before: Conversation,
        after: Conversation,
        message: BuyerMessage,
        outcome: Outcome | None,
        now: float,
        buyer: str,
    ) -> tuple[Conversation, list[dict[str, Any]]]:
        """What a buyer's turn taught, and the chat with its new pending question. Not
        while a seller owns the chat (the seller's reply is the lesson then)."""
        if outcome is None or before.stage is Stage.HANDED_OFF:
            return after, []
        pending = Pending.from_dict(before.learning)
        pending, lessons = observe(pending, message, outcome, now, buyer)
        return _with(after, pending), [to_dict(m) for m in lessons]

    def seller_turn(
        self, conv: Conversation, text: str, now: float, buyer: str
    ) -> tuple[Conversation, list[dict[str, Any]]]:
        """A seller's first reply in a handoff: the answer to the pending question."""
        faq = self.faq.faq
        if faq is None:
            return conv, []
        pending = Pending.from_dict(conv.learning)
        pending, lessons = observe_seller(pending, text, faq, now, buyer)
        return _with(conv, pending), [to_dict(m) for m in lessons]

    # suggestions -------------------------------------------------------------------------
    async def lessons(self, since: float | None = None) -> list[Lesson]:
        found = []
        for data in await self.store.lessons(since):
            try:
                found.append(from_dict(data))
            except LessonFormatError:
                continue  # written by a newer version: skipped, not fatal
        return found

    async def suggestions(self, since: float | None = None) -> list[Suggestion]:
        faq = self.faq.faq
        if faq is None:
            return []
        dismissed = await self.store.dismissed_suggestions()
        lessons = await self.lessons(since)
        # off the event loop: grouping a few thousand lessons takes ~0.4 s
        return await asyncio.to_thread(suggest, lessons, faq, dismissed, since)

    async def reviewed(self, checked: int, addable: bool = False) -> list[Reviewed]:
        """The suggestions (only those one tap can accept when ``addable``), the first
        ``checked`` with what accepting each would undo, as `japri faq suggest` works it
        out; None for the others (not worked out: ~50 ms a suggestion, off the event loop)."""
        faq = self.faq.faq
        if faq is None:
            return []
        dismissed = await self.store.dismissed_suggestions()
        lessons = await self.lessons()
        return await _review(faq, lessons, dismissed, checked, addable)

    async def saran_page(self, checked: int) -> tuple[list[Reviewed], list[Pair]]:
        """What the inbox's Saran FAQ page shows, from one read of the lessons: the
        suggestions as ``reviewed`` gives them, and the pairs of entries buyers keep
        choosing between (``faq.pairs``)."""
        faq = self.faq.faq
        if faq is None:
            return [], []
        dismissed = await self.store.dismissed_suggestions()
        lessons = await self.lessons()
        shown = await _review(faq, lessons, dismissed, checked, addable=False)
        pairs = await asyncio.to_thread(confused_pairs, lessons, faq, dismissed)
        return shown, pairs

    async def find(self, suggestion_id: str) -> Suggestion | None:
        return next((s for s in await self.suggestions() if s.id == suggestion_id), None)

    async def accept(
        self,
        suggestion_id: str,
        now: float,
        text: str | None = None,
        answer: str | None = None,
    ) -> WriteResult:
        """Write the suggestion into the FAQ file and make it live in this process at once
        (other processes' watchers reload it within a second).

        Raises:
            FaqWriteError: no such suggestion (any more), or the writer refused the edit.
        """
        chosen = await self.find(suggestion_id)
        if chosen is None:
            raise SuggestionGone("this suggestion is no longer there (accepted or dismissed?)")
        async with self._write_lock:
            result = await asyncio.to_thread(
                apply,
                chosen,
                self.faq.path,
                now=now,
                text=text or None,
                answer=answer,
                thresholds=self.faq.thresholds,
            )
            await asyncio.to_thread(self.faq.load)
        return result

    async def dismiss(self, suggestion_id: str, who: str, now: float) -> None:
        await self.store.dismiss_suggestion(suggestion_id, who, now)

    # the seller chat -----------------------------------------------------------------------
    async def seller_command(self, row: InboundRow, event: SellerEvent, now: float) -> Turn:
        """/saran, and its Add / Skip buttons (``saran:add:<id>``, ``saran:skip:<id>``)."""
        lane = self.seller.lane or row.chat_key
        outgoing: list[Outgoing] = []
        if event.tap_id:
            outgoing.append(queued(lane, AckTap(event.tap_id)))
        action, _, suggestion_id = (event.about or "").partition(":")
        lang = self.seller.language
        if action == "add" and suggestion_id:
            try:
                result = await self.accept(suggestion_id, now)
                said = saran_done(lang, "added", result.entry_id or "")
            except SuggestionGone:
                said = saran_done(lang, "gone", "")
            except FaqWriteError as exc:
                said = saran_done(lang, "refused", str(exc))
            outgoing.append(queued(lane, Say(said)))
        elif action == "skip" and suggestion_id:
            await self.dismiss(suggestion_id, event.seller_name or "seller", now)
            outgoing.append(queued(lane, Say(saran_done(lang, "skipped", ""))))
        else:
            shown = (await self.reviewed(SARAN_SHOWN, addable=True))[:SARAN_SHOWN]
            effects = {s.id: e for s, e in shown if e}
            outgoing.append(queued(lane, saran_list(lang, [s for s, _ in shown], effects)))
        return Turn(row.id, row.chat_key, None, outgoing=outgoing)

    def next_note_at(self, now: float) -> float:
        """The next weekly slot (Monday 09:00 shop time) after ``now``: every process
        computes the same one, so arming it twice sets one timer."""
        local = datetime.fromtimestamp(now, self.zone)
        slot = local.replace(hour=HOUR, minute=0, second=0, microsecond=0)
        slot += timedelta(days=(WEEKDAY - slot.weekday()) % 7)
        if slot.timestamp() <= now:
            slot += timedelta(days=7)
        return slot.timestamp()

    async def arm(self, now: float) -> None:
        """At start: make sure the weekly note's timer is set (once per shop)."""
        lane = self.seller.lane
        if lane is None:
            return
        if not any(t.kind == WEEKLY for t in await self.store.timers_of(lane)):
            await self.store.set_timer(lane, WEEKLY, self.next_note_at(now), {}, now)

    async def weekly(self, row: InboundRow, event: TimerEvent, now: float) -> Turn:
        """The weekly note (when the week left something to learn), and the next one armed."""
        faq = self.faq.faq
        outgoing: list[Outgoing] = []
        if faq is not None and self.seller.lane is not None:
            dismissed = await self.store.dismissed_suggestions()
            week = await self.lessons(now - 7 * 86400.0)
            note = await asyncio.to_thread(
                weekly_note, week, faq, now, self.seller.language, dismissed
            )
            if note is not None:
                outgoing.append(queued(self.seller.lane, Say(note)))
        timer = TimerChange(WEEKLY, self.next_note_at(now))
        return Turn(row.id, row.chat_key, None, outgoing=outgoing, timers=[timer])


async def _review(
    faq: Faq, lessons: list[Lesson], dismissed: Mapping[str, Any], checked: int, addable: bool
) -> list[Reviewed]:
    found = await asyncio.to_thread(suggest, lessons, faq, dismissed)
    if addable:
        found = _addable(found)
    effects = await asyncio.to_thread(impacts, found[:checked], faq, lessons)
    unchecked: list[tuple[SideEffect, ...] | None] = [None] * (len(found) - len(effects))
    return list(zip(found, [*effects, *unchecked], strict=True))


def _with(conv: Conversation, pending: Pending | None) -> Conversation:
    return conv.evolve(learning=pending.to_dict() if pending is not None else {})


def impacts(
    shown: Sequence[Suggestion], faq: Faq, lessons: Sequence[Lesson]
) -> list[tuple[SideEffect, ...]]:
    """What accepting each of ``shown`` would undo (the known answers worked out once)."""
    if not shown:
        return []
    known = known_answers(lessons, faq)
    return [side_effects(s, faq, known=known) for s in shown]


def _addable(found: Sequence[Suggestion]) -> list[Suggestion]:
    """What one tap can accept: a new entry needs an answer (the inbox writes one)."""
    return [s for s in found if not (isinstance(s, NewEntry) and not s.draft_answer)]


def is_saran(event: SellerEvent) -> bool:
    return event.command == SARAN
