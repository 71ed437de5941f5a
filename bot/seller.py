"""What the seller chat reads: handoff notifications, notes, the chat list, as commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from typing import Any

from bot.abuse import seller_priority
from bot.channels.base import shorten
from bot.commands import Options, Say, SellerCommand, SellerNote, queued
from bot.events import Profile
from bot.learning_texts import side_effect_lines
from bot.store.base import Contact, Outgoing
from faq.impact import SideEffect
from faq.suggest import AddHandoffWord, AddQuestion, Suggestion
from flows.messages import NotifySeller

# One notification is one Telegram message (its limit: 4096 characters) whatever a buyer
# sends, so a stranger cannot turn one handoff into many seller-chat posts.
POST_CHARS = 4096
LINE_CHARS = 300  # a quoted history line
WHO_CHARS = 120  # the buyer's name and contact in a notification

TAKE = "take:"  # seller button ids: the action, then the buyer's chat
BACK = "back:"
_CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": "web chat"}

# What sellers read, in the shop's language.
SELLER_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "not_delivered": "⚠️ Pesan penjual tidak sampai ke pembeli: {error}",
        "chats": "Pembeli terakhir (🔔 menunggu penjual, 🤖 dengan bot). Ketuk untuk ambil alih:",
        "no_chats": "Belum ada pembeli.",
        "chats_found": "Pembeli yang cocok dengan “{search}”. Ketuk untuk ambil alih:",
        "no_match": "Tidak ada pembeli yang cocok dengan “{search}”.",
        "claimed": "🙋 {seller} menangani chat dengan {buyer}.",
        "reminder": "⏰ {buyer} sudah menunggu {minutes} menit dan belum dibalas penjual.",
        "idle_released": "💤 Chat dengan {buyer} kembali ke bot setelah {hours} jam tanpa "
        "balasan penjual.",
        "take": "🙋 Ambil alih",
        "back": "🤖 Kembali ke bot",
        "notify": "🔔 {buyer} ({channel}) perlu dibantu penjual: {reason}.",
        "recent": "Pesan terakhir:",
        "how": "Balas di topik ini (atau reply pesan ini) untuk menjawab pembeli; "
        "/done mengembalikan chat ke bot.",
        "released": "✅ Chat dengan {buyer} kembali ke bot.",
        "orphan": "ℹ️ Pesan ini tidak terkirim ke pembeli mana pun. Balas di topik pembeli "
        "atau reply pesan bot tentang pembeli itu; /chats menampilkan pembeli terakhir, "
        "/chats siti mencari pembeli.",
        "text_only": "ℹ️ Pesan jenis ini belum bisa dikirim ke pembeli {channel}; kirim teks, "
        "foto atau file.",
        "closing": "mau pesan/bayar",
        "human": "minta bicara dengan admin",
        "complaint": "ada keluhan",
        "not_understood": "bot belum paham",
        "follow_up": "menjawab pertanyaan lanjutan",
        "faq": "pertanyaan yang dijawab admin",
        "buyer": "👤",
        "bot": "🤖",
    },
    "ms": {
        "not_delivered": "⚠️ Mesej penjual tidak sampai kepada pembeli: {error}",
        "chats": "Pembeli terkini (🔔 menunggu penjual, 🤖 dengan bot). Tekan untuk ambil alih:",
        "no_chats": "Belum ada pembeli.",
        "chats_found": "Pembeli yang sepadan dengan “{search}”. Tekan untuk ambil alih:",
        "no_match": "Tiada pembeli yang sepadan dengan “{search}”.",
        "claimed": "🙋 {seller} menguruskan chat dengan {buyer}.",
        "reminder": "⏰ {buyer} sudah menunggu {minutes} minit tanpa balasan penjual.",
        "idle_released": "💤 Chat dengan {buyer} kembali kepada bot selepas {hours} jam tanpa "
        "balasan penjual.",
        "take": "🙋 Ambil alih",
        "back": "🤖 Kembali kepada bot",
        "notify": "🔔 {buyer} ({channel}) perlukan bantuan penjual: {reason}.",
        "recent": "Mesej terakhir:",
        "how": "Balas dalam topik ini (atau reply mesej ini) untuk menjawab pembeli; "
        "/done serahkan semula chat kepada bot.",
        "released": "✅ Chat dengan {buyer} kembali kepada bot.",
        "orphan": "ℹ️ Mesej ini tidak sampai kepada mana-mana pembeli. Balas dalam topik "
        "pembeli atau reply mesej bot tentang pembeli itu; /chats senaraikan pembeli terkini, "
        "/chats siti mencari pembeli.",
        "text_only": "ℹ️ Mesej jenis ini belum boleh dihantar kepada pembeli {channel}; hantar "
        "teks, foto atau fail.",
        "closing": "mahu beli/bayar",
        "human": "minta bercakap dengan admin",
        "complaint": "ada aduan",
        "not_understood": "bot kurang faham",
        "follow_up": "menjawab soalan susulan",
        "faq": "soalan yang dijawab admin",
        "buyer": "👤",
        "bot": "🤖",
    },
    "en": {
        "not_delivered": "⚠️ A seller's message did not reach the buyer: {error}",
        "chats": "Latest buyers (🔔 waiting for a seller, 🤖 with the bot). Tap to take over:",
        "no_chats": "No buyers yet.",
        "chats_found": "Buyers matching “{search}”. Tap to take over:",
        "no_match": "No buyer matches “{search}”.",
        "claimed": "🙋 {seller} is handling the chat with {buyer}.",
        "reminder": "⏰ {buyer} has waited {minutes} minutes without a seller's answer.",
        "idle_released": "💤 The chat with {buyer} went back to the bot after {hours} hours "
        "without a seller's answer.",
        "take": "🙋 Take over",
        "back": "🤖 Back to bot",
        "notify": "🔔 {buyer} ({channel}) needs a seller: {reason}.",
        "recent": "Recent messages:",
        "how": "Answer in this topic (or reply to this message) to write to the buyer; "
        "/done gives the chat back to the bot.",
        "released": "✅ The chat with {buyer} is back with the bot.",
        "orphan": "ℹ️ This message reached no buyer. Write in a buyer's topic or reply to "
        "one of the bot's messages about that buyer; /chats lists the latest buyers, /chats siti "
        "looks for one.",
        "text_only": "ℹ️ This kind of message can't reach {channel} buyers yet; send text, a "
        "photo or a file.",
        "closing": "wants to order/pay",
        "human": "asked for a person",
        "complaint": "has a complaint",
        "not_understood": "the bot did not understand",
        "follow_up": "answered a follow-up question",
        "faq": "a question sellers answer",
        "buyer": "👤",
        "bot": "🤖",
    },
}


def seller_text(language: str, key: str, **values: str) -> str:
    texts = SELLER_TEXTS.get(language, SELLER_TEXTS["id"])
    try:
        return texts[key].format(**values)
    except (KeyError, IndexError):
        return texts[key]


def seller_buttons(language: str, chat_key: str) -> Options:
    """ "Take over" and "Back to bot" under a notification; ids name the buyer's chat."""
    return (
        (f"{TAKE}{chat_key}", seller_text(language, "take")),
        (f"{BACK}{chat_key}", seller_text(language, "back")),
    )


