"""create_app(settings): the FastAPI gateway, its routes and its lifespan."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from telegram.request import BaseRequest

from bot.faqsource import FaqSource
from bot.gateway import Gateway
from bot.routes import health, inbox, orders, webchat, webhooks
from bot.security import EdgeMiddleware, Proxies, check_settings
from bot.settings import Settings, load_settings

CONFIG_ENV = "JAPRI_CONFIG"
OVERRIDES_ENV = "JAPRI_OVERRIDES"
LOG_LEVEL_ENV = "JAPRI_LOG_LEVEL"


def create_app(
    settings: Settings,
    *,
    shared: bool = False,
    faq: FaqSource | None = None,
    telegram_request: BaseRequest | None = None,
    telegram_updates_request: BaseRequest | None = None,
    whatsapp_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app; the store opens, the FAQ loads and workers start in its lifespan.

    ``shared``: other processes use the same store (``japri serve`` with several workers),
    so chats and outbox lanes are leased in the store, not just held in this process.
    ``faq``: an FAQ already loaded (``japri serve`` checks it before starting).
    The others: HTTP backends under the platform clients (tests pass fake platforms).

    Raises:
        ConfigError: the settings would run the gateway open (see ``check_settings``)."""
    check_settings(settings)
    gateway = Gateway(
        settings,
        shared=shared,
        faq_source=faq,
        telegram_request=telegram_request,
        telegram_updates_request=telegram_updates_request,
        whatsapp_transport=whatsapp_transport,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    openapi = "/openapi.json" if settings.server.openapi else None
    app = FastAPI(
        title="Japri", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=openapi
    )
    app.add_middleware(webhooks.FastWebhooks)  # inside the edge: caps and headers
    app.add_middleware(EdgeMiddleware)
    app.state.gateway = gateway
    app.state.proxies = Proxies.parse(settings.server.trusted_proxies)
    app.state.webchat_guard = gateway.webchat_guard  # shared with the buyer handler
    app.include_router(webhooks.router)
    app.include_router(health.router)
    app.include_router(webchat.router)
    app.include_router(inbox.router)
    app.include_router(orders.router)
    return app


def app_from_env() -> FastAPI:
    """The app of one worker process when ``japri serve`` runs several (uvicorn factory)."""
    from bot.logs import configure

    overrides = json.loads(os.environ.get(OVERRIDES_ENV) or "[]")
    settings = load_settings(os.environ[CONFIG_ENV], overrides=overrides)
    configure(
        os.environ.get(LOG_LEVEL_ENV, "INFO"), secrets=settings.secrets(), mask=settings.logs.mask
    )
    return create_app(settings, shared=True)
