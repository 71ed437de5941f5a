"""Where a parcel is: one status list, the ``Tracker`` adapter interface, and the manual one.

``tracking.provider`` picks the adapter: ``manual`` (default; no account, no calls — the
seller's ``/resi`` and ``/sampai`` and the buyer's "sudah sampai" are the only news) or
``biteship`` (``bot/orders/biteship.py``). A provider is one small file: a class with
``name`` and ``async track(courier, number) -> TrackResult`` mapping its statuses here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, get_args

from bot.errors import BotError
from bot.orders.couriers import tracking_link

TrackStatus = Literal[
    "label_created",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "failed_attempt",
    "returning",
    "returned",
    "cancelled",
    "exception",
    "unknown",
]
TRACK_STATUSES: tuple[TrackStatus, ...] = get_args(TrackStatus)
# No more news will come: stop polling.
FINAL_STATUSES: frozenset[TrackStatus] = frozenset({"delivered", "returned", "cancelled"})


class TrackingError(BotError):
    """The provider could not be asked (network, auth, rate limit); try again later.

    ``permanent`` errors (unknown number, bad API key) are not worth retrying.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class TrackEvent:
    """One scan of the parcel, as the courier reported it."""

    at: datetime | None
    status: TrackStatus
    note: str = ""


@dataclass(frozen=True, slots=True)
class TrackResult:
    """What a provider knows of a parcel: its status, the scans (oldest first), a link."""

    status: TrackStatus
    events: tuple[TrackEvent, ...] = ()
    link: str = ""

    @property
    def last_note(self) -> str:
        return self.events[-1].note if self.events else ""


class Tracker(Protocol):
    """Asks a courier (or an aggregator) where a parcel is."""

    name: str

    async def track(self, courier: str, number: str) -> TrackResult:
        """The parcel's status.

        Raises:
            TrackingError: the provider could not answer.
        """
        ...


class ManualTracker:
    """No provider: nothing is looked up; the status is whatever the seller recorded."""

    name = "manual"

    def __init__(self, links: dict[str, str] | None = None) -> None:
        self._links = links or {}

    async def track(self, courier: str, number: str) -> TrackResult:
        return TrackResult("unknown", (), tracking_link(courier, number, self._links))
