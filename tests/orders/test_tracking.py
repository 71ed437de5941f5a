"""Tracking adapters: the manual one asks nobody; Biteship is read through a fake of its API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bot.orders.biteship import BiteshipTracker, map_status
from bot.orders.tracking import TRACK_STATUSES, ManualTracker, TrackingError

SHIPPED = {
    "success": True,
    "messsage": "Successfully get tracking info",
    "object": "tracking",
    "id": "6051861741a37414e6637fab",
    "waybill_id": "004471239988",
    "courier": {"company": "sicepat", "driver_name": "", "driver_phone": ""},
    "origin": {"contact_name": "Toko", "address": "Jakarta"},
    "destination": {"contact_name": "Ayu", "address": "Depok"},
    "history": [
        {"note": "Paket dibawa kurir ke alamat", "updated_at": "2024-12-04T09:10:00+07:00",
         "status": "dropping_off"},
        {"note": "Paket diterima di gudang", "updated_at": "2024-12-03T17:00:00+07:00",
         "status": "picked"},
        {"note": "Resi dibuat", "updated_at": "2024-12-03T10:00:00+07:00",
         "status": "confirmed"},
    ],
    "link": "https://track.example/004471239988",
    "order_id": None,
    "status": "dropping_off",
}  # fmt: skip


def fake_biteship(
    answer: Callable[[httpx.Request], httpx.Response], seen: list[httpx.Request]
) -> httpx.AsyncClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def json_response(status: int, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(status, content=json.dumps(body).encode())


async def test_biteship_public_tracking_call_and_mapping() -> None:
    seen: list[httpx.Request] = []
    async with fake_biteship(json_response(200, SHIPPED), seen) as client:
        tracker = BiteshipTracker(client, "biteship_test.key", base_url="https://bs.test")
        result = await tracker.track("SiCepat", "004471239988")
    (request,) = seen
    assert request.method == "GET"
    assert str(request.url) == "https://bs.test/v1/trackings/004471239988/couriers/sicepat"
    assert request.headers["Authorization"] == "biteship_test.key"
    assert result.status == "out_for_delivery"
    assert [e.status for e in result.events] == ["label_created", "picked_up", "out_for_delivery"]
    assert result.last_note == "Paket dibawa kurir ke alamat"
    assert result.link == "https://track.example/004471239988"


async def test_courier_codes_come_from_the_courier_table() -> None:
    seen: list[httpx.Request] = []
    async with fake_biteship(json_response(200, {**SHIPPED, "status": "delivered"}), seen) as c:
        result = await BiteshipTracker(c, "k").track("J&T", "JP 12/3")
    assert seen[0].url.raw_path == b"/v1/trackings/JP%2012%2F3/couriers/jnt"
    assert result.status == "delivered"


async def test_missing_link_falls_back_to_the_courier_page() -> None:
    seen: list[httpx.Request] = []
    body = {**SHIPPED, "link": None, "history": []}
    async with fake_biteship(json_response(200, body), seen) as client:
        result = await BiteshipTracker(client, "k").track("JNE", "CGK1")
    assert "CGK1" in result.link
    assert result.events == ()


@pytest.mark.parametrize(
    ("status", "body", "permanent"),
    [
        (401, {"success": False, "error": "auth"}, True),
        (404, {"success": False, "error": "not found"}, True),
        (429, {"success": False}, False),
        (500, "oops", False),
        (200, {"success": False, "error": "Waybill not found"}, True),
    ],
)
async def test_provider_errors_are_typed(status: int, body: Any, permanent: bool) -> None:
    seen: list[httpx.Request] = []
    async with fake_biteship(json_response(status, body), seen) as client:
        with pytest.raises(TrackingError) as caught:
            await BiteshipTracker(client, "k").track("JNE", "CGK1")
    assert caught.value.permanent is permanent


async def test_network_failure_is_a_tracking_error() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    async with fake_biteship(broken, []) as client:
        with pytest.raises(TrackingError, match="ConnectError"):
            await BiteshipTracker(client, "k").track("JNE", "CGK1")


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [("confirmed", "label_created"), ("allocated", "label_created"), ("picked", "picked_up"),
     ("dropping_off", "out_for_delivery"), ("delivered", "delivered"),
     ("return_in_transit", "returning"), ("returned", "returned"), ("cancelled", "cancelled"),
     ("on_hold", "exception"), ("rejected", "failed_attempt"), ("something_new", "unknown")],
)  # fmt: skip
def test_status_map(theirs: str, ours: str) -> None:
    assert map_status(theirs) == ours
    assert ours in TRACK_STATUSES


async def test_manual_tracker_calls_nobody_and_knows_nothing() -> None:
    result = await ManualTracker({"JNE": "https://x.test/{number}"}).track("JNE", "CGK1")
    assert result.status == "unknown"
    assert result.events == ()
    assert result.link == "https://x.test/CGK1"
