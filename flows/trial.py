"""What the bot would do with one message in a new chat: the verdict of `japri faq try`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from faq.model import Faq
from flows.faq import decide, respond
from flows.language import choose_language
from flows.messages import BuyerMessage, Say
from flows.policy import Policy
from flows.state import Conversation

_CONTRACT_ACTION = {
    "answer": "answer",
    "clarify": "clarify",
    "handoff": "handoff",
    "fallback": "fallback",
    "small_talk": "small_talk",  # a greeting, thanks or "ok": a friendly reply, no answer
    "media": "fallback",
    "forward": "handoff",
}


@dataclass(frozen=True)
class Trial:
    query: str
    action: str
    faq_id: str | None
    options: list[str] = field(default_factory=list)
    score: float = 0.0
    reply: str = ""
    # Why, for the seller (beyond the contract's fields): the rule that decided, whether
    # the answer was hedged (the only real candidate, with a "not this" button), the
    # signals that fired, and the nearest entries with their scores.
    why: str = ""
    hedged: bool = False
    signals: list[str] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def try_message(text: str, faq: Faq, policy: Policy, now: datetime | None = None) -> Trial:
    """Judge ``text`` as the first message of a new chat would be judged; with ``now``
    (the shop's local time) the reply is worded as the live bot would word it then
    (e.g. outside opening hours)."""
    message = BuyerMessage(text)
    conv = Conversation(language=choose_language(None, text, None, policy.language))
    decision = decide(conv, message, faq)
    _, actions = respond(conv, message, decision, policy, now)
    reply = "\n\n".join(a.text for a in actions if isinstance(a, Say))
    return Trial(
        query=text,
        action=_CONTRACT_ACTION[decision.verdict],
        faq_id=decision.entry.id if decision.entry else None,
        # what the buyer is offered to tap: the choices, or the topics of a fallback
        options=[e.id for e in decision.options]
        if decision.verdict in ("clarify", "fallback")
        else [],
        score=round(decision.score, 4),
        reply=reply,
        why=decision.why,
        hedged=decision.hedged,
        signals=list(decision.signals),
        candidates=[
            {"id": c.entry_id, "score": c.score, "evidence": sorted(c.evidence)}
            for c in decision.nearest
        ],
    )
