"""Fixtures for the gateway tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.bot.gateway_kit import write_config

# The server the PostgreSQL store tests create their throwaway databases on.
POSTGRES_ADMIN_URL = os.environ.get(
    "JAPRI_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config.yaml with every channel on, pointed at the fake platforms."""
    return write_config(tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    Skipped when no server answers (a laptop without PostgreSQL), unless
    ``JAPRI_REQUIRE_POSTGRES=1`` (CI machines have one) makes that a failure.
    """
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("JAPRI_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL at {POSTGRES_ADMIN_URL}: {exc}")
    name = f"japri_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
