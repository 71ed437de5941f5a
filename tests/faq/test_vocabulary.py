"""The shop vocabulary: words of Indonesian, Malay and English buyers meet as one idea."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.normalize import default_lexicon, normalize


def keys(text: str) -> set[str]:
    return set(normalize(text).keys)


@pytest.mark.parametrize(
    ("words", "concept"),
    [
        (["kedaluwarsa", "tarikh luput", "expiry date", "best before"], "@kedaluwarsa"),
        (["sepatu", "kasut", "shoes", "sneakers"], "@sepatu"),
        (["bank in", "transfer", "pembayaran", "payment"], "@bayar"),
        (["toko", "kedai", "shop", "butik"], "@toko"),
        (["kirim", "pos", "hantar", "ship"], "@kirim"),
        (["ukuran", "saiz", "size"], "@ukuran"),
        (["hamil", "mengandung", "pregnant", "bumil"], "@hamil"),
        (["menyusui", "busui", "breastfeeding"], "@menyusui"),
        (["perisa", "rasa", "flavour"], "@rasa"),
        (["tudung", "kerudung", "hijab", "shawl"], "@tudung"),
        (["freezer", "peti sejuk beku", "frozen"], "@beku"),
        (["cicilan", "ansuran", "installment", "paylater"], "@cicil"),
        (["casing", "cover", "softcase"], "@casing"),
        (["tulen", "original", "asli"], "@asli"),
        (["waranti", "garansi", "warranty"], "@garansi"),
    ],
)
def test_one_idea_in_three_languages(words: list[str], concept: str) -> None:
    for word in words:
        assert concept in keys(word), word


@pytest.mark.parametrize(
    ("place", "region"),
    [
        ("kuching", "@malaysia-timur"),
        ("kota kinabalu", "@malaysia-timur"),
        ("shah alam", "@semenanjung"),
        ("medan", "@luar-jawa"),
        ("bekasi", "@jawa"),
    ],
)
def test_a_place_also_names_its_region(place: str, region: str) -> None:
    assert {"@kota", region} <= keys(place)


@pytest.mark.parametrize(
    ("text", "pregnant"),
    [
        ("I'm expecting, is this safe?", True),
        ("safe for an expecting mother?", True),
        ("when can I expect my parcel?", False),  # 'expect' alone is about the order
        ("how soon can I expect the delivery", False),
    ],
)
def test_expecting_is_pregnant_only_where_it_says_so(text: str, pregnant: bool) -> None:
    assert ("@hamil" in keys(text)) is pregnant


@pytest.mark.parametrize(
    ("text", "concept", "not_concept"),
    [
        ("jam berapa waktu berbuka?", "@puasa", "@buka"),  # breaking the fast, not opening
        ("bisa sampai sebelum buka puasa?", "@puasa", "@buka"),
        ("toko buka jam berapa?", "@buka", "@puasa"),
    ],
)
def test_a_stem_that_changes_meaning_keeps_its_own_idea(
    text: str, concept: str, not_concept: str
) -> None:
    assert concept in keys(text)
    assert not_concept not in keys(text)


def test_a_form_of_address_before_a_shop_word_is_its_owner() -> None:
    assert "pemilik" in normalize("boleh cakap dengan tuan kedai?").words
    assert "tuan" not in normalize("terima kasih tuan").words


def test_every_lexicon_file_loads_and_has_many_groups() -> None:
    lexicon = default_lexicon()
    concepts = {k for ks in lexicon.concepts.values() for k in ks}
    assert len(concepts) >= 150  # hundreds of concept groups, not a handful


SHOP = """
faqs:
  - id: pos-semenanjung
    questions: [pos semenanjung berapa?, caj pos ke KL berapa?]
    answer: RM8 ke Semenanjung.
  - id: pos-sabah-sarawak
    questions: [pos ke Sabah berapa?, hantar ke Sarawak boleh?]
    answer: Caj pos RM12 ke Sabah dan Sarawak.
  - id: izin
    questions: [produknya sudah terdaftar?, legal tidak?]
    answer: Sudah terdaftar di BPOM dan bersertifikat halal MUI ya kak.
  - id: warna
    questions: [ada warna apa saja?, warnanya apa aja?]
    answer: Hitam, putih, navy.
"""


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("caj pos ke Kuching berapa?", "pos-sabah-sarawak"),  # a region breaks the tie
        ("caj pos ke Ipoh berapa?", "pos-semenanjung"),
        ("sudah halal MUI belum?", "izin"),  # only the answer says halal
    ],
)
def test_evidence_beyond_the_question_words(text: str, best: str) -> None:
    faq = parse_faq(SHOP).faq
    assert faq.matcher.rank(text)[0].entry_id == best


def test_answer_words_count_less_than_question_words() -> None:
    faq = parse_faq(SHOP).faq
    asked = faq.matcher.rank("produknya terdaftar?")[0]
    from_answer = faq.matcher.rank("halal?")[0]
    assert asked.entry_id == from_answer.entry_id == "izin"
    assert asked.asked
    assert not from_answer.asked  # nothing the seller's questions say
    assert from_answer.score < asked.score


def test_seller_synonyms_still_extend_the_vocabulary() -> None:
    faq = parse_faq(
        """
faqs:
  - id: tumbler
    questions: [tumbler ada warna apa?]
    answer: Hitam dan putih.
synonyms:
  - [tumbler, botol minum, termos]
"""
    ).faq
    assert faq.matcher.rank("termos nya warna apa aja")[0].entry_id == "tumbler"


@pytest.mark.parametrize(
    ("text", "left"),
    [
        # a worry, a pronoun, a split-off verb prefix, "roughly": chat filler, not what
        # is asked, so it does not dilute the words that are
        ("takut luntur ga?", {"@luntur", "@tidak"}),
        ("casing ku retak", {"@casing", "@rusak"}),
        ("buat nge-vlog bisa?", {"vlog", "@bisa"}),
        ("kira-kira sampai kapan?", {"@sampai", "@kapan"}),
        # discourse particles and interjections of both chats
        ("aduh luntur ga ya?", {"@luntur", "@tidak"}),
        ("warna dia pudar tak ye?", {"@warna", "@luntur", "@tidak"}),
        ("hehe ada warna lain?", {"@ada", "@warna", "lain"}),
        ("ayo toh, bisa cod?", {"@bisa", "@cod"}),
    ],
)
def test_chat_filler_is_no_evidence(text: str, left: set[str]) -> None:
    assert keys(text) == left
