"""``tracking.provider`` → a ``Tracker``. A new provider is one small file plus a line here."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from bot.errors import ConfigError
from bot.orders.biteship import BiteshipTracker
from bot.orders.tracking import ManualTracker, Tracker

PROVIDERS = ("manual", "biteship")


def build_tracker(
    provider: str,
    client: httpx.AsyncClient | None = None,
    api_key: str = "",
    links: Mapping[str, str] | None = None,
    base_url: str | None = None,
) -> Tracker:
    """The tracker ``tracking.provider`` names.

    Raises:
        ConfigError: an unknown provider, or one that needs an API key or client without.
    """
    name = provider.strip().lower() or "manual"
    extra = dict(links or {})
    if name == "manual":
        return ManualTracker(extra)
    if name == "biteship":
        if not api_key:
            raise ConfigError("tracking.api_key", "biteship needs an API key")
        if client is None:
            raise ConfigError("tracking.provider", "biteship needs an HTTP client")
        if base_url:
            return BiteshipTracker(client, api_key, base_url, extra)
        return BiteshipTracker(client, api_key, links=extra)
    raise ConfigError(
        "tracking.provider", f"unknown provider {provider!r}; use one of {PROVIDERS}"
    )
