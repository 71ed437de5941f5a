"""One serving Japri per SQLite file: a lock file beside it, shared only within one serve.

``japri serve`` with ``server.workers`` runs several processes on one file on purpose
(they lease chats and lanes); another ``japri serve`` on the same file would not lease
and would double replies, so it is refused at start. Workers of one serve know each other
by a group token (the folder their metrics meet in, set by the parent for all of them).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time

from bot.errors import StoreError

_held: dict[str, tuple[int, int]] = {}  # lock path -> (fd, how many stores of ours use it)
_guard = threading.Lock()


def acquire(db_path: str, group: str | None, wait: float = 5.0) -> str:
    """Take the file's lock for this process (again, if one of its stores holds it);
    ``StoreError`` when a process outside ``group`` holds it. The lock's path."""
    path = os.path.abspath(db_path) + ".lock"
    with _guard:
        if path in _held:
            fd, count = _held[path]
            _held[path] = (fd, count + 1)
            return path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _take(fd, db_path, f"{group or ''}|{os.getpid()}", group, time.monotonic() + wait)
        except BaseException:
            os.close(fd)
            raise
        _held[path] = (fd, 1)
        return path


def release(path: str) -> None:
    with _guard:
        if path not in _held:
            return
        fd, count = _held.pop(path)
        if count > 1:
            _held[path] = (fd, count - 1)
            return
        os.close(fd)  # closing drops the flock


def _take(fd: int, db_path: str, token: str, group: str | None, deadline: float) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:  # alone: say who we are, then let our group in
            os.ftruncate(fd, 0)
            os.pwrite(fd, token.encode(), 0)
            fcntl.flock(fd, fcntl.LOCK_SH)
            # the conversion is not atomic: whoever wrote last is the one serving
            holder = _holder(fd)
            if holder == token or (group and holder.split("|")[0] == group):
                return
            _refuse(fd, db_path)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # someone is between its two steps: ask again shortly
            if time.monotonic() > deadline:
                _refuse(fd, db_path)
            time.sleep(0.02)
            continue
        holder_group = _holder(fd).split("|")[0]
        if group and holder_group == group:
            return
        _refuse(fd, db_path)


def _holder(fd: int) -> str:
    return os.pread(fd, 200, 0).decode(errors="replace")


def _refuse(fd: int, db_path: str) -> None:
    pid = _holder(fd).rpartition("|")[2] or "?"
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)
    raise StoreError(
        f"another Japri (pid {pid}) serves from the SQLite store {db_path!r}; stop it first, "
        "or run one `japri serve` with server.workers, or share a PostgreSQL store"
    )
