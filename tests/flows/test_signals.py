"""The engine's signals: a question told from a statement by the clause splitter's rule."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.normalize import default_lexicon, normalize
from faq.split import reads_as_question
from flows.policy import Policy
from flows.signals import read_signals
from flows.trial import try_message

RETURNS = parse_faq(
    """
faqs:
  - id: retur
    questions: [bisa retur?, barang rusak bisa dikembalikan?]
    answer: Barang yang rusak saat sampai kami ganti baru kak.
  - id: ongkir
    questions: [berapa ongkirnya?, ongkos kirim ke bandung]
    answer: Ongkir mulai Rp9.000 kak.
"""
).faq


def asks(text: str) -> bool:
    return read_signals(normalize(text).text, text).question


@pytest.mark.parametrize(
    ("text", "asking"),
    [
        ("macam mana nak tukar saiz", True),  # Malay "how", two words
        ("camne nak tukar saiz", True),  # its chat spelling
        ("gmn cara returnya", True),
        ("brp ongkir ke bandung", True),
        ("warnanya luntur tak", True),  # a tag last
        ("boleh cod ke", True),
        ("bisa cod ga", True),
        ("how long is shipping", True),
        ("who can i talk to", True),
        ("siapa yg kirim paketnya", True),
        ("berapakah ongkirnya", True),  # a question word with "-kah"
        ("benarkah ini ori", True),
        ("cod nyampe pelosok ga ya", True),  # a tag, then a particle
        ("bisa ga sih", True),
        ("ongkirnya brp", True),  # the question word last
        ("bayarnya gmn", True),
        ("kedai kat mana", True),
        ("gapapa kak", False),  # "tidak apa": no question
        ("saya ambil 2 ya", False),
        ("pengen liat langsung", False),
    ],
)
def test_a_question_is_read_by_its_first_word_or_its_tag(text: str, asking: bool) -> None:
    assert asks(text) is asking


@pytest.mark.parametrize(
    "text",
    [
        "macam mana nak tukar saiz",
        "ada tokonya ga sih",
        "warnanya luntur tak",
        "how long is shipping",
        "buat kado ulang tahun",
        "bila sampai",
        "dimana tokonya",
    ],
)
def test_the_engine_and_the_clause_splitter_ask_by_one_rule(text: str) -> None:
    assert asks(text) is reads_as_question(text, default_lexicon())


def test_a_malay_how_to_question_about_a_damaged_item_is_a_policy_question() -> None:
    # unhappy ("rosak"), but asked: answered, not handed off as a complaint
    trial = try_message("macam mana nak pulangkan barang rosak", RETURNS, Policy(shop_name="T"))
    assert trial.action != "handoff"
