"""Seller order commands, exactly as CONTRACT.md writes them, parsed into typed values."""

from __future__ import annotations

import pytest

from bot.orders.commands import (
    BadCommand,
    Cancel,
    ListOrders,
    MarkDelivered,
    RecordOrder,
    Ship,
    Target,
    parse,
)

ORDERS = [
    # text, items, total, payment, cod
    ("/order 2x Sepatu Canvas 41 Rp500.000 COD", "2x Sepatu Canvas 41", "Rp500.000", "COD", True),
    ("/order 2x Sepatu Canvas 41 Rp500.000 transfer", "2x Sepatu Canvas 41", "Rp500.000",
     "transfer", False),
    ("/order 1x Sepatu Canvas 40 Rp250.000 transfer", "1x Sepatu Canvas 40", "Rp250.000",
     "transfer", False),
    ("/order kasut 40 merah RM 89.90 cod", "kasut 40 merah", "RM 89.90", "cod", True),
    ("/order 3 kaos hitam L 150rb", "3 kaos hitam L", "150rb", "", False),
    ("/order 1 canvas shoes 42, 1 socks", "1 canvas shoes 42, 1 socks", "", "", False),
    ("/order 2 pcs hijab 120.000 tf", "2 pcs hijab", "120.000", "tf", False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "items", "total", "payment", "cod"), ORDERS)
def test_order_keeps_items_amount_and_payment_as_written(
    text: str, items: str, total: str, payment: str, cod: bool
) -> None:
    command = parse(text)
    assert isinstance(command, RecordOrder)
    assert (command.items, command.total, command.payment, command.cod) == (
        items, total, payment, cod,
    )  # fmt: skip
    assert command.text == text.removeprefix("/order ")
    assert command.target is None


SHIPS = [
    ("/resi JNE CGK1234567890", "JNE", "CGK1234567890"),
    ("/resi J&T JP123456789", "J&T Express", "JP123456789"),
    ("/resi jnt jp123456789", "J&T Express", "jp123456789"),  # number kept exactly
    ("/resi SiCepat 004471239988", "SiCepat", "004471239988"),
    ("/resi Pos Laju EN123456789MY", "Pos Laju", "EN123456789MY"),
    ("/resi J&T Malaysia 630012345678", "J&T Express Malaysia", "630012345678"),
    ("/resi JNE REG CGK-12 34", "JNE", "CGK-12 34"),
    ("/resi KurirLokal ABC-1", "KurirLokal", "ABC-1"),
    ("/resi@japri_bot JNE CGK1", "JNE", "CGK1"),
]


@pytest.mark.parametrize(("text", "courier", "number"), SHIPS)
def test_resi_courier_normalised_number_exact(text: str, courier: str, number: str) -> None:
    assert parse(text, bot_username="japri_bot") == Ship(courier, number)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/sampai", MarkDelivered()),
        ("/batal", Cancel("")),
        ("/batal stok habis", Cancel("stok habis")),
        ("/pesanan", ListOrders()),
        ("/sampai@japri_bot", MarkDelivered()),
        ("/pesanan #JP-2412-0007", ListOrders(Target(order_number="JP-2412-0007"))),
        ("/sampai #jp-2412-0007", MarkDelivered(Target(order_number="JP-2412-0007"))),
        ("/batal 0812-3456-7890 double order",
         Cancel("double order", Target(phone="081234567890"))),
        ("/resi +62 812 3456 7890 JNE CGK9", Ship("JNE", "CGK9", Target(phone="6281234567890"))),
        ("/resi #JP-2412-0007 SiCepat 0044", Ship("SiCepat", "0044",
                                                 Target(order_number="JP-2412-0007"))),
    ],
)  # fmt: skip
def test_other_commands_and_targets(text: str, expected: object) -> None:
    assert parse(text, bot_username="japri_bot") == expected


@pytest.mark.parametrize(
    ("text", "command"), [("/resi", "resi"), ("/resi JNE", "resi"), ("/order", "order")]
)
def test_mistyped_commands_get_usage(text: str, command: str) -> None:
    result = parse(text)
    assert isinstance(result, BadCommand)
    assert result.command == command
    assert result.usage.startswith("/" + command)


@pytest.mark.parametrize(
    "text", ["/done", "halo kak", "/resi@other_bot JNE CGK1", "resi JNE CGK1", ""]
)
def test_not_an_order_command(text: str) -> None:
    assert parse(text, bot_username="japri_bot") is None
