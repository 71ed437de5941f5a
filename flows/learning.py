"""Which lessons a chat's turns teach: a pure observer the runtime calls beside ``step``.

The runtime keeps one ``Pending`` per chat (the last question the bot could not settle,
masked; ``to_dict``/``from_dict`` for the store) and calls:

- ``observe(pending, message, outcome, now)`` for each buyer message the bot judged (not
  while a seller owns the chat), with the ``Outcome`` that ``step`` reported for it: what
  the bot did, in the engine's own words (a second miss in a row is a handoff for
  ``not_understood``; a tap on "not this" is the message's ``choice``);
- ``observe_seller(pending, text, faq, now)`` when a seller writes to a handed-off buyer.

Each returns the new pending value and the lessons to record (``faq.lessons``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from faq.lessons import (
    AskedForPerson,
    Clarified,
    Corrected,
    Fallback,
    HandedOff,
    How,
    Lesson,
    mask,
)
from faq.model import Faq
from faq.normalize import fold, normalize
from faq.suggest import AddHandoffWord, resembling, suggest
from flows.messages import HUMAN_OPTION, NOT_THIS, BuyerMessage, Outcome
from flows.signals import option_by_position

# "handoff": the bot did not know, so the seller's reply teaches the FAQ; "handoff_other"
# (an order, a complaint): only a reply that repeats an FAQ answer does.
PendingKind = Literal["clarify", "fallback", "answer", "handoff", "handoff_other"]
_KINDS: tuple[PendingKind, ...] = ("clarify", "fallback", "answer", "handoff", "handoff_other")
_UNKNOWN_REASONS = frozenset({"human", "follow_up"})
# "bukan ini" after an answer: the buyer turns it down (whole message, folded).
_TURNED_DOWN = re.compile(
    r"^(bukan|bkn|bukan itu|bukan ini|bukan yang (itu|ini)|bukan yg (itu|ini|tu|ni)|"
    r"bukan (tu|ni)|bukan itu maksud(nya|ku|saya)?|bukan begitu|salah|"
    r"not this|not that|that s not it|not what i (asked|meant)|wrong answer)"
    r"( (kak|sis|min|ya|lah|dong|kok))*$"
)


@dataclass(frozen=True, slots=True)
class Pending:
    """The chat's last unsettled question: what the bot did with it, and when."""

    kind: PendingKind
    text: str
    at: float
    options: tuple[str, ...] = ()  # offered: a clarify's choices, a fallback's topics
    entry_id: str | None = None  # given, for an answer

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", mask(self.text))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "at": self.at,
            "options": list(self.options),
            "entry_id": self.entry_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Pending | None:
        """A stored value, or None when there is none or it cannot be trusted."""
        if not data or data.get("kind") not in _KINDS or not isinstance(data.get("text"), str):
            return None
        entry = data.get("entry_id")
        return cls(
            data["kind"],
            data["text"],
            float(data.get("at") or 0.0),
            tuple(str(o) for o in data.get("options") or ()),
            str(entry) if entry is not None else None,
        )


