"""Chat text is normalised before matching; scores mean the same across FAQs."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.matcher import Thresholds
from faq.model import Faq
from faq.normalize import normalize


@pytest.mark.parametrize(
    ("chat", "plain"),
    [
        ("brp ongkir ke bdg kak?", "berapa ongkos kirim ke bandung"),
        ("Gmn caranya sis??", "bagaimana caranya"),
        ("udh dikirim blm gan", "sudah dikirim belum"),
        ("bagus bangettt 😍😍", "bagus banget"),
        ("nak tanya brape kos pos", "mau tanya berapa kos pos"),
    ],
)
def test_slang_honorifics_emoji_and_stretched_letters_are_normalised(
    chat: str, plain: str
) -> None:
    assert normalize(chat).text == plain


def test_buyers_words_in_three_languages_meet_on_one_concept() -> None:
    ongkir, kos_pos, shipping = (
        set(normalize(t).keys) for t in ("ongkir", "kos pos", "shipping cost")
    )
    assert ongkir & kos_pos & shipping


def test_greetings_and_thanks_are_small_talk() -> None:
    assert "greeting" in normalize("halo kak 👋").small_talk
    assert "thanks" in normalize("makasih ya kak").small_talk
    assert normalize("halo kak, ongkir brp?").small_talk == frozenset()


SHOP = """
faqs:
  - id: refund
    questions:
      - bagaimana cara refund pesanan?
    answer: Refund 3 hari kerja.
  - id: lacak
    questions:
      - bagaimana cara lacak pesanan?
    answer: Lacak di web kurir.
  - id: ongkir
    questions:
      - berapa ongkos kirim?
    answer: Rp9.000.
"""


@pytest.fixture
def shop() -> Faq:
    return parse_faq(SHOP).faq


def test_distinctive_words_outweigh_common_ones(shop: Faq) -> None:
    result = shop.matcher.decide("refund order saya gmn")
    assert result.best == "refund"


def test_scores_stay_within_zero_and_one(shop: Faq) -> None:
    for text in ("berapa ongkos kirim?", "x", "", "refund refund refund refund"):
        for candidate in shop.matcher.rank(text):
            assert 0.0 <= candidate.score <= 1.0
    assert shop.matcher.rank("berapa ongkos kirim?")[0].score == pytest.approx(1.0)


def test_a_typo_still_finds_the_entry(shop: Faq) -> None:
    assert shop.matcher.decide("brp ongkos krim").best == "ongkir"


def test_close_candidates_are_clarified_not_guessed(shop: Faq) -> None:
    result = shop.matcher.decide("bagaimana caranya pesanan")
    assert result.decision == "clarify"
    assert set(result.options) == {"refund", "lacak"}


def test_nothing_close_is_a_fallback(shop: Faq) -> None:
    assert shop.matcher.decide("cuaca di jakarta besok").decision == "fallback"


def test_the_same_question_scores_the_same_in_a_bigger_faq(shop: Faq) -> None:
    alone = shop.matcher.rank("berapa ongkos kirim?")[0].score
    big = parse_faq(
        SHOP
        + "\n".join(
            f"""
  - id: extra-{i}
    questions:
      - produk nomor {i} bahan katun warna {i}?
    answer: Ada."""
            for i in range(50)
        )
    ).faq
    assert big.matcher.rank("berapa ongkos kirim?")[0].score == pytest.approx(alone, abs=0.05)


def test_richly_phrased_faqs_may_answer_at_a_lower_score() -> None:
    def faq_with(questions: int) -> Faq:
        lines = "\n".join(f"      - pertanyaan ongkir nomor {i}" for i in range(questions))
        return parse_faq(f"faqs:\n  - id: a\n    questions:\n{lines}\n    answer: x\n").faq

    assert faq_with(3).matcher.answer_at == pytest.approx(0.66)
    assert faq_with(10).matcher.answer_at == pytest.approx(0.60)
    assert 0.60 < faq_with(6).matcher.answer_at < 0.66
    assert faq_with(3).matcher.margin == pytest.approx(0.12)
    assert faq_with(10).matcher.margin == pytest.approx(0.05)


def test_one_shared_word_in_a_longer_message_is_asked_about_not_answered(shop: Faq) -> None:
    # "refund pulsa" (phone credit) shares only "refund" with the shop's refund entry
    result = shop.matcher.decide("bagaimana cara refund pulsa")
    assert result.score >= shop.matcher.thresholds.clarify  # close, but on one word alone
    assert result.candidates[0].lone_word
    assert result.decision == "clarify"
    assert result.options[0] == "refund"

    trusting = Faq(shop.entries, thresholds=Thresholds(lone_word=0.0, answer=0.6))
    assert trusting.matcher.decide("bagaimana cara refund pulsa").decision == "answer"


@pytest.mark.parametrize("text", ["refund?", "ongkir ke medan", "berapa ongkos kirim paus"])
def test_a_message_that_is_all_about_the_entry_is_still_answered(shop: Faq, text: str) -> None:
    assert shop.matcher.decide(text).decision == "answer"


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("no rek bca berapa", "nomor rekening bca berapa"),
        ("minta no wa admin", "minta nomor wa admin"),
        ("no thanks", "no thanks"),
        ("No, the black one", "no the black one"),
    ],
)
def test_no_is_a_number_only_before_what_chats_number(text: str, expanded: str) -> None:
    assert normalize(text).text == expanded


SHIPPING = """
faqs:
  - id: ongkir
    questions: [Berapa ongkirnya?, biaya pengiriman ke luar Jawa berapa?, ongkos kirim ke Bandung]
    answer: Ongkir mulai Rp9.000 kak.
  - id: lama-kirim
    questions: [Berapa lama pengirimannya?, pengiriman berapa hari?, kapan sampai kak]
    answer: Pesanan dikirim H+1 setelah pembayaran, sampai 2-4 hari.
  - id: stok
    questions: [ready stock kak?, stoknya ada?]
    answer: Semua ready kak.
"""


@pytest.mark.parametrize(
    ("text", "decision", "best"),
    [
        # one word both entries' own questions ask about: a real choice, whatever the lead
        ("pengiriman", "clarify", None),
        ("pengirimannya gimana kak", "clarify", None),
        # a clear question of one entry stays an answer
        ("berapa lama pengirimannya?", "answer", "lama-kirim"),
        ("ready stock ga?", "answer", "stok"),
    ],
)
def test_a_word_two_entries_ask_about_is_asked_back(
    text: str, decision: str, best: str | None
) -> None:
    faq = parse_faq(SHIPPING).faq
    found = faq.matcher.decide(text)
    assert found.decision == decision
    if best is not None:
        assert found.best == best
    else:
        assert {"ongkir", "lama-kirim"} <= set(found.options)
