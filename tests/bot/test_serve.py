"""`japri serve` as a real process: healthy, answering, and stopping cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.bot.gateway_kit import write_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_the_web_chat_and_stops_on_sigterm(tmp_path: Path, workers: int) -> None:
    config = write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        seller={"telegram_chat_id": None},
    )
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [
            sys.executable,
            "-m",
            "bot.cli",
            "serve",
            "--config",
            str(config),
            "--port",
            str(port),
            "--set",
            f"server.workers={workers}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        body = {"session": "serve-test-1", "id": "1", "text": "halo kak"}
        assert httpx.post(f"{base}/chat/messages", json=body).status_code == 202
        deadline = time.monotonic() + 10
        while not httpx.get(f"{base}/chat/messages", params={"session": "serve-test-1"}).json()[
            "messages"
        ]:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # whichever worker answers the scrape, it counts every worker's messages
        for _ in range(4):
            scrape = httpx.get(f"{base}/metrics").text
            assert 'japri_messages_in_total{channel="web",kind="text"} 1.0' in scrape
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        log.close()
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert code in (0, -signal.SIGTERM), (tmp_path / "serve.log").read_text()
    assert "Traceback" not in (tmp_path / "serve.log").read_text()


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
