"""Order CSV: exports a spreadsheet cannot run as formulas; imports tolerant of headers."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from bot.orders.csvio import COLUMNS, export_csv, parse_import, safe_cell
from bot.orders.model import Order

WIB = timezone(timedelta(hours=7))
T0 = datetime(2024, 12, 3, 10, tzinfo=WIB)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+62812", "'+62812"), ("-1", "'-1"),
     ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("Budi", "Budi"),
     ("", ""), ("1x Sepatu", "1x Sepatu")],
)  # fmt: skip
def test_formula_cells_are_quoted(cell: str, safe: str) -> None:
    assert safe_cell(cell) == safe


def test_export_has_header_and_safe_cells() -> None:
    order = Order(
        number="JP-2412-0001", chat_key="telegram:1", items="=cmd|' /C calc'!A0",
        created_at=T0, phone="+628123", cod=True,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(export_csv([order]))))
    assert tuple(rows[0]) == COLUMNS
    row = dict(zip(COLUMNS, rows[1], strict=True))
    assert row["items"] == "'=cmd|' /C calc'!A0"
    assert row["phone"] == "'+628123"
    assert row["cod"] == "yes"
    assert row["created_at"] == "2024-12-03T10:00:00+07:00"


def test_export_imports_back() -> None:
    order = Order(
        number="JP-2412-0001",
        chat_key="whatsapp:628",
        items="-2 diskon",
        total="Rp1",
        created_at=T0,
        status="shipped",
        courier="JNE",
        tracking_number="CGK1",
    )
    rows, problems = parse_import(export_csv([order]))
    assert problems == []
    (row,) = rows
    assert (row.items, row.chat_key, row.status, row.tracking_number, row.created_at) == (
        "-2 diskon", "whatsapp:628", "shipped", "CGK1", T0,
    )  # fmt: skip


def test_loose_headers_and_problems_per_line() -> None:
    text = (
        "\ufeffNo. Pesanan,Nama,No HP,Produk,Total,Pembayaran,Status,Kurir,Resi,Tanggal\n"
        "A1,Budi,0812,1x Sepatu,Rp250.000,COD,paid,JNE,CGK1,2024-12-03 10:00\n"
        "A2,Ani,0813,,Rp1,,new,,,\n"
        "A3,Cici,0814,Kaos,Rp2,,lost,,,\n"
        ",,,,,,,,,\n"
        "A4,Dedi,0815,Topi,Rp3,,,,,yesterday\n"
    )
    rows, problems = parse_import(text, tz=WIB)
    assert [r.buyer_name for r in rows] == ["Budi"]
    assert rows[0].cod is True
    assert rows[0].created_at == T0
    assert [p.line for p in problems] == [3, 4, 6]
    assert "items" in str(problems[0])
    assert "lost" in str(problems[1])
    assert "not a date" in str(problems[2])


@pytest.mark.parametrize(
    ("text", "message"), [("", "empty"), ("nama,phone\nBudi,0812\n", "missing column")]
)
def test_unusable_files(text: str, message: str) -> None:
    rows, problems = parse_import(text)
    assert rows == []
    assert message in str(problems[0])
