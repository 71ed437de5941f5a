"""The seller chat on Telegram: handoff notifications, buyer messages passed on, topics."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.channels.base import Profile, Sent
from bot.channels.telegram import TelegramChannel
from bot.errors import DeliveryFailed
from bot.store.base import OutboxRow, Store

log = logging.getLogger("japri.seller")

_CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp", "web": "web chat"}

# What sellers read, in the shop's language.
SELLER_TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "notify": "🔔 {buyer} ({channel}) perlu dibantu penjual: {reason}.",
        "recent": "Pesan terakhir:",
        "how": "Balas di topik ini (atau reply pesan ini) untuk menjawab pembeli; "
        "/done mengembalikan chat ke bot.",
        "released": "✅ Chat dengan {buyer} kembali ke bot.",
        "orphan": "ℹ️ Pesan ini tidak terkirim ke pembeli mana pun. Balas di topik pembeli "
        "atau reply pesan bot tentang pembeli itu.",
        "text_only": "ℹ️ Ke pembeli {channel} baru bisa dikirim teks; foto/file belum.",
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
        "notify": "🔔 {buyer} ({channel}) perlukan bantuan penjual: {reason}.",
        "recent": "Mesej terakhir:",
        "how": "Balas dalam topik ini (atau reply mesej ini) untuk menjawab pembeli; "
        "/done serahkan semula chat kepada bot.",
        "released": "✅ Chat dengan {buyer} kembali kepada bot.",
        "orphan": "ℹ️ Mesej ini tidak sampai kepada mana-mana pembeli. Balas dalam topik "
        "pembeli atau reply mesej bot tentang pembeli itu.",
        "text_only": "ℹ️ Pembeli {channel} hanya boleh terima teks buat masa ini.",
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
        "notify": "🔔 {buyer} ({channel}) needs a seller: {reason}.",
        "recent": "Recent messages:",
        "how": "Answer in this topic (or reply to this message) to write to the buyer; "
        "/done gives the chat back to the bot.",
        "released": "✅ The chat with {buyer} is back with the bot.",
        "orphan": "ℹ️ This message reached no buyer. Write in a buyer's topic or reply to "
        "one of the bot's messages about that buyer.",
        "text_only": "ℹ️ Only text reaches {channel} buyers for now; photos and files don't.",
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
    return texts[key].format(**values)


def channel_name(channel: str) -> str:
    return _CHANNEL_NAMES.get(channel, channel)


def notification(
    language: str,
    profile: Profile,
    reason: str,
    history: Sequence[Mapping[str, Any]],
) -> str:
    """What the seller chat reads when a buyer is handed over."""
    texts = SELLER_TEXTS.get(language, SELLER_TEXTS["id"])
    lines = [
        seller_text(
            language,
            "notify",
            buyer=profile.display,
            channel=channel_name(profile.channel),
            reason=texts.get(reason, reason),
        )
    ]
    if history:
        lines += ["", texts["recent"]]
        for item in history:
            who = texts["buyer"] if item.get("direction") == "in" else texts["bot"]
            text = " ".join(str(item.get("text") or f"[{item.get('kind')}]").split())
            lines.append(f"{who} {text[:300]}")
    lines += ["", texts["how"]]
    return "\n".join(lines)


class SellerDesk:
    """Posts about buyers in the seller chat, in the buyer's forum topic when the chat has
    topics, and remembers which posted message (and topic) stands for which buyer."""

    def __init__(self, store: Store, telegram: TelegramChannel, seller_chat: str) -> None:
        self.store = store
        self.telegram = telegram
        self.seller_chat = seller_chat
        self.topics: bool | None = None  # unknown until the first try

    async def post(self, row: OutboxRow) -> Sent:
        payload = row.payload
        about = str(payload["about"])
        thread = await self.store.topic_of(self.seller_chat, about)
        if thread is None and payload.get("topic_name") and self.topics is not False:
            thread = await self.telegram.create_topic(self.seller_chat, payload["topic_name"])
            self.topics = thread is not None
            if thread is not None:
                await self.store.link(self.seller_chat, "topic", thread, about)
        call = dict(payload, op=payload.get("send_op", "say"), thread_id=thread)
        try:
            sent = await self.telegram.send(self.seller_chat, call)
        except DeliveryFailed as exc:
            if thread is None or "thread" not in str(exc).lower():
                raise
            log.warning("seller topic %s is gone; posting without it", thread)
            await self.store.link(self.seller_chat, "topic", thread, "")  # forget it
            sent = await self.telegram.send(self.seller_chat, dict(call, thread_id=None))
        if sent.platform_id is not None:
            await self.store.link(self.seller_chat, "message", sent.platform_id, about)
        return sent
