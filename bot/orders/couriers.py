"""Courier names as sellers type them, normalised, and a tracking link per courier.

Link patterns are the couriers' public tracking pages with ``{number}`` filled in (URL-
quoted). They change now and then: a shop overrides or adds one with a mapping
(``tracking.links`` in config.yaml, e.g. ``{"JNE": "https://…?awb={number}"}``); a
courier without a pattern gets the generic ``FALLBACK_LINK`` (a multi-courier lookup page).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class Courier:
    """One courier: display name, the code tracking APIs use, and its tracking page."""

    name: str
    code: str  # lower-case, as Biteship and most aggregators spell it
    link: str = ""  # "https://…{number}…", "" = use the fallback
    country: str = "id"


# (courier, aliases). Aliases are compared after _key(): lower-case letters and digits only.
_COURIERS: tuple[tuple[Courier, tuple[str, ...]], ...] = (
    (
        Courier("JNE", "jne", "https://www.jne.co.id/tracking-package?awb={number}"),
        ("jne", "jnereg", "jneyes", "jneoke", "jnetrucking", "jtr"),
    ),
    (
        Courier("J&T Express", "jnt", "https://jet.co.id/track?awb={number}"),
        ("jt", "jnt", "jntexpress", "jtexpress", "jandt", "jet", "jntid", "jtid"),
    ),
    (
        Courier(
            "J&T Express Malaysia", "jntmy", "https://www.jtexpress.my/tracking/{number}", "my"
        ),
        ("jtmalaysia", "jntmalaysia", "jtmy", "jntmy", "jtexpressmy", "jtexpressmalaysia"),
    ),
    (
        Courier("SiCepat", "sicepat", "https://www.sicepat.com/checkAwb?awb={number}"),
        ("sicepat", "sicepatexpress", "scp", "sicepathalu", "sicepatbest", "sicepatreg"),
    ),
    (
        Courier("AnterAja", "anteraja", "https://anteraja.id/tracking/{number}"),
        ("anteraja", "anterajaid"),
    ),
    (
        Courier("Pos Indonesia", "pos", "https://www.posindonesia.co.id/id/tracking/{number}"),
        ("pos", "posindonesia", "posid", "posindo", "kantorpos", "pospaket"),
    ),
    (
        Courier("Ninja Xpress", "ninja", "https://www.ninjaxpress.co/id-id/tracking?id={number}"),
        ("ninja", "ninjaxpress", "ninjaexpress", "ninjavan", "nvid"),
    ),
    (
        Courier("Pos Laju", "poslaju", "https://tracking.pos.com.my/tracking/{number}", "my"),
        ("poslaju", "posmalaysia", "posmy", "laju"),
    ),
    (
        Courier("GrabExpress", "grab", ""),
        ("grab", "grabexpress", "grabsend", "grabkurir"),
    ),
    (
        Courier("GoSend", "gojek", ""),
        ("gosend", "gojek", "gosendinstant", "gosendsameday"),
    ),
    (
        Courier("Lion Parcel", "lion", "https://lionparcel.com/track/stt?q={number}"),
        ("lion", "lionparcel"),
    ),
    (
        Courier("SAP Express", "sap", ""),
        ("sap", "sapexpress", "saplogistics"),
    ),
    (
        Courier("ID Express", "ide", "https://idexpress.com/lacak-paket/?data={number}"),
        ("idexpress", "ide", "idx"),
    ),
    (
        Courier("Wahana", "wahana", ""),
        ("wahana", "wahanaexpress", "wahanaprestasi"),
    ),
    (
        Courier("Shopee Express", "spx", "https://spx.co.id/track?{number}"),
        ("shopeeexpress", "spx", "spxexpress", "shopee", "shopeexpress"),
    ),
    (
        Courier(
            "DHL",
            "dhl",
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
        ),
        ("dhl", "dhlexpress", "dhlecommerce"),
    ),
    (
        Courier(
            "City-Link Express",
            "citylink",
            "https://www.citylinkexpress.com/tracking-result/?track0={number}",
            "my",
        ),
        ("citylink", "citylinkexpress", "cityline"),
    ),
    (
        Courier("Paxel", "paxel", ""),
        ("paxel",),
    ),
    (
        Courier("TIKI", "tiki", "https://www.tiki.id/id/tracking?awb={number}"),
        ("tiki",),
    ),
)

FALLBACK_LINK = "https://cekresi.com/?noresi={number}"


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "n"))


_BY_ALIAS: dict[str, Courier] = {}
for _courier, _aliases in _COURIERS:
    for _alias in (*_aliases, _key(_courier.name), _courier.code):
        _BY_ALIAS.setdefault(_alias, _courier)


def find(name: str) -> Courier | None:
    """The known courier a seller's spelling means (``"jnt"``, ``"J&T"``, ``"sicepat halu"``)."""
    key = _key(name)
    if not key:
        return None
    return _BY_ALIAS.get(key)


def normalize(name: str) -> str:
    """The courier's display name; an unknown courier is kept as written (trimmed)."""
    known = find(name)
    return known.name if known else " ".join(name.split())


def tracking_link(courier: str, number: str, extra: Mapping[str, str] | None = None) -> str:
    """The page where the buyer can follow ``number``; ``extra`` maps courier → pattern.

    The number goes into the link URL-quoted but otherwise exactly as written.
    """
    number = number.strip()
    if not number:
        return ""
    pattern = ""
    if extra:
        wanted = {_key(courier), _key(normalize(courier))}
        for name, candidate in extra.items():
            if _key(name) in wanted or _key(normalize(name)) in wanted:
                pattern = candidate
                break
    if not pattern:
        known = find(courier)
        pattern = known.link if known and known.link else FALLBACK_LINK
    return pattern.replace("{number}", quote(number, safe=""))


def split_courier_and_number(text: str) -> tuple[str, str] | None:
    """``"J&T JP123"`` → ("J&T Express", "JP123"); ``"Pos Laju EN123MY"`` → ("Pos Laju", …).

    The longest run of leading words that names a known courier wins; otherwise the first
    word is the courier. The number is the rest, exactly as written (no case change).
    """
    words = text.split()
    if len(words) < 2:
        return None
    for cut in range(min(3, len(words) - 1), 0, -1):
        head = " ".join(words[:cut])
        if find(head):
            return normalize(head), " ".join(words[cut:])
    return " ".join(words[:1]), " ".join(words[1:])
