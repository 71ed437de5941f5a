"""The web inbox's login: a hashed password checked off the event loop, server-side
sessions (revoked on logout and when the password changes), CSRF tokens, and limits on
guessing per address and for the inbox as a whole that never lock the real seller out."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.abuse import Window

COOKIE = "japri_inbox"
DEVICE_COOKIE = "japri_device"  # a browser that signed in before (OWASP "device cookie")
SESSION_DAYS = 7
DEVICE_DAYS = 365
ATTEMPTS = 5  # failed logins allowed per address (or per known browser) ...
WINDOW = 300.0  # ... in this many seconds
# Failed logins from browsers never signed in before, from all addresses together: past
# this many in WINDOW, such browsers wait. A seller's own browser (device cookie) is not
# held back by them, so a distributed guesser cannot lock the shop out of its inbox.
UNKNOWN_ATTEMPTS = 20
WAITING = 8  # logins queued for scrypt at once; more are refused, not piled up

DEFAULT_NAME = "Inbox"  # a seller who gave no name
NAME_LIMIT = 40
KEY_NAME = "inbox-session-key"


class SessionStore(Protocol):
    """What the inbox needs from the store (bot/store implements it on its tables)."""

    async def secret(self, name: str, make: Callable[[], str]) -> str:
        """The value stored under ``name``; on the first call ``make()``'s, stored once."""
        ...

    async def create_session(
        self, token_hash: str, seller: str, now: float, expires_at: float
    ) -> None: ...

    async def session(self, token_hash: str, now: float) -> dict[str, Any] | None:
        """``{"seller", "created_at", "expires_at"}``; None when unknown, expired or revoked."""
        ...

    async def revoke_session(self, token_hash: str) -> None: ...

    async def revoke_all_sessions(self) -> int: ...


class MemorySessions:
    """``SessionStore`` in this process's memory: tests, and a gateway whose store has no
    session tables yet (sessions then end with the process)."""

    def __init__(self) -> None:
        self.secrets: dict[str, str] = {}
        self.sessions: dict[str, dict[str, Any]] = {}

    async def secret(self, name: str, make: Callable[[], str]) -> str:
        if name not in self.secrets:
            self.secrets[name] = make()
        return self.secrets[name]

    async def create_session(
        self, token_hash: str, seller: str, now: float, expires_at: float
    ) -> None:
        self.sessions[token_hash] = {"seller": seller, "created_at": now, "expires_at": expires_at}

    async def session(self, token_hash: str, now: float) -> dict[str, Any] | None:
        found = self.sessions.get(token_hash)
        return found if found is not None and found["expires_at"] > now else None

    async def revoke_session(self, token_hash: str) -> None:
        self.sessions.pop(token_hash, None)

    async def revoke_all_sessions(self) -> int:
        count = len(self.sessions)
        self.sessions.clear()
        return count


@dataclass(frozen=True)
class Login:
    """How a login went: a session cookie, or why not (``wrong``, ``too_many``, ``off``)."""

    cookie: str | None = None
    device: str | None = None  # the device cookie to set (new or renewed)
    error: str | None = None
    retry_after: float = 0.0


_SCRYPT = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-scrypt")


