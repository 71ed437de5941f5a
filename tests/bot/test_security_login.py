"""The inbox login like a bank's: the limits count the real client, guessers cannot lock
the seller out, sessions live on the server and die on logout or a new password."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bot.inbox_auth import ATTEMPTS, COOKIE, UNKNOWN_ATTEMPTS, InboxAuth, MemorySessions
from tests.bot.gateway_kit import Running, running, write_config

PASSWORD = "kata-sandi-toko"


def _config(tmp_path: Path, **server: object) -> Path:
    return write_config(tmp_path, inbox={"password": PASSWORD}, server=server)


async def _try(bot: Running, password: str, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    answer = await bot.client.post(
        "/inbox/login", data={"password": password, "name": "Sari"}, headers=headers
    )
    return answer.status_code


async def test_a_made_up_forwarded_address_does_not_reset_the_limit(tmp_path: Path) -> None:
    async with running(_config(tmp_path)) as bot:
        codes = [await _try(bot, "tebakan", forwarded=f"10.0.0.{n}") for n in range(ATTEMPTS)]
        assert codes == [401] * ATTEMPTS
        assert await _try(bot, "tebakan", forwarded="10.9.9.9") == 429


async def test_behind_a_trusted_proxy_one_guesser_does_not_lock_out_others(
    tmp_path: Path,
) -> None:
    async with running(_config(tmp_path, trusted_proxies=["127.0.0.1"])) as bot:
        for _ in range(ATTEMPTS):
            assert await _try(bot, "tebakan", forwarded="203.0.113.9") == 401
        assert await _try(bot, "tebakan", forwarded="203.0.113.9") == 429
        assert await _try(bot, PASSWORD, forwarded="198.51.100.7") == 303


async def test_many_guessers_slow_new_browsers_but_never_the_sellers_own(
    tmp_path: Path,
) -> None:
    async with running(_config(tmp_path, trusted_proxies=["127.0.0.1"])) as bot:
        assert await _try(bot, PASSWORD, forwarded="198.51.100.7") == 303  # her browser
        device = bot.client.cookies.get("japri_device")
        assert device
        bot.client.cookies.clear()
        for n in range(UNKNOWN_ATTEMPTS):
            assert await _try(bot, "tebakan", forwarded=f"203.0.113.{n}") == 401
        assert await _try(bot, PASSWORD, forwarded="192.0.2.1") == 429  # a new browser waits
        refused = await bot.client.post(
            "/inbox/login", data={"password": "x"}, headers={"X-Forwarded-For": "192.0.2.2"}
        )
        assert 0 < int(refused.headers["retry-after"]) <= 300  # minutes, not a lock-out
        bot.client.cookies.set("japri_device", device)
        assert await _try(bot, PASSWORD, forwarded="192.0.2.1") == 303  # her browser: in


async def test_logout_kills_the_session_even_for_a_copied_cookie(tmp_path: Path) -> None:
    async with running(_config(tmp_path)) as bot:
        assert await _try(bot, PASSWORD) == 303
        stolen = bot.client.cookies.get(COOKIE)
        assert (await bot.client.get("/inbox")).status_code == 200
        await bot.client.post("/inbox/logout")
        bot.client.cookies.clear()
        bot.client.cookies.set(COOKIE, str(stolen))
        again = await bot.client.get("/inbox")
        assert again.status_code == 303


async def test_cookies_are_secure_when_the_shop_is_served_over_https(tmp_path: Path) -> None:
    async with running(_config(tmp_path, public_url="https://toko.example")) as bot:
        answer = await bot.client.post("/inbox/login", data={"password": PASSWORD})
    cookies = answer.headers.get_list("set-cookie")
    assert cookies
    assert all("Secure" in c and "HttpOnly" in c for c in cookies)


async def test_a_cookie_says_nothing_about_the_password() -> None:
    """The old cookie key was derived from the password: one cookie allowed offline
    guessing. Now the key is random per shop: another shop with the same password does
    not take this shop's cookie."""
    shop = InboxAuth(PASSWORD)
    other = InboxAuth(PASSWORD)
    done = await shop.login("1.2.3.4", PASSWORD)
    assert await shop.session(done.cookie) is not None
    assert await other.session(done.cookie) is None


async def test_a_new_password_signs_everyone_out_and_a_restart_does_not() -> None:
    store = MemorySessions()
    before = await InboxAuth(PASSWORD, store).login("1.2.3.4", PASSWORD, name="Sari")
    restarted = InboxAuth(PASSWORD, store)
    assert await restarted.session(before.cookie) == {
        "name": "Sari",
        "csrf": (await restarted.session(before.cookie) or {})["csrf"],
    }
    changed = InboxAuth("sandi-baru-toko", store)
    assert await changed.session(before.cookie) is None


async def test_scrypt_runs_off_the_event_loop() -> None:
    auth = InboxAuth(PASSWORD)
    await auth.ready()
    ticks = 0
    login = asyncio.create_task(auth.login("1.2.3.4", "tebakan"))
    while not login.done():
        ticks += 1
        await asyncio.sleep(0)
    assert (await login).error == "wrong"
    assert ticks > 20  # the loop kept turning while the hash was computed


@pytest.mark.parametrize("cookie", [None, "", "x", "abc.def", "a.b.c"])
async def test_garbage_cookies_are_no_session(cookie: str | None) -> None:
    assert await InboxAuth(PASSWORD).session(cookie) is None


def test_japri_serve_does_not_let_a_local_client_pick_its_address(tmp_path: Path) -> None:
    """Black box over a real socket: uvicorn itself must not rewrite the client address
    from X-Forwarded-For (Japri does that, and only for ``server.trusted_proxies``)."""
    config = write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        seller={"telegram_chat_id": None},
        inbox={"password": PASSWORD},
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and CLI
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "japri serve never became healthy"
            time.sleep(0.1)
        codes = [
            httpx.post(
                f"{base}/inbox/login",
                data={"password": "tebakan"},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(ATTEMPTS + 1)
        ]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert codes[-1] == 429
