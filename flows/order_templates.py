"""Parameters of the WhatsApp utility template for order news (``whatsapp.templates.
order_update``), used when the buyer's 24-hour window is closed. Pure: the order flow
puts them on every message the shop starts (``flows.messages.ShopMessage.params``).

The template to submit to Meta (category *utility*, language as configured), e.g. in
Indonesian: ``Halo kak, ada kabar untuk pesanan #{{1}}: {{2}}. Info lengkap: {{3}}`` —
three body parameters: the order number, one line of news, and the tracking link (or
"-"). WhatsApp refuses parameters that are empty or hold a newline, a tab or four spaces
in a row (132018), so every value is flattened here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flows.order_texts import language_of

if TYPE_CHECKING:
    from flows.orders import OrderView

_NEWS = {
    "id": {
        "recorded": "pesanan dicatat ({items})",
        "paid": "pembayaran diterima",
        "shipped": "sudah dikirim dengan {courier}, no. resi {tracking}",
        "delivered": "tercatat sudah diterima",
        "cancelled": "pesanan dibatalkan",
        "returned": "retur tercatat",
        "late": "mohon maaf, pesanan terlambat; kami sedang mengurusnya",
        "feedback": "bagaimana kesan kakak? Balas pesan ini ya",
    },
    "ms": {
        "recorded": "tempahan direkod ({items})",
        "paid": "bayaran diterima",
        "shipped": "sudah dihantar dengan {courier}, no. tracking {tracking}",
        "delivered": "direkod sudah diterima",
        "cancelled": "tempahan dibatalkan",
        "returned": "pemulangan direkod",
        "late": "maaf, tempahan lewat; kami sedang uruskan",
        "feedback": "bagaimana pendapat anda? Balas mesej ini ya",
    },
    "en": {
        "recorded": "order recorded ({items})",
        "paid": "payment received",
        "shipped": "shipped with {courier}, tracking number {tracking}",
        "delivered": "recorded as delivered",
        "cancelled": "order cancelled",
        "returned": "return recorded",
        "late": "sorry, the order is running late; we're on it",
        "feedback": "how was it? Just reply to this message",
    },
}
MAX_PARAM = 1024 - 64  # WhatsApp's body limit is 1024 characters for the whole text


def flat(value: str) -> str:
    """One line, no tabs, no runs of spaces, never empty (WhatsApp 132018 / 131008)."""
    text = re.sub(r"\s+", " ", value).strip()
    return text[:MAX_PARAM] or "-"


def order_update_params(order: OrderView, news: str, language: str) -> tuple[str, str, str]:
    """``({{1}} number, {{2}} news, {{3}} link)`` for the ``order_update`` template;
    ``news`` is an order event, or ``late`` / ``feedback`` for the after-sale messages."""
    lang = language_of(language)
    template = _NEWS[lang].get(news, _NEWS[lang]["recorded"])
    line = template.format(
        items=order.items or "-",
        courier=order.courier or "-",
        tracking=order.tracking_number or "-",
    )
    return flat(order.number), flat(line), flat(order.tracking_link)