def pretty_phone(phone: str | None) -> str | None:
    """+6281234567890 -> +62 812-3456-7890 (Indonesia, Malaysia); others as given."""
    if not phone:
        return None
    for code in ("+62", "+60"):
        if phone.startswith(code) and phone[3:].isdigit() and len(phone) >= 10:
            rest = phone[3:]
            return f"{code} {rest[:3]}-{rest[3:7]}-{rest[7:]}".rstrip("-")
    return phone


def topic_name(profile: Profile) -> str:
    """The buyer's forum topic: "Budi · WhatsApp +62 812-3456-7890"."""
    contact = pretty_phone(profile.phone) or (f"@{profile.username}" if profile.username else "")
    name = profile.name or profile.external_id
    return " ".join(p for p in (f"{name} · {channel_name(profile.channel)}", contact) if p)


def channel_name(channel: str) -> str:
    return _CHANNEL_NAMES.get(channel, channel)


def notification(
    language: str,
    profile: Profile,
    reason: str,
    history: Sequence[Mapping[str, Any]],
) -> str:
    """What the seller chat reads when a buyer is handed over: who (name, channel, phone
    or username), why, and the last messages."""
    texts = SELLER_TEXTS.get(language, SELLER_TEXTS["id"])
    contact = pretty_phone(profile.phone) or (f"@{profile.username}" if profile.username else "")
    who = shorten(
        " · ".join(p for p in (profile.name or profile.external_id, contact) if p), WHO_CHARS
    )
    lines = [
        seller_text(
            language,
            "notify",
            buyer=who,
            channel=channel_name(profile.channel),
            reason=texts.get(reason, reason),
        )
    ]
    if history:
        lines += ["", texts["recent"]]
        for item in history:
            mark = {"in": texts["buyer"], "seller": "🧑‍💼"}.get(str(item.get("direction")))
            if item.get("kind") == "seller":
                mark = "🧑‍💼"
            text = shorten(str(item.get("text") or f"[{item.get('kind')}]"), LINE_CHARS)
            lines.append(f"{mark or texts['bot']} {text}")
    head, how = lines, ["", texts["how"]]
    room = POST_CHARS - len("\n".join(how))
    while len(head) > 1 and len("\n".join(head)) > room:
        del head[3 if len(head) > 3 else -1]  # the oldest quoted line goes first
    return "\n".join(head)[:room] + "\n".join(how)


