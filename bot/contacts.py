"""The contact book as CSV: one row per buyer, the columns a seller's spreadsheet wants."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

COLUMNS = (
    "channel",
    "id",
    "name",
    "phone",
    "username",
    "language",
    "first_seen",
    "last_seen",
    "handoffs",
    "tags",
    "notes",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _when(stamp: Any) -> str:
    if not stamp:
        return ""
    return datetime.fromtimestamp(float(stamp), UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _cell(value: Any) -> str:
    """Text a spreadsheet shows as text: a buyer's name starting with '=' is no formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) and not text[1:].isdigit() else text


def write_csv(rows: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                _cell(row.get("channel")),
                _cell(row.get("external_id")),
                _cell(row.get("name")),
                row.get("phone") or "",  # E.164: +62..., kept as written
                _cell(row.get("username")),
                row.get("language") or "",
                _when(row.get("first_seen")),
                _when(row.get("last_seen")),
                row.get("handoffs") or 0,
                _cell(row.get("tags")),
                _cell(row.get("notes")),
            ]
        )
