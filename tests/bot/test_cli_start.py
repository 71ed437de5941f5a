"""Small CLI manners: a busy port said plainly, the start-up line, and `| head` without noise."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main, port_problem
from tests.bot.gateway_kit import write_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


def web_chat_only(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        seller={"telegram_chat_id": None},
    )


def test_serve_on_a_busy_port_says_so_before_anything_else(
    tmp_path: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--config", str(web_chat_only(tmp_path)), "--port", str(busy_port)])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.strip().splitlines()[-1] == (
        f"japri serve: port {busy_port} is in use (is Japri already running?); pick another "
        f"with --port {busy_port + 1}, or PORT={busy_port + 1} with make run"
    )
    assert "chat with the bot" not in err


def test_a_free_port_is_fine(busy_port: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = int(probe.getsockname()[1])
    assert port_problem("127.0.0.1", free) is None
    assert port_problem("127.0.0.1", busy_port) is not None
    assert port_problem("no-such-host.invalid", free) is not None


def test_the_start_up_line_names_the_web_chat_and_the_inbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    import bot.logs

    monkeypatch.setattr(bot.logs, "configure", lambda *args, **kwargs: None)  # leave logging be
    started: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: started.append(options["port"]))
    config = str(web_chat_only(tmp_path))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    code = main(["serve", "--config", config, "--port", str(port), "--host", "0.0.0.0"])  # noqa: S104
    _, err = capsys.readouterr()
    assert code == 0
    assert started == [port]
    assert (
        f"chat with the bot at http://127.0.0.1:{port}/ · sellers' inbox at "
        f"http://127.0.0.1:{port}/inbox"
    ) in err


class ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_export_into_a_closed_pipe_is_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"store:\n  url: sqlite:///{tmp_path / 'j.db'}\n", encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["contacts", "export", "--config", str(config)]) == 0
    assert capsys.readouterr().err == ""


def test_export_piped_to_head_prints_no_traceback(tmp_path: Path) -> None:
    """The real thing: a reader that has gone, and Python's flush of stdout at exit."""
    config = tmp_path / "config.yaml"
    config.write_text(f"store:\n  url: sqlite:///{tmp_path / 'j.db'}\n", encoding="utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)  # `head` has read its lines and left
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and CLI
            [sys.executable, "-m", "bot.cli", "contacts", "export", "--config", str(config)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
    assert b"BrokenPipeError" not in done.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("args", "expected"), [([], ""), (["PORT=8080"], " --port 8080")])
def test_make_run_takes_a_port(args: list[str], expected: str) -> None:
    done = subprocess.run(  # noqa: S603 - make, dry run only
        ["make", "--no-print-directory", "-n", "run", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        # under `make test` the outer make's flags would reach this one
        env={
            k: v
            for k, v in os.environ.items()
            if k not in ("PORT", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
        },
    )
    serve = done.stdout.strip().splitlines()[-1]
    assert serve.rstrip() == f".venv/bin/japri serve --config config.yaml{expected}"


def test_faq_check_names_the_line_of_an_unclosed_quote_not_the_end_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = (ROOT / "faq" / "faq.yaml").read_text("utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if "follow_up: Biasanya" in line)
    lines[number] = lines[number].replace("follow_up: ", 'follow_up: "')
    broken = tmp_path / "faq.yaml"
    broken.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["faq", "check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f'{broken}:{number + 1}: the quote " opened on this line is never')
