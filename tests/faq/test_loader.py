"""The seller's FAQ file: every mistake reported as ``file:line: message``."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from faq.loader import FaqFormatError, check_faq, load_faq, parse_faq
from faq.model import FaqEntry, FollowUpSkip

ROOT = Path(__file__).resolve().parents[2]


def problems(yaml_text: str) -> list[str]:
    with pytest.raises(FaqFormatError) as caught:
        parse_faq(dedent(yaml_text).lstrip("\n"), "faq.yaml")
    return [str(p) for p in caught.value.problems]


def test_the_default_shop_faq_is_valid_and_realistic() -> None:
    loaded = load_faq(ROOT / "faq" / "faq.yaml")
    assert 15 <= len(loaded.faq) <= 25
    assert loaded.warnings == []
    ids = {e.id for e in loaded.faq.entries}
    assert {"ongkir", "cod", "stok", "ukuran", "original", "retur", "refund", "resi"} <= ids
    assert any(e.handoff for e in loaded.faq.entries)


def test_per_language_answers_and_follow_ups() -> None:
    faq = parse_faq(
        """
faqs:
  - id: ongkir
    questions:
      - berapa ongkirnya?
    answer:
      id: Ongkir mulai Rp9.000 kak.
      en: Shipping starts at Rp9.000.
    follow_up: Mau dikirim ke mana kak?
"""
    ).faq
    entry = faq.get("ongkir")
    assert entry is not None
    assert entry.answer is not None
    assert entry.follow_up is not None
    assert entry.answer.get("en") == "Shipping starts at Rp9.000."
    assert entry.answer.get("ms", "id") == "Ongkir mulai Rp9.000 kak."
    assert entry.follow_up.get("en") == "Mau dikirim ke mana kak?"


def test_answers_are_kept_exactly_as_written() -> None:
    faq = parse_faq(
        """
faqs:
  - id: ongkir
    questions: ["ongkir?"]
    answer: |
      Rp9.000 (JNE) H+1 *promo* _cepat_ [link]
      baris kedua
"""
    ).faq
    entry = faq.get("ongkir")
    assert entry is not None
    assert entry.answer is not None
    assert entry.answer.get("id") == "Rp9.000 (JNE) H+1 *promo* _cepat_ [link]\nbaris kedua"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir
                answer: ongkir: Rp9.000
            """,
            ["faq.yaml:5: a ': ' (colon and space) inside a text confuses YAML: put the "
             'whole text in double quotes, e.g. answer: "ongkir: Rp9.000"'],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir
                anwser: Rp9.000
            """,
            ["faq.yaml:2: entry 'ongkir': missing 'answer' (or 'handoff: true' to pass it to "
             "a seller)",
             "faq.yaml:5: unknown key 'anwser' (did you mean 'answer'?)"],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions: []
                answer: Rp9.000
            """,
            ["faq.yaml:3: entry 'ongkir': 'questions' must be a non-empty list of questions"],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions: berapa ongkir
                answer: Rp9.000
            """,
            ["faq.yaml:3: entry 'ongkir': 'questions' must be a list: put '- ' before each "
             "question"],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir
                answer: ""
            """,
            ["faq.yaml:5: entry 'ongkir': 'answer' must be a non-empty string"],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir
                answer: Rp9.000
              - id: ongkir
                questions:
                  - ongkos kirim
                answer: Rp9.000
            """,
            ["faq.yaml:6: duplicate id 'ongkir' (first used at line 2)"],
        ),
        (
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir
                answer: Rp9.000
              - id: biaya
                questions:
                  - Berapa ongkir?
                answer: Rp9.000
            """,
            ["faq.yaml:8: question 'Berapa ongkir?' is also under 'ongkir' (line 4); one "
             "question can lead to one answer only"],
        ),
        (
            """
            faqs:
              - id: cod
                questions:
                  - bisa cod?
                  - 2024
                answer: Bisa
                handoff: maybe
            """,
            ["faq.yaml:5: entry 'cod': each question must be text; put '2024' in quotes",
             "faq.yaml:7: entry 'cod': 'handoff' must be true or false"],
        ),
        (
            """
            faqs:
              - id: ongkir kirim
                questions:
                  - berapa ongkir
                answer:
                  id: Rp9.000
                  jp: 900 yen
            """,
            ["faq.yaml:2: entry 'ongkir kirim': 'id' may hold only letters, digits, - and _",
             "faq.yaml:7: entry 'ongkir kirim': 'answer' language 'jp' is not one of id, ms, en"],
        ),
        (
            """
            faqs:
              - questions:
                  - berapa ongkir
                answer: Rp9.000
            """,
            ["faq.yaml:2: entry #1: missing 'id'"],
        ),
        (
            """
            faq:
              - id: ongkir
            """,
            ["faq.yaml:1: unknown top-level key 'faq' (did you mean 'faqs'?)",
             "faq.yaml:1: missing 'faqs:' (the list of questions and answers)"],
        ),
        ("\n# only a comment\n", ["faq.yaml:1: the FAQ file is empty; start it with 'faqs:' "
                                  "and a list of entries"]),
        (
            "faqs:\n  - id: ongkir\n\t questions: [a]\n",
            ["faq.yaml:3: a tab is used for indentation; YAML needs spaces"],
        ),
    ],
)  # fmt: skip
def test_each_mistake_is_reported_with_its_line(text: str, expected: list[str]) -> None:
    assert problems(text) == expected


