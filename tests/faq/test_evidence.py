"""What counts as evidence: one phrase is one idea, an everyday word is not a misspelling,
and a product's features are told apart from the product itself."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.model import Faq
from faq.normalize import normalize

# A small gadget shop, written for these tests.
GADGETS = """
faqs:
  - id: retur
    questions:
      - bisa retur?
      - barang bisa dikembalikan?
    answer: Retur 7 hari sejak barang diterima kak.
  - id: earbuds-fitur
    questions:
      - earbudsnya ada ANC?
      - baterainya tahan berapa jam?
    answer: Ada ANC, baterai 6 jam kak.
  - id: earbuds-pairing
    questions:
      - cara connect earbuds gimana?
      - earbuds cuma bunyi sebelah
    answer: Reset dulu, lalu pairing ulang kak.
  - id: sisa-stok
    questions:
      - stoknya tinggal berapa?
      - masih sisa berapa pcs?
    answer: Tinggal sedikit kak, langsung checkout ya.
  - id: tumbler-nama
    questions:
      - tumbler bisa dikasih nama?
    answer: Bisa kak, nama di tumbler gratis.
"""


@pytest.fixture(scope="module")
def shop() -> Faq:
    return parse_faq(GADGETS).faq


@pytest.mark.parametrize(
    ("text", "together"),
    [
        ("what's your return policy?", {"@retur", "@refund"}),
        ("ada yang hitam?", {"@warna", "@hitam"}),
        ("kirim ke kuching", {"@kota", "@malaysia-timur"}),
    ],
)
def test_one_phrase_that_stands_for_several_keys_is_one_idea(
    text: str, together: set[str]
) -> None:
    assert frozenset(together) in normalize(text).together


@pytest.mark.parametrize("text", ["warna apa saja?", "bisa retur?", "earbuds"])
def test_words_of_one_key_each_are_not_grouped(text: str) -> None:
    assert normalize(text).together == ()


@pytest.mark.parametrize(
    ("text", "entry", "unexplained"),
    [
        # 'return policy' is @retur and @refund: the entry knows @retur, the other is the
        # same idea, not something the message says besides
        ("what's your return policy?", "retur", 0),
        # a word of its own the entry does not know still counts
        ("return policy for a gift?", "retur", 1),
    ],
)
def test_keys_of_one_phrase_are_explained_together(
    shop: Faq, text: str, entry: str, unexplained: int
) -> None:
    best = shop.matcher.rank(text)[0]
    assert best.entry_id == entry
    assert best.unexplained == unexplained
    assert not best.lone_word or unexplained


@pytest.mark.parametrize(
    ("text", "kept", "not_taken_for"),
    [
        ("tanggal berapa dikirim?", "tanggal", "tinggal"),  # a date, not "remaining"
        ("tgl brp sampai?", "tanggal", "tinggal"),  # the same, after slang
    ],
)
def test_an_everyday_word_is_not_taken_for_a_misspelt_faq_word(
    shop: Faq, text: str, kept: str, not_taken_for: str
) -> None:
    weights = shop.matcher.query_weights(normalize(text, shop.matcher.lexicon))
    assert kept in weights
    assert not_taken_for not in weights


@pytest.mark.parametrize("typo", ["tumblr", "tumbller", "tumbker"])
def test_a_real_misspelling_is_still_corrected(shop: Faq, typo: str) -> None:
    assert "tumbler" in shop.matcher.query_weights(normalize(f"{typo} bisa dikasih nama?"))


@pytest.mark.parametrize(
    "text",
    [
        "does it have noise cancelling?",
        "ada peredam bising ga?",
        "micnya jernih ga buat telpon?",
        "delay ga kalau buat main game?",
    ],
)
def test_a_feature_of_earbuds_finds_the_features_entry_not_the_pairing_one(
    shop: Faq, text: str
) -> None:
    assert shop.matcher.rank(text)[0].entry_id == "earbuds-fitur"


@pytest.mark.parametrize(
    ("feature", "product"),
    [("noise cancelling", "earbuds"), ("mikrofon", "tws"), ("latency", "headset")],
)
def test_features_and_products_are_separate_ideas(feature: str, product: str) -> None:
    assert "@fitur-audio" in normalize(feature).keys
    assert "@fitur-audio" not in normalize(product).keys
    assert "@audio" in normalize(product).keys


COLOURS = """
faqs:
  - id: warna
    questions:
      - ada warna apa saja?
      - pilihan warnanya apa?
    answer: Hitam, putih, navy dan sage kak.
  - id: stok
    questions:
      - stoknya masih ada?
      - ready stock?
    answer: Semua ready stock kak.
"""


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("yang hitam masih ada stok?", "stok"),  # "hitam" says black, once
        ("navy masih ready stock?", "stok"),
        ("ada warna apa aja?", "warna"),
    ],
)
def test_a_word_of_several_keys_weighs_as_one_word(text: str, entry: str) -> None:
    shop = parse_faq(COLOURS).faq
    assert shop.matcher.rank(text)[0].entry_id == entry


def test_the_keys_of_one_word_share_its_weight(shop: Faq) -> None:
    # this FAQ never mentions colours: "warna" alone is one unknown word, and so is "hitam"
    # (@warna and @hitam) together
    lexicon = shop.matcher.lexicon
    one_word = shop.matcher.query_weights(normalize("warna?", lexicon))["@warna"]
    weights = shop.matcher.query_weights(normalize("hitam?", lexicon))
    assert weights["@warna"] + weights["@hitam"] == pytest.approx(one_word)
