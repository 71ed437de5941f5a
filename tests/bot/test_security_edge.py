"""The HTTP edge against a stranger: bodies capped before they are read, odd JSON answered
below 500, security headers on pages, no public API listing, no start without a secret."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.errors import ConfigError
from bot.security import Proxies
from bot.settings import load_settings
from tests.bot.gateway_kit import SECRET, running, tg_text, wa_text, write_config


async def _chunks(size: int, piece: int = 65_536) -> AsyncIterator[bytes]:
    """A body with no Content-Length: the cap must hold while it streams."""
    sent = 0
    while sent < size:
        yield b"a" * piece
        sent += piece


@pytest.mark.parametrize(
    ("path", "size", "headers"),
    [
        ("/webhook/telegram", 1_100_000, {"X-Telegram-Bot-Api-Secret-Token": SECRET}),
        ("/webhook/whatsapp", 1_100_000, {}),
        ("/chat/messages", 20_000, {"Content-Type": "application/json"}),
        ("/inbox/login", 70_000, {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
async def test_a_body_over_its_routes_cap_gets_413_before_it_is_read(
    config: Path, path: str, size: int, headers: dict[str, str]
) -> None:
    async with running(config) as bot:
        declared = await bot.client.post(path, content=b"a" * size, headers=headers)
        streamed = await bot.client.post(path, content=_chunks(size), headers=headers)
    assert declared.status_code == 413
    assert streamed.status_code == 413


async def test_the_login_form_takes_a_handful_of_fields_not_900(tmp_path: Path) -> None:
    config = write_config(tmp_path, inbox={"password": "rahasia-toko"})
    many = "&".join(f"f{n}=x" for n in range(900))
    async with running(config) as bot:
        flood = await bot.client.post(
            "/inbox/login",
            content=many.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        multipart = await bot.client.post("/inbox/login", files={"password": b"x"})
        normal = await bot.client.post("/inbox/login", data={"password": "salah", "name": "A"})
    assert flood.status_code == 413
    assert multipart.status_code == 415
    assert normal.status_code == 401


def _nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


async def test_odd_json_gets_an_answer_below_500(config: Path) -> None:
    deep_tg = b'{"update_id": 1, "message": ' + _nested(10_000) + b"}"
    huge_date = tg_text("halo")
    huge_date["message"]["date"] = 1e20
    text_object = tg_text("halo")
    text_object["message"]["text"] = {"a": 1}
    tg_headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with running(config) as bot:
        answers = [
            await bot.client.post("/webhook/telegram", content=deep_tg, headers=tg_headers),
            await bot.client.post(
                "/chat/messages",
                content=_nested(5_000),
                headers={"Content-Type": "application/json"},
            ),
            await bot.client.post(
                "/chat/messages",
                json={"session": "abcdefgh1", "text": {"a": [1, 2]}, "name": {"x": 1}},
            ),
            await bot.client.post("/chat/messages", content=b'{"session": 1e999}'),
            await bot.telegram(huge_date),
            await bot.telegram(text_object),
            await bot.whatsapp(b'{"entry": ' + _nested(10_000) + b"}"),
            await bot.client.get(
                "/chat/messages", params={"session": "abcdefgh1", "after": "1e23"}
            ),
            await bot.client.get(
                "/chat/messages", params={"session": "abcdefgh1", "after": str(10**30)}
            ),
        ]
    assert [a.status_code for a in answers if a.status_code >= 500] == []


async def test_pages_carry_security_headers(tmp_path: Path) -> None:
    config = write_config(tmp_path, inbox={"password": "rahasia-toko"})
    async with running(config) as bot:
        for path in ("/", "/inbox/login"):
            page = await bot.client.get(path)
            assert page.status_code == 200
            csp = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in csp
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["referrer-policy"] == "no-referrer"
        health = await bot.client.get("/healthz")
        assert health.headers["x-content-type-options"] == "nosniff"


async def test_the_api_listing_is_off_unless_asked_for(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        assert (await bot.client.get("/openapi.json")).status_code == 404
    async with running(write_config(tmp_path, server={"openapi": True})) as bot:
        assert (await bot.client.get("/openapi.json")).status_code == 200


def test_webhook_mode_without_a_secret_does_not_start(tmp_path: Path) -> None:
    config = write_config(tmp_path, telegram={"webhook_secret": None})
    with pytest.raises(ConfigError, match=r"telegram\.webhook_secret"):
        create_app(load_settings(config, environ={}))
    polling = write_config(tmp_path, telegram={"webhook_secret": None, "mode": "polling"})
    create_app(load_settings(polling, environ={}))  # polling takes no webhook posts


def test_japri_serve_says_which_key_is_missing_and_stops(tmp_path: Path) -> None:
    config = write_config(tmp_path, telegram={"webhook_secret": None})
    run = subprocess.run(  # noqa: S603 - our own interpreter and entry point
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert "telegram.webhook_secret" in run.stderr
    assert "Traceback" not in run.stderr


async def test_without_a_secret_the_webhook_takes_nothing(tmp_path: Path) -> None:
    """Polling mode needs no secret; the webhook then refuses every post, forged or not."""
    config = write_config(tmp_path, telegram={"webhook_secret": None, "mode": "polling"})
    async with running(config) as bot:
        forged = await bot.client.post("/webhook/telegram", json=tg_text("transfer ke BNI"))
    assert forged.status_code in (403, 404)


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        ((), "127.0.0.1", "1.2.3.4", "127.0.0.1"),  # off by default: the header is ignored
        (("127.0.0.1",), "127.0.0.1", "1.2.3.4", "1.2.3.4"),
        (("127.0.0.1",), "127.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # client-made prefix
        (("127.0.0.1",), "9.9.9.9", "1.2.3.4", "9.9.9.9"),  # not from our proxy
        (("10.0.0.0/8",), "10.0.0.2", "1.2.3.4, 10.0.0.1", "1.2.3.4"),  # two of our proxies
        (("127.0.0.1",), "127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_the_client_address_believes_only_trusted_proxies(
    trusted: tuple[str, ...], peer: str, forwarded: str | None, client: str
) -> None:
    assert Proxies.parse(trusted).client(peer, forwarded) == client


def test_trusted_proxies_must_be_addresses(tmp_path: Path) -> None:
    config = write_config(tmp_path, server={"trusted_proxies": ["localhost"]})
    with pytest.raises(ConfigError, match="trusted_proxies"):
        load_settings(config, environ={})
    ok = write_config(tmp_path, server={"trusted_proxies": "127.0.0.1, 10.0.0.0/8"})
    assert load_settings(ok, environ={}).server.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")


async def test_a_json_body_without_content_length_is_still_parsed(config: Path) -> None:
    """The cap wraps ``receive``; a normal chunked body goes through untouched."""

    async def body() -> AsyncIterator[bytes]:
        yield json.dumps({"session": "abcdefgh1", "text": "halo"}).encode()

    async with running(config) as bot:
        answer = await bot.client.post(
            "/chat/messages", content=body(), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 202


_ = httpx  # the client type of ``running``


EXTREMES: list[object] = [1e20, -1e20, 1e308, 2**63, 2**64, -(2**63) - 1, 10**30, 0.5, -1, 0]
DEPTHS = [10, 500, 999, 1000, 1001, 5000, 20000]


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


async def test_extreme_numbers_and_nesting_anywhere_get_an_answer_below_500(
    config: Path,
) -> None:
    """Every number field of a Telegram update, a web-chat post and a WhatsApp message
    set to each extreme, and bodies nested to each depth: never a 500."""
    tg_fields = ["date", "message_id", "message_thread_id"]
    tg_headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    answers: list[tuple[str, int]] = []
    async with running(config) as bot:
        for value in EXTREMES:
            for field in tg_fields:
                update = tg_text("halo")
                update["message"][field] = value
                answers.append((f"tg {field}={value}", (await bot.telegram(update)).status_code))
            for where in ("from", "chat"):
                update = tg_text("halo")
                update["message"][where]["id"] = value
                answers.append(
                    (f"tg {where}.id={value}", (await bot.telegram(update)).status_code)
                )
            update = tg_text("halo")
            update["update_id"] = value
            answers.append((f"tg update_id={value}", (await bot.telegram(update)).status_code))
            for field in ("id", "text", "choice", "name", "session"):
                body = {"session": "abcdefgh1", "text": "halo", field: value}
                posted = await bot.client.post("/chat/messages", json=body)
                answers.append((f"web {field}={value}", posted.status_code))
            wa = wa_text("halo")
            wa["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = value
            answers.append((f"wa timestamp={value}", (await bot.whatsapp(wa)).status_code))
            got = await bot.client.get(
                "/chat/messages", params={"session": "abcdefgh1", "after": str(value)}
            )
            answers.append((f"web after={value}", got.status_code))
        for depth in DEPTHS:
            deep = _deep(depth)
            tg = f'{{"update_id": 7, "message": {deep}}}'.encode()
            answers.append(
                (
                    f"tg depth {depth}",
                    (
                        await bot.client.post("/webhook/telegram", content=tg, headers=tg_headers)
                    ).status_code,
                )
            )
            web = f'{{"session": "abcdefgh1", "text": {deep}}}'.encode()
            posted = await bot.client.post(
                "/chat/messages", content=web, headers={"Content-Type": "application/json"}
            )
            answers.append((f"web depth {depth}", posted.status_code))
            answers.append(
                (
                    f"wa depth {depth}",
                    (await bot.whatsapp(f'{{"entry": {deep}}}'.encode())).status_code,
                )
            )
        assert (await bot.client.get("/healthz")).status_code == 200
    assert [a for a in answers if a[1] >= 500] == []