def test_all_errors_are_reported_at_once_in_line_order() -> None:
    found = problems(
        """
        faqs:
          - id: a
            questions: [x]
          - id: b
            answer: y
          - id: c
            questions: [z]
            anser: w
        """
    )
    lines = [int(p.split(":")[1]) for p in found]
    assert lines == sorted(lines)
    assert len(found) >= 3


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_bytes(b"faqs:\n  - id: a\n    questions: [caf\xe9]\n    answer: x\n")
    (problem,) = check_faq(path)
    assert problem.line == 3
    assert "UTF-8" in problem.message


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    (problem,) = check_faq(tmp_path / "nope.yaml")
    assert "cannot read the file" in str(problem)


def test_synonyms_and_slang_teach_the_matcher_shop_words() -> None:
    text = """
faqs:
  - id: sepatu
    questions:
      - ada sepatu lari?
    answer: Ada kak.
synonyms:
  - [sepatu, kasut, sneakers]
slang:
  spt: sepatu
"""
    faq = parse_faq(text).faq
    assert faq.matcher.decide("ada kasut lari?").best == "sepatu"
    assert faq.matcher.decide("ada spt lari?").best == "sepatu"


def test_bad_synonyms_and_slang_are_reported() -> None:
    found = problems(
        """
        faqs:
          - id: a
            questions: [x]
            answer: y
        synonyms:
          - [sepatu]
        slang: brg
        """
    )
    assert found == [
        "faq.yaml:6: each synonym group must list two or more words, e.g. [sepatu, shoes, kasut]",
        "faq.yaml:7: 'slang' must map buyers' words to plain ones, e.g. 'brg: barang'",
    ]


def test_entries_too_alike_are_a_warning_not_an_error() -> None:
    loaded = parse_faq(
        """
faqs:
  - id: kirim-jawa
    questions:
      - berapa lama pengiriman ke jawa
    answer: 2 hari
  - id: kirim-jawa-timur
    questions:
      - berapa lama pengiriman ke jawa timur
    answer: 3 hari
""",
        "faq.yaml",
    )
    assert len(loaded.faq) == 2
    (warning,) = loaded.warnings
    assert warning.severity == "warning"
    assert "very alike" in str(warning)
    assert str(warning).startswith("faq.yaml:3: warning: ")  # the entry's line


def entry_of(yaml_text: str) -> FaqEntry:
    (entry,) = parse_faq(dedent(yaml_text).lstrip("\n"), "faq.yaml").faq.entries
    return entry


def test_a_title_per_language_names_the_buttons_falling_back_to_the_first_question() -> None:
    entry = entry_of(
        """
        faqs:
          - id: ongkir
            questions: [brp ongkir ke bdg kak]
            title: {id: Ongkir, en: Shipping cost}
            answer: Rp9.000
        """
    )
    assert entry.title_for("en") == "Shipping cost"
    assert entry.title_for("ms", "id") == "Ongkir"  # the shop's language next
    assert entry.title_for("ms") == "brp ongkir ke bdg kak"  # then the first question
    assert entry.title == "Ongkir"  # as first written
    assert entry.names() == ("Ongkir", "Shipping cost", "brp ongkir ke bdg kak")


