"""Lessons: personal data masked on the way in, and a versioned codec for the store."""

from __future__ import annotations

from typing import Any

import pytest

from faq.lessons import (
    AskedForPerson,
    Clarified,
    Corrected,
    Fallback,
    HandedOff,
    Lesson,
    LessonFormatError,
    buyer_key,
    from_dict,
    mask,
    to_dict,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("wa aku 0812-3456-7890 ya kak", "wa aku [phone] ya kak"),
        ("+62 812 3456 7890", "[phone]"),
        ("nombor sy 6012-345 6789", "nombor sy [phone]"),
        ("call 011-2345 6789 pls", "call [phone] pls"),
        ("hp 081234567890", "hp [phone]"),
        ("email aku dinda.s+shop@gmail.com", "email aku [email]"),
        ("pesanan JP-2412-0007 kapan dikirim", "pesanan [order] kapan dikirim"),
        ("order #1234 belum sampai", "order [order] belum sampai"),
        ("INV/2024/XII/0001 sudah dibayar", "[order] sudah dibayar"),
        ("resi JX1234567890 ga gerak", "resi [number] ga gerak"),
        ("norek 1234567890 bca", "norek [number] bca"),
        # what the question is about stays
        ("harga 150.000 bisa kurang?", "harga 150.000 bisa kurang?"),
        ("case iphone-15 ada?", "case iphone-15 ada?"),
        ("size 42 ready? kabel usb-c?", "size 42 ready? kabel usb-c?"),
        ("ukuran 38 39 40 41 ada semua?", "ukuran 38 39 40 41 ada semua?"),
        ("total Rp 1.250.000 ya", "total Rp 1.250.000 ya"),
        ("ic saya 900101-14-5678", "ic saya [number]"),
        ("rek bca 1234 5678 90", "rek bca [number]"),
        ("udah tf a.n. dinda ya", "udah tf a.n. [name] ya"),
        ("kirim atas nama Sari kak", "kirim atas nama [name] kak"),
    ],
)
def test_personal_data_is_masked_and_the_question_kept(text: str, masked: str) -> None:
    assert mask(text) == masked
    assert mask(masked) == masked  # idempotent: a stored lesson reads back unchanged


def test_every_lesson_masks_its_texts_when_made() -> None:
    assert Fallback("wa 0812-3456-7890", 1.0).text == "wa [phone]"
    handed = HandedOff("resi JP-2412-0007?", "cek di a@b.co ya", None, 1.0)
    assert (handed.text, handed.seller_answer) == ("resi [order]?", "cek di [email] ya")
    assert AskedForPerson("admin 081234567890", 1.0).after_text == "admin [phone]"


def test_a_buyer_key_counts_buyers_without_naming_them() -> None:
    key = buyer_key("6281234567890", "shop-salt")
    assert key == buyer_key("6281234567890", "shop-salt")
    assert "6281234567890" not in key
    assert key != buyer_key("6281234567890", "other-shop")
    assert key != buyer_key("6281234567891", "shop-salt")


LESSONS: list[Lesson] = [
    Fallback("bisa kirim ke singapore?", 10.0, "b1"),
    Clarified("tarikh luput bila", ("kadaluarsa", "simpan"), "kadaluarsa", "tap", 11.0),
    Clarified("yang kedua", ("a", "b"), "b", "number", 11.5, "b2"),
    Corrected("ongkir ke medan", "lama-kirim", "ongkir", 12.0),
    Corrected("bisa dp?", "cod", None, 12.5),
    HandedOff("ada hampers?", "Ada kak, mulai 150rb", "hampers", 13.0, "b3"),
    HandedOff("jual daging?", "Tidak kak", None, 13.5),
    AskedForPerson("orang admin", 14.0, "b4"),
]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda m: type(m).__name__)
def test_the_codec_round_trips_every_kind(lesson: Lesson) -> None:
    data = to_dict(lesson)
    assert data["v"] == 1
    assert from_dict(data) == lesson
    assert from_dict(data).buyer == lesson.buyer


def test_no_buyer_key_is_stored_when_there_is_none() -> None:
    assert "buyer" not in to_dict(Fallback("halo?", 1.0))


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"v": 2, "kind": "fallback", "text": "x", "at": 1}, "version"),
        ({"v": 1, "kind": "shrug", "at": 1}, "unknown lesson kind"),
        ({"v": 1, "kind": "fallback", "at": 1}, "bad or missing field"),
        ({"v": 1, "kind": "fallback", "text": 5, "at": 1}, "bad or missing field"),
        (
            {"v": 1, "kind": "clarified", "text": "x", "options": [], "picked_id": "a",
             "how": "shout", "at": 1},
            "'how'",
        ),
    ],
)  # fmt: skip
def test_a_bad_stored_lesson_is_named(data: dict[str, Any], problem: str) -> None:
    with pytest.raises(LessonFormatError, match=problem):
        from_dict(data)
