"""Jakarta verb forms and stemmer edge cases: a chat word meets the word it stands for."""

from __future__ import annotations

import pytest

from faq.normalize import normalize, stem


@pytest.mark.parametrize(
    ("chat", "standard"),
    [
        ("ngirimin", "kirim"),  # ng- swallowed the k, -in for -kan
        ("ngurangin", "mengurangi"),  # ng- + kurang + -in
        ("dibekuin", "dibekukan"),  # di- + beku + -in
        ("dicairin", "dicairkan"),
        ("nyimpen", "menyimpan"),  # ny- swallowed the s; Jakarta "e" for "a"
        ("ngukus", "mengukus"),  # bare nasal, no suffix
        ("dijualin", "dijual"),
        ("dianter", "diantar"),  # di- before a chat spelling ("anter" = "antar")
    ],
)
def test_a_jakarta_verb_form_meets_its_standard_form(chat: str, standard: str) -> None:
    assert normalize(chat).keys == normalize(standard).keys


@pytest.mark.parametrize(
    "word",
    [
        "within",  # not with + -in
        "protein",
        "kering",  # dry: not ke- + "ring"
        "dishes",  # not di- + "shes" (she's)
        "margin",
    ],
)
def test_words_that_only_look_like_chat_verbs_stay_as_written(word: str) -> None:
    assert normalize(word).words == (word,)


@pytest.mark.parametrize(
    "forms",
    [
        ["pakai", "memakai", "dipakai", "pemakaian"],  # the root keeps its final "i"
        ["sesuai", "disesuaikan"],
        ["mulai", "dimulai"],
    ],
)
def test_a_root_ending_in_vowel_and_i_keeps_it(forms: list[str]) -> None:
    assert {stem(w) for w in forms} == {forms[0]}


def test_a_real_i_suffix_is_still_taken_off() -> None:
    assert stem("menyukai") == "suka"


@pytest.mark.parametrize("word", ["kelas", "kulkas", "tulis", "ongkos", "habis", "gratis"])
def test_an_indonesian_word_ending_in_s_is_no_english_plural(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("photos", "photo"), ("glasses", "glass"), ("cookies", "cookie"), ("prices", "price")],
)
def test_english_plurals_still_meet_their_singular(plural: str, singular: str) -> None:
    assert stem(plural) == stem(singular)
