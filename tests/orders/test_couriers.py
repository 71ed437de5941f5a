"""Courier names normalised; tracking links per courier, seller-extendable, number exact."""

from __future__ import annotations

import pytest

from bot.orders.couriers import FALLBACK_LINK, find, normalize, tracking_link

NAMES = [
    ("jne", "JNE"), ("JNE REG", "JNE"), ("J&T", "J&T Express"), ("jnt", "J&T Express"),
    ("J&T Express", "J&T Express"), ("sicepat", "SiCepat"), ("SiCepat HALU", "SiCepat"),
    ("anteraja", "AnterAja"), ("Pos Indonesia", "Pos Indonesia"), ("pos", "Pos Indonesia"),
    ("ninja", "Ninja Xpress"), ("Ninja Van", "Ninja Xpress"), ("poslaju", "Pos Laju"),
    ("Pos Laju", "Pos Laju"), ("J&T Malaysia", "J&T Express Malaysia"),
    ("grab express", "GrabExpress"), ("gosend", "GoSend"), ("Lion Parcel", "Lion Parcel"),
    ("SAP", "SAP Express"), ("ID Express", "ID Express"), ("wahana", "Wahana"),
    ("Shopee Express", "Shopee Express"), ("SPX", "Shopee Express"), ("dhl", "DHL"),
    ("City-Link", "City-Link Express"), ("citylink", "City-Link Express"),
    ("  Kurir  Toko ", "Kurir Toko"),
]  # fmt: skip


@pytest.mark.parametrize(("typed", "name"), NAMES)
def test_names_normalised(typed: str, name: str) -> None:
    assert normalize(typed) == name


@pytest.mark.parametrize(
    ("courier", "number"),
    [("JNE", "CGK1234567890"), ("J&T", "JP123456789"), ("SiCepat", "004471239988"),
     ("Pos Laju", "EN123456789MY"), ("AnterAja", "10000123"), ("Ninja", "NVIDJP0001")],
)  # fmt: skip
def test_known_couriers_have_their_own_link_with_the_number(courier: str, number: str) -> None:
    link = tracking_link(courier, number)
    assert link.startswith("https://")
    assert number in link
    assert not link.startswith(FALLBACK_LINK.split("?")[0])


def test_unknown_courier_gets_the_fallback() -> None:
    assert tracking_link("Kurir Toko", "AB 12") == "https://cekresi.com/?noresi=AB%2012"


def test_seller_mapping_overrides_and_extends() -> None:
    extra = {"jnt": "https://example.test/jt/{number}", "Kurir Toko": "https://kt.test?n={number}"}
    assert tracking_link("J&T Express", "JP1", extra) == "https://example.test/jt/JP1"
    assert tracking_link("kurir toko", "X9", extra) == "https://kt.test?n=X9"
    assert tracking_link("JNE", "C1", extra).startswith("https://www.jne.co.id/")


def test_no_number_no_link() -> None:
    assert tracking_link("JNE", "  ") == ""


def test_find_returns_codes_for_providers() -> None:
    found = find("J&T")
    assert found is not None
    assert found.code == "jnt"
    assert find("") is None
