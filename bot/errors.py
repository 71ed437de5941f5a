"""Japri's error tree; vendor exceptions are translated into these at the edges."""

from __future__ import annotations


class BotError(Exception):
    """Root of everything Japri raises on purpose."""


class ConfigError(BotError):
    """config.yaml is wrong; ``key`` names the file and the offending key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}")
