"""Orders end to end through the app: seller commands in the seller chat, the buyer's
questions in three languages, the feedback timer, opt-out, and POST /webhook/orders."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from bot.orders.tracking import TrackEvent, TrackResult, TrackStatus
from bot.orders.webhook import sign
from tests.bot.fakes import Call
from tests.bot.gateway_kit import (
    SELLER_CHAT,
    Running,
    running,
    shift_clock,
    tg_media,
    tg_seller,
    tg_seller_tap,
    tg_tap,
    tg_text,
    wa_text,
    write_config,
)

SELLER = str(SELLER_CHAT)
ORDERS_SECRET = "orders-secret-1"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        orders={"webhook_secret": ORDERS_SECRET},
        after_sale={"feedback_after_hours": 2},
    )


def to_buyer(bot: Running, user: int) -> list[str]:
    return [c.text for c in bot.tg.sent("sendMessage", str(user))]


def to_seller(bot: Running) -> list[str]:
    return [c.text for c in bot.tg.sent("sendMessage", SELLER)]


async def handed_off(bot: Running, user: int, text: str, name: str = "Putri") -> None:
    await bot.telegram(tg_text(text, user_id=user, name=name))
    await bot.tg.wait_for(lambda c: len(to_seller(bot)) >= 1)


async def seller(bot: Running, text: str, thread: int = 77) -> None:
    response = await bot.telegram(tg_seller(text, thread=thread))
    assert response.status_code == 200


LANGS = [
    # closing message, where-is-my-order, a word of the form, of the thank-you
    ("id", "kak saya mau order sepatu 41, transfer ke mana?", "kak paket saya udah sampe mana ya?",
     "Alamat", "terima kasih"),
    ("ms", "saya nak order kasut saiz 41, boleh bank in ke mana?", "dah pos ke barang saya?",
     "Alamat", "terima kasih"),
    ("en", "I want to order the canvas shoes size 41, where do I transfer?",
     "where is my parcel?", "Address", "thank"),
]  # fmt: skip


@pytest.mark.parametrize(("lang", "closing", "where", "form_word", "thanks"), LANGS)
async def test_order_form_record_ship_and_where_is_my_order(
    config: Path, lang: str, closing: str, where: str, form_word: str, thanks: str
) -> None:
    async with running(config) as bot:
        user = 71
        await handed_off(bot, user, closing)
        assert form_word.lower() in to_buyer(bot, user)[-1].lower()  # the order form

        await seller(bot, "/order 2x Sepatu Canvas 41 Rp500.000 transfer")
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in to_buyer(bot, user)))
        thanked = next(t for t in to_buyer(bot, user) if "JP-" in t)
        assert thanks in thanked.lower()
        assert not any(t.startswith("/order") for t in to_buyer(bot, user))  # not relayed
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in to_seller(bot)))

        await seller(bot, "/resi JNE CGK1234567890")
        await bot.tg.wait_for(lambda c: "CGK1234567890" in to_buyer(bot, user)[-1])
        shipped = to_buyer(bot, user)[-1]
        assert "JNE" in shipped
        assert "http" in shipped

        await seller(bot, "/done")
        await bot.tg.wait_for(lambda c: "kembali ke bot" in to_seller(bot)[-1])
        before = len(to_buyer(bot, user))
        await bot.telegram(tg_text(where, user_id=user, name="Putri"))
        await bot.tg.wait_for(lambda c: len(to_buyer(bot, user)) > before)
        assert "CGK1234567890" in to_buyer(bot, user)[-1]


async def test_pesanan_lists_orders_and_a_bad_command_shows_how(config: Path) -> None:
    async with running(config) as bot:
        await handed_off(bot, 72, "kak mau order sepatu 40, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 40 Rp250.000 COD")
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in to_buyer(bot, 72)))
        await seller(bot, "/pesanan")
        await bot.tg.wait_for(lambda c: "Sepatu Canvas 40" in to_seller(bot)[-1])
        await seller(bot, "/resi")
        await bot.tg.wait_for(lambda c: "/resi" in to_seller(bot)[-1])
        assert not any(t.startswith("/") for t in to_buyer(bot, 72))


async def test_outside_a_topic_a_command_names_the_order(config: Path) -> None:
    async with running(config) as bot:
        await handed_off(bot, 73, "kak mau order sepatu 39, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 39 Rp250.000 transfer")
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in to_buyer(bot, 73)))
        number = next(t for t in to_seller(bot) if "JP-" in t).split("JP-")[1][:9]
        response = await bot.telegram(tg_seller(f"/resi #JP-{number} SiCepat 004471239988"))
        assert response.status_code == 200
        await bot.tg.wait_for(lambda c: "004471239988" in to_buyer(bot, 73)[-1])


async def test_feedback_is_asked_once_after_delivery_and_a_problem_reaches_a_seller(
    config: Path,
) -> None:
    async with running(config) as bot:
        await handed_off(bot, 74, "kak mau order sepatu 40, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 40 Rp250.000 transfer")
        await seller(bot, "/resi SiCepat 004471239988")
        await seller(bot, "/sampai")
        await seller(bot, "/done")
        await bot.tg.wait_for(lambda c: "kembali ke bot" in to_seller(bot)[-1])
        timers = await bot.gateway.store.timers_of("telegram:74")
        [feedback] = [t for t in timers if t.kind.startswith("order_feedback")]
        shift_clock(bot.gateway, feedback.due_at - bot.gateway.timers.wall() + 1)
        await bot.gateway.timers.fire()

        def feedback_asks() -> list[Call]:
            sent = bot.tg.sent("sendMessage", "74")
            return [m for m in sent if ":fb:" in str(m.params.get("reply_markup"))]

        await bot.tg.wait_for(lambda c: bool(feedback_asks()))
        [asked] = feedback_asks()
        assert "bintang" not in asked.text.lower()  # no pressure for stars
        await bot.gateway.timers.fire()
        assert feedback_asks() == [asked]  # once
        markup = asked.params["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        problem = markup["inline_keyboard"][-1][0]["callback_data"]
        await bot.telegram(tg_tap(problem, user_id=74, name="Putri"))
        await bot.tg.wait_for(lambda c: any("JP-" in t and "masalah" in t.lower()
                                            for t in to_seller(bot)))  # fmt: skip


@pytest.mark.parametrize("stop", ["berhenti kirim pesan ya", "jangan kirim lagi", "unsubscribe"])
async def test_an_opted_out_buyer_gets_no_shipment_news_and_the_seller_is_told(
    config: Path, stop: str
) -> None:
    async with running(config) as bot:
        await handed_off(bot, 75, "kak mau order sepatu 38, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 38 Rp250.000 transfer")
        await seller(bot, "/done")
        await bot.tg.wait_for(lambda c: "kembali ke bot" in to_seller(bot)[-1])
        before = len(to_buyer(bot, 75))
        await bot.telegram(tg_text(stop, user_id=75, name="Intan"))
        await bot.tg.wait_for(lambda c: len(to_buyer(bot, 75)) > before)
        told = len(to_buyer(bot, 75))
        seller_before = len(to_seller(bot))
        await seller(bot, "/resi JNE CGK5550001112")
        await bot.tg.wait_for(lambda c: len(to_seller(bot)) >= seller_before + 2)
        assert any("berhenti" in t.lower() for t in to_seller(bot)[seller_before:])
        note = next(t for t in to_seller(bot)[seller_before:] if "berhenti" in t.lower())
        assert "Putri" in note  # the buyer the order was recorded for, not "-"
        assert len(to_buyer(bot, 75)) == told


async def post_order(bot: Running, body: dict[str, object], key: str | None = ORDERS_SECRET):
    raw = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["X-Japri-Signature"] = sign(raw, key)
    return await bot.client.post("/webhook/orders", content=raw, headers=headers)


async def test_order_webhook_signed_once_per_status_and_for_a_new_buyer(config: Path) -> None:
    async with running(config) as bot:
        body = {"order_id": "WEB-1", "buyer": {"channel": "telegram", "id": "76", "name": "Nurul"},
                "items": "1x Sepatu", "total": "Rp250.000", "status": "shipped",
                "courier": "SiCepat", "tracking_number": "004471239988"}  # fmt: skip
        assert (await post_order(bot, body, key=None)).status_code == 401
        assert (await post_order(bot, body, key="wrong")).status_code == 403
        assert (await post_order(bot, {"order_id": "x"})).status_code == 400
        assert not to_buyer(bot, 76)
        assert (await post_order(bot, body)).status_code == 202
        await bot.tg.wait_for(lambda c: any("004471239988" in t for t in to_buyer(bot, 76)))
        assert (await post_order(bot, body)).status_code == 200  # the same again
        assert (await bot.gateway.store.contact("telegram:76")) is not None
        sent = len(to_buyer(bot, 76))
        delivered = {**body, "status": "delivered"}
        assert (await post_order(bot, delivered)).status_code == 202
        await bot.gateway.store.outbox_depth()
        assert len(to_buyer(bot, 76)) >= sent


async def test_order_webhook_is_off_without_a_secret(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        assert (await post_order(bot, {"order_id": "x"})).status_code == 404


FORMS = [
    "Nama: Putri Ayu\nNo. HP: 081234567890\nAlamat lengkap: Jl. Melati 5, Bandung\n"
    "Produk, warna, ukuran, jumlah: Sepatu Canvas hitam 41 x2\nKurir: JNE\nPembayaran: COD",
    "Nama: Aisyah\nNo. telefon: 0123456789\nAlamat penuh: Jalan Ampang 3, KL\n"
    "Produk, warna, saiz, kuantiti: Kasut Canvas hitam 41 x2\nKurier: J&T\nPembayaran: COD",
    "Name: Jane\nPhone: 0123456789\nFull address: 5 Orchard Rd\n"
    "Product, colour, size, quantity: Canvas shoes black 41 x2\nCourier: DHL\nPayment: COD",
]


@pytest.mark.parametrize("form", FORMS, ids=["id", "ms", "en"])
async def test_a_filled_form_becomes_a_draft_the_seller_records_with_one_tap(
    config: Path, form: str
) -> None:
    async with running(config) as bot:
        await handed_off(bot, 78, "kak mau order sepatu, transfer ke mana?")
        await bot.telegram(tg_text(form, user_id=78, name="Putri"))
        await bot.tg.wait_for(lambda c: any("📝" in t for t in to_seller(bot)))
        card = next(c for c in bot.tg.sent("sendMessage", SELLER) if "📝" in c.text)
        assert "41 x2" in card.text
        markup = card.params["reply_markup"]
        markup = json.loads(markup) if isinstance(markup, str) else markup
        [[button]] = markup["inline_keyboard"]
        assert button["callback_data"] == "order:telegram:78"
        await bot.telegram(tg_seller_tap(button["callback_data"]))
        await bot.tg.wait_for(lambda c: any("JP-" in t for t in to_buyer(bot, 78)))
        [order] = await bot.gateway.orders.store.for_chat("telegram:78")
        assert order.cod
        assert order.address
        # a second tap on the same card records nothing more
        await bot.telegram(tg_seller_tap(button["callback_data"]))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("answerCallbackQuery")) >= 2)
        assert len(await bot.gateway.orders.store.for_chat("telegram:78")) == 1


class FakeTracker:
    """A tracking provider that reports what the test says."""

    name = "fake"

    def __init__(self) -> None:
        self.status: TrackStatus = "in_transit"
        self.asked: list[str] = []

    async def track(self, courier: str, number: str) -> TrackResult:
        self.asked.append(number)
        return TrackResult(
            self.status, (TrackEvent(None, self.status, "Paket di gudang Bandung"),)
        )


async def test_a_tracking_provider_is_polled_until_the_parcel_arrives(config: Path) -> None:
    async with running(config) as bot:
        tracker = FakeTracker()
        bot.gateway.orders.tracker = tracker
        await handed_off(bot, 79, "kak mau order sepatu 40, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 40 Rp250.000 transfer")
        await seller(bot, "/resi JNE CGK999")
        await bot.tg.wait_for(lambda c: "CGK999" in to_buyer(bot, 79)[-1])
        chat = "telegram:79"
        [poll] = [t for t in await bot.gateway.store.timers_of(chat) if "track" in t.kind]
        shift_clock(bot.gateway, poll.due_at - bot.gateway.timers.wall() + 1)
        await bot.gateway.timers.fire()
        await bot.tg.wait_for(lambda c: len(tracker.asked) == 1)
        for _ in range(200):  # looked at again later: the timer is set anew
            timers = await bot.gateway.store.timers_of(chat)
            if any("track" in t.kind and t.due_at > poll.due_at for t in timers):
                break
            await asyncio.sleep(0.01)
        [again] = [t for t in await bot.gateway.store.timers_of(chat) if "track" in t.kind]
        tracker.status = "delivered"
        shift_clock(bot.gateway, again.due_at - time.time() + 1)
        await bot.gateway.timers.fire()
        await bot.tg.wait_for(lambda c: len(tracker.asked) == 2)
        for _ in range(200):
            [order] = await bot.gateway.orders.store.for_chat(chat)
            if order.status == "delivered":
                break
            await asyncio.sleep(0.01)
        assert order.status == "delivered"
        assert order.tracking_note == "Paket di gudang Bandung"
        kinds = {t.kind.split(":")[0] for t in await bot.gateway.store.timers_of(chat)}
        assert "order_feedback" in kinds
        assert "order_track" not in kinds


RETURNS = [
    ("id", "kak mau retur, barangnya rusak"),
    ("ms", "saya nak pulangkan barang, rosak"),
    ("en", "I want to return it, the item arrived damaged"),
]


@pytest.mark.parametrize(("lang", "text"), RETURNS, ids=[r[0] for r in RETURNS])
async def test_a_return_reaches_the_seller_with_the_order_reason_and_photo(
    config: Path, lang: str, text: str
) -> None:
    async with running(config) as bot:
        user = 84
        await handed_off(bot, user, "kak mau order sepatu 40, transfer ke mana?")
        await seller(bot, "/order 1x Sepatu Canvas 40 Rp250.000 transfer")
        await seller(bot, "/resi JNE CGK4040")
        await seller(bot, "/sampai")
        await seller(bot, "/done")
        await bot.tg.wait_for(lambda c: "kembali ke bot" in to_seller(bot)[-1])
        before = len(to_buyer(bot, user))
        await bot.telegram(tg_text(text, user_id=user, name="Putri"))
        await bot.tg.wait_for(lambda c: len(to_buyer(bot, user)) > before)  # asks for a photo
        await bot.telegram(tg_media("photo", user_id=user))
        await bot.tg.wait_for(lambda c: any("retur" in t.lower() and "JP-" in t
                                            for t in to_seller(bot)))  # fmt: skip
        card = next(t for t in to_seller(bot) if "retur" in t.lower() and "JP-" in t)
        assert "Sepatu Canvas 40" in card
        await bot.tg.wait_for(lambda c: bool(bot.tg.sent("forwardMessage", SELLER)))
        state = await bot.gateway.store.load_state("telegram:84")
        assert state is not None
        assert str(state["case_open"]).startswith("return:")
        await seller(bot, "/done")  # the seller handled it: the case is closed
        for _ in range(200):
            state = await bot.gateway.store.load_state("telegram:84")
            if state is not None and state["case_open"] is None:
                break
            await asyncio.sleep(0.01)
        assert state is not None
        assert state["case_open"] is None


def to_wa(bot: Running, wa_id: str) -> list[str]:
    return [c.text for c in bot.wa.sent("messages") if c.params.get("to") == wa_id]


async def test_a_whatsapp_buyer_gets_the_order_and_shipment_news(config: Path) -> None:
    async with running(config) as bot:
        wa_id = "6281234567890"
        await bot.whatsapp(wa_text("kak saya ambil sepatu 39 ya, transfer ke mana?", wa_id))
        await bot.tg.wait_for(lambda c: len(to_seller(bot)) >= 1)
        await seller(bot, "/order 1x Sepatu Canvas 39 Rp250.000 transfer")
        await bot.wa.wait_for(lambda c: any("JP-" in t for t in to_wa(bot, wa_id)))
        await seller(bot, "/resi J&T JP123456789")
        await bot.wa.wait_for(lambda c: any("JP123456789" in t for t in to_wa(bot, wa_id)))
        ani = {"channel": "whatsapp", "id": "6289999999", "name": "Ani"}
        body = {"order_id": "WEB-7", "buyer": ani, "items": "1x Tas", "status": "new"}
        assert (await post_order(bot, body)).status_code == 202
        await bot.wa.wait_for(lambda c: any("JP-" in t for t in to_wa(bot, "6289999999")))


async def test_a_seller_command_that_comes_round_again_records_no_second_order(
    config: Path,
) -> None:
    from bot.events import SellerEvent
    from bot.store.base import InboundRow

    async with running(config) as bot:
        await handed_off(bot, 72, "kak saya mau order sepatu 41, transfer ke mana?")
        chat = "telegram:72"
        row = InboundRow(987654, chat, {}, time.time())
        event = SellerEvent("/order 1x Sepatu Canvas 40 Rp250.000", "order", "Sari")
        handlers = bot.gateway.handlers
        for _ in range(2):  # the same event after a crash before its turn was committed
            await handlers.order_command(row, event, time.time())
        assert len(await bot.gateway.orders.store.for_chat(chat)) == 1
