"""Stems: derived forms meet their root, and no word is cut into another one."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from faq.normalize import fold, normalize, stem


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


@pytest.mark.parametrize(
    ("chat", "standard"),
    [
        ("keringet", "keringat"),
        ("dateng", "datang"),
        ("pesen", "pesan"),
        ("males", "malas"),
    ],
)
def test_a_jakarta_last_syllable_e_reads_as_the_standard_a(chat: str, standard: str) -> None:
    assert normalize(chat).words == (standard,)


@pytest.mark.parametrize("word", ["meet", "green", "seven", "street", "paper", "tempel"])
def test_other_words_with_a_last_e_stay_as_written(word: str) -> None:
    assert normalize(word).words == (word,)


@pytest.mark.parametrize(
    ("text", "concept", "not_concept"),
    [
        ("phone sy baru beli", "@ponsel", "@kontak"),
        ("my phone is an iphone 13", "@ponsel", "@kontak"),
        ("what is your phone number", "@kontak", "@ponsel"),
    ],
)
def test_phone_is_the_handset_and_phone_number_the_contact(
    text: str, concept: str, not_concept: str
) -> None:
    keys = set(normalize(text).keys)
    assert concept in keys
    assert not_concept not in keys


def _lexicon_file(name: str) -> dict[str, list[object]]:
    text = resources.files("faq.lexicon").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, list[object]] = yaml.safe_load(text)
    return data


def test_no_word_of_the_broad_vocabulary_is_silently_shadowed() -> None:
    """A phrase of concepts.yaml keeps its meaning there: the same phrase listed under
    another group of shop_concepts.yaml would never mean that group's idea."""
    core = _lexicon_file("concepts.yaml")
    groups: dict[tuple[str, ...], set[str]] = {}
    for kind in ("concepts", "function_words"):
        for name, words in core[kind].items():  # type: ignore[attr-defined]
            for word in words:
                groups.setdefault(tuple(fold(str(word)).split()), set()).add(name)
    shadowed = [
        (str(word), name)
        for name, words in _lexicon_file("shop_concepts.yaml").items()
        for word in words
        if name not in groups.get(tuple(fold(str(word)).split()), {name})
    ]
    assert shadowed == []
