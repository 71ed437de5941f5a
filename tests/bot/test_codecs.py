"""Commands and events survive the trip through the store's JSON, including rows written
by the version before the typed commands (a pending row outlives an upgrade)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import commands, events
from bot.commands import (
    AckTap,
    CopyMessage,
    MarkRead,
    RelayFile,
    Say,
    SellerForward,
    SellerNote,
    SellerUpload,
)
from bot.errors import ParseError
from bot.events import (
    BuyerEvent,
    BuyerFile,
    MessageRef,
    OrderPosted,
    OrderUpdate,
    Profile,
    SellerEvent,
    SellerFile,
    TimerEvent,
)
from flows.messages import OrderView

BUDI = Profile("telegram", "42", name="Budi", username="budi", language="id")

COMMANDS: list[commands.Command] = [
    Say("Bisa COD kak 😊"),
    Say("Yang mana?", (("ongkir", "Ongkir"), (":human", "Admin")), lang="ms"),
    Say("Halo kak, saya bantu ya", by_seller=True),
    Say("ℹ️ ...", reply_to="77"),
    Say("Bisa COD kak 😊", read="wamid.IN1"),
    Say("Pesanan JP-0007 dikirim", initiated=True, template="order_update", params=("JP-0007",)),
    AckTap("cb1"),
    MarkRead("wamid.IN1"),
    CopyMessage("-100123", "55"),
    RelayFile("AgAC1", "photo", "warna navy", caption="warna navy", mime="image/jpeg"),
    SellerNote("whatsapp:628", "🔔 Siti perlu dibantu", "Siti · WhatsApp", (("take:x", "🙋"),)),
    SellerForward("telegram:42", "42", "9"),
    SellerUpload("whatsapp:628", "MEDIA1", "photo", "Siti: ini", "image/jpeg", "a.jpg"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_every_command_comes_back_as_it_was(command: commands.Command) -> None:
    assert commands.decode(commands.encode(command)) == command


# rows as the version before typed commands wrote them
LEGACY: list[tuple[dict[str, Any], commands.Command]] = [
    (
        {"op": "say", "text": "Halo", "options": [["a", "A"]], "lang": "id"},
        Say("Halo", (("a", "A"),), "id"),
    ),
    (
        {"op": "say", "text": "Saya bantu", "options": [], "kind": "seller"},
        Say("Saya bantu", by_seller=True),
    ),
    ({"op": "say", "text": "hint", "options": [], "reply_to": 77}, Say("hint", reply_to="77")),
    ({"op": "ack_callback", "callback_id": "cb9"}, AckTap("cb9")),
    ({"op": "mark_read", "message_id": "wamid.1"}, MarkRead("wamid.1")),
    (
        {"op": "copy", "kind": "seller", "from_chat": -100, "message_id": 5},
        CopyMessage("-100", "5"),
    ),
    (
        {
            "op": "tg_media",
            "kind": "seller",
            "text": "[photo]",
            "caption": None,
            "media_kind": "photo",
            "file_id": "F1",
            "mime": "image/jpeg",
            "filename": None,
        },
        RelayFile("F1", "photo", "[photo]", mime="image/jpeg"),
    ),
    (
        {
            "op": "seller_post",
            "about": "telegram:42",
            "text": "🔔",
            "topic_name": "Budi · Telegram",
            "options": [["take:telegram:42", "🙋"]],
        },
        SellerNote("telegram:42", "🔔", "Budi · Telegram", (("take:telegram:42", "🙋"),)),
    ),
    (
        {
            "op": "seller_post",
            "send_op": "forward",
            "about": "telegram:42",
            "from_chat": "42",
            "message_id": "9",
        },
        SellerForward("telegram:42", "42", "9"),
    ),
    (
        {
            "op": "seller_post",
            "send_op": "wa_media",
            "about": "whatsapp:628",
            "media_kind": "photo",
            "caption": "Siti",
            "media_id": "M1",
            "mime": "image/jpeg",
            "filename": None,
        },
        SellerUpload("whatsapp:628", "M1", "photo", "Siti", "image/jpeg"),
    ),
]


@pytest.mark.parametrize(("row", "command"), LEGACY, ids=lambda v: str(v)[:30])
def test_rows_from_the_version_before_still_decode(
    row: dict[str, Any], command: commands.Command
) -> None:
    assert commands.decode(row) == command


def test_a_reply_row_from_before_read_receipts_rode_along_still_decodes() -> None:
    """Rows queued before ``Say.read`` (session 8) carry no receipt; a reply without one
    is stored as before (and the version before, which takes the fields it knows, sends
    a reply with one, only without its receipt)."""
    assert commands.decode({"op": "say", "text": "Bisa kak"}) == Say("Bisa kak")
    assert commands.encode(Say("Bisa kak")) == {"op": "say", "text": "Bisa kak"}
    carried = commands.encode(Say("Bisa kak", read="wamid.IN1"))
    assert carried == {"op": "say", "text": "Bisa kak", "read": "wamid.IN1"}


@pytest.mark.parametrize(
    "row", [{"op": "fax"}, {"op": "mark_read"}, {"op": "say", "options": [["a", "A"]]}]
)
def test_a_row_that_is_no_command_says_what_is_wrong(row: dict[str, Any]) -> None:
    with pytest.raises(ParseError, match=r"fax|mark_read|say"):
        commands.decode(row)


def test_receipts_and_tap_answers_are_best_effort_and_join_no_history() -> None:
    assert [c.tag for c in COMMANDS if c.best_effort] == ["ack_tap", "mark_read"]
    assert commands.queued("telegram:42", AckTap("cb")).log_chat is None
    say = commands.queued("telegram:42", Say("hi", by_seller=True))
    assert (say.log_chat, say.log_kind, say.log_text) == ("telegram:42", "seller", "hi")
    note = commands.queued("telegram:-100", SellerNote("telegram:42", "🔔"), "telegram:42")
    assert (note.log_chat, note.log_kind) == ("telegram:42", "seller_post")


EVENTS: list[events.Event] = [
    BuyerEvent(BUDI, "text", "halo kak", platform_id="5"),
    BuyerEvent(BUDI, "choice", "", choice="ongkir", tap_id="cb1"),
    BuyerEvent(
        Profile("whatsapp", "628", phone="+628"),
        "photo",
        "ini",
        platform_id="wamid.1",
        edited=True,
        file=BuyerFile("M1", "image/jpeg"),
    ),
    SellerEvent("Halo kak", seller_name="Sari", message_id="7"),
    SellerEvent(command="take", seller_name="Sari", tap_id="cb2", about="telegram:42"),
    SellerEvent(
        "warna navy",
        original=MessageRef("-100", "8"),
        file=SellerFile("F1", "photo", "image/jpeg"),
    ),
    SellerEvent("/chats siti", command="chats", orphan=True),
    SellerEvent("Saya bantu", seller_name="Inbox", source="inbox"),
    TimerEvent("handoff_remind", {"n": 1}, due_at=1700000000.0),
    OrderUpdate(
        OrderView(
            "JP-0007",
            "shipped",
            "2x Sepatu",
            "Rp500.000",
            courier="jne",
            tracking_number="X1",
            created_at=datetime(2024, 12, 3, 10, tzinfo=UTC),
            late_notices=("ship",),
        ),
        "shipped",
        by="Sari",
    ),
    OrderPosted({"order_id": "WEB-1", "status": "shipped", "buyer": {"id": "7"}}),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_event_comes_back_as_it_was(event: events.Event) -> None:
    assert events.decode(events.encode(event)) == event


def test_events_from_the_version_before_still_decode() -> None:
    profile = BUDI.to_dict()
    tap = {"type": "buyer", "kind": "choice", "text": "", "choice": "x", "callback_id": "c"}
    assert events.decode({**tap, "profile": profile}) == BuyerEvent(
        BUDI, "choice", "", choice="x", tap_id="c"
    )
    copy = {"type": "seller", "text": "", "command": None, "message_id": 8}
    copy["copy"] = {"from_chat": -100, "message_id": 8}
    assert events.decode(copy) == SellerEvent(message_id="8", original=MessageRef("-100", "8"))
    assert events.decode({"type": "tick"}) == TimerEvent("handoff")


@pytest.mark.parametrize(
    "row",
    [
        {"type": "fax"},
        {"type": "buyer", "text": "no profile"},
        {"type": "order", "order": {"number": "JP-1"}, "change": "teleported"},
        {"type": "order", "order": {}, "change": "paid"},
    ],
)
def test_an_unreadable_event_is_a_parse_error(row: dict[str, Any]) -> None:
    with pytest.raises(ParseError):
        events.decode(row)
