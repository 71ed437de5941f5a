"""A broken FAQ file is explained in plain words, at the line where the mistake really is."""

from __future__ import annotations

import re
from textwrap import dedent

import pytest

from faq.loader import ENTRY_KEYS, TOP_KEYS, FaqFormatError, parse_faq
from faq.yaml_errors import KNOWN_KEYS

# Parser words a shop owner should never have to read.
JARGON = re.compile(r"<block|<scalar>|scanning|parsing|stream|token|simple key|YAML syntax error")

ENTRY_AFTER = """
  - id: jam-buka
    questions:
      - buka jam berapa di jam-buka?
    answer: Setiap hari 08.00-21.00 kak.
"""


def broken(body: str, padding: int = 0) -> tuple[int, str]:
    """The one problem reported for an FAQ file: (line, message)."""
    more = "".join(ENTRY_AFTER.replace("jam-buka", f"jam-{n}") for n in range(padding))
    text = dedent(body).lstrip("\n") + more
    with pytest.raises(FaqFormatError) as caught:
        parse_faq(text, "faq.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"faq.yaml:{problem.line}: ")  # the file:line: message form
    return problem.line, problem.message


@pytest.mark.parametrize(
    ("name", "body", "line", "says"),
    [
        (
            "an apostrophe inside '...'",
            """
            faqs:
              - id: jumat
                questions:
                  - hari jumat buka?
                answer: 'Jum'at buka kak'
            """,
            5,
            ["apostrophe", "('Jum''at buka kak')", '("Jum\'at buka kak")'],
        ),
        (
            "an apostrophe inside a quoted question",
            """
            faqs:
              - id: ok
                questions:
                  - 'it's original?'
                answer: Original kak.
            """,
            4,
            ["apostrophe", "'it''s original?'"],
        ),
        (
            'a double quote inside "..."',
            """
            faqs:
              - id: ukuran
                questions:
                  - ukuran?
                answer: "Lebar 5" kak"
            """,
            5,
            ["ends the text early", "single quotes"],
        ),
        (
            "an unclosed double quote, noticed at the end of the file",
            """
            faqs:
              - id: jumat
                questions:
                  - hari jumat buka?
                answer: "Jumat buka kak
            """,
            5,
            ['quote " opened on this line is never closed', "the rest of the file"],
        ),
        (
            "an unclosed quote closed by a later quote",
            """
            faqs:
              - id: jumat
                questions:
                  - hari jumat buka?
                answer: "Jumat buka kak
              - id: ukuran
                questions:
                  - ukuran?
                answer: Lebar 5" kak
            """,
            5,
            ["never closed", "everything up to line 9"],
        ),
        (
            "an unclosed single quote",
            """
            faqs:
              - id: jumat
                questions:
                  - 'hari jumat buka?
                answer: Buka kak.
            """,
            4,
            ["quote ' opened on this line is never closed", "('Jum''at')"],
        ),
        (
            "a missing colon after a key with a list under it",
            """
            faqs:
              - id: ongkir
                questions
                  - berapa ongkir?
                answer: Rp9.000
            """,
            3,
            ["a ':' is missing after 'questions'"],
        ),
        (
            "a missing colon between key and value",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
                answer Rp9.000
                follow_up: Ke mana kak?
            """,
            5,
            ["a ':' is missing after 'answer'"],
        ),
        (
            "a missing colon after the id",
            """
            faqs:
              - id ongkir
                questions:
                  - berapa ongkir?
                answer: Rp9.000
            """,
            2,
            ["a ':' is missing after 'id'"],
        ),
        (
            "a key indented less than its neighbours",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
               answer: Rp9.000
            """,
            5,
            ["'answer' is indented by 3 spaces", "'questions' on line 3 by 4"],
        ),
        (
            "a key indented more than its neighbours",
            """
            faqs:
              - id: ongkir
                questions: [berapa ongkir]
                  answer: Rp9.000
            """,
            4,
            ["'answer' is indented by 6 spaces", "by 4"],
        ),
        (
            "a list item indented less than the one above",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
                 - ongkos kirim?
                answer: Rp9.000
            """,
            5,
            ["indented by 5 spaces", "the one on line 4 by 6"],
        ),
        (
            "an entry indented differently from the first",
            """
            faqs:
              - id: ongkir
                questions: [berapa ongkir]
                answer: Rp9.000
               - id: cod
                questions: [bisa cod]
                answer: Bisa kak.
            """,
            5,
            ["indented by 3 spaces", "the one on line 2 by 2"],
        ),
        (
            "a list item indented more than the one above",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
                    - ongkos kirim?
                answer: Rp9.000
            """,
            5,
            ["read as part of the question on line 4", "'- '"],
        ),
        (
            "a '-' missing before a question",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
                  ongkos kirim?
                answer: Rp9.000
            """,
            5,
            ["is not a list item", "'- '"],
        ),
        (
            "a '-' missing before a question holding ': '",
            """
            faqs:
              - id: ongkir
                questions:
                  - berapa ongkir?
                  ongkir: berapa?
                answer: Rp9.000
            """,
            5,
            ["is not a list item", "'- '"],
        ),
        (
            "a '-' missing before an entry",
            """
            faqs:
              - id: ongkir
                questions: [berapa ongkir]
                answer: Rp9.000
                id: cod
                questions: [bisa cod]
                answer: Bisa kak.
            """,
            5,
            ["a second 'id'", "is the '-' missing"],
        ),
        (
            "no '-' before the first entry",
            """
            faqs:
                id: ongkir
                questions: [berapa ongkir]
                answer: Rp9.000
            """,
            2,
            ["'- '", "id:'"],
        ),
        (
            "a tab in the indentation",
            "faqs:\n  - id: ongkir\n\t questions: [a]\n    answer: b\n",
            3,
            ["tab", "spaces"],
        ),
        (
            "an answer starting with '*'",
            """
            faqs:
              - id: promo
                questions: [ada promo]
                answer: *Promo* diskon 10%
            """,
            4,
            ["cannot start with '*'", "quotes"],
        ),
        (
            "an answer starting with '@'",
            """
            faqs:
              - id: ig
                questions: [ig nya apa]
                answer: @tokocontoh
            """,
            4,
            ["cannot start with '@'", "quotes"],
        ),
        (
            "text on the line of '|'",
            """
            faqs:
              - id: promo
                questions: [ada promo]
                answer: | Diskon 10%
            """,
            4,
            ["'|'", "lines below"],
        ),
        (
            "a ': ' inside an answer",
            """
            faqs:
              - id: ongkir
                questions: [berapa ongkir]
                answer: Ongkir: Rp9.000
            """,
            4,
            ['answer: "Ongkir: Rp9.000"'],
        ),
    ],
)
@pytest.mark.parametrize("padding", [0, 40])  # the real line, however long the file
def test_each_usual_mistake_is_named_at_its_line_in_plain_words(
    name: str, body: str, line: int, says: list[str], padding: int
) -> None:
    found_line, message = broken(body, padding)
    assert found_line == line, message
    for words in says:
        assert words in message
    assert not JARGON.search(message), message


def test_a_mistake_far_down_a_long_file_is_not_reported_at_its_end() -> None:
    body = "faqs:" + ENTRY_AFTER.replace("jam-buka", "a") + '    follow_up: "Mau ke mana?\n'
    for n in range(60):
        body += ENTRY_AFTER.replace("jam-buka", f"e{n}")
    with pytest.raises(FaqFormatError) as caught:
        parse_faq(body, "faq.yaml")
    (problem,) = caught.value.problems
    assert problem.line == 6


def test_quotes_inside_an_answer_block_are_just_text() -> None:
    line, message = broken(
        """
        faqs:
          - id: promo
            questions:
              - ada promo?
            answer: |
              "Promo Jum'at berlaku
              sampai besok
          - id: ongkir
            questions:
              - berapa ongkir?
            answer: 'Jum'at gratis'
        """
    )
    assert line == 11
    assert "apostrophe" in message


def test_every_key_the_loader_knows_is_known_here() -> None:
    assert set(KNOWN_KEYS) == set(TOP_KEYS + ENTRY_KEYS)