class InboxAuth:
    """Holds only a salted scrypt hash of ``inbox.password``; no password, no inbox.

    A session is a random token in the cookie (``token.signature``); the store keeps only
    its SHA-256 with the seller's name and expiry, so a cookie is worth nothing once
    revoked and says nothing about the password. The signing key is random, made once
    and kept in the store; it also derives each session's CSRF token.
    """

    def __init__(
        self,
        password: str | None,
        sessions: SessionStore | None = None,
        clock: Callable[[], float] = time.time,
        hasher: Callable[[str], Awaitable[bytes]] | None = None,
    ) -> None:
        self.enabled = bool(password)
        self.sessions: SessionStore = sessions or MemorySessions()
        self.clock = clock
        self._password = password or ""  # hashed (and then dropped) on first use
        self._salt = b""
        self._hash = b""
        self._hasher = hasher or self._off_loop
        self._key: bytes | None = None
        self._starting = asyncio.Lock()
        # failed logins in any WINDOW seconds
        self._by_address = Window(ATTEMPTS, WINDOW)
        self._by_device = Window(ATTEMPTS, WINDOW)
        self._unknown = Window(UNKNOWN_ATTEMPTS, WINDOW)
        self._waiting = 0

    async def _off_loop(self, password: str) -> bytes:
        """scrypt takes ~50 ms of CPU: in a thread of its own, so neither the event loop
        nor the store's threads wait behind a flood of logins."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_SCRYPT, _scrypt, password, self._salt)

    async def ready(self) -> bytes:
        """The signing key; on first use also signs every seller out when the password is
        not the one the stored sessions were made under."""
        if self._key is not None:
            return self._key
        async with self._starting:
            return self._key or await self._start()

    async def _start(self) -> bytes:
        key = await self.sessions.secret(KEY_NAME, lambda: secrets.token_hex(32))
        # the salt is the shop's, kept once, so every worker and restart agrees
        salt = await self.sessions.secret(KEY_NAME + "-salt", lambda: os.urandom(16).hex())
        self._salt = bytes.fromhex(salt)
        self._hash = await self._hasher(self._password)
        self._password = ""
        # a marker per password: when this one is new, older sessions are revoked
        tag = hmac.new(key.encode(), self._hash, "sha256").hexdigest()[:32]
        made: list[bool] = []

        def first() -> str:
            made.append(True)
            return "1"

        await self.sessions.secret(f"inbox-password:{tag}", first)
        if made:
            await self.sessions.revoke_all_sessions()
        self._key = key.encode()
        return self._key

    def _sign(self, key: bytes, purpose: str, value: str) -> str:
        return hmac.new(key, f"{purpose}:{value}".encode(), "sha256").hexdigest()[:32]

    async def _device_id(self, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        device, _, signature = cookie.partition(".")
        key = await self.ready()
        return (
            device if hmac.compare_digest(self._sign(key, "device", device), signature) else None
        )

    def wait(self, address: str, device: str | None, now: float) -> float:
        """Seconds before this address / browser may try again (0: now)."""
        if device is not None:
            return self._by_device.wait(device, now)
        return max(self._by_address.wait(address, now), self._unknown.wait("*", now))

    async def login(
        self, address: str, password: str, name: str = "", device_cookie: str | None = None
    ) -> Login:
        """Check a password; a session for the right one. ``name``: who signs in, shown
        with the seller's answers and kept on the handoffs."""
        if not self.enabled:
            return Login(error="off")
        key = await self.ready()
        device = await self._device_id(device_cookie)
        now = self.clock()
        wait = self.wait(address, device, now)
        if wait > 0 or self._waiting >= WAITING:
            return Login(error="too_many", retry_after=max(wait, 1.0))
        self._waiting += 1
        try:
            given = await self._hasher(password)
        finally:
            self._waiting -= 1
        now = self.clock()
        if not hmac.compare_digest(given, self._hash):
            if device is not None:
                self._by_device.hit(device, now)
            else:
                self._by_address.hit(address, now)
                self._unknown.hit("*", now)
            return Login(error="wrong")
        self._by_address.clear(address)
        if device is not None:
            self._by_device.clear(device)
        device = device or secrets.token_urlsafe(16)
        token = secrets.token_urlsafe(32)
        seller = " ".join(name.split())[:NAME_LIMIT] or DEFAULT_NAME
        expires = now + SESSION_DAYS * 86400
        await self.sessions.create_session(_digest(token), seller, now, expires)
        return Login(
            cookie=f"{token}.{self._sign(key, 'session', token)}",
            device=f"{device}.{self._sign(key, 'device', device)}",
        )

    async def session(self, cookie: str | None) -> dict[str, Any] | None:
        """The live session behind a cookie (``name``, ``csrf``), or None."""
        token = await self._token(cookie)
        if token is None:
            return None
        found = await self.sessions.session(_digest(token), self.clock())
        if found is None:
            return None
        key = await self.ready()
        return {"name": found["seller"], "csrf": self._sign(key, "csrf", token)}

    async def logout(self, cookie: str | None) -> None:
        token = await self._token(cookie)
        if token is not None:
            await self.sessions.revoke_session(_digest(token))

    async def _token(self, cookie: str | None) -> str | None:
        if not self.enabled or not cookie or "." not in cookie:
            return None
        token, _, signature = cookie.rpartition(".")
        key = await self.ready()
        ok = hmac.compare_digest(self._sign(key, "session", token), signature)
        return token if ok else None

    @staticmethod
    def csrf_ok(session: dict[str, Any], token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(str(session["csrf"]), str(token))


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def secure_cookies(public_url: str | None, scheme: str) -> bool:
    """Cookies only over TLS when the shop is served over https (behind a TLS proxy the
    request itself arrives as plain http)."""
    return scheme == "https" or (public_url or "").lower().startswith("https://")
