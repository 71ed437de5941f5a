"""`japri faq check`, `japri faq try` and `japri chat`, as CONTRACT.md describes them."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from bot.cli import _ChatSession, main
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "config.yaml")

GOOD_FAQ = """faqs:
  - id: ongkir
    questions:
      - berapa ongkirnya?
    answer: Ongkir mulai Rp9.000 (JNE) kak.
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_faq_check_passes_the_default_faq(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "faq", "check", "--config", CONFIG)
    assert code == 0
    assert "OK" in err


def test_faq_check_lists_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("faqs:\n  - id: a\n    questions:\n      - x\n    anwser: y\n")
    code, out, _ = run(capsys, "faq", "check", str(path))
    assert code == 1
    assert out.splitlines() == [
        f"{path}:2: entry 'a': missing 'answer' (or 'handoff: true' to pass it to a seller)",
        f"{path}:5: unknown key 'anwser' (did you mean 'answer'?)",
    ]


def test_faq_try_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "faq", "try", "--config", CONFIG, "--json", "brp ongkir ke bdg kak?"
    )
    assert code == 0
    decision = json.loads(out)
    contract = ["query", "action", "faq_id", "options", "score", "reply"]
    assert list(decision)[: len(contract)] == contract
    assert set(decision) - set(contract) == {"why", "hedged", "signals", "candidates"}
    assert decision["why"]
    assert decision["candidates"][0]["id"] == "ongkir"
    assert decision["query"] == "brp ongkir ke bdg kak?"
    assert decision["action"] == "answer"
    assert decision["faq_id"] == "ongkir"
    assert decision["options"] == []
    assert 0.0 <= decision["score"] <= 1.0
    assert "Toko Contoh" in decision["reply"]


def test_faq_try_text_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "faq", "try", "--config", CONFIG, "saya ambil 2 ya kak")
    assert code == 0
    assert out.startswith("handoff")


def test_faq_try_batch_keeps_the_order_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = ["brp ongkir ke bdg kak?", "", "saya ambil 2", "asdfgh", "bisa cod?"]
    batch = tmp_path / "q.txt"
    batch.write_text("\n".join(queries) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "faq", "try", "--config", CONFIG, "--json", "--batch", str(batch))
    assert code == 0
    decisions = [json.loads(line) for line in out.splitlines()]
    assert [d["query"] for d in decisions] == queries
    assert [d["action"] for d in decisions] == [
        "answer", "small_talk", "handoff", "fallback", "answer",
    ]  # fmt: skip


def test_faq_try_batch_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("bisa cod?\nready kak?\n"))
    code, out, _ = run(capsys, "faq", "try", "--config", CONFIG, "--json", "--batch", "-")
    assert code == 0
    assert [json.loads(x)["faq_id"] for x in out.splitlines()] == ["cod", "stok"]


def test_faq_try_with_a_broken_faq_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "faq.yaml").write_text("faqs: [\n")
    config = tmp_path / "config.yaml"
    config.write_text("faq:\n  path: faq.yaml\n")
    code, _, err = run(capsys, "faq", "try", "--config", str(config), "ongkir?")
    assert code == 1
    assert "faq.yaml:" in err


def test_usage_mistakes_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "faq", "try", "--config", CONFIG)[0] == 2
    assert run(capsys, "faq", "try", "--config", CONFIG, "--batch", "x.txt")[0] == 2


def test_a_wrong_config_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("shop:\n  language: fr\n")
    code, _, err = run(capsys, "faq", "try", "--config", str(config), "halo")
    assert code == 1
    assert "shop.language" in err


def test_chat_shows_options_and_hands_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "faq.yaml").write_text(GOOD_FAQ)
    config = tmp_path / "config.yaml"
    config.write_text("shop:\n  name: Toko Uji\nfaq:\n  path: faq.yaml\n")
    typed = "berapa ongkirnya?\ncuaca gimana\n2\nhalo?\n/done\nberapa ongkirnya?\n/quit\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    code, out, _ = run(capsys, "chat", "--config", str(config))
    assert code == 0
    assert "Toko Uji" in out
    assert out.count("Ongkir mulai Rp9.000 (JNE) kak.") == 2
    assert "[2] Chat dengan admin" in out
    assert "handed off (human)" in out
    assert "forwarded to the seller: halo?" in out
    assert "gave the chat back" in out


def test_chat_picks_up_faq_edits(tmp_path: Path) -> None:
    faq = tmp_path / "faq.yaml"
    faq.write_text(GOOD_FAQ)
    config = tmp_path / "config.yaml"
    config.write_text("faq:\n  path: faq.yaml\n")
    out = io.StringIO()
    session = _ChatSession(load_settings(config), out)
    session.handle("berapa ongkirnya?")
    faq.write_text(GOOD_FAQ.replace("Rp9.000", "Rp10.000"))
    os.utime(faq, (1, 1))
    session.handle("berapa ongkirnya?")
    faq.write_text("faqs: [broken\n")
    os.utime(faq, (2, 2))
    session.handle("berapa ongkirnya?")
    text = out.getvalue()
    assert "Rp9.000" in text
    assert text.count("Rp10.000") == 2  # a broken edit keeps the last good FAQ


def test_contacts_export_writes_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"store:\n  url: sqlite:///{tmp_path / 'j.db'}\n", encoding="utf-8")
    code, out, _ = run(capsys, "contacts", "export", "--config", str(config))
    assert code == 0
    assert out.splitlines()[0].startswith("channel,id,name,phone")
