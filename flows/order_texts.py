"""What the bot says about orders, in Indonesian, Malay and English; overridable per key.

Placeholders: {number} order number, {items}, {summary} (items · total · payment),
{ship_date}, {date}, {courier}, {tracking} (exactly as the seller wrote it), {link},
{status} (a tracking status in words), {shop}, {policy} (the shop's returns FAQ answer),
{reason}, {photo}, {buyer}. The shop's ``texts.<lang>.<key>`` overrides a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

ORDER_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "thank_you": (
            "Terima kasih kak, pesanannya sudah kami catat 🙏\nNo. pesanan: #{number}\n"
            "{summary}\nDikirim paling lambat {ship_date} ya kak 😊"
        ),
        "shipped": (
            "Pesanan #{number} sudah dikirim ya kak 📦\nKurir: {courier}\nNo. resi: {tracking}\n"
            "Lacak di sini: {link}"
        ),
        "status_line": "Status terakhir: {status}",
        "preparing": (
            "Pesanan #{number} ({items}) sedang kami siapkan ya kak 😊 Dijadwalkan dikirim "
            "paling lambat {ship_date}."
        ),
        "preparing_late": (
            "Mohon maaf kak, pesanan #{number} ({items}) belum dikirim, padahal janji kami "
            "paling lambat {ship_date} 🙏 Admin kami sudah saya kabari untuk segera cek."
        ),
        "delivered": (
            "Pesanan #{number} tercatat sudah diterima pada {date} ✅ Kalau ada kendala "
            "dengan barangnya, kabari kami ya kak."
        ),
        "cancelled_status": "Pesanan #{number} ({items}) sudah dibatalkan ya kak.",
        "returned_status": "Pesanan #{number} ({items}) tercatat sudah diretur ya kak.",
        "which_order": "Kakak punya beberapa pesanan. Yang mana yang mau dicek? 😊",
        "ask_order_number": (
            "Saya belum menemukan pesanan dari chat ini, kak 🙏 Boleh dibantu nomor pesanan "
            "atau atas nama siapa pesanannya?"
        ),
        "lookup_handoff": (
            "Terima kasih kak 🙏 Saya teruskan ke admin {shop} untuk dicek ya, sebentar lagi "
            "dibalas di sini."
        ),
        "late_ship": (
            "Mohon maaf kak 🙏 Pesanan #{number} belum sempat kami kirim sesuai janji "
            "({ship_date}). Admin kami sedang mengurusnya; nomor resinya langsung kami kabari "
            "ya."
        ),
        "late_deliver": (
            "Mohon maaf kak 🙏 Paket pesanan #{number} ({courier} {tracking}) sepertinya "
            "terlambat sampai. Kami bantu cek ke kurirnya dan kabari kakak ya."
        ),
        "feedback_ask": (
            "Halo kak 😊 Pesanan #{number} sudah diterima ya. Boleh tahu kesannya? Cukup pilih "
            "salah satu di bawah ini 🙏"
        ),
        "feedback_good": "😊 Puas",
        "feedback_ok": "😐 Biasa",
        "feedback_problem": "😟 Ada masalah",
        "feedback_thanks_good": "Terima kasih banyak kak, senang sekali mendengarnya 😊",
        "feedback_thanks_ok": "Terima kasih atas masukannya kak 🙏 Kami akan terus berbenah.",
        "feedback_sorry": (
            "Mohon maaf sekali kak 🙏 Admin {shop} akan segera membantu langsung di sini. "
            "Boleh diceritakan masalahnya ya."
        ),
        "cancelled": (
            "Halo kak, pesanan #{number} ({items}) sudah dibatalkan ya 🙏 Kalau ada yang bisa "
            "kami bantu lagi, kabari saja 😊"
        ),
        "arrived_thanks": "Terima kasih sudah mengabari kak 😊 Semoga suka dengan pesanannya!",
        "return_which": "Pengembalian untuk pesanan yang mana, kak? 🙏",
        "return_start": (
            "Baik kak, kami bantu untuk pesanan #{number} ({items}) 🙏 Boleh tahu alasannya?"
        ),
        "return_none": (
            "Baik kak, kami bantu 🙏 Admin {shop} akan cek pesanan kakak dan membalas di sini "
            "sebentar lagi."
        ),
        "return_photo": (
            "Baik kak, dicatat 🙏 Kalau ada, boleh kirim foto barangnya di sini ya 📷"
        ),
        "return_handoff": (
            "Terima kasih kak 🙏 Admin {shop} akan cek pengajuan kakak dan membalas di sini "
            "sebentar lagi."
        ),
        "reason_damaged": "Rusak / cacat",
        "reason_wrong": "Salah kirim",
        "reason_mismatch": "Tidak sesuai",
        "reason_other": "Lainnya",
        "no_photo": "Tidak ada foto",
        "opt_out": (
            "Baik kak, kami tidak akan mengirim pesan duluan lagi (info pesanan, pengingat) 🙏 "
            "Kakak tetap bisa chat kapan saja ya."
        ),
        "opt_in": "Siap kak, info pesanan akan kami kirimkan lagi ya 😊",
        "form_intro": "Biar cepat, boleh isi format pesanan ini ya kak 😊",
        "seller_opted_out": (
            "🔕 {buyer} minta tidak dikirimi pesan lagi (berhenti): info pesanan #{number} "
            "tidak dikirim ke pembeli."
        ),
        "seller_late_ship": (
            "⏰ Pesanan #{number} ({items}) belum dikirim; janji kirim {ship_date}. Pembeli "
            "sudah diberi permintaan maaf."
        ),
        "seller_late_deliver": (
            "⏰ Pesanan #{number} ({courier} {tracking}) belum tercatat sampai. Pembeli sudah "
            "diberi permintaan maaf."
        ),
        "seller_return": (
            "📦 Pengajuan retur pesanan #{number} ({items}). Alasan: {reason}. Foto: {photo}."
        ),
        "seller_problem": "😟 Pembeli melaporkan masalah pada pesanan #{number} ({items}).",
        "seller_not_shipped_asked": (
            "⏰ Pembeli menanyakan pesanan #{number} ({items}), belum dikirim; janji kirim "
            "{ship_date}."
        ),
        "yes": "ada",
        "no": "tidak ada",
    },
    "ms": {
        "thank_you": (
            "Terima kasih, tempahan anda sudah kami rekod 🙏\nNo. tempahan: #{number}\n"
            "{summary}\nAkan dihantar selewat-lewatnya {ship_date} ya 😊"
        ),
        "shipped": (
            "Tempahan #{number} sudah dihantar 📦\nKurier: {courier}\nNo. tracking: {tracking}\n"
            "Jejak di sini: {link}"
        ),
        "status_line": "Status terkini: {status}",
        "preparing": (
            "Tempahan #{number} ({items}) sedang kami sediakan 😊 Dijadual dihantar "
            "selewat-lewatnya {ship_date}."
        ),
        "preparing_late": (
            "Maaf, tempahan #{number} ({items}) belum dihantar walaupun kami janji "
            "selewat-lewatnya {ship_date} 🙏 Admin kami sudah dimaklumkan untuk semak segera."
        ),
        "delivered": (
            "Tempahan #{number} direkodkan sudah diterima pada {date} ✅ Kalau ada masalah "
            "dengan barang, beritahu kami ya."
        ),
        "cancelled_status": "Tempahan #{number} ({items}) sudah dibatalkan.",
        "returned_status": "Tempahan #{number} ({items}) direkodkan sudah dipulangkan.",
        "which_order": "Anda ada beberapa tempahan. Yang mana satu mahu disemak? 😊",
        "ask_order_number": (
            "Saya belum jumpa tempahan daripada chat ini 🙏 Boleh beri nombor tempahan atau "
            "atas nama siapa tempahan dibuat?"
        ),
        "lookup_handoff": (
            "Terima kasih 🙏 Saya serahkan kepada admin {shop} untuk semak, sekejap lagi "
            "dibalas di sini."
        ),
        "late_ship": (
            "Maaf 🙏 Tempahan #{number} belum sempat kami hantar seperti dijanjikan "
            "({ship_date}). Admin kami sedang uruskan; nombor tracking akan kami maklumkan "
            "segera."
        ),
        "late_deliver": (
            "Maaf 🙏 Bungkusan tempahan #{number} ({courier} {tracking}) nampaknya lewat "
            "sampai. Kami akan semak dengan kurier dan maklumkan anda."
        ),
        "feedback_ask": (
            "Hai 😊 Tempahan #{number} sudah diterima ya. Boleh kongsi pendapat anda? Pilih "
            "sahaja salah satu di bawah 🙏"
        ),
        "feedback_good": "😊 Puas hati",
        "feedback_ok": "😐 Biasa",
        "feedback_problem": "😟 Ada masalah",
        "feedback_thanks_good": "Terima kasih banyak, gembira mendengarnya 😊",
        "feedback_thanks_ok": "Terima kasih atas maklum balas anda 🙏 Kami akan terus perbaiki.",
        "feedback_sorry": (
            "Kami mohon maaf 🙏 Admin {shop} akan bantu terus di sini. Boleh ceritakan "
            "masalahnya ya."
        ),
        "cancelled": (
            "Hai, tempahan #{number} ({items}) sudah dibatalkan 🙏 Kalau ada apa-apa lagi, "
            "beritahu kami ya 😊"
        ),
        "arrived_thanks": "Terima kasih kerana maklumkan 😊 Semoga anda suka!",
        "return_which": "Pemulangan untuk tempahan yang mana satu? 🙏",
        "return_start": (
            "Baik, kami bantu untuk tempahan #{number} ({items}) 🙏 Boleh tahu sebabnya?"
        ),
        "return_none": (
            "Baik, kami bantu 🙏 Admin {shop} akan semak tempahan anda dan balas di sini "
            "sekejap lagi."
        ),
        "return_photo": "Baik, dicatat 🙏 Kalau ada, boleh hantar gambar barang di sini ya 📷",
        "return_handoff": (
            "Terima kasih 🙏 Admin {shop} akan semak permohonan anda dan balas di sini "
            "sekejap lagi."
        ),
        "reason_damaged": "Rosak / cacat",
        "reason_wrong": "Salah hantar",
        "reason_mismatch": "Tidak sama",
        "reason_other": "Lain-lain",
        "no_photo": "Tiada gambar",
        "opt_out": (
            "Baik, kami tidak akan hantar mesej dahulu lagi (info tempahan, peringatan) 🙏 "
            "Anda masih boleh chat bila-bila masa."
        ),
        "opt_in": "Baik, info tempahan akan kami hantar semula 😊",
        "form_intro": "Supaya cepat, boleh isi borang tempahan ini ya 😊",
        "seller_opted_out": (
            "🔕 {buyer} minta tidak dihantar mesej lagi (berhenti): info tempahan #{number} "
            "tidak dihantar kepada pembeli."
        ),
        "seller_late_ship": (
            "⏰ Tempahan #{number} ({items}) belum dihantar; janji hantar {ship_date}. Pembeli "
            "sudah diberi permohonan maaf."
        ),
        "seller_late_deliver": (
            "⏰ Tempahan #{number} ({courier} {tracking}) belum direkod sampai. Pembeli sudah "
            "diberi permohonan maaf."
        ),
        "seller_return": (
            "📦 Permohonan pemulangan #{number} ({items}). Sebab: {reason}. Gambar: {photo}."
        ),
        "seller_problem": "😟 Pembeli melaporkan masalah pada tempahan #{number} ({items}).",
        "seller_not_shipped_asked": (
            "⏰ Pembeli bertanya tentang tempahan #{number} ({items}), belum dihantar; janji "
            "hantar {ship_date}."
        ),
        "yes": "ada",
        "no": "tiada",
    },
    "en": {
        "thank_you": (
            "Thank you, we've recorded your order 🙏\nOrder no.: #{number}\n{summary}\n"
            "It will ship by {ship_date} 😊"
        ),
        "shipped": (
            "Your order #{number} is on its way 📦\nCourier: {courier}\nTracking number: "
            "{tracking}\nTrack it here: {link}"
        ),
        "status_line": "Latest status: {status}",
        "preparing": (
            "Your order #{number} ({items}) is being prepared 😊 It's due to ship by {ship_date}."
        ),
        "preparing_late": (
            "We're sorry, your order #{number} ({items}) hasn't shipped yet although we promised "
            "{ship_date} 🙏 I've asked our team to check right away."
        ),
        "delivered": (
            "Your order #{number} was recorded as delivered on {date} ✅ If anything is wrong "
            "with it, just let us know."
        ),
        "cancelled_status": "Your order #{number} ({items}) has been cancelled.",
        "returned_status": "Your order #{number} ({items}) was recorded as returned.",
        "which_order": "You have several orders. Which one shall I check? 😊",
        "ask_order_number": (
            "I couldn't find an order from this chat yet 🙏 Could you share the order number, "
            "or the name the order was placed under?"
        ),
        "lookup_handoff": (
            "Thank you 🙏 I've passed this to our team at {shop} to check; they'll reply here "
            "shortly."
        ),
        "late_ship": (
            "We're sorry 🙏 Your order #{number} hasn't shipped by the date we promised "
            "({ship_date}). Our team is on it, and we'll send the tracking number as soon as "
            "it ships."
        ),
        "late_deliver": (
            "We're sorry 🙏 Your parcel for order #{number} ({courier} {tracking}) seems to be "
            "running late. We're checking with the courier and will keep you posted."
        ),
        "feedback_ask": (
            "Hi 😊 Your order #{number} has arrived. How was it? Just pick one below 🙏"
        ),
        "feedback_good": "😊 Happy",
        "feedback_ok": "😐 Okay",
        "feedback_problem": "😟 There's a problem",
        "feedback_thanks_good": "Thank you so much, we're glad to hear it 😊",
        "feedback_thanks_ok": "Thanks for the feedback 🙏 We'll keep improving.",
        "feedback_sorry": (
            "We're really sorry 🙏 Our team at {shop} will help you personally, right here. "
            "Could you tell us what went wrong?"
        ),
        "cancelled": (
            "Hi, your order #{number} ({items}) has been cancelled 🙏 If there's anything else "
            "we can do, just let us know 😊"
        ),
        "arrived_thanks": "Thanks for letting us know 😊 We hope you love it!",
        "return_which": "Which order is the return for? 🙏",
        "return_start": ("Sure, we'll help with order #{number} ({items}) 🙏 What's the reason?"),
        "return_none": (
            "Sure, we'll help 🙏 Our team at {shop} will check your order and reply here shortly."
        ),
        "return_photo": "Noted 🙏 If you have one, please send a photo of the item here 📷",
        "return_handoff": (
            "Thank you 🙏 Our team at {shop} will review your request and reply here shortly."
        ),
        "reason_damaged": "Damaged / defective",
        "reason_wrong": "Wrong item sent",
        "reason_mismatch": "Not as described",
        "reason_other": "Other",
        "no_photo": "No photo",
        "opt_out": (
            "Okay, we won't message you first anymore (order updates, reminders) 🙏 You can "
            "still write to us any time."
        ),
        "opt_in": "Sure, we'll send you order updates again 😊",
        "form_intro": "To speed things up, please fill in this order form 😊",
        "seller_opted_out": (
            "🔕 {buyer} asked not to be messaged (opted out): the update on order #{number} "
            "was not sent to the buyer."
        ),
        "seller_late_ship": (
            "⏰ Order #{number} ({items}) has not shipped; promised by {ship_date}. The buyer "
            "got an apology."
        ),
        "seller_late_deliver": (
            "⏰ Order #{number} ({courier} {tracking}) is not recorded as delivered yet. The "
            "buyer got an apology."
        ),
        "seller_return": (
            "📦 Return request for order #{number} ({items}). Reason: {reason}. Photo: {photo}."
        ),
        "seller_problem": "😟 The buyer reports a problem with order #{number} ({items}).",
        "seller_not_shipped_asked": (
            "⏰ The buyer asked about order #{number} ({items}), not shipped yet; promised by "
            "{ship_date}."
        ),
        "yes": "yes",
        "no": "none",
    },
}

ORDER_TEXT_KEYS = frozenset(ORDER_TEXTS["id"])

STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "label_created": "resi dibuat, menunggu dijemput kurir",
        "picked_up": "paket sudah dijemput kurir",
        "in_transit": "dalam perjalanan",
        "out_for_delivery": "sedang diantar kurir ke alamat",
        "delivered": "sudah diterima",
        "failed_attempt": "kurir gagal mengantar, akan dicoba lagi",
        "returning": "dalam perjalanan kembali ke penjual",
        "returned": "sudah kembali ke penjual",
        "cancelled": "pengiriman dibatalkan",
        "exception": "ada kendala pengiriman",
    },
    "ms": {
        "label_created": "label dicetak, menunggu kurier ambil",
        "picked_up": "bungkusan sudah diambil kurier",
        "in_transit": "dalam perjalanan",
        "out_for_delivery": "sedang dihantar ke alamat",
        "delivered": "sudah diterima",
        "failed_attempt": "kurier gagal hantar, akan cuba lagi",
        "returning": "dalam perjalanan pulang ke penjual",
        "returned": "sudah dipulangkan ke penjual",
        "cancelled": "penghantaran dibatalkan",
        "exception": "ada masalah penghantaran",
    },
    "en": {
        "label_created": "label created, waiting for pickup",
        "picked_up": "picked up by the courier",
        "in_transit": "in transit",
        "out_for_delivery": "out for delivery",
        "delivered": "delivered",
        "failed_attempt": "delivery attempt failed, will retry",
        "returning": "on its way back to the seller",
        "returned": "returned to the seller",
        "cancelled": "shipment cancelled",
        "exception": "a delivery problem was reported",
    },
}

_MONTHS = {
    "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November "
    "Desember".split(),
    "ms": "Januari Februari Mac April Mei Jun Julai Ogos September Oktober November "
    "Disember".split(),
    "en": "January February March April May June July August September October November "
    "December".split(),
}
_DAYS = {
    "id": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu".split(),
    "ms": "Isnin Selasa Rabu Khamis Jumaat Sabtu Ahad".split(),
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split(),
}
_AT = {"id": "pukul", "ms": "pukul", "en": "at"}


def language_of(language: str | None) -> str:
    return language if language is not None and language in ORDER_TEXTS else "id"


def format_date(when: datetime, language: str, *, with_time: bool = False) -> str:
    """``Selasa, 3 Desember 2024`` / ``Tuesday, 3 December 2024`` (+ ``pukul 14:00``)."""
    lang = language_of(language)
    text = f"{_DAYS[lang][when.weekday()]}, {when.day} {_MONTHS[lang][when.month - 1]} {when.year}"
    if with_time:
        text += f" {_AT[lang]} {when:%H:%M}"
    return text


@dataclass(frozen=True)
class OrderTexts:
    """The order texts with the shop's overrides (``texts.<lang>.<key>`` in config.yaml)."""

    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def get(self, key: str, language: str, **values: str) -> str:
        lang = language_of(language)
        template = self.overrides.get(lang, {}).get(key) or ORDER_TEXTS[lang][key]
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template  # a seller's template with stray braces is sent as written

    def status(self, status: str, language: str) -> str:
        return STATUS_WORDS[language_of(language)].get(status, "")
