"""Guessing the buyer's language from the lexicon's chat words (faq/lexicon/languages.yaml)."""

from __future__ import annotations

import pytest

from faq.normalize import language_words
from flows.language import LanguageGuess, choose_language, guess_language


@pytest.mark.parametrize(
    ("text", "language", "strong"),
    [
        ("brp ongkir kak? udah bisa kirim hari ini?", "id", True),
        ("nak tanya kos pos ke johor berapa", "ms", True),
        ("ada stok tak sis? nak yg hitam", "ms", True),  # "sis", "yg": both languages'
        ("bisa kirim ke johor?", "id", False),  # a place says where, not the language
        ("how much is shipping to bandung?", "en", True),
        ("pesen 2 kak, pake kurir apa?", "id", True),  # Indonesian chat spellings
        ("jom tgk koleksi baru", "ms", True),  # Malay chat words
    ],
)
def test_a_message_is_guessed_by_the_words_only_one_language_uses(
    text: str, language: str, strong: bool
) -> None:
    assert guess_language(text) == LanguageGuess(language, strong)


@pytest.mark.parametrize("text", ["tolong panggil kak aisyah", "ok baik sis", "terima kasih"])
def test_words_of_both_indonesian_and_malay_decide_nothing(text: str) -> None:
    assert guess_language(text).language is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("boleh cod ke?", "ms"),  # only Malay asks with "ke"
        ("dah pos ke belum?", "ms"),
        ("stok habis ke atau kena tunggu", "ms"),
        ("kirim ke bandung bisa?", "id"),  # "ke" as "to": either language
    ],
)
def test_only_malay_asks_with_ke(text: str, language: str) -> None:
    assert guess_language(text).language == language


def test_a_message_that_says_too_little_keeps_the_shops_language() -> None:
    assert choose_language(None, "ok baik sis", None, "ms") == "ms"
    assert choose_language(None, "ok baik sis", None, "id") == "id"


def test_the_guess_reads_the_markers_the_normaliser_reads() -> None:
    words = language_words()
    for language, markers in words.markers.items():
        for word in markers:
            assert guess_language(f"{word} {word}").language == language, word
