"""What is missing for the shop to work, in plain words: for /healthz and the start-up log."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.settings import Settings

PREFIX = "Japri: warning: "


@dataclass(frozen=True, slots=True)
class StartupCheck:
    """What the gateway learnt from the platforms at start: ``rejected`` maps a channel
    (telegram, whatsapp) to what the platform said when it refused its credentials."""

    rejected: Mapping[str, str] = field(default_factory=dict)


def warnings(settings: Settings, check: StartupCheck | None = None) -> list[str]:
    """Everything that stops a part of the shop from working, one sentence each."""
    found: list[str] = []
    if not settings.has_sellers():
        where = (
            f"buyers are given the shop's contact line instead ({settings.shop.contact!r})"
            if settings.shop.contact
            else "buyers cannot be told how to reach the shop either: shop.contact is empty"
        )
        found.append(
            "handoffs have nowhere to go: no seller chat (seller.telegram_chat_id with "
            "telegram.token) and no inbox password (inbox.password, e.g. "
            f"JAPRI_INBOX_PASSWORD); {where}"
        )
    if settings.seller.telegram_chat_id is not None and not settings.telegram.token:
        found.append(
            "seller.telegram_chat_id is set but telegram.token is not: the seller chat "
            "cannot be reached"
        )
    for channel, said in sorted((check.rejected if check else {}).items()):
        found.append(
            f"{channel}: the platform rejected the credentials at start ({said}); "
            f"check the {channel} token in config.yaml, no {channel} message will be answered"
        )
    return found


def startup_lines(settings: Settings, check: StartupCheck | None = None) -> list[str]:
    """The warnings as start-up lines, e.g. printed by ``japri serve`` before it listens."""
    return [PREFIX + line for line in warnings(settings, check)]


def log_warnings(
    settings: Settings, check: StartupCheck | None = None, log: logging.Logger | None = None
) -> list[str]:
    """Log each warning (level WARNING) and return them."""
    logger = log or logging.getLogger("japri")
    found = warnings(settings, check)
    for line in found:
        logger.warning("%s", line)
    return found
