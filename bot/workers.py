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
from typing import Any

from bot.metrics import SHARED_DIR


def _socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _worker(host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config("bot.app:app_from_env", factory=True, **options)
    server = uvicorn.Server(config)
    server.run(sockets=[_socket(host, port)])


def run_workers(count: int, host: str, port: int, options: dict[str, Any]) -> int:
    """Run ``count`` worker processes until a signal stops them; the exit status."""
    if not hasattr(socket, "SO_REUSEPORT"):
        sys.stderr.write("japri: several workers need SO_REUSEPORT (Linux, macOS)\n")
        return 1
    settings = {k: v for k, v in options.items() if k not in ("host", "port")}
    # the workers' metrics meet in files here, so /metrics adds them up (see bot/metrics.py)
    metrics_dir = os.environ.get(SHARED_DIR) or tempfile.mkdtemp(prefix="japri-metrics-")
    own_dir = SHARED_DIR not in os.environ
    os.environ[SHARED_DIR] = metrics_dir
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_worker, args=(host, port, settings), name=f"japri-{n}")
        for n in range(count)
    ]
    for worker in workers:
        worker.start()

    def stop(signum: int, _frame: object) -> None:
        for worker in workers:
            if worker.is_alive() and worker.pid is not None:
                worker.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for worker in workers:
        worker.join()
    if own_dir:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0 if all(w.exitcode in (0, -signal.SIGTERM) for w in workers) else 1
