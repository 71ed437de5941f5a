"""What the seller chat is told about order commands, in Indonesian, Malay and English."""

from __future__ import annotations

from collections.abc import Mapping

SELLER_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "recorded": "✅ Pesanan #{number} dicatat: {summary}. Janji kirim: {ship_date}.",
        "shipped": "📦 Pesanan #{number} dikirim: {courier} {tracking}",
        "delivered": "✅ Pesanan #{number} sampai. Permintaan ulasan dijadwalkan.",
        "cancelled": "❌ Pesanan #{number} dibatalkan.",
        "no_order": "Belum ada pesanan terbuka untuk pembeli ini. Catat dulu: {usage}",
        "not_found": "Pesanan {target} tidak ditemukan.",
        "no_buyer": "Pembeli belum diketahui: tulis di topik pembeli, atau sebut #NOMOR / no. HP.",
        "invalid": "Pesanan #{number} sudah {status}; tidak bisa diubah jadi {wanted}.",
        "usage": "Format: {usage}",
        "list_empty": "Belum ada pesanan untuk pembeli ini.",
        "list_line": "#{number} · {status} · {items}{extra}",
    },
    "ms": {
        "recorded": "✅ Tempahan #{number} direkod: {summary}. Janji hantar: {ship_date}.",
        "shipped": "📦 Tempahan #{number} dihantar: {courier} {tracking}",
        "delivered": "✅ Tempahan #{number} sampai. Permintaan maklum balas dijadualkan.",
        "cancelled": "❌ Tempahan #{number} dibatalkan.",
        "no_order": "Tiada tempahan terbuka untuk pembeli ini. Rekod dahulu: {usage}",
        "not_found": "Tempahan {target} tidak dijumpai.",
        "no_buyer": (
            "Pembeli tidak diketahui: tulis dalam topik pembeli, atau sebut #NOMBOR / no. telefon."
        ),
        "invalid": "Tempahan #{number} sudah {status}; tidak boleh ditukar kepada {wanted}.",
        "usage": "Format: {usage}",
        "list_empty": "Tiada tempahan untuk pembeli ini.",
        "list_line": "#{number} · {status} · {items}{extra}",
    },
    "en": {
        "recorded": "✅ Order #{number} recorded: {summary}. Ships by {ship_date}.",
        "shipped": "📦 Order #{number} shipped: {courier} {tracking}",
        "delivered": "✅ Order #{number} delivered. The feedback request is scheduled.",
        "cancelled": "❌ Order #{number} cancelled.",
        "no_order": "No open order for this buyer yet. Record one first: {usage}",
        "not_found": "Order {target} not found.",
        "no_buyer": "Which buyer? Write in the buyer's topic, or give #NUMBER or the phone.",
        "invalid": "Order #{number} is already {status}; it cannot become {wanted}.",
        "usage": "Usage: {usage}",
        "list_empty": "No orders for this buyer yet.",
        "list_line": "#{number} · {status} · {items}{extra}",
    },
}
