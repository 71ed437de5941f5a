"""create_app(settings): the FastAPI gateway, its routes and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.gateway import Fakes, Gateway
from bot.routes import health, webchat, webhooks
from bot.settings import Settings


def create_app(settings: Settings, fakes: Fakes | None = None) -> FastAPI:
    """Build the app; the store opens, the FAQ loads and workers start in its lifespan."""
    gateway = Gateway(settings, fakes or Fakes())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(title="Japri", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.gateway = gateway
    app.include_router(webhooks.router)
    app.include_router(health.router)
    app.include_router(webchat.router)
    return app
