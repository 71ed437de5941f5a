"""GET /healthz and GET /metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from bot.routes.deps import GatewayDep
from bot.warnings import warnings

router = APIRouter()


@router.get("/healthz")
async def healthz(gateway: GatewayDep) -> JSONResponse:
    store_ok = await gateway.store.ping()
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
        # what is missing (no seller destination, credentials refused): still "ok"
        "warnings": warnings(gateway.settings, getattr(gateway, "startup_check", None)),
    }
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


@router.get("/metrics")
async def metrics(gateway: GatewayDep) -> Response:
    gateway.metrics.outbox_depth.set(await gateway.store.outbox_depth())
    return Response(gateway.metrics.render(), media_type=gateway.metrics.content_type)
