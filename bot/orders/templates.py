"""The WhatsApp ``order_update`` template's parameters (computed by the pure order flow)."""

from __future__ import annotations

from flows.order_templates import MAX_PARAM, flat, order_update_params

__all__ = ["MAX_PARAM", "flat", "order_update_params"]
