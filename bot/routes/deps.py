"""Request-scoped access to the running gateway."""

from __future__ import annotations

from typing import Annotated

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
