"""Request-scoped access to the running gateway."""

from __future__ import annotations

import json
import math
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from bot.gateway import Gateway
from bot.services import HealthService, InboxService, WebChatService

MAX_BODY = 1_000_000  # bytes: far above any real update, far below trouble


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def inbox_of(request: Request) -> InboxService:
    return gateway_of(request).inbox


def webchat_of(request: Request) -> WebChatService:
    return gateway_of(request).webchat


def health_of(request: Request) -> HealthService:
    return gateway_of(request).health


InboxDep = Annotated[InboxService, Depends(inbox_of)]
WebChatDep = Annotated[WebChatService, Depends(webchat_of)]
HealthDep = Annotated[HealthService, Depends(health_of)]


async def read_body(request: Request) -> bytes:
    """The raw body, refusing anything over ``MAX_BODY`` before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise HTTPException(413, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPException(413, "body too large")
    return bytes(body)


class BadJson(ValueError):
    """A body that is not JSON we will read: broken, nested past Python's stack, or with
    a number no float holds (1e999)."""


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"number out of range: {text[:20]}")
    return value


def _constant(text: str) -> Any:
    raise BadJson(f"{text} is not JSON")


def load_json(body: bytes) -> Any:
    """``json.loads`` that fails only with ``BadJson`` (a 400), never a 500."""
    try:
        return json.loads(body, parse_float=_finite, parse_constant=_constant)
    except RecursionError:
        raise BadJson("nested too deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson(str(exc)[:200]) from None


# What parsing odd but valid JSON can raise inside the platforms' parsers (a date of 1e20,
# a text that is an object, nesting that runs out of stack): answered 400, never 500.
MALFORMED = (ValueError, TypeError, KeyError, OverflowError, OSError, RecursionError)
