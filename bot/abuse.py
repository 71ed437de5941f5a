"""What a stranger may do through the web chat: messages a minute, new sessions and
handoffs an hour per client address, name and text lengths, and the seller chat's order
(real-channel buyers first) so a web-chat flood cannot bury a paying customer."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.settings import WebchatSettings

MINUTE = 60.0
HOUR = 3600.0
TRACKED = 100_000  # keys kept per window before idle ones are dropped

# Seller-chat priority of an outgoing post (lower goes first): buyers who came through a
# platform that vouches for them (a Telegram account, a WhatsApp number) before anonymous
# web-chat visitors, whom anyone can open by the thousand.
PRIORITY_REAL = 0
PRIORITY_WEB = 1


def seller_priority(about: str | None) -> int:
    """The priority of a seller-chat post about buyer ``about`` (a chat key); posts about
    no buyer (the seller's own commands) count as real."""
    return PRIORITY_WEB if about and about.startswith("web:") else PRIORITY_REAL


@dataclass(frozen=True)
class Verdict:
    """Whether a web-chat message is taken; if not, why and when to try again."""

    ok: bool
    reason: str = ""
    retry_after: float = 0.0


ALLOWED = Verdict(ok=True)


class Window:
    """At most ``limit`` events per key in any ``span`` seconds (a sliding window kept as
    the last ``limit`` timestamps per key)."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span = limit, span
        self._hits: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may act again (0: now)."""
        hits = self._hits.get(key)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return max(0.0, hits[0] + self.span - now)

    def hit(self, key: str, now: float) -> None:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= TRACKED:
                self._forget(now)
            hits = self._hits[key] = deque(maxlen=self.limit)
        hits.append(now)

    def clear(self, key: str) -> None:
        """Forget ``key``'s events (e.g. a login that succeeded)."""
        self._hits.pop(key, None)

    def _forget(self, now: float) -> None:
        self._hits = {k: v for k, v in self._hits.items() if v and v[-1] + self.span > now}


class WebChatGuard:
    """Per-process limits for the web chat (each worker keeps its own counts: with N
    workers an address gets at most N times the limits, still far from a flood).

    ``admit`` is called by ``POST /chat/messages`` before anything is stored;
    ``note_handoff`` by the runtime when a web-chat buyer is handed to the sellers;
    ``may_notify`` tells it whether that buyer's address still may reach the seller chat.
    """

    def __init__(
        self, settings: WebchatSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._per_session = Window(settings.messages_per_minute, MINUTE)
        self._per_address = Window(settings.address_messages_per_minute, MINUTE)
        self._new_sessions = Window(settings.sessions_per_hour, HOUR)
        self._handoffs = Window(settings.handoffs_per_hour, HOUR)
        self._all_new = Window(settings.sessions_per_minute_total, MINUTE)
        self._owner: dict[str, tuple[str, float]] = {}  # session -> (address, last seen)

    def admit(self, address: str, session: str) -> Verdict:
        """Count one message from ``address`` in ``session``, or say why not."""
        now = self.clock()
        known = session in self._owner
        checks = [
            (self._per_session, session, "messages"),
            (self._per_address, address, "messages"),
        ]
        if not known:
            checks.append((self._new_sessions, address, "sessions"))
            checks.append((self._handoffs, address, "handoffs"))  # used up: no new chats
            checks.append((self._all_new, "*", "sessions"))  # a botnet: many addresses
        for window, key, reason in checks:
            wait = window.wait(key, now)
            if wait > 0:
                return Verdict(False, reason, wait)
        self._per_session.hit(session, now)
        self._per_address.hit(address, now)
        if not known:
            self._new_sessions.hit(address, now)
            self._all_new.hit("*", now)
            if len(self._owner) >= TRACKED:
                self._owner = {s: v for s, v in self._owner.items() if v[1] + HOUR > now}
        self._owner[session] = (address, now)
        return ALLOWED

    def note_handoff(self, chat_key: str) -> None:
        """A web-chat buyer was handed to the sellers: counts against its address."""
        owner = self._owner.get(chat_key.removeprefix("web:"))
        if owner is not None:
            self._handoffs.hit(owner[0], self.clock())

    def may_notify(self, chat_key: str) -> bool:
        """Whether a web-chat buyer's handoff may still post to the seller chat (its
        address has handoffs left this hour); when not, it shows in the inbox only."""
        owner = self._owner.get(chat_key.removeprefix("web:"))
        return owner is None or self._handoffs.wait(owner[0], self.clock()) == 0

    def clean(self, data: dict[str, Any]) -> dict[str, Any]:
        """The page's post with the buyer's name and text cut to their caps: a name is
        repeated in every seller-chat post, so a long one multiplies into many."""
        s = self.settings
        cleaned = dict(data)
        for key, cap in (("name", s.name_chars), ("text", s.text_chars), ("choice", 200)):
            value = cleaned.get(key)
            if value is None:
                continue
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise ValueError(f"{key} must be text")
            text = str(value)
            if key == "name":
                text = " ".join(text.split())  # no line breaks posing as seller-chat lines
            cleaned[key] = text[:cap]
        return cleaned
