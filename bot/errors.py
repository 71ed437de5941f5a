"""Japri's error tree; vendor exceptions are translated into these at the edges."""

from __future__ import annotations


class BotError(Exception):
    """Root of everything Japri raises on purpose."""


class ConfigError(BotError):
    """config.yaml is wrong; ``key`` names the file and the offending key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")


class StoreError(BotError):
    """The store cannot be opened or used (every driver error becomes one at the store's
    edge). ``transient``: it may work when tried again (a lock held by another process,
    a dropped connection); webhooks answer 503 then, so the platform retries."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        self.transient = transient
        super().__init__(message)


class ParseError(BotError, ValueError):
    """Input that cannot be read: a webhook body, a stored event or command. A
    ``ValueError`` too, for callers that catch those."""


class ChannelError(BotError):
    """A platform refused or failed a call; ``permanent`` ones are not retried.
    ``retry_after``: the seconds the platform asked us to wait (None: our own backoff)."""

    # how many tries a message refused this way gets at most (None: the outbox's own)
    tries: int | None = None

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None):
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(message)

    def wait(self, tries: int) -> float | None:
        """Seconds before the next try, after ``tries`` tries (the first is 1); None: the
        outbox's own backoff."""
        return self.retry_after


class RateLimited(ChannelError):
    """The platform asks us to slow down: Telegram's 429, WhatsApp's throughput, pair,
    spam and call limits.

    ``retry_after`` is what the platform said to wait; without it, ``waits`` (seconds
    before the 2nd, 3rd … try; the last repeats) are what its documentation implies, and
    without those the outbox backs off as for any failure. ``tries`` bounds the tries for
    a limit that may outlast any sensible wait. ``whole_channel``: the limit holds for
    every chat of the channel (a number's throughput, an app's calls), so the channel
    keeps to the platform's documented pace a while; False: only this chat is held back
    (WhatsApp's per-buyer pair limit). ``pause``: the limit holds for the whole number and
    may last minutes (WhatsApp's spam restriction, its call limits): waited out a minute or
    more, the channel's sends pause until it is over and the sellers are told once, by the
    shop text of that name ("paused_spam", "paused_calls", "paused"); None: never paused
    (Telegram's limits hold one chat, or seconds).
    """

    def __init__(
        self,
        message: str,
        retry_after: float | None = None,
        *,
        waits: tuple[float, ...] = (),
        tries: int | None = None,
        whole_channel: bool = True,
        pause: str | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.waits = waits
        self.tries = tries
        self.whole_channel = whole_channel
        self.pause = pause if whole_channel else None

    def wait(self, tries: int) -> float | None:
        if self.retry_after is not None or not self.waits:
            return self.retry_after
        return self.waits[min(max(tries, 1), len(self.waits)) - 1]


class DeliveryFailed(ChannelError):
    """The platform will never accept this message (blocked bot, 400, bad recipient)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class OutsideReplyWindow(DeliveryFailed):
    """WhatsApp 131047: more than 24 hours since the buyer last wrote."""


class TemplateRefused(DeliveryFailed):
    """WhatsApp refused a template message: not approved in that language (132001), the
    wrong number of parameters (132000), paused or disabled (132015, 132016), or a
    parameter it cannot take (131008, 131009, 132018). Retrying cannot help; the seller
    must fix the template or its configuration."""


class Unreachable(DeliveryFailed):
    """The buyer cannot be reached on this platform any more (blocked the bot, deleted
    the account). ``first``: this is when Japri learned it (the seller is told once)."""

    def __init__(self, message: str, *, first: bool = False) -> None:
        super().__init__(message)
        self.first = first


class NotSent(DeliveryFailed):
    """A message the shop starts that Japri chose not to send: the buyer opted out, or is
    known to be unreachable. ``reason`` is one of "opted_out", "unreachable"."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Held(ChannelError):
    """A message the shop starts, kept (not sent) until the buyer writes again: WhatsApp's
    24-hour window is closed and no template is configured for it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
