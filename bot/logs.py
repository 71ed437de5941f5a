"""Logging set-up: one line per event, and no secret ever printed."""

from __future__ import annotations

import atexit
import logging
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


def configure(level: str = "INFO", secrets: Iterable[str | None] = ()) -> None:
    handler = BatchedStream()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines of the HTTP clients carry the bot token in the URL: keep them quiet.
    for noisy in ("httpx", "httpcore", "telegram"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
