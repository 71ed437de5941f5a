"""Odd input never breaks the order pieces: gibberish is a normal branch."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.orders.commands import parse
from bot.orders.webhook import BadOrderBody, parse_body
from flows.messages import BuyerMessage
from flows.order_form import parse_form
from flows.order_intents import recognise
from flows.orders import OrderSettings, OrdersState, OrdersView, OrderView, handle

NOW = datetime(2024, 12, 4, 10, tzinfo=timezone(timedelta(hours=7)))
ORDER = OrderView(number="JP-2412-0001", status="shipped", items="1x Topi", courier="JNE",
                  tracking_number="CGK1", created_at=NOW)  # fmt: skip
STATES = st.sampled_from(
    ["", "which_order", "order_number", "return_order", "return_reason", "return_photo",
     "feedback", "nonsense"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), choice=st.one_of(st.none(), st.text(max_size=30)),
       awaiting=STATES, opted_out=st.booleans())  # fmt: skip
def test_the_flow_never_raises(
    text: str, choice: str | None, awaiting: str, opted_out: bool
) -> None:
    state = OrdersState(awaiting=awaiting, about="JP-2412-0001", opted_out=opted_out)
    view = OrdersView(state, (ORDER,), "id")
    handle(view, BuyerMessage(text=text, choice=choice), NOW, OrderSettings())
    recognise(text)
    parse_form(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_commands_never_raise(text: str) -> None:
    parse("/" + text)
    parse("/resi " + text)
    parse("/order " + text)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300))
def test_webhook_bodies_raise_only_bad_order_body(raw: bytes) -> None:
    with contextlib.suppress(BadOrderBody):
        parse_body(raw)


def test_deep_nesting_is_a_bad_body() -> None:
    with pytest.raises(BadOrderBody):
        parse_body(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize("raw", [b'{"buyer": {"channel": null}}', b'{"order_id": {}}', b"1e999"])
def test_odd_json(raw: bytes) -> None:
    with pytest.raises(BadOrderBody):
        parse_body(raw)
