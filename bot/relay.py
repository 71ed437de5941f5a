"""Photos and files across platforms: what to pass on, and fetching then uploading it."""

from __future__ import annotations

from bot.channels.base import Sent
from bot.channels.telegram import TelegramChannel
from bot.channels.whatsapp import WhatsAppChannel
from bot.commands import (
    Command,
    CopyMessage,
    RelayFile,
    SellerCommand,
    SellerForward,
    SellerUpload,
)
from bot.errors import DeliveryFailed
from bot.events import BuyerEvent, SellerEvent

TEXT_KINDS = ("text", "choice")


def from_buyer(chat_key: str, event: BuyerEvent) -> SellerCommand | None:
    """A buyer's photo, voice note or file for the seller chat (None: pass on the text):
    forwarded from Telegram, uploaded from WhatsApp."""
    channel = event.profile.channel
    if channel == "telegram" and event.kind not in TEXT_KINDS and event.platform_id:
        return SellerForward(chat_key, event.profile.external_id, event.platform_id)
    if channel == "whatsapp" and event.file is not None:
        caption = f"{event.profile.display}: {event.text}".strip(": ")
        f = event.file
        return SellerUpload(chat_key, f.media_id, event.kind, caption, f.mime, f.filename)
    return None


def from_seller(channel: str, event: SellerEvent) -> Command | None:
    """A seller's photo or file for a buyer on ``channel`` (None: it cannot reach them):
    copied within Telegram, uploaded to WhatsApp."""
    if event.original is not None and channel == "telegram":
        return CopyMessage(event.original.chat, event.original.message_id)
    if event.file is not None and channel == "whatsapp":
        f = event.file
        return RelayFile(
            f.file_id,
            f.kind,
            text=event.text or f"[{f.kind}]",
            caption=event.text or None,
            mime=f.mime,
            filename=f.filename,
        )
    return None


class MediaRelay:
    """Fetches a file from one platform and uploads it to the other."""

    def __init__(self, telegram: TelegramChannel | None, whatsapp: WhatsAppChannel | None) -> None:
        self.telegram = telegram
        self.whatsapp = whatsapp

    async def to_buyer(self, to: str, command: RelayFile) -> Sent:
        """A seller's Telegram file to a WhatsApp buyer."""
        if self.telegram is None or self.whatsapp is None:
            raise DeliveryFailed("a seller's file needs both Telegram and WhatsApp on")
        data = await self.telegram.download(command.file_id)
        mime = command.mime or "application/octet-stream"
        return await self.whatsapp.send_file(
            to, data, command.media_kind, mime, command.caption, command.filename
        )

    async def to_seller_chat(self, chat: str, command: SellerUpload) -> Sent:
        """A WhatsApp buyer's file into the seller chat (in the buyer's topic)."""
        if self.telegram is None or self.whatsapp is None:
            raise DeliveryFailed("no WhatsApp channel to fetch the buyer's file from")
        data, _mime = await self.whatsapp.download(command.media_id)
        return await self.telegram.send_file(
            chat,
            data,
            command.media_kind or "document",
            command.caption,
            filename=command.filename,
            thread_id=command.thread_id,
        )
