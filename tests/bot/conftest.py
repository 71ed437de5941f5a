"""Fixtures for the gateway tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest

from bot.store import open_store
from bot.store.base import Store
from bot.store.memory import MemoryStore
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


@pytest.fixture(params=["memory", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open, empty store in this process's memory, then in a SQLite file."""
    opened: Store = (
        MemoryStore()
        if request.param == "memory"
        else open_store(f"sqlite:///{tmp_path / 'japri.db'}")
    )
    await opened.open()
    yield opened
    await opened.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """An open, empty store on each backend in turn: memory, SQLite, PostgreSQL."""
    if request.param == "memory":
        opened: Store = MemoryStore()
    elif request.param == "sqlite":
        opened = open_store(f"sqlite:///{tmp_path / 'japri.db'}")
    else:
        opened = open_store(request.getfixturevalue("postgres_url"))
    await opened.open()
    yield opened
    await opened.close()
