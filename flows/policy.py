"""How this shop's bot behaves: the settings every flow reads (from config.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flows.texts import Texts


@dataclass(frozen=True)
class Policy:
    """How this shop's bot behaves (from config.yaml)."""

    shop_name: str = "Toko Kami"
    language: str = "id"
    texts: Texts = field(default_factory=Texts)
    max_fallbacks: int = 2  # fallbacks in a row before a person takes over
    sla_minutes: float = 5  # a seller answers within this; else remind and reassure
    idle_hours: float = 12  # a handed-off chat with no seller activity goes back to the bot
    hours: tuple[str, str] | None = None  # ("08:00", "21:00") in the shop's local time
    sellers: bool = True  # someone can take a handed-off chat (a seller chat or the inbox)
    contact: str = ""  # how buyers reach the shop when no seller can take the chat here

    def open_at(self, now: datetime) -> bool:
        """Whether sellers are around at ``now`` (given in the shop's time zone)."""
        if self.hours is None:
            return True
        opens, closes = self.hours
        clock = now.strftime("%H:%M")
        if opens <= closes:
            return opens <= clock < closes
        return clock >= opens or clock < closes  # open past midnight
