"""What a buyer's first message gets: a table of real chat phrasings in id, ms and en."""

from __future__ import annotations

import pytest

from faq.model import Faq
from flows.policy import Policy
from flows.trial import try_message

ANSWERED = [
    # Indonesian chat slang
    ("brp ongkir ke bdg kak?", "ongkir"),
    ("ongkir ke surabaya brp min", "ongkir"),
    ("kirimnya brp hari sampe jakarta?", "lama-kirim"),
    ("bisa cod gak kak", "cod"),
    ("ready stock ga sis?", "stok"),
    ("ada ukuran XL gan?", "ukuran"),
    ("bahannya apa kak", "bahan"),
    ("ada warna hitam?", "warna"),
    ("ori gak nih?", "original"),
    ("ada garansi?", "garansi"),
    ("kalau ukurannya ga pas bisa tukar?", "retur"),
    ("jam buka toko jam brp?", "jam-buka"),
    ("alamat tokonya dmn kak", "lokasi"),
    ("paket saya udh dikirim blm? minta resi", "resi"),
    ("mau jadi reseller gmn caranya", "reseller"),
    ("ada promo ga?", "promo"),
    ("cara cuci nya gimana", "perawatan"),
    ("bisa bungkus kado?", "kado"),
    ("brp ongkirrr ke bdg kakkk 🙏🙏", "ongkir"),
    # Malay
    ("bisa COD tak?", "cod"),
    ("kos pos ke Johor berapa?", "ongkir"),
    ("berapa lama hantar ke KL", "lama-kirim"),
    ("boleh bayar masa barang sampai?", "cod"),
    # English
    ("what is the shipping cost to KL?", "ongkir"),
    ("how long is delivery", "lama-kirim"),
    ("do you have size M?", "ukuran"),
]

HANDED_OFF = [
    # buying, paying, bargaining: a seller closes the sale
    ("saya ambil 2 ya kak", None),
    ("transfer ke rekening mana?", "pembayaran"),
    ("nak beli 2, macam mana nak bayar?", None),
    ("how do I pay?", None),
    ("I'll take it", None),
    ("oke saya COD ya, kirim ke Depok", None),
    ("bisa kurang ga harganya", None),
    ("harga pas brp?", None),
    # asking for a person
    ("mau ngomong sama admin", None),
    ("can I talk to a real person", None),
    ("orang beneran dong", None),
    # upset: a person and an apology
    ("kecewa banget barang rusak", None),
    ("MANA BARANGNYA UDAH SEMINGGU!!!", None),
]

NOT_UNDERSTOOD = [
    "berapa cuaca besok di bandung",
    "asdfghjkl",
    "putar lagu dangdut dong",
]


@pytest.mark.parametrize(("text", "faq_id"), ANSWERED)
def test_faq_questions_are_answered(text: str, faq_id: str, shop_faq: Faq, policy: Policy) -> None:
    trial = try_message(text, shop_faq, policy)
    assert (trial.action, trial.faq_id) == ("answer", faq_id)
    assert 0.0 <= trial.score <= 1.0


@pytest.mark.parametrize(("text", "faq_id"), HANDED_OFF)
def test_closing_human_and_complaints_go_to_a_seller(
    text: str, faq_id: str | None, shop_faq: Faq, policy: Policy
) -> None:
    trial = try_message(text, shop_faq, policy)
    assert (trial.action, trial.faq_id) == ("handoff", faq_id)


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_out_of_scope_is_admitted_not_guessed(text: str, shop_faq: Faq, policy: Policy) -> None:
    assert try_message(text, shop_faq, policy).action == "fallback"


def test_asking_about_cod_is_a_question_acting_on_it_is_a_closing(
    shop_faq: Faq, policy: Policy
) -> None:
    assert try_message("bisa COD kak?", shop_faq, policy).action == "answer"
    assert try_message("oke saya COD ya, kirim ke Depok", shop_faq, policy).action == "handoff"


def test_a_long_order_number_is_not_a_quantity(shop_faq: Faq, policy: Policy) -> None:
    trial = try_message("resi order 732201349959 udah ada kak?", shop_faq, policy)
    assert (trial.action, trial.faq_id) == ("answer", "resi")


def test_first_reply_greets_with_the_shop_name_and_answers(shop_faq: Faq, policy: Policy) -> None:
    reply = try_message("brp ongkir ke bdg kak?", shop_faq, policy).reply
    assert "Toko Batik Sari" in reply
    assert "Rp9.000" in reply  # the answer exactly as the seller wrote it
    assert reply.index("Toko Batik Sari") < reply.index("Rp9.000")


def test_a_bare_greeting_is_greeted_and_asked_how_to_help(shop_faq: Faq, policy: Policy) -> None:
    trial = try_message("halo kak", shop_faq, policy)
    assert trial.action == "small_talk"
    assert "Toko Batik Sari" in trial.reply


def test_english_buyer_gets_the_english_answer(shop_faq: Faq, policy: Policy) -> None:
    reply = try_message("what is the shipping cost to KL?", shop_faq, policy).reply
    assert "Shipping depends on the destination" in reply
    assert "Ongkir tergantung" not in reply


@pytest.mark.parametrize(
    "text",
    [
        "mantap, gk pernah kecewa belanja disini",
        "barangnya tidak ada yang cacat, makasih kak",
        "aku tidak marah kok kak",
        "not disappointed at all, thanks",
    ],
)
def test_praise_with_a_negated_complaint_word_is_not_a_complaint(
    text: str, shop_faq: Faq, policy: Policy
) -> None:
    assert try_message(text, shop_faq, policy).action != "handoff"


@pytest.mark.parametrize("text", ["barangnya tidak sesuai foto kak", "paketnya rusak kak!!"])
def test_real_complaints_still_reach_a_person(text: str, shop_faq: Faq, policy: Policy) -> None:
    assert try_message(text, shop_faq, policy).action == "handoff"


@pytest.mark.parametrize(
    "text",
    [
        "barang datang dalam keadaan patah",
        "warna salah, pesan hitam dapat putih",
        "tidak sama dengan gambar kak",
        "kurang 1 kak, pesan 3 datang 2",
        "kardusnya penyok, packing kurang aman",
        "kurang puas kak sama barangnya",
        "yang dateng beda banget dengan yang di foto",
        "barangnya error kak baru sehari",
        "tak puas hati, saiz salah",
        "not satisfied with the product",
    ],
)
def test_post_delivery_complaints_reach_a_person(text: str, shop_faq: Faq, policy: Policy) -> None:
    assert try_message(text, shop_faq, policy).action == "handoff"


def test_a_what_if_question_is_still_answered(shop_faq: Faq, policy: Policy) -> None:
    assert try_message("bisa retur gk kalo kekecilan?", shop_faq, policy).faq_id == "retur"
