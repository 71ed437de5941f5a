"""Biteship's public tracking (any courier's waybill, not only its own bookings).

``GET {base}/v1/trackings/{waybill_id}/couriers/{courier_code}`` with the API key in the
``Authorization`` header. The answer carries ``success``, ``status``, ``link`` and
``history`` — a list of ``{note, updated_at, status}`` — which map onto ``TrackStatus``.
Biteship's webhooks only cover its own bookings, so open orders are polled.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from bot.orders.couriers import find, tracking_link
from bot.orders.tracking import TrackEvent, TrackingError, TrackResult, TrackStatus

DEFAULT_BASE_URL = "https://api.biteship.com"

# Biteship's order/tracking statuses → ours.
STATUS_MAP: dict[str, TrackStatus] = {
    "confirmed": "label_created",
    "scheduled": "label_created",
    "allocated": "label_created",
    "picking_up": "label_created",
    "picked": "picked_up",
    "dropping_off": "out_for_delivery",
    "delivered": "delivered",
    "on_hold": "exception",
    "rejected": "failed_attempt",
    "courier_not_found": "exception",
    "return_in_transit": "returning",
    "returned": "returned",
    "cancelled": "cancelled",
    "disposed": "exception",
    "in_transit": "in_transit",
    "on_process": "in_transit",
}


def map_status(status: str) -> TrackStatus:
    """Our status for one of Biteship's; an unknown one is ``unknown`` (never guessed)."""
    return STATUS_MAP.get(status.strip().lower(), "unknown")


class BiteshipTracker:
    """``Tracker`` over Biteship's public tracking API (``tracking.provider: biteship``)."""

    name = "biteship"

    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        links: dict[str, str] | None = None,
    ) -> None:
        self._client = client
        self._api_key = api_key
        self._base = base_url.rstrip("/")
        self._links = links or {}

    async def track(self, courier: str, number: str) -> TrackResult:
        known = find(courier)
        code = known.code if known else courier.strip().lower()
        url = f"{self._base}/v1/trackings/{quote(number, safe='')}/couriers/{quote(code)}"
        try:
            response = await self._client.get(
                url, headers={"Authorization": self._api_key}, timeout=15.0
            )
        except httpx.HTTPError as exc:
            raise TrackingError(f"biteship: {type(exc).__name__}: {exc}") from None
        if response.status_code in (401, 403):
            raise TrackingError("biteship: the API key was refused", permanent=True)
        if response.status_code == 404:
            raise TrackingError(f"biteship: {code} {number} not found", permanent=True)
        if response.status_code >= 400:
            raise TrackingError(f"biteship: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError:
            raise TrackingError("biteship: the answer is not JSON") from None
        if not isinstance(data, dict) or data.get("success") is False:
            message = data.get("error") if isinstance(data, dict) else None
            raise TrackingError(f"biteship: {message or 'unsuccessful answer'}", permanent=True)
        return parse_result(data, tracking_link(courier, number, self._links))


def parse_result(data: dict[str, Any], fallback_link: str) -> TrackResult:
    """Biteship's tracking object as a ``TrackResult`` (history sorted oldest first)."""
    events: list[TrackEvent] = []
    for item in data.get("history") or ():
        if not isinstance(item, dict):
            continue
        events.append(
            TrackEvent(
                _time(item.get("updated_at")),
                map_status(str(item.get("status") or "")),
                str(item.get("note") or ""),
            )
        )
    if all(e.at is not None for e in events):
        # Biteship lists newest first; a mix of naive and aware times stays as sent
        with contextlib.suppress(TypeError):
            events.sort(key=lambda e: e.at)  # type: ignore[arg-type,return-value]
    status = map_status(str(data.get("status") or ""))
    if status == "unknown" and events:
        status = events[-1].status
    link = data.get("link")
    return TrackResult(
        status, tuple(events), link if isinstance(link, str) and link else fallback_link
    )


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
