"""Stems: derived forms meet their root, and no word is cut into another one."""

from __future__ import annotations

import pytest

from faq.normalize import stem


@pytest.mark.parametrize(
    "words",
    [
        ["meeting", "meetings", "meet"],  # not "ete": "me-" is no prefix of an English word
        ["members", "member"],
        ["discounts", "discount"],
        ["terminals", "terminal"],
        ["pairing", "pair"],
    ],
)
def test_an_english_word_is_stemmed_as_english(words: list[str]) -> None:
    assert len({stem(w) for w in words}) == 1, [stem(w) for w in words]


@pytest.mark.parametrize(
    ("word", "not_cut_to"),
    [
        ("discount", "count"),
        ("meeting", "ete"),
        ("terminal", "minal"),
    ],
)
def test_an_english_word_is_not_cut_by_indonesian_prefixes(word: str, not_cut_to: str) -> None:
    assert stem(word) != not_cut_to


@pytest.mark.parametrize(
    ("forms", "root"),
    [
        (["keringat", "keringatan", "berkeringat"], "keringat"),  # not "ringat"
        (["sekolah", "sekolahnya"], "sekolah"),  # not "seko"
        (["pelosok", "pelosoknya"], "pelosok"),  # not "losok"
    ],
)
def test_a_known_root_that_looks_prefixed_keeps_its_letters(forms: list[str], root: str) -> None:
    assert {stem(w) for w in forms} == {root}


@pytest.mark.parametrize(
    "forms",
    [
        ["kirim", "mengirim", "pengiriman", "dikirim"],  # meng- + kirim, not "irim"
        ["tukar", "menukar", "penukaran"],  # men- + tukar
        ["simpan", "menyimpan", "penyimpanan"],  # meny- + simpan
        ["pakai", "memakai"],  # mem- + pakai
        ["tempah", "menempah", "tempahan"],  # Malay: to order
    ],
)
def test_a_nasal_prefix_gives_back_the_letter_it_swallowed(forms: list[str]) -> None:
    assert len({stem(w) for w in forms}) == 1, [stem(w) for w in forms]


@pytest.mark.parametrize("word", ["kuning", "gunting", "kancing", "samping", "kering"])
def test_an_indonesian_root_ending_in_ing_is_no_english_gerund(word: str) -> None:
    assert stem(word) == word
