"""`japri faq suggest`: list, accept and dismiss suggestions made from lessons."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot import suggest_cli
from bot.cli import main
from bot.settings import load_settings
from bot.store import Store, with_store
from bot.store.base import Turn
from bot.suggest_cli import lesson_warnings, parse_span
from faq.lessons import (
    AskedForPerson,
    Clarified,
    Corrected,
    Fallback,
    HandedOff,
    Lesson,
    to_dict,
)
from faq.loader import load_faq
from faq.suggest import NewEntry
from tests.shop_faqs import COURIERS, TWINS

FAQ = """# my shop
faqs:
  - id: kadaluarsa
    questions:
      - kapan kadaluarsanya?
    answer: Tahan 6 bulan di freezer kak.
  - id: ongkir
    questions:
      - berapa ongkirnya?
    answer: Ongkir mulai Rp9.000 kak.
"""
NOW = time.time()  # `--since` counts back from the real clock
DAY = 86400.0


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "faq.yaml").write_text(FAQ, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("faq:\n  path: faq.yaml\n", encoding="utf-8")
    lessons: list[Lesson] = [
        *(
            Clarified("sampai bila tahan sis", ("kadaluarsa", "ongkir"), "kadaluarsa", "tap",
                      NOW - DAY, f"b{n}")
            for n in range(3)
        ),
        HandedOff("bisa kirim ke singapore?", "Bisa kak via EMS", None, NOW - 10 * DAY, "c1"),
        AskedForPerson("orang admin", NOW - DAY, "d1"),
        Fallback("kirim 0812-3456-7890", NOW - DAY, "e1"),
    ]  # fmt: skip
    lines = [json.dumps(to_dict(m)) for m in lessons] + ["not json", ""]
    (tmp_path / "lessons.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return tmp_path


def suggest(shop: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, str]]:
    args = ["faq", "suggest", "--config", str(shop / "config.yaml")]
    code = main([*args, "--lessons", str(shop / "lessons.jsonl"), "--json", *extra])
    assert code == 0
    out, err = capsys.readouterr()
    assert "lessons.jsonl:7: skipped" in err
    return [json.loads(line) for line in out.splitlines()]


def test_suggestions_are_listed_most_asked_first(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = suggest(shop, capsys)
    assert [(s["kind"], s["count"]) for s in found] == [
        ("add_question", 3),
        ("new_entry", 1),
        ("add_handoff_word", 1),
    ]
    assert found[0]["entry_id"] == "kadaluarsa"
    assert found[1]["draft_answer"] == "Bisa kak via EMS"
    assert [s["kind"] for s in suggest(shop, capsys, "--since", "7d")] == [
        "add_question",
        "add_handoff_word",
    ]


def test_the_plain_listing_reads_like_the_issue(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["faq", "suggest", "--config", str(shop / "config.yaml")]
    assert main([*args, "--lessons", str(shop / "lessons.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "add \"sampai bila tahan sis\" (3 buyers) as a question of 'kadaluarsa'" in out
    assert 'new entry? "bisa kirim ke singapore?" (1 buyer); the seller answered: ' in out


def test_accept_writes_the_faq_and_dismiss_is_remembered(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, _ = suggest(shop, capsys)
    (done,) = suggest(shop, capsys, "--accept", first["id"])
    assert (done["changed"], done["entry_id"]) == (True, "kadaluarsa")
    assert Path(done["backup"]).read_text(encoding="utf-8") == FAQ
    entry = load_faq(shop / "faq.yaml").faq.get("kadaluarsa")
    assert entry is not None
    assert entry.learned[-1] == "sampai bila tahan sis"
    assert (shop / "faq.yaml").read_text(encoding="utf-8").startswith("# my shop\n")
    dismissed = str(shop / "dismissed.txt")
    args = ["faq", "suggest", "--config", str(shop / "config.yaml"), "--dismissed", dismissed]
    assert main([*args, "--dismiss", second["id"]]) == 0
    left = suggest(shop, capsys, "--dismissed", dismissed)
    assert [s["kind"] for s in left] == ["add_handoff_word"]


def test_a_suggestion_says_which_answers_it_would_turn_into_a_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "faq.yaml").write_text(COURIERS, encoding="utf-8")
    (tmp_path / "config.yaml").write_text("faq:\n  path: faq.yaml\n", encoding="utf-8")
    # a buyer settled "kirimnya pakai apa sis" as the courier entry (answered so today);
    # "kirim pakai apa?", which two buyers meant as shipping time, learned there would make
    # the bot ask back on it
    options = ("lama-kirim", "kurir")
    lessons = [
        Clarified("kirimnya pakai apa sis", options, "kurir", "tap", NOW, "b0"),
        Clarified("kirim pakai apa?", options, "lama-kirim", "tap", NOW + 1, "b1"),
        Clarified("kirim pakai apa?", options, "lama-kirim", "tap", NOW + 2, "b2"),
    ]
    lines = "".join(json.dumps(to_dict(m)) + "\n" for m in lessons)
    (tmp_path / "lessons.jsonl").write_text(lines, encoding="utf-8")
    args = ["faq", "suggest", "--config", str(tmp_path / "config.yaml")]
    args += ["--lessons", str(tmp_path / "lessons.jsonl")]
    assert main([*args, "--json"]) == 0
    (found,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found["side_effects"] == [
        {"question": "kirimnya pakai apa sis", "entry_id": "kurir", "becomes": "clarify"}
    ]
    assert main(args) == 0
    assert (
        "careful: \"kirimnya pakai apa sis\" is answered with 'kurir' today; "
        "the bot would ask which one is meant"
    ) in capsys.readouterr().out


def test_faq_check_warns_of_answers_buyers_turned_down(tmp_path: Path) -> None:
    (tmp_path / "faq.yaml").write_text(COURIERS, encoding="utf-8")
    faq = load_faq(tmp_path / "faq.yaml").faq
    lessons: list[Lesson] = [
        Clarified("pakai ekspedisi apa sis", ("kurir",), "lama-kirim", "tap", NOW),
        Corrected("ada JNE kak", "kurir", None, NOW),
    ]
    assert lesson_warnings(lessons, faq) == [
        "warning: buyers asked \"pakai ekspedisi apa sis\" meaning 'lama-kirim', but the FAQ "
        "answers it with 'kurir': add it as a question of 'lama-kirim'",
        'warning: buyers said "not this" to \'kurir\' for "ada JNE kak", and the FAQ still '
        "answers it so: add it as a question of the right entry",
    ]


def test_without_lessons_the_command_says_what_it_needs(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["faq", "suggest", "--config", str(shop / "config.yaml")]) == 2
    assert "--lessons" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "seconds"), [("7d", 7 * DAY), ("12h", 43200.0), ("2w", 14 * DAY), ("x", None)]
)
def test_spans(text: str, seconds: float | None) -> None:
    assert parse_span(text) == seconds


INVOICES = ("minta-invoice", "cek-invoice")


def pick(text: str, entry: str, buyer: str, options: tuple[str, ...] = INVOICES) -> Lesson:
    return Clarified(text, options, entry, "tap", NOW, buyer)


TWIN_PICKS: list[Lesson] = [
    pick("cek invoice", "cek-invoice", "b1"),
    pick("mau lihat invoice", "cek-invoice", "b2", INVOICES[::-1]),
    pick("lihat invoice saya", "cek-invoice", "b3"),
    pick("invoice nya dong kak", "minta-invoice", "b4"),
    pick("invoice nya dikirim ya kak", "minta-invoice", "b5"),
    Fallback("jam buka toko kak", NOW, "b6"),  # lands on both opening-hours entries today
]


def shop_with_store(tmp_path: Path, lessons: Sequence[Lesson]) -> Path:
    """A shop whose store holds ``lessons``, as `japri serve` would have recorded them."""
    (tmp_path / "faq.yaml").write_text(TWINS, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("faq:\n  path: faq.yaml\nstore:\n  url: sqlite:///japri.db\n")
    turn = Turn(0, "telegram:61", None, lessons=[to_dict(m) for m in lessons])

    async def record(store: Store) -> None:
        await store.commit_turn(turn, NOW)

    asyncio.run(with_store(load_settings(str(config)), record))
    return config


def test_faq_check_names_the_pairs_buyers_keep_choosing_between(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop_with_store(tmp_path, TWIN_PICKS)
    assert main(["faq", "check", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    # each warning begins as the check's problems do, at the line of the entry it names
    faq = load_faq(tmp_path / "faq.yaml").faq
    where = re.compile(rf"^{re.escape(str(tmp_path / 'faq.yaml'))}:(\d+): warning: ", re.M)
    first = where.match(out)
    assert first is not None
    assert int(first.group(1)) == faq.get("cek-invoice").line  # type: ignore[union-attr]
    heads = [line for line in out.splitlines() if not line.startswith("    ")]
    assert all(where.match(line) for line in heads)
    plain = re.sub(rf"^{re.escape(str(tmp_path / 'faq.yaml'))}:\d+: ", "", out, flags=re.M)
    invoices, hours, *questions = plain.split("\nwarning: ")  # most buyers first
    assert invoices.splitlines() == [
        "warning: buyers keep choosing between 'cek-invoice' and 'minta-invoice' (5 buyers; "
        '4 of their questions still get "which one?" or the other\'s answer): write what sets '
        "the two apart",
        '    \'cek-invoice\' (3 buyers): "cek invoice"; "mau lihat invoice"; "lihat invoice saya"',
        '    \'minta-invoice\' (2 buyers): "invoice nya dong kak"; "invoice nya dikirim ya kak"',
        "    buyers who meant 'cek-invoice' say: lihat, cek, mau; "
        "buyers who meant 'minta-invoice' say: dikirim",
    ]
    assert hours.splitlines() == [
        "buyers keep choosing between 'jam-minggu' and 'jam-sabtu' (1 buyer; 1 of their "
        'questions still gets "which one?" or the other\'s answer): write what sets the two '
        "apart",
        "    1 buyer asked in words that fit both and did not say which",
    ]
    assert 'buyers asked "jam buka toko kak" (1x)' in questions[-2]  # the warnings stay


def test_faq_check_counts_the_pairs_past_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suggest_cli, "PAIRS_SHOWN", 1)
    (tmp_path / "faq.yaml").write_text(TWINS, encoding="utf-8")
    lines = lesson_warnings(TWIN_PICKS, load_faq(tmp_path / "faq.yaml").faq)
    assert lines[0].startswith("warning: buyers keep choosing between 'cek-invoice'")
    assert lines[1] == "warning: and 1 more pair of entries"
    assert "jam-sabtu" not in "".join(lines[:2])


def test_faq_check_without_confused_buyers_names_no_pair(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answered = [Clarified("status invoice", ("cek-invoice",), "cek-invoice", "tap", NOW, "b1")]
    config = shop_with_store(tmp_path, answered)
    assert main(["faq", "check", "--config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith(": OK\n")


def test_a_buyers_control_characters_never_reach_the_sellers_terminal(tmp_path: Path) -> None:
    """Buyers type what they like (the web chat passes any character): an escape sequence
    in their question would clear or rewrite the seller's terminal."""
    (tmp_path / "faq.yaml").write_text(TWINS, encoding="utf-8")
    faq = load_faq(tmp_path / "faq.yaml").faq
    clear = "\x1b[2J\x1b]0;hacked\x07"
    lessons = [
        *TWIN_PICKS,
        pick(f"cek invoice{clear}", "cek-invoice", "b7"),
        pick(f"cek invoice{clear}", "cek-invoice", "b8"),
        Fallback(f"jam buka toko kak{clear}", NOW, "b9"),
    ]
    lines = lesson_warnings(lessons, faq)
    assert any("cek invoice" in line for line in lines)
    assert not any(c in line for line in lines for c in "\x1b\x07")
    shown = suggest_cli.describe(
        NewEntry("abc", f"bisa bayar pakai koin{clear}", 2, clear, (f"koin{clear}", "koin ya"))
    )
    assert "bisa bayar pakai koin" in shown
    assert not any(c in shown for c in "\x1b\x07")
