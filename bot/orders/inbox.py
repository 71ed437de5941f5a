"""The web inbox's order panel and orders page: rows to show, late first, and words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.orders.model import Order
from flows.order_texts import format_date, language_of

STATUS_FILTERS = ("open", "new", "paid", "shipped", "delivered", "cancelled", "returned", "all")

TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "orders": "Pesanan", "none": "Belum ada pesanan.", "record": "Catat pesanan",
        "record_hint": "2x Sepatu Canvas 41 Rp500.000 COD", "ship": "Kirim (resi)",
        "courier": "Kurir", "tracking": "No. resi", "deliver": "Sampai", "cancel": "Batalkan",
        "late": "terlambat", "ship_by": "kirim paling lambat", "all": "Semua", "open": "Terbuka",
        "new": "Baru", "paid": "Dibayar", "shipped": "Dikirim", "delivered": "Sampai",
        "cancelled": "Batal", "returned": "Retur", "buyer": "Pembeli",
    },
    "ms": {
        "orders": "Tempahan", "none": "Tiada tempahan lagi.", "record": "Rekod tempahan",
        "record_hint": "2x Kasut Canvas 41 RM120 COD", "ship": "Hantar (no. tracking)",
        "courier": "Kurier", "tracking": "No. tracking", "deliver": "Sampai",
        "cancel": "Batalkan", "late": "lewat", "ship_by": "hantar sebelum", "all": "Semua",
        "open": "Terbuka", "new": "Baru", "paid": "Dibayar", "shipped": "Dihantar",
        "delivered": "Sampai", "cancelled": "Batal", "returned": "Dipulangkan",
        "buyer": "Pembeli",
    },
    "en": {
        "orders": "Orders", "none": "No orders yet.", "record": "Record order",
        "record_hint": "2x Canvas shoes 41 $30 COD", "ship": "Ship (tracking no.)",
        "courier": "Courier", "tracking": "Tracking no.", "deliver": "Delivered",
        "cancel": "Cancel", "late": "late", "ship_by": "ship by", "all": "All", "open": "Open",
        "new": "New", "paid": "Paid", "shipped": "Shipped", "delivered": "Delivered",
        "cancelled": "Cancelled", "returned": "Returned", "buyer": "Buyer",
    },
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrderRow:
    number: str
    chat_key: str
    buyer: str
    status: str
    status_label: str
    items: str
    total: str
    payment: str
    tracking: str
    link: str
    ship_by: str
    late: bool
    open: bool


def texts_for(language: str) -> Mapping[str, str]:
    return TEXTS[language_of(language)]


def is_late(order: Order, now: datetime, delivery_days: float, grace_days: float) -> bool:
    """Not shipped by the promise, or not delivered by the estimate plus the grace."""
    if order.status in ("new", "paid"):
        return order.promised_ship_at is not None and now > order.promised_ship_at
    if order.status == "shipped" and order.shipped_at is not None:
        due = order.eta or order.shipped_at + timedelta(days=delivery_days)
        return now > due + timedelta(days=grace_days)
    return False


def rows(
    orders: Iterable[Order],
    language: str,
    now: datetime,
    delivery_days: float = 3,
    grace_days: float = 1,
) -> list[OrderRow]:
    """Orders for a page: late ones first, then the newest."""
    lang = language_of(language)
    words = texts_for(lang)
    shown = [
        OrderRow(
            number=o.number,
            chat_key=o.chat_key,
            buyer=o.buyer_name or o.phone or o.chat_key.split(":", 1)[-1],
            status=o.status,
            status_label=words.get(o.status, o.status),
            items=o.items,
            total=o.total,
            payment=o.payment,
            tracking=f"{o.courier} {o.tracking_number}".strip(),
            link=o.tracking_link,
            ship_by=format_date(o.promised_ship_at, lang) if o.promised_ship_at else "",
            late=is_late(o, now, delivery_days, grace_days),
            open=o.is_open,
        )
        for o in sorted(orders, key=lambda o: o.created_at, reverse=True)
    ]
    return sorted(shown, key=lambda r: not r.late)  # stable: newest first within each