@pytest.mark.parametrize(
    ("title", "language", "expected"),
    [
        (None, "en", "brp ongkir ke bdg kak"),
        ("Ongkir", "en", "Ongkir"),  # one title for every language
        ("{ms: Kos pos}", "ms", "Kos pos"),
        ("{ms: Kos pos}", "id", "brp ongkir ke bdg kak"),
    ],
)
def test_title_forms(title: str | None, language: str, expected: str) -> None:
    line = f"\n    title: {title}" if title is not None else ""
    entry = entry_of(
        f"faqs:\n  - id: ongkir\n    questions: [brp ongkir ke bdg kak]{line}\n    answer: x\n"
    )
    assert entry.title_for(language) == expected
    if title is None:
        assert entry.title == "brp ongkir ke bdg kak"  # as before titles existed


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ('""', "faq.yaml:4: entry 'ongkir': 'title' must be a non-empty string"),
        ("{}", "faq.yaml:4: entry 'ongkir': 'title' must be a non-empty string"),
        (
            "{id: Ongkir, my: Kos pos}",
            "faq.yaml:4: entry 'ongkir': 'title' language 'my' is not one of id, ms, en",
        ),
        (
            "{id: Ongkir, en: ''}",
            "faq.yaml:4: entry 'ongkir': 'title.en' must be a non-empty string",
        ),
        ("[Ongkir]", "faq.yaml:4: entry 'ongkir': 'title' must be a non-empty string"),
    ],
)  # fmt: skip
def test_bad_titles_are_reported(title: str, expected: str) -> None:
    assert problems(
        f"faqs:\n  - id: ongkir\n    questions: [ongkir]\n    title: {title}\n    answer: x\n"
    ) == [expected]


def test_a_title_too_long_for_a_whatsapp_button_is_a_warning() -> None:
    loaded = parse_faq(
        "faqs:\n  - id: ongkir\n    questions: [ongkir]\n"
        "    title: {en: Shipping costs everywhere}\n    answer: x\n",
        "faq.yaml",
    )
    (warning,) = loaded.warnings
    assert str(warning) == (
        "faq.yaml:4: warning: entry 'ongkir': 'title.en' has 25 characters; WhatsApp buttons "
        "show 20: 'Shipping costs every'"
    )


@pytest.mark.parametrize(
    ("unless", "kinds", "words"),
    [
        ("place", ("place",), ()),
        ("kota", ("place",), ()),
        ("[place, Colour, size]", ("place", "colour", "size"), ()),
        ("[place, Ke Alamat]", ("place",), ("ke alamat",)),
        ("[kecamatan]", (), ("kecamatan",)),
    ],
)
def test_follow_up_unless_names_kinds_or_the_sellers_words(
    unless: str, kinds: tuple[str, ...], words: tuple[str, ...]
) -> None:
    entry = entry_of(
        "faqs:\n  - id: ongkir\n    questions: [ongkir]\n    answer: x\n"
        f"    follow_up: Ke kota mana kak?\n    follow_up_unless: {unless}\n"
    )
    assert entry.follow_up_unless == FollowUpSkip(kinds, words)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            "    follow_up_unless: place\n",
            "faq.yaml:5: entry 'ongkir': 'follow_up_unless' needs a 'follow_up' question to skip",
        ),
        (
            "    follow_up: Ke mana?\n    follow_up_unless: plcae\n",
            "faq.yaml:6: entry 'ongkir': 'follow_up_unless' kind 'plcae' is unknown (did you "
            "mean 'place'?); kinds are place, size, colour, number (or your own words)",
        ),
        (
            "    follow_up: Ke mana?\n    follow_up_unless: []\n",
            "faq.yaml:6: entry 'ongkir': 'follow_up_unless' must name a kind like 'place'",
        ),
        (
            "    follow_up: Ke mana?\n    follow_up_unless: [place, 12]\n",
            "faq.yaml:6: entry 'ongkir': 'follow_up_unless' must be text; put '12' in quotes",
        ),
    ],
)  # fmt: skip
def test_bad_follow_up_unless_is_reported(lines: str, expected: str) -> None:
    head = "faqs:\n  - id: ongkir\n    questions: [ongkir]\n    answer: x\n"
    assert problems(head + lines) == [expected]
