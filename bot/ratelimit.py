"""Token buckets: how many messages a platform lets us send, overall and per chat."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` tokens a second, up to ``capacity`` saved for a burst; rate 0 = no limit."""

    __slots__ = ("_clock", "_stamp", "_tokens", "capacity", "rate")

    def __init__(
        self, rate: float, capacity: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self._clock = clock
        self._tokens = self.capacity
        self._stamp = clock()

    def take(self) -> float:
        """Take a token; return how long to wait before using it (0: go now)."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


# What each platform documents as its overall rate: the pace a channel without a cap of
# its own falls back to for a while after the platform answered "too many requests".
PLATFORM_RATES = {"telegram": 30.0, "whatsapp": 80.0}
THROTTLED_FOR = 60.0  # seconds of documented pace after the last refusal


class Limits:
    """Per-channel overall buckets plus per-chat buckets (kept for active chats only).

    ``overall`` is messages a second per channel; 0 means no cap of our own until the
    platform refuses one for going too fast (``throttled``): then the channel keeps to the
    platform's documented rate (``PLATFORM_RATES``) for a minute. ``per_chat`` and
    ``per_group`` are ``(messages a second, burst)`` per channel; a group chat (a Telegram
    chat id below zero: the seller group) gets the group pace when one is given, as
    Telegram allows a bot only ~20 messages a minute in one group.
    """

    def __init__(
        self,
        overall: dict[str, float],
        per_chat: dict[str, tuple[float, float]],
        clock: Callable[[], float] = time.monotonic,
        per_group: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self._clock = clock
        # a cap of the shop's own, else (for a while after a refusal) the platform's
        self._overall = {
            ch: TokenBucket(rate, rate, clock) for ch, rate in overall.items() if rate > 0
        }
        self._fallback = {
            ch: TokenBucket(rate, rate, clock) for ch, rate in PLATFORM_RATES.items()
        }
        self._throttled_until: dict[str, float] = {}
        self._per_chat_spec = per_chat
        self._per_group_spec = per_group or {}
        self._chats: dict[str, TokenBucket] = {}

    def throttled(self, channel: str, after: float = 0.0) -> None:
        """The platform refused a call as too many: keep to its documented pace a while
        (``after`` seconds of a pause of the channel's sends, and a minute more)."""
        until = self._clock() + max(after, 0.0) + THROTTLED_FOR
        self._throttled_until[channel] = max(self._throttled_until.get(channel, 0.0), until)

    def overall_rate(self, channel: str) -> float:
        """The channel's overall cap right now (0: none)."""
        bucket = self._overall_bucket(channel)
        return bucket.rate if bucket is not None else 0.0

    def _overall_bucket(self, channel: str) -> TokenBucket | None:
        own = self._overall.get(channel)
        if own is not None or self._throttled_until.get(channel, 0.0) <= self._clock():
            return own
        return self._fallback.get(channel)

    def delay(self, channel: str, lane: str) -> float:
        """Seconds to wait before sending one message on ``lane`` of ``channel``."""
        wait = 0.0
        spec = self._spec(channel, lane)
        if spec is not None:
            bucket = self._chats.get(lane)
            if bucket is None:
                if len(self._chats) > 10_000:
                    self._chats.clear()  # idle chats' buckets are full anyway
                bucket = self._chats[lane] = TokenBucket(spec[0], spec[1], self._clock)
            wait = bucket.take()
        overall = self._overall_bucket(channel)
        if overall is not None:
            wait = max(wait, overall.take())
        return wait

    def _spec(self, channel: str, lane: str) -> tuple[float, float] | None:
        group = self._per_group_spec.get(channel)
        if group is not None and lane.partition(":")[2].startswith("-"):
            return group
        return self._per_chat_spec.get(channel)
