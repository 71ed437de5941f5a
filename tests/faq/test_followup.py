"""Follow-ups that listen: not asked when the buyer's message already answers them."""

from __future__ import annotations

from pathlib import Path

import pytest

from faq.followup import already_answered, mentions
from faq.loader import load_faq
from faq.model import FaqEntry, FollowUpSkip, Localized

ROOT = Path(__file__).resolve().parents[2]


def entry(kinds: tuple[str, ...] = ("place",), words: tuple[str, ...] = ()) -> FaqEntry:
    return FaqEntry(
        "ongkir",
        ("berapa ongkir?",),
        Localized.plain("Mulai Rp9.000"),
        Localized.plain("Mau dikirim ke kota mana kak?"),
        follow_up_unless=FollowUpSkip(kinds, words),
    )


@pytest.mark.parametrize(
    ("message", "answered"),
    [
        ("ongkir ke surabaya berapa?", True),
        ("brp ongkir ke bdg kak?", True),
        ("ongkir ke Jakarta Selatan", True),
        ("kalau kirim ke Jawa Timur brp hari", True),
        ("shipping to Kuala Lumpur?", True),
        ("kos pos ke kl berapa", True),  # shorthand after "ke"
        ("pos ke JB brape", True),
        ("ongkir malang", True),  # an everyday word right after "ongkir"
        ("saya di Kota Kinabalu", True),
        ("ongkir ke medan brp hari?", True),
        ("ongkirnya berapa kak?", False),
        ("berapa ongkos kirim?", False),
        ("kl ongkir brp?", False),  # "kl" = kalau, not Kuala Lumpur
        ("lagi malang nih, ongkir brp", False),  # malang = unlucky
        ("kk ongkir berapa", False),  # kk = kakak
        ("", False),
    ],
)
def test_a_place_in_the_message_answers_where_to_send(message: str, answered: bool) -> None:
    assert already_answered(entry(), message) is answered


@pytest.mark.parametrize(
    ("kind", "message", "expected"),
    [
        ("size", "ada ukuran 42?", True),
        ("size", "size XL ready?", True),
        ("size", "yang 2xl ada?", True),
        ("size", "saiz M ada?", True),
        ("size", "ada ukuran lain?", False),
        ("size", "no rek 1234567890", False),
        ("colour", "yang hitam ready?", True),
        ("colour", "warna merah muda ada", True),
        ("colour", "do you have it in navy", True),
        ("colour", "ada warna lain?", False),
        ("number", "saya ambil 2", True),
        ("number", "mau dua ya", True),
        ("number", "mau ambil ya", False),
        ("ukuran", "ukuran 40", True),  # the kind's Indonesian name works too
        ("unknown-kind", "ke bandung", False),
    ],
)
def test_other_kinds(kind: str, message: str, expected: bool) -> None:
    assert mentions(kind, message) is expected


def test_the_sellers_own_words_count_too() -> None:
    skip = entry(kinds=(), words=("kecamatan", "ke alamat"))
    assert already_answered(skip, "kirim ke alamat kantor bisa?")
    assert already_answered(skip, "Kecamatan Coblong brp")
    assert not already_answered(skip, "ongkir ke surabaya")  # no 'place' kind asked for


def test_without_follow_up_unless_the_follow_up_is_always_asked() -> None:
    plain = FaqEntry(
        "ongkir", ("ongkir?",), Localized.plain("x"), Localized.plain("Ke kota mana kak?")
    )
    assert not already_answered(plain, "ongkir ke surabaya")


def test_the_shop_faq_skips_the_city_question_when_the_city_is_named() -> None:
    ongkir = load_faq(ROOT / "faq" / "faq.yaml").faq.get("ongkir")
    assert ongkir is not None
    assert already_answered(ongkir, "brp ongkir ke bdg kak?")
    assert not already_answered(ongkir, "brp ongkirnya kak?")


def test_the_places_list_is_big_and_holds_the_usual_shorthand() -> None:
    names = [
        line.strip().lstrip("~")
        for line in (ROOT / "faq" / "lexicon" / "places.txt").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(names) >= 400
    assert len(names) == len(set(names)), "a place is listed twice"
    assert {"bdg", "jkt", "sby", "jb", "kl", "jogja", "medan", "johor bahru"} <= set(names)
