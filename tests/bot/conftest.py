"""Fixtures for the gateway tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.gateway_kit import write_config


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config.yaml with every channel on, pointed at the fake platforms."""
    return write_config(tmp_path)
