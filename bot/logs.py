"""Logging set-up: one line per event, no secret ever printed, buyers' numbers masked."""

from __future__ import annotations

import atexit
import logging
import re
import sys
import threading
import time
from collections.abc import Iterable


class Redact(logging.Filter):
    """Replaces every configured secret (tokens, app secret) in a record with ***."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = message
        for secret in self.secrets:
            clean = clean.replace(secret, "***")
        if clean != message:
            record.msg, record.args = clean, None
        return True


# A WhatsApp chat key's number, a web-chat session id (which is what lets a page read
# the chat: a bearer secret), and phone numbers written out (+62 812…, 0812…, 60 12…).
_PRIVATE = re.compile(
    r"(?P<wa>(?<=whatsapp:)\d{6,})"
    r"|(?P<web>(?:(?<=web:)|(?<=session=))[A-Za-z0-9_-]{8,40})"  # chat key, page URL
    r"|(?P<phone>(?<![\w:.-])\+?(?:62|60|65|0)[ -]?[1-9][\d -]{6,14}\d(?!\w|\.\d))"
)


def mask(text: str) -> str:
    """``text`` with phone numbers cut to their last 4 digits and web-chat session ids to
    their first 4 characters: enough to tell log lines apart, not to reach the buyer."""
    return _PRIVATE.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    found = match.group(0)
    if match.lastgroup == "web":
        return found[:4] + "…"
    digits = [c for c in found if c.isdigit()]
    return "…" + "".join(digits[-4:])


class Mask(logging.Filter):
    """Applies ``mask`` to every record (``logs.mask``, on by default)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = mask(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class BatchedStream(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes log lines in batches: at most every ``interval`` seconds, at once for
    warnings and errors. Under load one write per batch instead of a syscall per line."""

    def __init__(self, interval: float = 0.25, limit: int = 256) -> None:
        super().__init__(sys.stderr)
        self.interval, self.limit = interval, limit
        self.pending: list[str] = []
        self.last = time.monotonic()
        self._timer = threading.Thread(target=self._tick, daemon=True, name="log-flush")
        self._timer.start()
        atexit.register(self.flush)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        with self.lock:  # type: ignore[union-attr]
            self.pending.append(line)
            urgent = record.levelno >= logging.WARNING or len(self.pending) >= self.limit
        if urgent:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            lines, self.pending = self.pending, []
            self.last = time.monotonic()
        if lines:
            try:
                self.stream.write("\n".join(lines) + "\n")
                self.stream.flush()
            except (OSError, ValueError):
                return

    def _tick(self) -> None:
        while True:
            time.sleep(self.interval)
            if self.pending:
                self.flush()


def configure(
    level: str = "INFO", secrets: Iterable[str | None] = (), *, mask: bool = True
) -> None:
    handler = BatchedStream()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(Redact(secrets))
    if mask:
        handler.addFilter(Mask())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines of the HTTP clients carry the bot token in the URL: keep them quiet.
    for noisy in ("httpx", "httpcore", "telegram"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