def observe(
    pending: Pending | None,
    message: BuyerMessage,
    outcome: Outcome,
    now: float,
    buyer: str | None = None,
) -> tuple[Pending | None, list[Lesson]]:
    """The lessons of one buyer message (judged as ``outcome`` says), and what stays
    pending after it."""
    lessons: list[Lesson] = []
    question = message.text
    picked = _picked(pending, message, outcome)
    if pending is not None and picked is not None:
        how = _how(message, len(pending.options))
        lessons.append(Clarified(pending.text, pending.options, picked, how, now, buyer))
        question = pending.text  # the answer now given is to the question asked before
    elif pending is not None and pending.kind == "answer" and _turned_down(message):
        assert pending.entry_id is not None  # noqa: S101 - answers always name their entry
        lessons.append(Corrected(pending.text, pending.entry_id, None, now, buyer))
        # the other candidates are offered now: a pick among them is learned as one
        return Pending("fallback", pending.text, now, outcome.options), lessons
    action = outcome.action
    missed = action == "fallback" or (action == "handoff" and outcome.reason == "not_understood")
    if missed and not question.strip():
        return None, lessons  # a bare tap asks nothing
    if missed and action == "fallback":  # the nearest topics are offered as buttons
        lessons.append(Fallback(question, now, buyer))
        return Pending("fallback", question, now, outcome.options), lessons
    if missed:  # a second miss in a row hands off: the seller's reply is the lesson
        lessons.append(Fallback(question, now, buyer))
        return Pending("handoff", question, now), lessons
    if action == "clarify":
        return Pending("clarify", question, now, outcome.options), lessons
    if action == "answer" and outcome.faq_id is not None:
        return Pending("answer", question, now, entry_id=outcome.faq_id), lessons
    if action == "handoff" and outcome.reason in _UNKNOWN_REASONS:
        asked_before = pending is not None and pending.kind in ("fallback", "clarify")
        if asked_before and outcome.reason == "human":
            assert pending is not None  # noqa: S101 - checked just above
            lessons.append(AskedForPerson(pending.text, now, buyer))
            question = pending.text  # the seller will answer the question, not "admin"
        elif not message.text.strip() or message.choice == HUMAN_OPTION:
            return None, lessons
        return Pending("handoff", question, now), lessons
    if action == "handoff" and message.text.strip():
        return Pending("handoff_other", question, now), lessons
    return None, lessons


def observe_seller(
    pending: Pending | None, text: str, faq: Faq, now: float, buyer: str | None = None
) -> tuple[Pending | None, list[Lesson]]:
    """A seller's first reply to a question the bot could not answer is a lesson; to an
    order or a complaint, only when it repeats an FAQ answer (the bot handed off an FAQ
    question)."""
    if pending is None or pending.kind not in ("handoff", "handoff_other") or not text.strip():
        return pending, []
    resembles = resembling(text, faq)
    if pending.kind == "handoff_other" and resembles is None:
        return None, []
    return None, [HandedOff(pending.text, text, resembles, now, buyer)]


def _picked(pending: Pending | None, message: BuyerMessage, outcome: Outcome) -> str | None:
    """The entry the buyer chose among those offered: the choices of "which one?" (tapped,
    numbered or named), or a topic button shown when the bot did not understand. A pick
    of a ``handoff: true`` entry teaches as much as one the bot answers: next time that
    wording goes to a seller at once."""
    if pending is None or outcome.action not in ("answer", "handoff"):
        return None
    if pending.kind == "fallback" and message.choice is None:
        return None  # typed after a miss: a new question, more likely than a pick
    if pending.kind not in ("clarify", "fallback"):
        return None
    return outcome.faq_id if outcome.faq_id in pending.options else None


def _how(message: BuyerMessage, count: int) -> How:
    if message.choice is not None:
        return "tap"
    if option_by_position(normalize(message.text).words, count) is not None:
        return "number"
    return "words"


def _turned_down(message: BuyerMessage) -> bool:
    """The "not this" button, or the buyer's words for it."""
    return message.choice == NOT_THIS or bool(_TURNED_DOWN.match(fold(message.text)))


WEEK = 7 * 86400.0
NOTE = {
    "id": "{count} pertanyaan minggu ini belum terjawab — /saran",
    "ms": "{count} soalan minggu ini belum dijawab — /saran",
    "en": "{count} questions went unanswered this week — /saran",
}


def weekly_note(
    lessons: Iterable[Lesson],
    faq: Faq,
    now: float,
    language: str = "id",
    dismissed: Iterable[str] = (),
) -> str | None:
    """The seller's weekly nudge, or None when the week left nothing to learn."""
    found = suggest(lessons, faq, dismissed, since=now - WEEK)
    count = sum(not isinstance(s, AddHandoffWord) for s in found)
    if not count:
        return None
    return NOTE.get(language, NOTE["id"]).format(count=count)
