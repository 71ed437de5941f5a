"""``tracking.provider`` picks the adapter; mistakes are config errors naming the key."""

from __future__ import annotations

import httpx
import pytest

from bot.errors import ConfigError
from bot.orders.biteship import BiteshipTracker
from bot.orders.trackers import build_tracker
from bot.orders.tracking import ManualTracker


async def test_manual_is_the_default() -> None:
    assert isinstance(build_tracker(""), ManualTracker)
    assert isinstance(build_tracker("Manual"), ManualTracker)


async def test_biteship_needs_key_and_client() -> None:
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(500))
    ) as c:
        assert isinstance(build_tracker("biteship", c, "key"), BiteshipTracker)
        with pytest.raises(ConfigError, match=r"tracking.api_key"):
            build_tracker("biteship", c, "")
    with pytest.raises(ConfigError, match="HTTP client"):
        build_tracker("biteship", None, "key")


def test_unknown_provider() -> None:
    with pytest.raises(ConfigError, match="unknown provider 'aftership'"):
        build_tracker("aftership")
