"""GET /healthz and GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from bot.routes.deps import GatewayDep

router = APIRouter()


@router.get("/healthz")
async def healthz(gateway: GatewayDep) -> JSONResponse:
    try:  # the store's ping writes: a read-only or vanished database is not healthy
        store_ok = await gateway.store.ping()
    except Exception:
        store_ok = False
    faq = gateway.faq
    body = {
        "status": "ok" if store_ok and faq.faq is not None else "unhealthy",
        "store": "ok" if store_ok else "unavailable",
        "faq": {
            "entries": len(faq.faq) if faq.faq is not None else 0,
            "path": str(faq.path),
            "error": faq.error,  # a broken edit: the last good FAQ stays live
        },
        "channels": sorted(gateway.channels),
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/metrics")
async def metrics(gateway: GatewayDep) -> Response:
    gateway.metrics.outbox_depth.set(await gateway.store.outbox_depth())
    return Response(gateway.metrics.render(), media_type=gateway.metrics.content_type)
