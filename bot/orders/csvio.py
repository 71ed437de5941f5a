"""``japri orders export --format csv`` and ``japri orders import FILE.csv``.

Exported cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading ``'``; import strips that quote
again, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from bot.orders.model import STATUSES, Order, Status

COLUMNS = (
    "number", "external_id", "chat_key", "buyer_name", "phone", "address", "items", "total",
    "payment", "cod", "status", "courier", "tracking_number", "tracking_link",
    "created_at", "promised_ship_at", "shipped_at", "delivered_at",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_REQUIRED = ("items",)
_MAX_ROWS = 100_000


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet will show it, never run it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(orders: Iterable[Order]) -> str:
    """The orders as CSV text (header row first), formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for order in orders:
        row = []
        for column in COLUMNS:
            value = getattr(order, column)
            if isinstance(value, datetime):
                text = value.isoformat()
            elif isinstance(value, bool):
                text = "yes" if value else "no"
            else:
                text = "" if value is None else str(value)
            row.append(safe_cell(text))
        writer.writerow(row)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One order to create (or update) from an import file."""

    line: int
    external_id: str
    number: str
    chat_key: str
    buyer_name: str
    phone: str
    address: str
    items: str
    total: str
    payment: str
    cod: bool
    status: Status
    courier: str
    tracking_number: str
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def parse_import(
    text: str, tz: tzinfo | None = None
) -> tuple[list[ImportRow], list[ImportProblem]]:
    """Rows to import and the problems found (a bad row is reported, the others kept).

    Column names are matched loosely (``No. HP`` = ``phone``, ``Resi`` = ``tracking_number``);
    ``items`` is required, and ``chat_key`` or ``phone`` says whose order it is. Naive
    times are taken as ``tz``.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        return [], [ImportProblem(1, "the file is empty")]
    names = [_column(h) for h in header]
    missing = [c for c in _REQUIRED if c not in names]
    if missing:
        return [], [ImportProblem(1, f"missing column(s): {', '.join(missing)}")]
    rows: list[ImportRow] = []
    problems: list[ImportProblem] = []
    for index, raw in enumerate(reader, start=2):
        if index > _MAX_ROWS:
            problems.append(ImportProblem(index, f"more than {_MAX_ROWS} rows; rest skipped"))
            break
        if not any(cell.strip() for cell in raw):
            continue
        cells = {
            name: _unquote(raw[i].strip()) for i, name in enumerate(names) if i < len(raw) and name
        }
        problem = _check(cells)
        if problem:
            problems.append(ImportProblem(index, problem))
            continue
        try:
            created = _when(cells.get("created_at", ""), tz)
        except ValueError:
            problems.append(
                ImportProblem(index, f"created_at {cells['created_at']!r} is not a date")
            )
            continue
        status = (cells.get("status") or "new").lower()
        payment = cells.get("payment", "")
        rows.append(
            ImportRow(
                line=index,
                external_id=cells.get("external_id", ""),
                number=cells.get("number", ""),
                chat_key=cells.get("chat_key", ""),
                buyer_name=cells.get("buyer_name", ""),
                phone=cells.get("phone", ""),
                address=cells.get("address", ""),
                items=cells["items"],
                total=cells.get("total", ""),
                payment=payment,
                cod=_yes(cells.get("cod", "")) or payment.lower() == "cod",
                status=status,  # type: ignore[arg-type]  # checked by _check
                courier=cells.get("courier", ""),
                tracking_number=cells.get("tracking_number", ""),
                created_at=created,
            )
        )
    return rows, problems


_ALIASES = {
    "no": "number", "order": "number", "ordernumber": "number", "nopesanan": "number",
    "orderid": "external_id", "externalid": "external_id", "id": "external_id",
    "chat": "chat_key", "chatkey": "chat_key",
    "nama": "buyer_name", "name": "buyer_name", "buyer": "buyer_name", "buyername": "buyer_name",
    "pembeli": "buyer_name", "hp": "phone", "nohp": "phone", "phone": "phone", "telp": "phone",
    "wa": "phone", "nowa": "phone", "alamat": "address", "address": "address",
    "items": "items", "item": "items", "produk": "items", "barang": "items", "pesanan": "items",
    "total": "total", "jumlah": "total", "harga": "total", "amount": "total",
    "payment": "payment", "pembayaran": "payment", "bayar": "payment", "cod": "cod",
    "status": "status", "kurir": "courier", "courier": "courier", "ekspedisi": "courier",
    "resi": "tracking_number", "noresi": "tracking_number", "trackingnumber": "tracking_number",
    "awb": "tracking_number", "trackinglink": "tracking_link",
    "createdat": "created_at", "tanggal": "created_at", "date": "created_at",
    "promisedshipat": "promised_ship_at", "shippedat": "shipped_at",
    "deliveredat": "delivered_at",
}  # fmt: skip


def _column(header: str) -> str:
    key = "".join(ch for ch in header.lower() if ch.isalnum())
    return _ALIASES.get(key, "")


def _unquote(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_START):
        return cell[1:]
    return cell


def _check(cells: dict[str, str]) -> str:
    if not cells.get("items"):
        return "'items' is empty"
    if not cells.get("chat_key") and not cells.get("phone") and not cells.get("number"):
        return "no chat_key, phone or number: whose order is it?"
    status = (cells.get("status") or "new").lower()
    if status not in STATUSES:
        return f"status {status!r} is not one of {', '.join(STATUSES)}"
    return ""


def _when(text: str, tz: tzinfo | None) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value.replace(tzinfo=tz) if value.tzinfo is None and tz is not None else value


def _yes(text: str) -> bool:
    return text.strip().lower() in ("yes", "ya", "y", "true", "1", "cod")
