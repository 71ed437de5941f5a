"""The live FAQ: loaded at start, reloaded when the file changes, last good kept on errors."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from faq.loader import FaqFormatError, confusable_entries, load_faq
from faq.matcher import Thresholds
from faq.model import Faq

log = logging.getLogger("japri.faq")


class FaqSource:
    """Holds the FAQ in force. ``watch()`` polls the file (cheap ``stat``) and swaps in a
    new FAQ when it loads cleanly; a broken edit leaves the last good FAQ live and its
    error in ``error`` (shown by /healthz)."""

    def __init__(self, path: Path, thresholds: Thresholds | None = None) -> None:
        self.path = path
        self.thresholds = thresholds
        self.faq: Faq | None = None
        self.error: str | None = None
        self._signature: tuple[int, int] | None = None

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def load(self) -> bool:
        """Load now; True when a new FAQ is live."""
        self._signature = self._stat()
        try:
            # live first; the look-alike pass (most of a big FAQ's load) only warns
            loaded = load_faq(self.path, self.thresholds, alike=False)
        except FaqFormatError as exc:
            self.error = str(exc)
            kept = "keeping the last good FAQ" if self.faq else "no FAQ is live"
            log.error("FAQ %s has errors (%s):\n%s", self.path, kept, exc)
            return False
        self.faq, self.error = loaded.faq, None
        log.info("FAQ %s loaded: %d entries", self.path, len(loaded.faq))
        for warning in [*loaded.warnings, *confusable_entries(loaded.faq, str(self.path))]:
            log.warning("%s", warning)
        return True

    def changed(self) -> bool:
        return self._stat() != self._signature

    async def watch(self, interval: float = 1.0) -> None:
        """Reload whenever the file changes, until cancelled."""
        while True:
            await asyncio.sleep(interval)
            if self.changed():
                await asyncio.sleep(0.2)  # let an editor finish writing
                await asyncio.to_thread(self.load)