class SellerChat:
    """The seller chat's posts about buyers, as outbox entries for its lane. Without a
    seller chat there are none: handoffs then show in the store (and the web inbox)."""

    def __init__(self, chat: str | None, language: str, idle_hours: float = 0.0) -> None:
        self.chat = chat
        self.lane = f"telegram:{chat}" if chat else None
        self.language = language
        self.idle_hours = idle_hours

    def post(self, command: SellerCommand) -> list[Outgoing]:
        """Any post about a buyer (it joins that buyer's history once sent)."""
        if self.lane is None:
            return []
        out = queued(self.lane, command, command.about)
        # real-channel buyers' posts go before web-chat ones (bench/flood.py)
        return [replace(out, priority=seller_priority(command.about))]

    def note(
        self, about: str, text: str, profile: Profile | None = None, *, buttons: bool = False
    ) -> list[Outgoing]:
        """A text about buyer ``about``; with ``profile`` it opens their topic if needed."""
        return self.post(
            SellerNote(
                about,
                text,
                topic_name=topic_name(profile) if profile is not None else None,
                options=seller_buttons(self.language, about) if buttons else (),
            )
        )

    def handoff(
        self,
        about: str,
        profile: Profile,
        reason: str,
        history: Sequence[Mapping[str, Any]],
    ) -> list[Outgoing]:
        text = notification(self.language, profile, reason, history)
        return self.note(about, text, profile, buttons=True)

    def told(self, about: str, action: NotifySeller, contact: Contact | None) -> list[Outgoing]:
        """The engine's ``NotifySeller`` in words: who took the chat, a reminder ..."""
        profile = profile_of(contact)
        if action.kind == "order":  # the order flow's own words (shop language)
            return self.note(about, action.text, profile)
        text = seller_text(
            self.language,
            action.kind,
            buyer=profile.display if profile else about.split(":", 1)[-1],
            seller=action.seller or "",
            minutes=str(action.waited_minutes),
            hours=f"{self.idle_hours:g}",
        )
        # taken over from the chat list: give the buyer a topic
        shown = profile if action.kind == "claimed" else None
        return self.note(about, text, shown, buttons=action.kind == "reminder")

    def text_only(self, about: str, channel: str) -> list[Outgoing]:
        hint = seller_text(self.language, "text_only", channel=channel_name(channel))
        return self.note(about, hint)

    def not_delivered(self, about: str, error: str) -> list[Outgoing]:
        return self.note(about, seller_text(self.language, "not_delivered", error=error))

    def chat_list(self, chats: Sequence[Mapping[str, Any]], search: str) -> Say:
        """/chats: the latest buyers, each with a "Take over" button; ``/chats siti`` or
        ``/chats 0812`` looks for a buyer among all of them."""
        lines = [seller_text(self.language, "chats_found" if search else "chats", search=search)]
        options = []
        for chat in chats:
            name = Profile.from_dict(chat).display
            state = "🔔" if chat["stage"] == "handed_off" else "🤖"
            lines.append(f"{state} {name} · {channel_name(chat['channel'])}")
            options.append((f"{TAKE}{chat['chat_key']}", f"🙋 {name}"))
        if not chats:
            key = "no_match" if search else "no_chats"
            lines.append(seller_text(self.language, key, search=search))
        return Say("\n".join(lines), tuple(options))

    def orphan(self, reply_to: str | None) -> Say:
        """A seller's message that names no buyer: how to answer one."""
        return Say(seller_text(self.language, "orphan"), reply_to=reply_to)


def profile_of(contact: Contact | None) -> Profile | None:
    return None if contact is None else Profile.from_dict(asdict(contact))


# -- /saran: FAQ suggestions in the seller chat (issue 12) ---------------------------------

