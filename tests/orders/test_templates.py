"""WhatsApp template parameters: the tracking number among them, always WhatsApp-valid."""

from __future__ import annotations

import re

import pytest

from bot.orders.templates import flat, order_update_params
from flows.orders import OrderView

SHIPPED = OrderView(
    number="JP-2412-0007", status="shipped", items="1x Sepatu\nCanvas 39",
    courier="J&T Express", tracking_number="JP123456789", tracking_link="https://jet.co.id/x",
)  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "ms", "en"])
def test_shipped_params_carry_the_number_and_link(lang: str) -> None:
    number, news, link = order_update_params(SHIPPED, "shipped", lang)
    assert number == "JP-2412-0007"
    assert "JP123456789" in news
    assert "J&T Express" in news
    assert link == "https://jet.co.id/x"


@pytest.mark.parametrize("news", ["recorded", "paid", "shipped", "delivered", "cancelled",
                                  "returned", "late", "feedback", "other"])  # fmt: skip
def test_every_param_is_valid_for_whatsapp(news: str) -> None:
    params = order_update_params(OrderView(number="JP-1", status="new", items=""), news, "id")
    for value in params:
        assert value
        assert not re.search(r"[\n\t]| {4,}", value)


def test_flat() -> None:
    assert flat("a\n\tb     c ") == "a b c"
    assert flat("   ") == "-"
