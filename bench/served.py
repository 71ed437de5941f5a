"""`japri serve` as a separate process for the black-box benches (flood, crash)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def start(
    config: Path, port: int, work: Path, append_log: bool = False
) -> subprocess.Popen[bytes]:
    """Start this checkout's `japri serve`; its output goes to ``work/japri.log``."""
    log = (work / "japri.log").open("ab" if append_log else "wb")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(config), "--port", str(port)],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def healthy(
    client: httpx.AsyncClient, proc: subprocess.Popen[bytes], seconds: float = 30.0
) -> None:
    """Wait until `/healthz` answers 200 (or the process dies)."""
    step = 0.05
    for _ in range(int(seconds / step)):
        if proc.poll() is not None:
            raise RuntimeError("japri serve exited; see its log")
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(step)
    raise RuntimeError("japri serve did not become healthy")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop `japri serve` and what it started (its workers)."""
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
