"""config.yaml: the CONTRACT keys, ${ENV} values and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_config_runs_on_defaults_without_tokens() -> None:
    settings = load_settings(ROOT / "config.yaml", environ={})
    assert settings.shop.language == "id"
    assert settings.store.url == "sqlite:///japri.db"
    assert settings.telegram.token is None
    assert settings.whatsapp.access_token is None
    assert settings.faq_path == ROOT / "faq" / "faq.yaml"


def test_env_values_are_read_from_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shop:\n  name: ${SHOP_NAME:-Toko Default}\n"
        "telegram:\n  token: ${TG_TOKEN}\n  webhook_secret: ${TG_SECRET}\n",
    )
    settings = load_settings(path, environ={"TG_TOKEN": "123:abc"})
    assert settings.telegram.token == "123:abc"
    assert settings.telegram.webhook_secret is None  # unset: the feature stays off
    assert settings.shop.name == "Toko Default"
    assert load_settings(path, environ={"SHOP_NAME": "Batik Sari"}).shop.name == "Batik Sari"


def test_the_policy_carries_shop_name_language_and_texts(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "shop:\n  name: Kedai Ani\n  language: ms\n"
        "texts:\n  ms:\n    greeting: Salam dari {shop}!\n",
    )
    policy = load_settings(path, environ={}).policy()
    assert policy.shop_name == "Kedai Ani"
    assert policy.language == "ms"
    assert policy.texts.get("greeting", "ms", shop="Kedai Ani") == "Salam dari Kedai Ani!"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("shop:\n  language: fr\n", "shop.language"),
        ("server:\n  port: 99999\n", "server.port"),
        ("shop:\n  nmae: x\n", "shop.nmae"),
        ("handoff:\n  sla_minutes: soon\n", "handoff.sla_minutes"),
        ("matching:\n  answer: 3\n", "matching.answer"),
        ("texts:\n  id:\n    greting: Halo\n", "texts"),
    ],
)
def test_a_wrong_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert key in str(caught.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, "shop:\n  name: [x\n"), environ={})
    assert "config.yaml:" in str(caught.value)


def test_a_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_serve_overrides_set_one_key_each(tmp_path: Path) -> None:
    path = write(tmp_path, "shop:\n  name: Toko A\n")
    settings = load_settings(
        path, environ={}, overrides=["telegram.max_per_second=25", "shop.name=Toko B"]
    )
    assert settings.telegram.max_per_second == 25
    assert settings.shop.name == "Toko B"
    with pytest.raises(ConfigError):
        load_settings(path, environ={}, overrides=["no-equals-sign"])


def test_a_database_password_is_among_the_secrets_logs_mask(tmp_path: Path) -> None:
    path = write(tmp_path, "store:\n  url: postgresql://japri:s3cr3t-pw@db:5432/japri\n")
    assert "s3cr3t-pw" in load_settings(path, environ={}).secrets()


async def test_an_unreachable_database_is_a_clear_error_without_its_password() -> None:
    from bot.errors import StoreError
    from bot.store import open_store

    store = open_store("postgresql://japri:s3cr3t-pw@127.0.0.1:9/japri?connect_timeout=1")
    with pytest.raises(StoreError) as caught:
        await store.open()
    assert "cannot open the PostgreSQL store" in str(caught.value)
    assert "s3cr3t-pw" not in str(caught.value)


def test_pool_sizes_size_the_connection_pools_and_the_sends_in_flight(tmp_path: Path) -> None:
    from bot.gateway import Gateway
    from tests.bot.gateway_kit import write_config

    config = write_config(tmp_path, telegram={"pool_size": 150}, whatsapp={"pool_size": 16})
    gateway = Gateway(load_settings(config, environ={}))
    assert gateway.outbox._slots["telegram"]._value == 150
    assert gateway.outbox._slots["whatsapp"]._value == 16
    (tmp_path / "defaults").mkdir()
    defaults = load_settings(write_config(tmp_path / "defaults"), environ={})
    assert (defaults.telegram.pool_size, defaults.whatsapp.pool_size) == (100, 100)
