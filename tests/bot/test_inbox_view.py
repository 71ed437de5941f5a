"""What the inbox shows: rows a busy seller can sort, transcripts that say what was tapped
and offered, the action that applies, every text in the shop's language, AA contrast."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import inbox_view
from bot.inbox_texts import INBOX_TEXTS, LANGUAGES
from bot.inbox_view import Actions, actions, chat_rows, transcript

NOW = 1_800_000_000.0
JAKARTA = ZoneInfo("Asia/Jakarta")
TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "templates"


def chat(key: str, stage: str = "bot", **extra: Any) -> dict[str, Any]:
    channel, external = key.split(":")
    row = {
        "chat_key": key,
        "channel": channel,
        "external_id": external,
        "name": None,
        "username": None,
        "phone": None,
        "stage": stage,
        "seller": None,
        "handoff_reason": None,
        "handed_off_at": None,
        "unread": 0,
        "last_seen": NOW,
    }
    return row | extra


ROWS = [
    chat("telegram:1", name="Bot Chat", last_seen=NOW - 10),
    chat(
        "whatsapp:6281",
        "handed_off",
        name="Order",
        handoff_reason="closing",
        handed_off_at=NOW - 600,
    ),
    chat(
        "whatsapp:6282",
        "handed_off",
        name="Angry",
        handoff_reason="complaint",
        handed_off_at=NOW - 60,
    ),
    chat(
        "telegram:2",
        "handed_off",
        name="Taken",
        handoff_reason="human",
        handed_off_at=NOW - 9000,
        seller="Rina",
    ),
    chat(
        "web:abcdef123456",
        "handed_off",
        handoff_reason="not_understood",
        handed_off_at=NOW - 3 * 3600 - 120,
    ),
    chat("telegram:3", name="Older Bot Chat", last_seen=NOW - 99, phone="+6281234567890"),
]
LAST = {
    "whatsapp:6282": [
        {"direction": "in", "kind": "text", "text": "barang saya   rusak\nkak!!"},
        {"direction": "out", "kind": "say", "text": "Maaf kak, penjual segera membantu"},
    ],
    "telegram:2": [{"direction": "out", "kind": "seller", "text": "siap kak"}],
    "web:abcdef123456": [{"direction": "in", "kind": "choice", "text": ""}],
    "telegram:3": [{"direction": "in", "kind": "photo", "text": ""}],
}


def test_complaints_first_then_the_longest_waits_then_sellers_then_the_bot() -> None:
    rows = chat_rows(ROWS, LAST, "id", NOW)
    assert [r.chat_key for r in rows] == [
        "whatsapp:6282",  # a complaint, though it waits the shortest
        "web:abcdef123456",  # waiting 3 h
        "whatsapp:6281",  # waiting 10 min
        "telegram:2",  # a seller has it
        "telegram:1",  # the bot's chats, latest first
        "telegram:3",
    ]
    assert [r.complaint for r in rows] == [True, False, False, False, False, False]


@pytest.mark.parametrize(
    ("key", "name", "reason", "owner", "waiting", "last"),
    [
        ("whatsapp:6282", "Angry", "Komplain", "waiting", "1 mnt", "barang saya rusak kak!!"),
        (
            "web:abcdef123456",
            "chat web · abcdef12",
            "Bot tidak paham",
            "waiting",
            "3 j 2 mnt",
            "Mengetuk sebuah tombol",
        ),
        ("whatsapp:6281", "Order", "Pesanan", "waiting", "10 mnt", ""),
        ("telegram:2", "Taken", "Minta penjual", "seller", "", "siap kak"),
        ("telegram:3", "Older Bot Chat", "", "bot", "", "[photo]"),
    ],
)
def test_each_row_says_who_why_how_long_and_the_last_message(
    key: str, name: str, reason: str, owner: str, waiting: str, last: str
) -> None:
    [row] = [r for r in chat_rows(ROWS, LAST, "id", NOW) if r.chat_key == key]
    assert (row.name, row.reason_label, row.owner, row.waiting, row.last_text) == (
        name,
        reason,
        owner,
        waiting,
        last,
    )


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("complaint", "complaint"),
        ("closing", "order"),
        ("faq", "order"),
        ("follow_up", "order"),
        ("payment", "payment"),
        ("human", "person"),
        ("not_understood", "not_understood"),
        ("seller", "took_over"),
        (None, "took_over"),
        ("something_new", "other"),
    ],
)
def test_handoff_reasons_as_labels(reason: str | None, label: str) -> None:
    assert inbox_view.reason_of("handed_off", reason) == label
    for language in LANGUAGES:
        assert INBOX_TEXTS[language][f"reason_{label}"]
    assert inbox_view.reason_of("bot", reason) is None


@pytest.mark.parametrize(
    ("stage", "seller", "offered"),
    [
        ("new", None, Actions(take=True, back=False)),
        ("bot", None, Actions(take=True, back=False)),
        ("handed_off", None, Actions(take=True, back=False)),  # waiting: nobody took it
        ("handed_off", "Rina", Actions(take=False, back=True)),
    ],
)
def test_only_the_action_that_applies(stage: str, seller: str | None, offered: Actions) -> None:
    assert actions(stage, seller) == offered


def test_handoff_counts_are_shown_by_label() -> None:
    counts = {"closing": 2, "faq": 1, "complaint": 1, "brand_new": 1}
    assert inbox_view.reasons_shown(counts, "en") == [
        ("Order", 3),
        ("Complaint", 1),
        ("Needs a seller", 1),
    ]


def test_rows_speak_the_shops_language() -> None:
    [angry] = [r for r in chat_rows(ROWS, LAST, "en", NOW) if r.complaint]
    assert (angry.reason_label, angry.waiting) == ("Complaint", "1 min")
    [web] = [r for r in chat_rows(ROWS, LAST, "ms", NOW) if r.chat_key.startswith("web")]
    assert web.name == "sembang web · abcdef12"
    assert web.last_text == "Menekan satu butang"


HISTORY = [
    {"id": 1, "direction": "in", "kind": "text", "text": "bayarnya gimana", "at": NOW},
    {"id": 2, "direction": "out", "kind": "say", "text": "Maksud kakak yang mana?", "at": NOW},
    {"id": 3, "direction": "in", "kind": "choice", "text": "cod", "at": NOW + 60},
    {"id": 4, "direction": "out", "kind": "say", "text": "Bisa COD kak", "at": NOW + 61},
    {"id": 5, "direction": "in", "kind": "choice", "text": "", "at": NOW + 70},
    {"id": 6, "direction": "in", "kind": "choice", "text": "retur", "at": NOW + 80},
    {
        "id": 7,
        "direction": "out",
        "kind": "seller",
        "text": "Halo, saya Rina",
        "at": NOW + 90,
        "status": "read",
    },
]
# what messages_after returns: on main the options lifted out, later the outbox payload
SENT_LIFTED = [
    {"id": 2, "options": [["cod", "Bisa COD?"], ["transfer", "Transfer ke mana?"]]},
    {"id": 4, "options": []},
]
SENT_PAYLOAD = [
    {
        "id": 2,
        "payload": {
            "op": "say",
            "text": "…",
            "options": [["cod", "Bisa COD?"], ["transfer", "Transfer ke mana?"]],
        },
    },
    {"id": 4, "payload": None},
]


@pytest.mark.parametrize("sent", [SENT_LIFTED, SENT_PAYLOAD])
def test_the_transcript_shows_what_was_offered_and_what_was_tapped(
    sent: list[dict[str, Any]],
) -> None:
    items = transcript(HISTORY, sent, "id", JAKARTA, titles={"retur": "Bisa retur?"})
    assert [(i.side, i.text, i.tapped, i.options) for i in items] == [
        ("in", "bayarnya gimana", False, ()),
        ("out", "Maksud kakak yang mana?", False, ("Bisa COD?", "Transfer ke mana?")),
        ("in", "Mengetuk: Bisa COD?", True, ()),
        ("out", "Bisa COD kak", False, ()),
        ("in", "Mengetuk sebuah tombol", True, ()),  # nothing kept of which one
        ("in", "Mengetuk: Bisa retur?", True, ()),  # the FAQ names it
        ("seller", "Halo, saya Rina", False, ()),
    ]
    assert items[-1].status == "read"
    assert items[0].time == "15:00"  # 1_800_000_000 is 08:00 UTC; the shop is on UTC+7


def test_a_tap_on_a_question_with_one_option_was_that_option() -> None:
    history = [
        {"id": 1, "direction": "out", "kind": "say", "text": "Maksudnya ini?", "at": NOW},
        {"id": 2, "direction": "in", "kind": "choice", "text": "", "at": NOW},
    ]
    sent = [{"id": 1, "options": [["pembayaran", "Bisa bayar pakai apa?"]]}]
    items = transcript(history, sent, "en", JAKARTA)
    assert items[-1].text == "Tapped: Bisa bayar pakai apa?"


def test_every_language_has_every_text() -> None:
    keys = set(INBOX_TEXTS["id"])
    for language in LANGUAGES:
        assert set(INBOX_TEXTS[language]) == keys, language
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\.(\w+)", template.read_text()))
    assert used <= keys, used - keys


# -- contrast: WCAG 2.x relative luminance over the colours of base.html's <style> --------


def luminance(colour: str) -> float:
    hex_ = colour.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    channels = [int(hex_[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rules() -> list[tuple[str, dict[str, str]]]:
    css = (TEMPLATES / "base.html").read_text().split("<style>")[1].split("</style>")[0]
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {
            k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        }
        found.append((" ".join(selector.split()), decls))
    return found


def colour(value: str | None) -> str | None:
    match = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value or "")
    return match.group(0) if match else None


def test_the_reference_pairs() -> None:
    assert round(contrast("#ffffff", "#000000"), 1) == 21.0
    assert contrast("#68717a", "#128c7e") < 1.5  # the seller's name grey on green, before


def test_every_text_colour_on_its_background_passes_aa() -> None:
    found = rules()
    body = next(d for s, d in found if s == "body")
    page_text, page_bg = colour(body["color"]), colour(body["background"])
    assert page_text
    assert page_bg
    # surfaces that keep the page's text colour: text-only rules may land on any of them
    surfaces = {page_bg} | {
        c
        for s, d in found
        if (c := colour(d.get("background") or d.get("background-color")))
        and colour(d.get("color")) in (None, page_text)
        and not s.startswith("header")
    }
    checked = 0
    for selector, decls in found:
        fg = colour(decls.get("color"))
        bg = colour(decls.get("background") or decls.get("background-color"))
        if fg is None:
            continue
        for ground in [bg] if bg else sorted(surfaces):
            ratio = contrast(fg, ground)
            assert ratio >= 4.5, f"{selector}: {fg} on {ground} is {ratio:.2f}:1"
            checked += 1
    assert checked > 20


def test_the_header_text_including_the_sellers_name_is_white_on_dark_green() -> None:
    found = dict(rules())
    assert found["header a, header .who"]["color"] == "inherit"
    header = found["header"]
    assert contrast(header["color"], header["background"]) >= 7
