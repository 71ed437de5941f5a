"""Say it when something is missing: /healthz warnings, start-up lines, /metrics by action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.settings import Settings
from bot.warnings import StartupCheck, startup_lines, warnings
from tests.bot.gateway_kit import running, write_config

NOWHERE = "handoffs have nowhere to go"


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        ({}, []),  # a seller chat with the bot's token
        ({"seller": {"telegram_chat_id": None}, "inbox": {"password": "rahasia"}}, []),
        ({"seller": {"telegram_chat_id": None}}, [NOWHERE, "shop.contact is empty"]),
        (
            {"seller": {"telegram_chat_id": None}, "shop": {"contact": "WA 0812-1111"}},
            [NOWHERE, "contact line instead ('WA 0812-1111')"],
        ),
        (
            {"telegram": {"token": None}},
            [NOWHERE, "seller.telegram_chat_id is set but telegram.token is not"],
        ),
    ],
)
def test_what_is_missing_in_plain_words(
    tmp_path: Path, sections: dict[str, Any], expected: list[str]
) -> None:
    from bot.settings import load_settings

    settings: Settings = load_settings(write_config(tmp_path, **sections), environ={})
    said = " | ".join(warnings(settings))
    for part in expected:
        assert part in said
    if not expected:
        assert said == ""


def test_rejected_credentials_and_the_start_up_lines(tmp_path: Path) -> None:
    from bot.settings import load_settings

    settings = load_settings(write_config(tmp_path), environ={})
    check = StartupCheck(rejected={"whatsapp": "401 Invalid OAuth access token"})
    [line] = startup_lines(settings, check)
    assert line.startswith("Japri: warning: whatsapp: the platform rejected the credentials")
    assert "401 Invalid OAuth access token" in line


async def test_healthz_lists_the_warnings_and_stays_ok(tmp_path: Path) -> None:
    config = write_config(tmp_path, seller={"telegram_chat_id": None})
    async with running(config) as bot:
        response = await bot.client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        [warning] = body["warnings"]
        assert warning.startswith(NOWHERE)

        bot.gateway.health.startup = StartupCheck(rejected={"telegram": "Unauthorized"})
        body = (await bot.client.get("/healthz")).json()
        assert [w.split(":")[0] for w in body["warnings"]] == [NOWHERE, "telegram"]


async def test_a_token_telegram_refuses_shows_at_start(tmp_path: Path) -> None:
    from bot.app import create_app
    from bot.settings import load_settings
    from tests.bot.fakes import FakeBotApi

    settings = load_settings(write_config(tmp_path), environ={})
    refusing = FakeBotApi("another:token")  # our token is not this bot's: 401 on getMe
    app = create_app(
        settings,
        telegram_request=HTTPXRequest(httpx_kwargs={"transport": refusing.transport()}),
    )
    async with app.router.lifespan_context(app):
        warnings = app.state.gateway.health.warnings()
    assert [w.split(":")[0] for w in warnings] == ["telegram"]


async def test_healthz_has_no_warnings_when_all_is_set(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        assert (await bot.client.get("/healthz")).json()["warnings"] == []


async def test_metrics_count_turns_by_action_and_reason(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        for action in ("answer", "answer", "handoff:complaint", "small_talk", None):
            bot.gateway.metrics.turn(action)
        text = (await bot.client.get("/metrics")).text
        assert 'japri_turns_total{action="answer",reason=""} 2.0' in text
        assert 'japri_turns_total{action="handoff",reason="complaint"} 1.0' in text
        assert 'japri_turns_total{action="none",reason=""} 1.0' in text