SARAN = "saran"  # the command, and its buttons' prefix: saran:add:<id>, saran:skip:<id>
SARAN_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "head": "💡 Saran FAQ dari pertanyaan pembeli yang belum terjawab:",
        "none": "💡 Belum ada saran FAQ. Bot menjawab semua pertanyaan minggu ini.",
        "add_question": "“{question}” ({count} pembeli) → tambahkan ke “{entry}”",
        "new_entry": "“{question}” ({count} pembeli) → entri baru, jawaban: “{answer}”",
        "add_handoff_word": "“{question}” ({count} pembeli) → kata untuk memanggil admin",
        "add": "➕ Tambah {n}",
        "skip": "⏭ Lewati {n}",
        "more": "Lebih lengkap (ubah teks, entri baru): halaman Saran FAQ di inbox web.",
        "added": "✅ Ditambahkan ke FAQ ({entry}); bot langsung memakainya.",
        "skipped": "⏭ Dilewati; saran ini tidak muncul lagi.",
        "refused": "⚠️ FAQ tidak diubah: {error}",
        "gone": "ℹ️ Saran ini sudah tidak ada (sudah diterima atau dilewati).",
    },
    "ms": {
        "head": "💡 Cadangan FAQ daripada soalan pembeli yang belum dijawab:",
        "none": "💡 Tiada cadangan FAQ. Bot menjawab semua soalan minggu ini.",
        "add_question": "“{question}” ({count} pembeli) → tambah kepada “{entry}”",
        "new_entry": "“{question}” ({count} pembeli) → entri baharu, jawapan: “{answer}”",
        "add_handoff_word": "“{question}” ({count} pembeli) → perkataan untuk panggil admin",
        "add": "➕ Tambah {n}",
        "skip": "⏭ Langkau {n}",
        "more": "Lebih lengkap (ubah teks, entri baharu): halaman Saran FAQ dalam inbox web.",
        "added": "✅ Ditambah ke FAQ ({entry}); bot terus menggunakannya.",
        "skipped": "⏭ Dilangkau; cadangan ini tidak muncul lagi.",
        "refused": "⚠️ FAQ tidak diubah: {error}",
        "gone": "ℹ️ Cadangan ini sudah tiada (sudah diterima atau dilangkau).",
    },
    "en": {
        "head": "💡 FAQ suggestions from buyers' unanswered questions:",
        "none": "💡 No FAQ suggestions: the bot answered every question this week.",
        "add_question": "“{question}” ({count} buyers) → add to “{entry}”",
        "new_entry": "“{question}” ({count} buyers) → new entry, answer: “{answer}”",
        "add_handoff_word": "“{question}” ({count} buyers) → a way to ask for a person",
        "add": "➕ Add {n}",
        "skip": "⏭ Skip {n}",
        "more": "More (edit the text, new entries): the Saran FAQ page of the web inbox.",
        "added": "✅ Added to the FAQ ({entry}); the bot uses it right away.",
        "skipped": "⏭ Skipped; this suggestion will not come back.",
        "refused": "⚠️ The FAQ was not changed: {error}",
        "gone": "ℹ️ This suggestion is gone (accepted or skipped already).",
    },
}


def _saran_text(language: str, key: str, **values: object) -> str:
    texts = SARAN_TEXTS.get(language, SARAN_TEXTS["id"])
    return texts[key].format(**values)


def saran_list(
    language: str,
    found: Sequence[Suggestion],
    effects: Mapping[str, Sequence[SideEffect]] | None = None,
) -> Say:
    """/saran: the top suggestions, numbered, each with Add and Skip buttons (callback
    data ``saran:add:<id>``: 23 bytes, well under Telegram's 64), and under each what
    accepting it would undo (``effects`` by suggestion id)."""
    if not found:
        return Say(_saran_text(language, "none"))
    lines = [_saran_text(language, "head")]
    options: list[tuple[str, str]] = []
    for n, s in enumerate(found, 1):
        if isinstance(s, AddHandoffWord):
            line = _saran_text(language, s.kind, question=s.phrase, count=s.count)
        elif isinstance(s, AddQuestion):
            line = _saran_text(
                language, s.kind, question=s.question, count=s.count, entry=s.entry_id
            )
        else:
            answer = " ".join((s.draft_answer or "").split())[:120]
            line = _saran_text(language, s.kind, question=s.question, count=s.count, answer=answer)
        lines.append(f"{n}. {line}")
        lines += [f"   ⚠️ {w}" for w in side_effect_lines(language, (effects or {}).get(s.id, ()))]
        options += [
            (f"{SARAN}:add:{s.id}", _saran_text(language, "add", n=n)),
            (f"{SARAN}:skip:{s.id}", _saran_text(language, "skip", n=n)),
        ]
    lines += ["", _saran_text(language, "more")]
    return Say("\n".join(lines), tuple(options))


def saran_done(language: str, key: str, detail: str) -> str:
    """What a tap on Add or Skip did: added (to ``detail``), skipped, refused (why)."""
    return _saran_text(language, key, entry=detail, error=detail)
