"""A Telegram update of any shape is an event with text fields that are text, or a
ParseError: never an exception the webhook turns into a 500, never an object stored as a
buyer's username."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.base import Inbound
from bot.channels.telegram import parse_update
from bot.errors import ParseError

anything: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from([1e20, -1e20, 10**30, 2**63])
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


def _update(user: dict[str, Any], **message: Any) -> dict[str, Any]:
    base = {
        "message_id": 1,
        "from": {"id": 42, "is_bot": False, "first_name": "Budi", **user},
        "chat": {"id": 42, "type": "private"},
        "date": 1_700_000_000,
        "text": "halo",
    }
    return {"update_id": 7, "message": base | message}


def _checked(update: dict[str, Any]) -> None:
    try:
        parsed = parse_update(update, None, -100)
    except ParseError:
        return
    if isinstance(parsed, Inbound):
        profile = parsed.event.profile
        for value in (profile.name, profile.username, profile.language):
            assert value is None or isinstance(value, str)
        assert isinstance(parsed.event.text, str)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    username=anything,
    language=anything,
    first_name=anything,
    text=anything,
    date=anything,
)
def test_any_field_of_any_type_is_text_or_dropped(
    username: Any, language: Any, first_name: Any, text: Any, date: Any
) -> None:
    user = {"username": username, "language_code": language, "first_name": first_name}
    _checked(_update(user, text=text, date=date))


@pytest.mark.parametrize(
    ("user", "message", "username", "text"),
    [
        ({"username": {"a": 1}}, {}, None, "halo"),  # the one that reached the contacts table
        ({"language_code": [1]}, {}, "budi", "halo"),
        ({}, {"date": 1e20}, "budi", "halo"),  # OverflowError / OSError in datetime
        ({}, {"date": 10**30}, "budi", "halo"),
        ({}, {"text": {"a": 1}}, "budi", ""),  # text as an object
        ({}, {"text": 5}, "budi", ""),
    ],
)
def test_known_shapes(
    user: dict[str, Any], message: dict[str, Any], username: str | None, text: str
) -> None:
    parsed = parse_update(_update({"username": "budi", **user}, **message), None, -100)
    assert isinstance(parsed, Inbound)
    assert parsed.event.profile.username == username
    assert isinstance(parsed.event.profile.language, str | None)
    assert parsed.event.text == text


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({}, {}),
        ({"last_name": "Santoso", "username": "budi", "language_code": "id"}, {}),
        ({}, {"text": "/start promo"}),
        ({}, {"text": "brp ongkir ke bdg kak?", "entities": []}),
        ({"first_name": "Siti"}, {"chat": {"id": 43, "type": "private", "first_name": "Siti"}}),
        ({}, {"chat": {"id": -100, "type": "private"}}),  # the seller chat: read through PTB
        ({"is_bot": True}, {}),
        ({}, {"chat": {"id": -5, "type": "group"}}),
    ],
)
def test_plain_text_read_from_the_json_equals_ptbs_reading(
    user: dict[str, Any], message: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.channels import telegram

    update = _update(user, **message)
    fast = parse_update(update, None, -100)
    monkeypatch.setattr(telegram, "_plain_text", lambda *_: None)
    assert fast == parse_update(update, None, -100)
