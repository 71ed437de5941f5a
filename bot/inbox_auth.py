"""The web inbox's login: a hashed password, signed session cookies, CSRF tokens and a
limit on login attempts."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "japri_inbox"
SESSION_DAYS = 7
ATTEMPTS = 5  # failed logins allowed per address ...
WINDOW = 300.0  # ... in this many seconds


DEFAULT_NAME = "Inbox"  # a seller who gave no name
NAME_LIMIT = 40


class InboxAuth:
    """Holds only a salted scrypt hash of ``inbox.password``; no password, no inbox."""

    def __init__(self, password: str | None) -> None:
        self.enabled = bool(password)
        self._salt = os.urandom(16)
        self._hash = self._derive(password or "")
        # The cookie key follows from the password: several workers agree on it, and
        # changing the password signs every seller out.
        key = hmac.new(b"japri-inbox-session", (password or "").encode(), "sha256").hexdigest()
        self._signer = URLSafeTimedSerializer(key, salt="inbox")
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _derive(self, password: str) -> bytes:
        return hashlib.scrypt(password.encode(), salt=self._salt, n=2**14, r=8, p=1)

    def allowed(self, address: str, now: float | None = None) -> bool:
        """False while ``address`` has used up its failed attempts."""
        now = time.monotonic() if now is None else now
        failures = self._failures[address]
        while failures and now - failures[0] > WINDOW:
            failures.popleft()
        return len(failures) < ATTEMPTS

    def login(
        self, address: str, password: str, now: float | None = None, name: str = ""
    ) -> str | None:
        """A session cookie value for the right password, else None (and one attempt used).
        ``name``: who is signing in, shown to buyers' sellers and kept on the handoffs."""
        now = time.monotonic() if now is None else now
        if not self.enabled or not self.allowed(address, now):
            return None
        if hmac.compare_digest(self._derive(password), self._hash):
            self._failures.pop(address, None)
            seller = " ".join(name.split())[:NAME_LIMIT] or DEFAULT_NAME
            return self._signer.dumps({"csrf": secrets.token_urlsafe(24), "name": seller})
        self._failures[address].append(now)
        return None

    def session(self, cookie: str | None) -> dict[str, Any] | None:
        """The signed session behind a cookie, or None."""
        if not self.enabled or not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=SESSION_DAYS * 86400)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and "csrf" in data else None

    @staticmethod
    def csrf_ok(session: dict[str, Any], token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(session["csrf"]), str(token))
