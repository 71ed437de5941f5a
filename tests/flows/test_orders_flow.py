"""The buyer's side of orders: real chat phrasings in id, ms and en, answered from the
buyer's real orders, with the after-sale timers decided purely from the order and ``now``."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from flows.messages import BuyerMessage
from flows.order_form import DraftOrder, form_text, parse_form
from flows.order_intents import recognise
from flows.orders import (
    CancelTimer,
    Effect,
    HandOff,
    NotifySeller,
    OrderOutcome,
    OrderSettings,
    OrdersState,
    OrdersView,
    OrderView,
    Say,
    SetTimer,
    ShopMessage,
    UpdateOrder,
    close_case,
    handle,
    on_order_event,
    on_timer,
    plan_timers,
)

WIB = timezone(timedelta(hours=7))
NOW = datetime(2024, 12, 4, 10, 0, tzinfo=WIB)  # a Wednesday
SETTINGS = OrderSettings(feedback_after_hours=48, delay_grace_days=1, delivery_days=3)
LANGS = ("id", "ms", "en")

NEW = OrderView(
    number="JP-2412-0007", status="new", items="2x Sepatu Canvas 41", total="Rp500.000",
    payment="transfer", created_at=NOW - timedelta(hours=2),
    promised_ship_at=NOW + timedelta(days=1),
)  # fmt: skip
SHIPPED = OrderView(
    number="JP-2412-0003", status="shipped", items="1x Kaos Hitam L",
    created_at=NOW - timedelta(days=2),
    promised_ship_at=NOW - timedelta(days=1), courier="JNE", tracking_number="CGK1234567890",
    tracking_link="https://www.jne.co.id/tracking-package?awb=CGK1234567890",
    shipped_at=NOW - timedelta(days=1),
)  # fmt: skip
DELIVERED = OrderView(
    number="JP-2412-0001", status="delivered", items="1x Topi", created_at=NOW - timedelta(days=5),
    courier="SiCepat", tracking_number="004471239988", shipped_at=NOW - timedelta(days=4),
    delivered_at=NOW - timedelta(days=2),
)  # fmt: skip
TRACKING_LIKE = re.compile(r"\b[A-Z]{0,4}\d{9,}[A-Z]{0,2}\b")


def view(*orders: OrderView, language: str = "id", **state: object) -> OrdersView:
    return OrdersView(OrdersState(**state), orders, language, "Toko Kenanga", "Putri")  # type: ignore[arg-type]


def says(outcome: OrderOutcome | None) -> list[Say | ShopMessage]:
    """What reaches the buyer: replies and messages the shop starts."""
    assert outcome is not None
    return [e for e in outcome.effects if isinstance(e, Say | ShopMessage)]


def only(outcome: OrderOutcome | None, kind: type[Effect]) -> list[Effect]:
    assert outcome is not None
    return [e for e in outcome.effects if isinstance(e, kind)]


def buyer(text: str = "", choice: str | None = None, kind: str = "text") -> BuyerMessage:
    return BuyerMessage(text=text, choice=choice, kind=kind)  # type: ignore[arg-type]


# ---- recognising ----------------------------------------------------------------------------

INTENTS = [
    # where is my order — id slang, ms, en
    ("udh dikirim blm kak?", "where"), ("resi?", "where"), ("paket sy dmn", "where"),
    ("kak paket saya udah sampe mana ya?", "where"), ("resi saya berapa kak?", "where"),
    ("sudah sampai belum", "where"), ("minta no resi dong", "where"),
    ("order saya udah dikirim?", "where"), ("kapan pesanan saya dikirim kak", "where"),
    ("paket saya belum sampai kak", "where"), ("pesanan sy gmn statusnya", "where"),
    ("dah pos ke?", "where"), ("bila barang sampai", "where"),
    ("parcel saya kat mana", "where"), ("tempahan saya dah hantar ke belum", "where"),
    ("where is my parcel", "where"), ("has my order shipped?", "where"),
    ("when will my order arrive", "where"), ("tracking number please", "where"),
    ("can I track my package?", "where"),
    # the buyer says it arrived
    ("sudah sampai", "arrived"), ("paketnya sudah sampai kak, makasih", "arrived"),
    ("barang dah sampai, terima kasih", "arrived"), ("udah nyampe kak 🙏", "arrived"),
    ("the parcel arrived, thanks", "arrived"), ("I received it, thanks", "arrived"),
    # returns and refunds (acting, not asking about the policy)
    ("mau retur", "return"), ("barang rusak", "return"), ("nak pulangkan", "return"),
    ("refund", "return"), ("kak barangnya rusak pas sampai", "return"),
    ("saya mau tukar ukuran kak", "return"), ("salah kirim warna kak", "return"),
    ("kasut rosak, nak refund", "return"),
    ("barang tak sama macam gambar, nak pulangkan", "return"),
    ("I want to return this", "return"), ("the item arrived damaged", "return"),
    ("wrong size sent", "return"), ("I'd like a refund", "return"),
    # opt-out
    ("stop", "opt_out"), ("berhenti", "opt_out"), ("jangan kirim lagi", "opt_out"),
    ("unsubscribe", "opt_out"), ("berhenti kirim pesan ya", "opt_out"),
    ("jangan chat saya lagi", "opt_out"), ("tolong jangan hantar mesej lagi", "opt_out"),
    ("stop sending me messages", "opt_out"), ("STOP!", "opt_out"),
    # none of these are about an order
    ("brp ongkir ke bdg kak?", None), ("kirimnya brp hari sampe jakarta?", None),
    ("bisa retur?", None), ("kalau ukurannya ga pas bisa tukar?", None),
    ("jangan kirim dulu ya kak, saya transfer besok", None), ("stop dulu, saya pikir2", None),
    ("halo kak", None), ("saya mau order 2", None), ("cek ongkir dong", None),
    ("ada warna hitam?", None), ("berapa lama pengiriman ke KL?", None),
    ("how long is delivery", None), ("do you accept returns?", None),
    ("bisa kirim ke malaysia?", None), ("ongkir kirim ke bandung brp?", None),
    ("kalau order hari ini kapan dikirim?", None), ("berapa hari sampai ke surabaya", None),
    ("kalau sudah transfer kapan dikirim kak?", None),
    ("if I order today when will it ship?", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "intent"), INTENTS)
def test_recognise(text: str, intent: str | None) -> None:
    assert recognise(text) == intent


# ---- where is my order ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_not_shipped_yet_tells_the_promised_date(lang: str) -> None:
    (say,) = says(handle(view(NEW, language=lang), buyer("resi?"), NOW, SETTINGS))
    assert "JP-2412-0007" in say.text
    assert {"id": "Kamis", "ms": "Khamis", "en": "Thursday"}[lang] in say.text
    assert "5 " in say.text  # 5 December


@pytest.mark.parametrize("lang", LANGS)
def test_shipped_gives_courier_number_as_written_and_link(lang: str) -> None:
    (say,) = says(handle(view(SHIPPED, language=lang), buyer("paket sy dmn"), NOW, SETTINGS))
    assert "JNE" in say.text
    assert "CGK1234567890" in say.text
    assert "https://www.jne.co.id/tracking-package?awb=CGK1234567890" in say.text
    assert {"id": "Status", "ms": "Status", "en": "status"}[lang] not in say.text  # none known


@pytest.mark.parametrize(
    ("lang", "words"),
    [("id", "sedang diantar kurir"), ("ms", "sedang dihantar"), ("en", "out for delivery")],
)
def test_shipped_with_a_reported_status(lang: str, words: str) -> None:
    order = replace(SHIPPED, tracking_status="out_for_delivery", tracking_note="Kurir: Andi")
    (say,) = says(handle(view(order, language=lang), buyer("where is my parcel"), NOW, SETTINGS))
    assert words in say.text
    assert "Kurir: Andi" in say.text


@pytest.mark.parametrize(("lang", "words"), [("id", "diterima"), ("ms", "diterima"),
                                             ("en", "delivered")])  # fmt: skip
def test_delivered(lang: str, words: str) -> None:
    (say,) = says(handle(view(DELIVERED, language=lang), buyer("resi?"), NOW, SETTINGS))
    assert words in say.text
    assert "JP-2412-0001" in say.text


@pytest.mark.parametrize("lang", LANGS)
def test_cancelled_order_is_said_so(lang: str) -> None:
    cancelled = replace(NEW, status="cancelled")
    (say,) = says(handle(view(cancelled, language=lang), buyer("resi?"), NOW, SETTINGS))
    assert "JP-2412-0007" in say.text
    assert re.search("batal|cancel", say.text)


def test_late_unshipped_order_apologises_and_tells_the_seller() -> None:
    late = replace(NEW, promised_ship_at=NOW - timedelta(hours=1))
    outcome = handle(view(late), buyer("udh dikirim blm kak?"), NOW, SETTINGS)
    assert "maaf" in says(outcome)[0].text.lower()
    assert only(outcome, NotifySeller)


@pytest.mark.parametrize("lang", LANGS)
def test_several_open_orders_ask_which_then_answer(lang: str) -> None:
    start = view(NEW, SHIPPED, language=lang)
    outcome = handle(start, buyer("resi?"), NOW, SETTINGS)
    (say,) = says(outcome)
    assert [o.id for o in say.options] == [":ord:JP-2412-0007", ":ord:JP-2412-0003"]
    assert outcome is not None
    tapped = handle(replace(start, state=outcome.state), buyer(choice=":ord:JP-2412-0003"),
                    NOW, SETTINGS)  # fmt: skip
    assert "CGK1234567890" in says(tapped)[0].text
    typed = handle(replace(start, state=outcome.state), buyer("yang kaos"), NOW, SETTINGS)
    assert "CGK1234567890" in says(typed)[0].text


def test_a_typed_order_number_picks_that_order() -> None:
    outcome = handle(view(NEW, SHIPPED), buyer("resi pesanan #jp-2412-0003?"), NOW, SETTINGS)
    assert "CGK1234567890" in says(outcome)[0].text


@pytest.mark.parametrize("lang", LANGS)
def test_no_order_asks_once_then_a_seller_never_invents(lang: str) -> None:
    first = handle(view(language=lang), buyer("resi saya berapa kak?"), NOW, SETTINGS)
    (say,) = says(first)
    assert re.search(r"pesanan|order|tempahan|nomor|nombor|atas nama", say.text)
    assert not TRACKING_LIKE.search(say.text)
    assert first is not None
    assert first.state.asked_number
    second = handle(
        OrdersView(first.state, (), lang), buyer("atas nama Rina kak, pesannya minggu lalu"),
        NOW, SETTINGS,
    )  # fmt: skip
    (handoff,) = only(second, HandOff)
    assert isinstance(handoff, HandOff)
    assert handoff.reason == "order_lookup"
    assert handoff.message is not None
    assert "minggu lalu" in handoff.message.text
    assert not any(TRACKING_LIKE.search(s.text) for s in says(second))


def test_asked_once_means_the_next_where_goes_to_a_seller() -> None:
    outcome = handle(view(asked_number=True), buyer("paket sy dmn"), NOW, SETTINGS)
    assert only(outcome, HandOff)


def test_an_unanswered_question_is_dropped_for_other_topics() -> None:
    state_view = view(NEW, SHIPPED, awaiting="which_order")
    outcome = handle(state_view, buyer("brp ongkir ke bdg?"), NOW, SETTINGS)
    assert outcome is not None
    assert outcome.effects == ()
    assert not outcome.handled
    assert outcome.state.awaiting == ""


def test_not_about_orders_is_none() -> None:
    assert handle(view(NEW), buyer("ada warna hitam?"), NOW, SETTINGS) is None


# ---- the buyer confirms delivery -----------------------------------------------------------


def test_sudah_sampai_marks_delivered_and_schedules_feedback() -> None:
    outcome = handle(view(SHIPPED), buyer("paketnya sudah sampai kak, makasih"), NOW, SETTINGS)
    assert UpdateOrder("JP-2412-0003", "delivered") in only(outcome, UpdateOrder)
    timers = only(outcome, SetTimer)
    due = (NOW + timedelta(hours=48)).timestamp()
    assert timers == [SetTimer("order_feedback:JP-2412-0003", due, {"order": "JP-2412-0003"})]


def test_sudah_sampai_with_nothing_shipped_is_left_to_the_engine() -> None:
    assert handle(view(NEW), buyer("sudah sampai"), NOW, SETTINGS) is None


# ---- returns -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_return_policy_order_reason_photo_then_seller(lang: str) -> None:
    settings = replace(SETTINGS, return_policy="Retur maks. 3 hari setelah diterima.")
    start = view(DELIVERED, language=lang)
    asked = handle(start, buyer("mau retur"), NOW, settings)
    (say,) = says(asked)
    assert say.text.startswith("Retur maks. 3 hari")
    assert "JP-2412-0001" in say.text
    assert [o.id for o in say.options] == [":ret:damaged", ":ret:wrong", ":ret:mismatch",
                                           ":ret:other"]  # fmt: skip
    assert asked is not None
    reason = handle(replace(start, state=asked.state), buyer(choice=":ret:wrong"), NOW, settings)
    assert says(reason)[0].options[0].id == ":ret-nophoto"
    assert reason is not None
    photo = handle(replace(start, state=reason.state), buyer(kind="photo"), NOW, settings)
    assert photo is not None
    (handoff,) = only(photo, HandOff)
    assert isinstance(handoff, HandOff)
    assert handoff.reason == "return"
    assert "JP-2412-0001" in handoff.note
    assert UpdateOrder("JP-2412-0001", "return_requested", "wrong") in photo.effects
    assert CancelTimer("order_feedback:JP-2412-0001") in photo.effects
    assert photo.state.open_case == "return:JP-2412-0001"


def test_damage_gives_the_reason_so_only_the_photo_is_asked() -> None:
    asked = handle(view(DELIVERED), buyer("kak barangnya rusak pas sampai"), NOW, SETTINGS)
    assert asked is not None
    assert asked.state.awaiting == "return_photo"
    assert asked.state.reason == "damaged"
    done = handle(view(DELIVERED, **asked.state.to_dict()), buyer("gak ada foto kak"), NOW,
                  SETTINGS)  # fmt: skip
    (handoff,) = only(done, HandOff)
    assert isinstance(handoff, HandOff)
    assert "Rusak" in handoff.note


def test_return_with_several_orders_asks_which() -> None:
    asked = handle(view(SHIPPED, DELIVERED), buyer("I want to return this"), NOW, SETTINGS)
    (say,) = says(asked)
    assert len(say.options) == 2
    assert asked is not None
    picked = handle(view(SHIPPED, DELIVERED, **asked.state.to_dict()),
                    buyer(choice=":ord:JP-2412-0001"), NOW, SETTINGS)  # fmt: skip
    assert picked is not None
    assert picked.state.about == "JP-2412-0001"


def test_return_without_orders_is_left_to_the_faq_and_the_complaint_handoff() -> None:
    # no order to return: the shop's returns FAQ entry (or an angry-buyer handoff) answers
    settings = replace(SETTINGS, return_policy="Retur 3 hari ya kak.")
    assert handle(view(), buyer("refund"), NOW, settings) is None


# ---- feedback ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_feedback_request_three_taps_no_stars_no_incentive(lang: str) -> None:
    outcome = on_timer(view(DELIVERED, language=lang), "order_feedback:JP-2412-0001", NOW,
                       SETTINGS)  # fmt: skip
    (say,) = says(outcome)
    assert [o.id.split(":")[2] for o in say.options] == ["good", "ok", "problem"]
    assert not re.search(r"bintang|star|⭐|5|diskon|discount|voucher|hadiah|gift|free|gratis",
                         say.text.lower())  # fmt: skip
    assert UpdateOrder("JP-2412-0001", "feedback_asked") in outcome.effects
    assert outcome.state.last_feedback_at == NOW.timestamp()


@pytest.mark.parametrize(
    ("order", "state"),
    [
        (replace(DELIVERED, feedback_asked_at=NOW), {}),  # once per order
        (DELIVERED, {"open_case": "return:JP-2412-0001"}),  # never while a case is open
        (DELIVERED, {"open_case": "complaint:JP-2412-0009"}),
        (DELIVERED, {"last_feedback_at": (NOW - timedelta(days=29)).timestamp()}),  # 30 days
        (DELIVERED, {"opted_out": True}),
        (replace(DELIVERED, status="returned"), {}),
    ],
)
def test_feedback_is_not_asked(order: OrderView, state: dict[str, object]) -> None:
    outcome = on_timer(view(order, **state), "order_feedback:JP-2412-0001", NOW, SETTINGS)
    assert outcome.effects == ()


def test_feedback_after_thirty_days_is_fine() -> None:
    old = (NOW - timedelta(days=31)).timestamp()
    outcome = on_timer(view(DELIVERED, last_feedback_at=old), "order_feedback:JP-2412-0001",
                       NOW, SETTINGS)  # fmt: skip
    assert says(outcome)


@pytest.mark.parametrize(
    ("message", "feel"),
    [
        (buyer(choice=":fb:good:JP-2412-0001"), "good"),
        (buyer(choice=":fb:ok:JP-2412-0001"), "ok"),
        (buyer("mantap kak, puas banget"), "good"),
        (buyer("biasa aja"), "ok"),
        (buyer("kurang puas kak"), "problem"),
        (buyer("tak puas hati"), "problem"),
        (buyer("not happy, it's broken"), "problem"),
    ],
)
def test_feedback_answers(message: BuyerMessage, feel: str) -> None:
    asked = view(DELIVERED, awaiting="feedback", about="JP-2412-0001")
    outcome = handle(asked, message, NOW, SETTINGS)
    assert UpdateOrder("JP-2412-0001", "feedback", feel) in only(outcome, UpdateOrder)
    assert bool(only(outcome, HandOff)) == (feel == "problem")


@pytest.mark.parametrize("lang", LANGS)
def test_a_problem_gets_an_apology_and_a_seller(lang: str) -> None:
    outcome = handle(view(DELIVERED, language=lang), buyer(choice=":fb:problem:JP-2412-0001"),
                     NOW, SETTINGS)  # fmt: skip
    assert re.search(r"maaf|sorry", says(outcome)[0].text.lower())
    (handoff,) = only(outcome, HandOff)
    assert isinstance(handoff, HandOff)
    assert handoff.reason == "complaint"
    assert outcome is not None
    assert outcome.state.open_case == "complaint:JP-2412-0001"
    assert close_case(outcome.state).open_case == ""


# ---- late apologies ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_late_shipping_apology_once_and_seller_told(lang: str) -> None:
    outcome = on_timer(view(NEW, language=lang), "order_late_ship:JP-2412-0007", NOW, SETTINGS)
    assert re.search(r"maaf|sorry", says(outcome)[0].text.lower())
    assert only(outcome, NotifySeller)
    assert UpdateOrder("JP-2412-0007", "late_notice", "ship") in outcome.effects
    again = replace(NEW, late_notices=("ship",))
    assert on_timer(view(again), "order_late_ship:JP-2412-0007", NOW, SETTINGS).effects == ()


def test_late_delivery_apology_names_courier_and_number() -> None:
    outcome = on_timer(view(SHIPPED), "order_late_deliver:JP-2412-0003", NOW, SETTINGS)
    (say,) = says(outcome)
    assert "JNE" in say.text
    assert "CGK1234567890" in say.text


@pytest.mark.parametrize(
    ("order", "kind"),
    [
        (SHIPPED, "order_late_ship:JP-2412-0003"),  # shipped meanwhile
        (DELIVERED, "order_late_deliver:JP-2412-0001"),  # delivered meanwhile
        (NEW, "order_late_ship:JP-9999-0001"),  # an order that is gone
        (NEW, "something_else:JP-2412-0007"),
    ],
)
def test_stale_timers_do_nothing(order: OrderView, kind: str) -> None:
    assert on_timer(view(order), kind, NOW, SETTINGS).effects == ()


def test_opted_out_buyer_gets_no_apology_but_the_seller_is_told() -> None:
    outcome = on_timer(view(NEW, opted_out=True), "order_late_ship:JP-2412-0007", NOW, SETTINGS)
    assert says(outcome) == []
    assert only(outcome, NotifySeller)


# ---- seller events -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_recorded_order_thanks_with_number_summary_and_ship_date(lang: str) -> None:
    outcome = on_order_event(view(NEW, language=lang), NEW, "recorded", NOW, SETTINGS)
    (say,) = says(outcome)
    assert re.search(r"terima ?kasih|thank", say.text.lower())
    assert "#JP-2412-0007" in say.text
    assert "2x Sepatu Canvas 41 · Rp500.000 · transfer" in say.text
    assert SetTimer("order_late_ship:JP-2412-0007", NEW.promised_ship_at.timestamp(),  # type: ignore[union-attr]
                    {"order": "JP-2412-0007"}) in outcome.effects  # fmt: skip


def test_a_tiny_promise_shows_the_time_too() -> None:
    soon = replace(NEW, promised_ship_at=NEW.created_at + timedelta(seconds=9))  # type: ignore[operator]
    (say,) = says(on_order_event(view(soon), soon, "recorded", NOW, SETTINGS))
    assert "pukul 08:00" in say.text


@pytest.mark.parametrize("lang", LANGS)
def test_shipped_event_sends_tracking(lang: str) -> None:
    outcome = on_order_event(view(SHIPPED, language=lang), SHIPPED, "shipped", NOW, SETTINGS)
    (say,) = says(outcome)
    assert all(part in say.text for part in ("JNE", "CGK1234567890", "https://"))
    assert CancelTimer("order_late_ship:JP-2412-0003") in outcome.effects
    due = SHIPPED.shipped_at + timedelta(days=3 + 1)  # type: ignore[operator]
    assert SetTimer("order_late_deliver:JP-2412-0003", due.timestamp(),
                    {"order": "JP-2412-0003"}) in outcome.effects  # fmt: skip


@pytest.mark.parametrize("event", ["recorded", "shipped", "cancelled"])
def test_opted_out_buyer_gets_nothing_and_the_seller_hears_why(event: str) -> None:
    outcome = on_order_event(view(SHIPPED, opted_out=True), SHIPPED, event, NOW, SETTINGS)  # type: ignore[arg-type]
    assert says(outcome) == []
    (note,) = only(outcome, NotifySeller)
    assert isinstance(note, NotifySeller)
    assert "berhenti" in note.text
    assert "Putri" in note.text


def test_cancelled_is_told_kindly_and_clears_timers() -> None:
    cancelled = replace(NEW, status="cancelled")
    outcome = on_order_event(view(cancelled), cancelled, "cancelled", NOW, SETTINGS)
    assert "dibatalkan" in says(outcome)[0].text
    assert all(isinstance(e, CancelTimer | ShopMessage) for e in outcome.effects)


def test_delivered_event_schedules_only_feedback() -> None:
    outcome = on_order_event(view(DELIVERED), DELIVERED, "delivered", NOW, SETTINGS)
    assert says(outcome) == []
    due = DELIVERED.delivered_at + timedelta(hours=48)  # type: ignore[operator]
    assert [e for e in outcome.effects if isinstance(e, SetTimer)] == [
        SetTimer("order_feedback:JP-2412-0001", due.timestamp(), {"order": "JP-2412-0001"})
    ]


@pytest.mark.parametrize(
    ("order", "settings", "wanted"),
    [
        (NEW, SETTINGS, {"order_late_ship"}),
        (replace(NEW, late_notices=("ship",)), SETTINGS, set()),
        (replace(NEW, promised_ship_at=None), SETTINGS, set()),
        (SHIPPED, SETTINGS, {"order_late_deliver"}),
        (DELIVERED, SETTINGS, {"order_feedback"}),
        (DELIVERED, replace(SETTINGS, feedback_after_hours=0), set()),
        (replace(DELIVERED, feedback_asked_at=NOW), SETTINGS, set()),
        (replace(NEW, status="cancelled"), SETTINGS, set()),
    ],
)
def test_plan_timers(order: OrderView, settings: OrderSettings, wanted: set[str]) -> None:
    timers = plan_timers(order, settings)
    assert {t.kind.split(":")[0] for t in timers if isinstance(t, SetTimer)} == wanted
    assert len(timers) == 3  # the others are cancelled


def test_provider_estimate_wins_over_delivery_days() -> None:
    eta = NOW + timedelta(days=7)
    (deliver,) = [t for t in plan_timers(replace(SHIPPED, eta=eta), SETTINGS)
                  if isinstance(t, SetTimer)]  # fmt: skip
    assert deliver.at == (eta + timedelta(days=1)).timestamp()


# ---- opt-out -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_opt_out_is_confirmed_once(lang: str) -> None:
    first = handle(view(NEW, language=lang), buyer("berhenti kirim pesan ya"), NOW, SETTINGS)
    assert len(says(first)) == 1
    assert [type(e) for e in first.effects] == [Say]  # type: ignore[union-attr]
    assert first is not None
    assert first.state.opted_out
    again = handle(replace(view(NEW), state=first.state), buyer("stop"), NOW, SETTINGS)
    assert again is not None
    assert again.effects == ()


def test_opt_in_again() -> None:
    outcome = handle(view(opted_out=True), buyer("start"), NOW, SETTINGS)
    assert outcome is not None
    assert not outcome.state.opted_out
    assert [type(e) for e in outcome.effects] == [Say]  # the state carries the opt-in
    assert handle(view(), buyer("start"), NOW, SETTINGS) is None


def test_state_round_trips() -> None:
    state = OrdersState("feedback", "JP-1", "wrong", True, True, "return:JP-1", 12.5)
    assert OrdersState.from_dict(state.to_dict()) == state
    assert OrdersState.from_dict(None) == OrdersState()


# ---- the order form ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("id", ["Nama:", "No. HP:", "Alamat lengkap:", "Produk, warna, ukuran, jumlah:",
                "Kurir:", "Pembayaran:"]),
        ("ms", ["Nama:", "No. telefon:", "Alamat penuh:", "Produk, warna, saiz, kuantiti:",
                "Kurier:", "Pembayaran:"]),
        ("en", ["Name:", "Phone:", "Full address:", "Product, colour, size, quantity:",
                "Courier:", "Payment:"]),
    ],
)  # fmt: skip
def test_form_in_the_buyers_language(lang: str, labels: list[str]) -> None:
    assert form_text(lang).splitlines() == labels
    assert form_text(lang, ("name", "address"), "Isi ya").splitlines() == [
        "Isi ya", "", labels[0], labels[2],
    ]  # fmt: skip


FORMS = [
    (
        "nama: budi\nno hp: 0812 3456 7890\nalamat: Jl. Mawar 5\nRT 3 RW 2, Depok\n"
        "produk: sepatu canvas hitam 41 x2\nkurir: jne\nbayar: transfer",
        DraftOrder("budi", "0812 3456 7890", "Jl. Mawar 5, RT 3 RW 2, Depok",
                   "sepatu canvas hitam 41 x2", "jne", "transfer"),
    ),
    (
        "Nama : Budi\nNo hp 081234567890\nAlamat lengkap : jl melati 3 bandung",
        DraftOrder("Budi", "081234567890", "jl melati 3 bandung"),
    ),
    (
        "Alamat: Jln Ampang 12, KL\nNama penerima: Siti\nNo. telefon: +60 12-345 6789\n"
        "Tempahan: kasut 40 merah 1 pasang",
        DraftOrder("Siti", "+60 12-345 6789", "Jln Ampang 12, KL", "kasut 40 merah 1 pasang"),
    ),
    (
        "Name: John\nPhone: 081298765432\nAddress: Jl Sudirman 1 Jakarta\n"
        "Product: canvas shoes 42 black x1\nCourier: J&T\nPayment: COD",
        DraftOrder("John", "081298765432", "Jl Sudirman 1 Jakarta", "canvas shoes 42 black x1",
                   "J&T", "COD"),
    ),
    (
        "- Nama = Ani\n- WA: 0857-1111-2222\n- Produk: kaos L\n- Warna: hitam\n- Jumlah: 2",
        DraftOrder("Ani", "0857-1111-2222", "", "kaos L; hitam; 2"),
    ),
    (
        "Produk, warna, ukuran, jumlah: hijab pink 2\nNama: Rina\n081377778888",
        DraftOrder("Rina", "081377778888", "", "hijab pink 2"),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "draft"), FORMS)
def test_parse_filled_forms(text: str, draft: DraftOrder) -> None:
    assert parse_form(text) == draft


@pytest.mark.parametrize(
    "text", ["halo kak mau tanya ongkir", "Nama: Budi", "brp harga sepatu 41?", ""]
)
def test_not_a_form(text: str) -> None:
    assert parse_form(text) is None


@pytest.mark.parametrize(("seller", "words"), [("id", "berhenti"), ("en", "opted out"),
                                               ("ms", "berhenti")])  # fmt: skip
def test_seller_notes_are_in_the_shops_language(seller: str, words: str) -> None:
    settings = replace(SETTINGS, seller_language=seller)
    outcome = on_order_event(view(SHIPPED, language="en", opted_out=True), SHIPPED, "shipped",
                             NOW, settings)  # fmt: skip
    (note,) = only(outcome, NotifySeller)
    assert isinstance(note, NotifySeller)
    assert words in note.text


def test_items_named_in_the_question_pick_the_order() -> None:
    outcome = handle(view(NEW, SHIPPED), buyer("paket kaos saya udah sampai mana?"), NOW, SETTINGS)
    assert "CGK1234567890" in says(outcome)[0].text


def test_form_labels_from_config() -> None:
    text = form_text("id", ("name", "phone"), labels={"phone": "No. WA"})
    assert text.splitlines() == ["Nama:", "No. WA:"]


# Questions before a sale, and words that only look like shipping, stay with the FAQ.
NOT_ORDERS = [
    "boleh bayar tunai bila barang sampai?",
    "aku di medan kak, bisa nyampe sini ga?",
    "sis can pos to east malaysia tak?",
    "ada free pos tak?",
    "bungkus macam mana?",
    "bila buka tempahan lagi?",
    "dah bank in tadi, nanti sy send resit",
    "sy nak order 5 pek, boleh bank in ke mana?",
    "ada jual kat shopee tak? senang nak track",
    "klo tws nya tiba2 mati ditanggung ga kak?",
    "kalo rusak bisa tuker baru ga?",
    "bisa servis lcd hp yg pecah ga kak?",
    "macam mana nak tukar password wifi?",
    "what happens if the item arrives damaged?",
    "cara nyucinya gimana biar ga cepet rusak?",
]


@pytest.mark.parametrize("text", NOT_ORDERS)
def test_not_about_an_order(text: str) -> None:
    assert recognise(text) is None


@pytest.mark.parametrize(
    "text",
    ["dah 10 hari tak sampai lagi, mana barang saya?", "dah 2 minggu tak sampai, apa cerita ni?",
     "udah di-ship belum kak barang aku?", "kode lacak paket aku mana ya kak",
     "sy bayar dah seminggu, tracking pun tak bagi lagi"],
)  # fmt: skip
def test_late_parcels_are_where_questions(text: str) -> None:
    assert recognise(text) == "where"


def test_messages_the_shop_starts_carry_template_params() -> None:
    shipped = on_order_event(view(SHIPPED), SHIPPED, "shipped", NOW, SETTINGS)
    (message,) = [e for e in shipped.effects if isinstance(e, ShopMessage)]
    assert message.params[0] == "JP-2412-0003"
    assert "CGK1234567890" in message.params[1]
    assert message.params[2].startswith("https://")
    late = on_timer(view(NEW), "order_late_ship:JP-2412-0007", NOW, SETTINGS)
    assert [type(e) for e in late.effects if isinstance(e, Say | ShopMessage)] == [ShopMessage]
    ask = on_timer(view(DELIVERED), "order_feedback:JP-2412-0001", NOW, SETTINGS)
    assert [type(e) for e in ask.effects if isinstance(e, Say | ShopMessage)] == [ShopMessage]
    reply = handle(view(SHIPPED), buyer("resi?"), NOW, SETTINGS)
    assert reply is not None
    assert [type(e) for e in reply.effects] == [Say]
