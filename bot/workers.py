"""Several gateway processes on one port (``server.workers``), balanced by the kernel.

Each worker binds its own socket with SO_REUSEPORT, so Linux spreads new connections
evenly over the workers (one shared socket lets the first worker to wake take most of a
burst). The parent only starts the workers, passes on a stop signal and waits.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from typing import Any

from bot.metrics import SHARED_DIR

RESTART_PAUSE = 5.0  # seconds: a worker dying sooner after its start waits this long


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # not listening yet: uvicorn listens once the app has started (store open, FAQ
    # loaded), so the kernel hands no connection to a worker that cannot answer it yet
    sock.setblocking(False)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config("bot.app:app_from_env", factory=True, **options)
    server = uvicorn.Server(config)
    server.run(sockets=[_socket(host, port)])


def run_workers(count: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Run ``count`` worker processes until a signal stops them; the exit status. A worker
    that dies (a crash, the OOM killer) is replaced; one that dies within seconds of its
    start is replaced only after a pause, so a broken setup does not spin."""
    if not hasattr(socket, "SO_REUSEPORT"):
        sys.stderr.write("japri: several workers need SO_REUSEPORT (Linux, macOS)\n")
        return 1
    settings = {k: v for k, v in options.items() if k not in ("host", "port")}
    # the workers' metrics meet in files here, so /metrics adds them up (see bot/metrics.py)
    metrics_dir = os.environ.get(SHARED_DIR) or tempfile.mkdtemp(prefix="japri-metrics-")
    own_dir = SHARED_DIR not in os.environ
    os.environ[SHARED_DIR] = metrics_dir
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start(n: int) -> tuple[Any, float]:
        worker = context.Process(target=_worker, args=(host, port, settings), name=f"japri-{n}")
        worker.start()
        return worker, time.monotonic()

    workers = [start(n) for n in range(count)]

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for worker, _ in workers:
            if worker.is_alive() and worker.pid is not None:
                worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    codes: list[int | None] = []
    while not stopping:
        time.sleep(0.5)
        for n, (worker, started) in enumerate(workers):
            if stopping or worker.is_alive():
                continue
            if time.monotonic() - started < RESTART_PAUSE:
                time.sleep(RESTART_PAUSE)  # it died at once: do not spin
                if stopping:
                    break
            sys.stderr.write(f"japri: worker {n} exited ({worker.exitcode}); starting another\n")
            workers[n] = start(n)
            if stopping:  # the stop signal came while it was starting
                workers[n][0].terminate()
    for worker, _ in workers:
        worker.join()
        codes.append(worker.exitcode)
    if own_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0 if all(code in (0, -signal.SIGTERM) for code in codes) else 1
