"""GET /healthz and GET /metrics."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from bot.errors import StoreError
from bot.routes.deps import HealthDep

router = APIRouter()


@router.get("/healthz")
async def healthz(health: HealthDep) -> JSONResponse:
    try:  # the store's ping writes: a read-only or vanished database is not healthy
        store_ok = await health.store_ok()
    except Exception:
        store_ok = False
    faq = health.faq
    body = {
        "status": "ok" if store_ok and faq.faq is not None else "unhealthy",
        "store": "ok" if store_ok else "unavailable",
        "faq": {
            "entries": len(faq.faq) if faq.faq is not None else 0,
            "path": str(faq.path),
            "error": faq.error,  # a broken edit: the last good FAQ stays live
        },
        "channels": health.channels,
        # what is missing (no seller destination, credentials refused): still "ok"
        "warnings": health.warnings(),
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/metrics")
async def metrics(health: HealthDep) -> Response:
    with contextlib.suppress(StoreError):  # the figures still tell what they can
        health.metrics.outbox_depth.set(await health.outbox_depth())
    return Response(health.metrics.render(), media_type=health.metrics.content_type)
