"""The per-chat conversation state: a small, versioned, serialisable value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Self

from flows.messages import OrderView

VERSION = 2
READABLE = (1, 2)  # versions from_dict understands (2 added the flow slot)


class Stage(StrEnum):
    NEW = "new"  # nothing said yet: the next reply greets
    BOT = "bot"  # the bot answers
    HANDED_OFF = "handed_off"  # a seller owns the chat; the bot stays silent


@dataclass(frozen=True, slots=True)
class Conversation:
    """Everything the engine remembers about one chat between two messages."""

    stage: Stage = Stage.NEW
    language: str | None = None  # sticky once guessed: id | ms | en
    options: tuple[str, ...] = ()  # FAQ ids offered by the last clarifying question
    follow_up_of: str | None = None  # FAQ id whose follow-up question was just asked
    fallbacks: int = 0  # fallbacks in a row
    handoff_reason: str | None = None
    handed_off_at: float | None = None  # epoch seconds
    last_message_at: float | None = None
    turns: int = 0
    seller: str | None = None  # who took the handed-off chat
    seller_answered_at: float | None = None  # the first seller answer of this handoff
    seller_last_at: float | None = None  # the latest seller activity
    reminded: bool = False  # the "still waiting" reminder went out
    told_hours: bool = False  # the buyer heard when the shop opens during this handoff
    flow: str | None = None  # the flow a multi-turn exchange is in (e.g. an order form)
    flow_state: Mapping[str, Any] = field(default_factory=dict)  # that flow's own JSON
    orders: tuple[OrderView, ...] = ()  # the buyer's orders, newest first: the caller
    # reads them from the order record before each step; they are not stored here
    opted_out: bool = False  # the buyer asked for no more messages the shop starts
    feedback_asked_at: float | None = None  # the last feedback request (once per 30 days)
    case_open: str | None = None  # a complaint or return is being handled ("return", ...)
    learning: Mapping[str, Any] = field(default_factory=dict)  # flows.learning.Pending

    def evolve(self, **changes: Any) -> Self:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        # perf: field by field (``asdict`` deep-copies the orders only to drop them)
        data = {name: getattr(self, name) for name in _STORED}
        data["stage"] = self.stage.value
        data["options"] = list(self.options)
        data["flow_state"] = dict(self.flow_state)
        data["learning"] = dict(self.learning)
        data["version"] = VERSION
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Conversation:
        """Rebuild a stored conversation; unknown or newer data starts a clean chat state
        but keeps what can be trusted (stage and language)."""
        if not data:
            return cls()
        try:
            stage = Stage(data.get("stage", Stage.NEW))
        except ValueError:
            stage = Stage.BOT
        if data.get("version") not in READABLE:
            return cls(stage=stage, language=_opt_str(data.get("language")))
        return cls(
            stage=stage,
            language=_opt_str(data.get("language")),
            options=tuple(str(o) for o in data.get("options") or ()),
            follow_up_of=_opt_str(data.get("follow_up_of")),
            fallbacks=int(data.get("fallbacks") or 0),
            handoff_reason=_opt_str(data.get("handoff_reason")),
            handed_off_at=_opt_float(data.get("handed_off_at")),
            last_message_at=_opt_float(data.get("last_message_at")),
            turns=int(data.get("turns") or 0),
            seller=_opt_str(data.get("seller")),
            seller_answered_at=_opt_float(data.get("seller_answered_at")),
            seller_last_at=_opt_float(data.get("seller_last_at")),
            reminded=bool(data.get("reminded")),
            told_hours=bool(data.get("told_hours")),
            flow=_opt_str(data.get("flow")),
            flow_state=_mapping(data.get("flow_state")),
            opted_out=bool(data.get("opted_out")),
            feedback_asked_at=_opt_float(data.get("feedback_asked_at")),
            case_open=_opt_str(data.get("case_open")),
            learning=_mapping(data.get("learning")),
        )


# what to_dict stores: every field but the orders (read from the order record before
# every step, never stored)
_STORED = tuple(f.name for f in fields(Conversation) if f.name != "orders")


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _mapping(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}
