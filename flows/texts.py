"""Everything the bot says on its own, in Indonesian, Malay and English; overridable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Placeholders: {shop} the shop's name, {topic} an FAQ entry's title, {minutes} the
# promised seller reply time, {opens} when the shop opens (shop.hours).
DEFAULT_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "greeting": "Halo kak 👋 Selamat datang di {shop}! Saya asisten virtual {shop} 😊",
        "how_can_i_help": "Ada yang bisa saya bantu, kak?",
        "clarify": "Maaf kak, maksudnya yang mana ya? 😊",
        "clarify_single": "Maksud kakak tentang ini ya? 😊",
        "fallback": (
            "Maaf kak, saya belum paham maksudnya 🙏 Saya bisa bantu soal topik di bawah ini, "
            "atau kakak bisa ngobrol langsung dengan admin kami."
        ),
        "handoff_closing": (
            "Siap kak, terima kasih 🙏 Pesanan dan pembayaran dibantu langsung oleh admin "
            "{shop} ya, sebentar lagi admin kami balas di sini 😊"
        ),
        "handoff_human": (
            "Baik kak, saya sambungkan dengan admin {shop} ya 🙏 Sebentar lagi admin kami "
            "balas di sini."
        ),
        "handoff_complaint": (
            "Mohon maaf sekali atas ketidaknyamanannya, kak 🙏 Admin {shop} akan segera "
            "membantu langsung di sini."
        ),
        "handoff_not_understood": (
            "Maaf kak, sepertinya saya belum bisa bantu yang ini 🙏 Saya teruskan ke admin "
            "{shop} ya, sebentar lagi dibalas di sini."
        ),
        "handoff_follow_up": (
            "Siap kak, terima kasih infonya 🙏 Admin {shop} akan bantu cek dan balas di sini "
            "sebentar lagi ya."
        ),
        "handoff_faq": (
            "Siap kak 🙏 Untuk yang ini dibantu langsung oleh admin {shop} ya, sebentar lagi "
            "admin kami balas di sini 😊"
        ),
        "thanks": "Sama-sama kak 😊 Kalau ada pertanyaan lain, tanya saja ya.",
        "goodbye": "Terima kasih sudah mampir ke {shop}, kak 🙏 Sampai jumpa lagi 😊",
        "media": (
            "Terima kasih kak 🙏 Saya baru bisa membaca pesan teks. Boleh dituliskan "
            "pertanyaannya, atau mau ngobrol dengan admin?"
        ),
        "sticker": "😊 Ada yang bisa saya bantu, kak?",
        "human_option": "Chat dengan admin",
        "never_mind": (
            "Baik kak, tidak apa-apa 😊 Kalau ada yang mau ditanyakan lagi, chat saja ya."
        ),
        "reply_within": "Biasanya admin membalas dalam {minutes} menit ya kak.",
        "after_hours": (
            "Admin kami sedang di luar jam kerja; pesan kakak akan dibalas mulai pukul "
            "{opens} ya 🙏"
        ),
        "handoff_unavailable": (
            "Maaf kak 🙏 Untuk yang ini perlu dibantu langsung oleh {shop}, tapi admin belum "
            "bisa dihubungi lewat chat ini."
        ),
        "holding": (
            "Mohon maaf menunggu ya kak 🙏 Admin kami sedang membantu pembeli lain, sebentar "
            "lagi dibalas di sini."
        ),
        "salam": "Waalaikumsalam kak 😊",
        "hedged": "Kalau maksud kakak soal {topic}:",
        "not_this_option": "Bukan ini",
        "ask_away": "Boleh kak, silakan tanya saja 😊",
    },
    "ms": {
        "greeting": "Hai 👋 Selamat datang ke {shop}! Saya pembantu maya {shop} 😊",
        "how_can_i_help": "Ada apa-apa yang boleh saya bantu?",
        "clarify": "Maaf, maksudnya yang mana ya? 😊",
        "clarify_single": "Maksud anda tentang ini ya? 😊",
        "fallback": (
            "Maaf, saya kurang faham 🙏 Saya boleh bantu tentang topik di bawah, atau anda "
            "boleh berbual terus dengan admin kami."
        ),
        "handoff_closing": (
            "Baik, terima kasih 🙏 Tempahan dan bayaran diuruskan terus oleh admin {shop}, "
            "sekejap lagi admin kami balas di sini ya 😊"
        ),
        "handoff_human": (
            "Baik, saya sambungkan dengan admin {shop} ya 🙏 Sekejap lagi admin kami balas "
            "di sini."
        ),
        "handoff_complaint": (
            "Kami mohon maaf atas kesulitan ini 🙏 Admin {shop} akan bantu terus di sini "
            "secepat mungkin."
        ),
        "handoff_not_understood": (
            "Maaf, saya belum dapat bantu yang ini 🙏 Saya serahkan kepada admin {shop} ya, "
            "sekejap lagi dibalas di sini."
        ),
        "handoff_follow_up": (
            "Baik, terima kasih atas maklumatnya 🙏 Admin {shop} akan semak dan balas di sini "
            "sekejap lagi ya."
        ),
        "handoff_faq": (
            "Baik 🙏 Yang ini diuruskan terus oleh admin {shop}, sekejap lagi admin kami "
            "balas di sini ya 😊"
        ),
        "thanks": "Sama-sama 😊 Kalau ada soalan lain, tanya saja ya.",
        "goodbye": "Terima kasih kerana singgah di {shop} 🙏 Jumpa lagi 😊",
        "media": (
            "Terima kasih 🙏 Buat masa ini saya hanya boleh membaca mesej teks. Boleh taip "
            "soalannya, atau mahu berbual dengan admin?"
        ),
        "sticker": "😊 Ada apa-apa yang boleh saya bantu?",
        "human_option": "Sembang dengan admin",
        "never_mind": "Baik, tak apa 😊 Kalau ada soalan lain, tanya saja ya.",
        "reply_within": "Biasanya admin membalas dalam {minutes} minit.",
        "after_hours": (
            "Admin kami di luar waktu bekerja sekarang; mesej anda akan dibalas mulai pukul "
            "{opens} ya 🙏"
        ),
        "handoff_unavailable": (
            "Maaf 🙏 Yang ini perlu dibantu terus oleh {shop}, tetapi admin belum boleh "
            "dihubungi melalui chat ini."
        ),
        "holding": (
            "Maaf kerana menunggu 🙏 Admin kami sedang membantu pelanggan lain, sekejap lagi "
            "dibalas di sini."
        ),
        "salam": "Waalaikumsalam 😊",
        "hedged": "Kalau maksud anda tentang {topic}:",
        "not_this_option": "Bukan ini",
        "ask_away": "Boleh, silakan tanya 😊",
    },
    "en": {
        "greeting": "Hi there 👋 Welcome to {shop}! I'm {shop}'s virtual assistant 😊",
        "how_can_i_help": "How can I help you today?",
        "clarify": "Sorry, which one do you mean? 😊",
        "clarify_single": "Did you mean this? 😊",
        "fallback": (
            "Sorry, I didn't quite catch that 🙏 I can help with the topics below, or you can "
            "chat with our team directly."
        ),
        "handoff_closing": (
            "Great, thank you 🙏 Orders and payments are handled by our team at {shop} "
            "personally, they'll reply here shortly 😊"
        ),
        "handoff_human": (
            "Sure, I'm connecting you with our team at {shop} 🙏 Someone will reply here shortly."
        ),
        "handoff_complaint": (
            "We're really sorry about this 🙏 Our team at {shop} will help you personally, "
            "right here, as soon as possible."
        ),
        "handoff_not_understood": (
            "Sorry, I can't help with this one myself 🙏 I've passed it to our team at {shop}; "
            "they'll reply here shortly."
        ),
        "handoff_follow_up": (
            "Got it, thank you 🙏 Our team at {shop} will check and reply here shortly."
        ),
        "handoff_faq": (
            "Sure 🙏 Our team at {shop} handles this personally; they'll reply here shortly 😊"
        ),
        "thanks": "You're welcome 😊 Just ask if there's anything else.",
        "goodbye": "Thanks for visiting {shop} 🙏 See you again 😊",
        "media": (
            "Thank you 🙏 I can only read text messages for now. Could you type your "
            "question, or would you like to chat with our team?"
        ),
        "sticker": "😊 How can I help you today?",
        "human_option": "Chat with our team",
        "never_mind": "No problem 😊 Just message us if there's anything else.",
        "reply_within": "We usually reply within {minutes} minutes.",
        "after_hours": (
            "Our team is outside working hours right now; we'll reply from {opens} 🙏"
        ),
        "handoff_unavailable": (
            "Sorry 🙏 This one needs {shop}'s team, and they can't be reached through this "
            "chat yet."
        ),
        "holding": (
            "Sorry for the wait 🙏 Our team is helping other customers and will reply here "
            "shortly."
        ),
        "salam": "Waalaikumsalam 😊",
        "hedged": "If you mean {topic}:",
        "not_this_option": "Not this",
        "ask_away": "Sure, go ahead and ask 😊",
    },
}

TEXT_KEYS = frozenset(DEFAULT_TEXTS["id"])


@dataclass(frozen=True)
class Texts:
    """The bot's own texts; ``overrides`` come from config.yaml (``texts.<lang>.<key>``)."""

    overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def get(self, key: str, language: str, **values: str) -> str:
        lang = language if language in DEFAULT_TEXTS else "id"
        template = self.overrides.get(lang, {}).get(key) or DEFAULT_TEXTS[lang][key]
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError):
            return template  # a seller's template with stray braces is sent as written
