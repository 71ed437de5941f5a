"""``POST /webhook/orders`` (CONTRACT.md): the signature check and the body, as typed values.

The route reads the raw body, calls ``verify_signature`` (401 when the header is missing,
403 when it is wrong) and then ``parse_body`` (400 with ``BadOrderBody``'s message); the
same ``(order_id, status)`` is processed once (the key is written with the order change).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from bot.errors import BotError

WebhookStatus = Literal["new", "paid", "shipped", "delivered", "cancelled"]
WEBHOOK_STATUSES: tuple[str, ...] = get_args(WebhookStatus)
SIGNATURE_HEADER = "X-Japri-Signature"
_MAX_FIELD = 2000


class BadOrderBody(BotError):
    """The body is not a valid order (400); the message names the field."""


SignatureCheck = Literal["ok", "missing", "wrong"]


def sign(body: bytes, secret: str) -> str:
    """The header value a shop system sends: ``sha256=<hex HMAC-SHA256(body, secret)>``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(body: bytes, header: str | None, secret: str) -> SignatureCheck:
    """Whether ``header`` signs the raw ``body`` with ``secret`` (constant-time compare)."""
    if not header or not header.strip():
        return "missing"
    if not secret:
        return "wrong"  # never accept anything when no secret is configured
    given = header.strip()
    if not given.lower().startswith("sha256="):
        return "wrong"
    expected = sign(body, secret)
    ok = hmac.compare_digest(expected.encode(), ("sha256=" + given[7:].lower()).encode())
    return "ok" if ok else "wrong"


@dataclass(frozen=True, slots=True)
class WebhookBuyer:
    channel: Literal["whatsapp", "telegram"]
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class WebhookOrder:
    """One order event pushed by a shop system."""

    order_id: str
    buyer: WebhookBuyer
    items: str
    total: str
    status: WebhookStatus
    courier: str = ""
    tracking_number: str = ""

    @property
    def event_key(self) -> tuple[str, str]:
        """What makes a post a duplicate: the same order in the same status."""
        return (self.order_id, self.status)


def parse_body(raw: bytes) -> WebhookOrder:
    """The order a verified body describes.

    Raises:
        BadOrderBody: not JSON, not an object, or a field missing or of the wrong kind.
    """
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadOrderBody(f"body is not JSON: {exc}") from None
    except RecursionError:
        raise BadOrderBody("body is nested too deeply") from None
    return parse_order(data)


def parse_order(data: Any) -> WebhookOrder:
    """The order a decoded body describes (see ``parse_body``).

    Raises:
        BadOrderBody: not an object, or a field missing or of the wrong kind.
    """
    if not isinstance(data, dict):
        raise BadOrderBody("body must be a JSON object")
    buyer = data.get("buyer")
    if not isinstance(buyer, dict):
        raise BadOrderBody("'buyer' must be an object with 'channel' and 'id'")
    channel = _text(buyer, "channel", "buyer.channel", required=True).lower()
    if channel not in ("whatsapp", "telegram"):
        raise BadOrderBody(f"'buyer.channel' must be whatsapp or telegram, not {channel!r}")
    status = _text(data, "status", "status", required=True).lower()
    if status not in WEBHOOK_STATUSES:
        raise BadOrderBody(
            f"'status' must be one of {', '.join(WEBHOOK_STATUSES)}, not {status!r}"
        )
    order = WebhookOrder(
        order_id=_text(data, "order_id", "order_id", required=True),
        buyer=WebhookBuyer(
            channel=channel,  # type: ignore[arg-type]  # checked just above
            id=_text(buyer, "id", "buyer.id", required=True),
            name=_text(buyer, "name", "buyer.name"),
        ),
        items=_text(data, "items", "items"),
        total=_text(data, "total", "total"),
        status=status,  # type: ignore[arg-type]  # checked just above
        courier=_text(data, "courier", "courier"),
        tracking_number=_text(data, "tracking_number", "tracking_number"),
    )
    if order.status == "shipped" and not order.tracking_number:
        raise BadOrderBody("'tracking_number' is required when status is shipped")
    return order


def _text(data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise BadOrderBody(f"'{path}' is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadOrderBody(f"'{path}' must be a string")
    text = str(value).strip()
    if len(text) > _MAX_FIELD:
        raise BadOrderBody(f"'{path}' is longer than {_MAX_FIELD} characters")
    if required and not text:
        raise BadOrderBody(f"'{path}' is required")
    return text
