"""`japri serve` as a real process: healthy, answering, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.bot.gateway_kit import write_config

pytestmark = pytest.mark.slow  # real `japri serve` processes, seconds each


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def wait(self, condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"{what}:\n{self.log.read_text()}"
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.contextmanager
def serving(tmp_path: Path, workers: int) -> Iterator[Served]:
    """``japri serve`` on the web chat alone; stopped with SIGTERM, which must go cleanly."""
    config = write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        seller={"telegram_chat_id": None},
    )
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
            [
                *(sys.executable, "-m", "bot.cli", "serve", "--config", str(config)),
                *("--port", str(port), "--set", f"server.workers={workers}"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=sink,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
        served = Served(process, f"http://127.0.0.1:{port}", log)
        try:
            served.wait(lambda: _healthy(served.base), "never healthy")
            yield served
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=20)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert code in (0, -signal.SIGTERM), log.read_text()
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_the_web_chat_and_stops_on_sigterm(tmp_path: Path, workers: int) -> None:
    with serving(tmp_path, workers) as served:
        base = served.base
        body = {"session": "serve-test-1", "id": "1", "text": "halo kak"}
        assert httpx.post(f"{base}/chat/messages", json=body).status_code == 202

        def replied() -> bool:
            answer = httpx.get(f"{base}/chat/messages", params={"session": "serve-test-1"})
            return bool(answer.json()["messages"])

        served.wait(replied, "no reply", seconds=10)
        # whichever worker answers the scrape, it counts every worker's messages
        for _ in range(4):
            scrape = httpx.get(f"{base}/metrics").text
            assert 'japri_messages_in_total{channel="web",kind="text"} 1.0' in scrape


def _workers_of(parent: int) -> set[int]:
    """The worker processes ``japri serve`` started (multiprocessing's spawned children)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            found.add(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_worker_that_dies_is_replaced(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as served:
        parent = served.process.pid
        served.wait(lambda: len(_workers_of(parent)) == 2, "two workers")
        victim = min(_workers_of(parent))
        os.kill(victim, signal.SIGKILL)  # the OOM killer, say

        def replaced() -> bool:
            now = _workers_of(parent)
            return len(now) == 2 and victim not in now

        served.wait(replaced, "no new worker")
        served.wait(lambda: all(_healthy(served.base) for _ in range(6)), "not answering")
    assert "worker 0 exited (-9); starting another" in served.log.read_text() or (
        "worker 1 exited (-9); starting another" in served.log.read_text()
    )


def test_serve_refuses_to_start_on_a_store_it_cannot_open(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        store={"url": "postgresql://japri:pw@127.0.0.1:9/japri"},
    )
    run = subprocess.run(  # noqa: S603 - our own interpreter and entry point
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "japri serve: cannot open the PostgreSQL store" in run.stderr
    assert "Traceback" not in run.stderr
