"""The shop's order form (sent with the closing handoff) and reading a filled one back.

Buyers fill forms loosely: ``nama: budi``, ``Nama : Budi``, ``No hp 0812…`` without a
colon, fields in another order, an address over two lines, Malay or English labels. The
parser matches labels by their known spellings, carries unlabelled lines on to the field
above (addresses wrap), and picks a phone number out of an unlabelled line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

FormField = Literal["name", "phone", "address", "items", "courier", "payment"]
DEFAULT_FIELDS: tuple[FormField, ...] = ("name", "phone", "address", "items", "courier", "payment")

LABELS: dict[str, dict[FormField, str]] = {
    "id": {
        "name": "Nama",
        "phone": "No. HP",
        "address": "Alamat lengkap",
        "items": "Produk, warna, ukuran, jumlah",
        "courier": "Kurir",
        "payment": "Pembayaran",
    },
    "ms": {
        "name": "Nama",
        "phone": "No. telefon",
        "address": "Alamat penuh",
        "items": "Produk, warna, saiz, kuantiti",
        "courier": "Kurier",
        "payment": "Pembayaran",
    },
    "en": {
        "name": "Name",
        "phone": "Phone",
        "address": "Full address",
        "items": "Product, colour, size, quantity",
        "courier": "Courier",
        "payment": "Payment",
    },
}

# Label spellings (folded: lower-case, dots and extra spaces gone), longest tried first.
_SPELLINGS: dict[FormField, tuple[str, ...]] = {
    "name": ("nama lengkap", "nama penerima", "nama pemesan", "atas nama", "penerima",
             "nama", "name", "full name", "recipient", "receiver"),
    "phone": ("no hp", "nomor hp", "nomer hp", "no handphone", "no telp", "no tlp",
              "nomor telepon", "no telefon", "no tel", "nombor telefon", "no wa", "nomor wa",
              "whatsapp", "wa", "hp", "telp", "telepon", "telefon", "handphone", "phone number",
              "phone",
              "mobile", "tel", "contact"),
    "address": ("alamat lengkap", "alamat penuh", "alamat pengiriman", "alamat kirim",
                "alamat", "shipping address", "full address", "address"),
    "items": ("produk warna ukuran jumlah", "produk warna saiz kuantiti",
              "product colour size quantity", "product color size quantity", "pesanan",
              "produk", "barang", "item", "items", "product", "products", "order", "orderan",
              "tempahan", "warna", "ukuran", "size", "saiz", "jumlah", "qty", "quantity",
              "kuantiti", "colour", "color", "varian", "variant"),
    "courier": ("kurir", "kurier", "ekspedisi", "jasa kirim", "pengiriman", "courier",
                "shipping", "delivery"),
    "payment": ("metode pembayaran", "cara bayar", "pembayaran", "bayar", "payment method",
                "payment", "bayaran"),
}  # fmt: skip
_BY_SPELLING = sorted(
    ((spelling, name) for name, spellings in _SPELLINGS.items() for spelling in spellings),
    key=lambda pair: -len(pair[0]),
)
_PHONE = re.compile(r"(?<!\d)(?:\+?62|\+?60|0)[\s\-.]?8?\d(?:[\s\-.]?\d){6,12}(?!\d)")


@dataclass(frozen=True, slots=True)
class DraftOrder:
    """What a filled form says; fields the buyer left out are empty."""

    name: str = ""
    phone: str = ""
    address: str = ""
    items: str = ""
    courier: str = ""
    payment: str = ""

    @property
    def filled(self) -> int:
        return sum(bool(v) for v in (self.name, self.phone, self.address, self.items))


def form_text(
    language: str,
    fields: tuple[FormField, ...] = DEFAULT_FIELDS,
    intro: str = "",
    labels: Mapping[str, str] | None = None,
) -> str:
    """The blank form, one ``Label:`` per line, after an optional intro line; ``labels``
    (field → label, from config) replace the defaults of the buyer's language."""
    chosen = {str(k): v for k, v in LABELS.get(language, LABELS["id"]).items()}
    chosen.update(labels or {})
    lines = [f"{chosen[f]}:" for f in fields if f in chosen]
    return (intro + "\n\n" if intro else "") + "\n".join(lines)


def parse_form(text: str) -> DraftOrder | None:
    """The draft order in a filled form, or None when the message is no form (fewer than
    two of name, phone, address, items found)."""
    values: dict[FormField, list[str]] = {}
    current: FormField | None = None
    loose_phone = ""
    for raw_line in text.splitlines():
        line = raw_line.strip().lstrip("-•*>·").strip()
        if not line:
            continue
        found = _labelled(line)
        if found is not None:
            current, value = found
            if value:
                values.setdefault(current, []).append(value)
            else:
                values.setdefault(current, [])
            continue
        if not loose_phone and (match := _PHONE.search(line)) and len(line) <= 24:
            loose_phone = match.group(0).strip()
            continue
        if current is not None:
            values.setdefault(current, []).append(line)
    joined = {name: _join(name, parts) for name, parts in values.items()}
    phone = joined.get("phone", "")
    match = _PHONE.search(phone)
    phone = match.group(0).strip() if match else phone or loose_phone
    draft = DraftOrder(
        name=joined.get("name", ""),
        phone=phone,
        address=joined.get("address", ""),
        items=joined.get("items", ""),
        courier=joined.get("courier", ""),
        payment=joined.get("payment", ""),
    )
    return draft if draft.filled >= 2 else None


def _labelled(line: str) -> tuple[FormField, str] | None:
    """``(field, value)`` when the line starts with a label (a colon after it optional)."""
    head, colon, rest = line.partition(":")
    if not colon:
        head, colon, rest = line.partition("=")
    if colon:
        key = _fold_label(head)
        for spelling, name in _BY_SPELLING:
            if key == spelling:
                return name, rest.strip()
        if len(key.split()) <= 4:  # "Produk/warna/ukuran/jumlah" written another way
            for spelling, name in _BY_SPELLING:
                if key.startswith(spelling + " ") or key.endswith(" " + spelling):
                    return name, rest.strip()
        return None
    # no colon: "No hp 0812…", "Nama Budi" — a label then the value
    key = _fold_label(line)
    for spelling, name in _BY_SPELLING:
        if key.startswith(spelling + " ") and name in ("name", "phone", "address", "courier",
                                                        "payment"):  # fmt: skip
            value = _after_words(line, len(spelling.split()))
            if name == "phone" and not _PHONE.search(value):
                continue
            return name, value
    return None


def _fold_label(text: str) -> str:
    text = re.sub(r"[^\w\s]", " ", text.lower()).replace("_", " ")
    return " ".join(text.split())


def _after_words(line: str, count: int) -> str:
    """The line after its first ``count`` words (labels may hold dots: ``No. HP``)."""
    tokens = re.findall(r"\S+", line)
    taken = 0
    index = 0
    while index < len(tokens) and taken < count:
        if re.search(r"\w", tokens[index]):
            taken += 1
        index += 1
    return " ".join(tokens[index:]).lstrip(":=-. ").strip()


def _join(name: FormField, parts: list[str]) -> str:
    if name == "items":
        return "; ".join(parts) if len(parts) > 1 else "".join(parts)
    separator = ", " if name == "address" else " "
    return separator.join(parts).strip()
