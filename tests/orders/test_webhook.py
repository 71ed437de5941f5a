"""POST /webhook/orders: HMAC-SHA256 over the raw body, then a strictly checked body."""

from __future__ import annotations

import json

import pytest

from bot.orders.webhook import BadOrderBody, WebhookBuyer, parse_body, sign, verify_signature

SECRET = "s3cret"
BODY = json.dumps(
    {
        "order_id": "WEB-abc",
        "buyer": {"channel": "telegram", "id": "42", "name": "Nurul"},
        "items": "1x Sepatu Canvas 42 Hitam",
        "total": "Rp250.000",
        "status": "shipped",
        "courier": "SiCepat",
        "tracking_number": "004471239988",
    }
).encode()


def test_signed_body_passes() -> None:
    assert verify_signature(BODY, sign(BODY, SECRET), SECRET) == "ok"
    assert verify_signature(BODY, sign(BODY, SECRET).upper().replace("SHA256=", "sha256="),
                            SECRET) == "ok"  # fmt: skip


@pytest.mark.parametrize(
    ("header", "secret", "verdict"),
    [
        (None, SECRET, "missing"),
        ("", SECRET, "missing"),
        (sign(BODY, "other"), SECRET, "wrong"),
        (sign(BODY + b" ", SECRET), SECRET, "wrong"),
        (sign(BODY, SECRET).removeprefix("sha256="), SECRET, "wrong"),
        (sign(BODY, SECRET), "", "wrong"),
    ],
)
def test_bad_signatures(header: str | None, secret: str, verdict: str) -> None:
    assert verify_signature(BODY, header, secret) == verdict


def test_body_parses_to_typed_values() -> None:
    order = parse_body(BODY)
    assert order.buyer == WebhookBuyer("telegram", "42", "Nurul")
    assert (order.status, order.courier, order.tracking_number) == (
        "shipped", "SiCepat", "004471239988",
    )  # fmt: skip
    assert order.event_key == ("WEB-abc", "shipped")


def body(**changes: object) -> bytes:
    data = json.loads(BODY)
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not None}).encode()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (b"\xff\xfe", "not JSON"),
        (body(order_id=None), "'order_id' is required"),
        (body(buyer="42"), "'buyer' must be an object"),
        (body(buyer={"channel": "line", "id": "1"}), "'buyer.channel' must be whatsapp or"),
        (body(buyer={"channel": "whatsapp"}), "'buyer.id' is required"),
        (body(status="lost"), "'status' must be one of"),
        (body(status=None), "'status' is required"),
        (body(items=["a"]), "'items' must be a string"),
        (body(total=True), "'total' must be a string"),
        (body(tracking_number=None), "'tracking_number' is required when status is shipped"),
        (body(items="x" * 3000), "longer than"),
    ],
)
def test_bad_bodies_say_which_field(raw: bytes, message: str) -> None:
    with pytest.raises(BadOrderBody, match=message):
        parse_body(raw)


def test_numbers_as_ids_are_accepted() -> None:
    order = parse_body(body(buyer={"channel": "WhatsApp", "id": 628123}, status="Delivered"))
    assert order.buyer.id == "628123"
    assert order.buyer.channel == "whatsapp"
    assert order.status == "delivered"
