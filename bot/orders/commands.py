"""Seller commands about orders (CONTRACT.md): ``/order``, ``/resi``, ``/sampai``, ``/batal``,
``/pesanan``, typed in the seller chat, parsed into values.

Inside a buyer's topic (or as a reply about a buyer) the buyer is known; elsewhere the
first argument names the order (``#JP-2412-0007``) or the buyer's phone (``0812…``,
``+62 812…``): ``/resi #JP-2412-0007 JNE CGK123``. ``/resi@japri_bot`` works like ``/resi``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.orders.couriers import split_courier_and_number

_AMOUNT = re.compile(
    r"(?<![\w.])(?:(?:rp|idr|rm|myr|\$|usd)\s?\d[\d.,]*(?:\s?(?:rb|ribu|k|jt|juta))?"
    r"|\d[\d.,]*\s?(?:rb|ribu|k|jt|juta)\b|\d{1,3}(?:[.,]\d{3})+(?:,\d{1,2})?)(?![\w])",
    re.IGNORECASE,
)
# How payment is written at the end of an order line.
_PAYMENT = re.compile(
    r"(?:^|\s)(cod|bayar di tempat|transfer|tf|trf|bank transfer|qris|ovo|gopay|dana|"
    r"shopeepay|bca|bri|bni|mandiri|bsi|cimb|maybank|duitnow|fpx|cash|tunai|lunas|paid|dp)"
    r"\s*$",
    re.IGNORECASE,
)
_PHONE = re.compile(r"^\+?(?:62|60|0)[\s\-]?\d[\d\-\s]{6,15}$")
_COMMAND = re.compile(r"^/(\w+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Target:
    """Which order or buyer a command outside a topic is about."""

    order_number: str = ""
    phone: str = ""  # digits only, as written otherwise ("081234567890")


@dataclass(frozen=True, slots=True)
class RecordOrder:
    """``/order TEXT``: a new order; everything kept as written."""

    text: str
    items: str
    total: str
    payment: str
    cod: bool
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class Ship:
    """``/resi COURIER NUMBER``: shipped; the number exactly as written."""

    courier: str
    number: str
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class MarkDelivered:
    """``/sampai``: delivered."""

    target: Target | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """``/batal [reason]``: cancelled."""

    reason: str = ""
    target: Target | None = None


@dataclass(frozen=True, slots=True)
class ListOrders:
    """``/pesanan``: the buyer's orders, listed in the seller chat."""

    target: Target | None = None


@dataclass(frozen=True, slots=True)
class BadCommand:
    """An order command the seller mistyped; ``usage`` is what to tell them."""

    command: str
    usage: str


OrderCommand = RecordOrder | Ship | MarkDelivered | Cancel | ListOrders

NAMES = {
    "order": "order",
    "pesan": "order",
    "resi": "resi",
    "kirim": "resi",
    "sampai": "sampai",
    "diterima": "sampai",
    "batal": "batal",
    "cancel": "batal",
    "pesanan": "pesanan",
    "orders": "pesanan",
}

USAGE = {
    "order": "/order 2x Sepatu Canvas 41 Rp500.000 COD",
    "resi": "/resi JNE CGK1234567890",
    "sampai": "/sampai",
    "batal": "/batal [alasan]",
    "pesanan": "/pesanan",
}


def parse(text: str, bot_username: str | None = None) -> OrderCommand | BadCommand | None:
    """The order command in a seller's message, ``BadCommand`` when it is mistyped, or
    None when the message is no order command (or is addressed to another bot)."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    word, addressed, rest = match.group(1).lower(), match.group(2), (match.group(3) or "")
    name = NAMES.get(word)
    if name is None:
        return None
    if addressed and bot_username and addressed.lower() != bot_username.lstrip("@").lower():
        return None
    target, rest = _target(rest.strip())
    if name == "order":
        return _order(rest, target) or BadCommand(name, USAGE[name])
    if name == "resi":
        split = split_courier_and_number(rest)
        if split is None:
            return BadCommand(name, USAGE[name])
        return Ship(split[0], split[1], target)
    if name == "sampai":
        return MarkDelivered(target)
    if name == "batal":
        return Cancel(rest, target)
    return ListOrders(target)


def _target(rest: str) -> tuple[Target | None, str]:
    first, _, after = rest.partition(" ")
    if first.startswith("#") and len(first) > 1:
        return Target(order_number=first[1:].upper()), after.strip()
    # a phone may be written with spaces: try the longest leading run that is one
    words = rest.split()
    for cut in range(min(4, len(words)), 0, -1):
        head = " ".join(words[:cut])
        if _PHONE.match(head) and sum(ch.isdigit() for ch in head) >= 9:
            phone = re.sub(r"\D", "", head)
            return Target(phone=phone), " ".join(words[cut:])
    return None, rest


def _order(text: str, target: Target | None) -> RecordOrder | None:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    if not text:
        return None
    payment = ""
    body = text
    found = _PAYMENT.search(body)
    if found:
        payment = found.group(1)
        body = body[: found.start()].rstrip(" ,;-/|")
    amounts = list(_AMOUNT.finditer(body))
    total = ""
    items = body
    if amounts:
        last = amounts[-1]
        total = last.group(0).strip()
        if not body[last.end() :].strip(" ,;-/|"):
            items = body[: last.start()].rstrip(" ,;-/|:=")
    cod = bool(re.search(r"\bcod\b|bayar di tempat", text, re.IGNORECASE))
    return RecordOrder(text, items or body, total, payment, cod, target)
