"""`japri orders import` then `japri orders export`: the orders round-trip through the
store, formula-looking cells come out quoted, bad lines are reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.gateway_kit import write_config

CSV = (
    "items,total,payment,status,phone,courier,tracking_number,external_id\r\n"
    "2x Sepatu Canvas 41,Rp500.000,transfer,shipped,081234567890,JNE,CGK1234567890,SHOP-1\r\n"
    '=HYPERLINK("http://x"),Rp1,COD,new,0811111111,,,SHOP-2\r\n'
    ",Rp1,COD,new,,,,SHOP-3\r\n"
)


def test_import_then_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    source = tmp_path / "orders.csv"
    source.write_text(CSV, encoding="utf-8")
    assert main(["orders", "import", str(source), "--config", str(config)]) == 1  # line 4
    captured = capsys.readouterr()
    assert "2 orders imported, 1 rows skipped" in captured.out
    assert "line 4" in captured.err
    out = tmp_path / "export.csv"
    assert main(["orders", "export", "--format", "csv", "-o", str(out), "--config",
                 str(config)]) == 0  # fmt: skip
    text = out.read_text(encoding="utf-8")
    assert "CGK1234567890" in text
    assert "SHOP-1" in text
    assert "'=HYPERLINK" in text  # a spreadsheet shows it, never runs it
    assert main(["orders", "import", str(out), "--config", str(config)]) == 0  # round trip
    assert "2 orders imported" in capsys.readouterr().out
    assert io.StringIO(text).readline().startswith("number,")
