"""Posting into the seller chat: each buyer's forum topic, and which post stands for whom."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.channels.base import Sent
from bot.channels.telegram import TelegramChannel
from bot.commands import SellerCommand, SellerNote, SellerUpload
from bot.errors import DeliveryFailed
from bot.relay import MediaRelay
from bot.store.base import SellerLinks

log = logging.getLogger("japri.seller")


class SellerDesk:
    """Posts about buyers in the seller chat, in the buyer's forum topic when the chat has
    topics, and remembers which posted message (and topic) stands for which buyer, so a
    seller's reply finds its buyer."""

    def __init__(
        self,
        links: SellerLinks,
        telegram: TelegramChannel,
        seller_chat: str,
        relay: MediaRelay,
    ) -> None:
        self.links = links
        self.telegram = telegram
        self.seller_chat = seller_chat
        self.relay = relay  # uploads a WhatsApp buyer's photo or file
        self.topics: bool | None = None  # whether the chat has topics: unknown until tried

    async def post(self, command: SellerCommand) -> Sent:
        about = command.about
        thread = await self.links.topic_of(self.seller_chat, about)
        topic = command.topic_name if isinstance(command, SellerNote) else None
        if thread is None and topic and self.topics is not False:
            thread = await self.telegram.create_topic(self.seller_chat, topic)
            self.topics = thread is not None
            if thread is not None:
                await self.links.link(self.seller_chat, "topic", thread, about)
        try:
            sent = await self._send(replace(command, thread_id=thread))
        except DeliveryFailed as exc:
            if thread is None or "thread" not in str(exc).lower():
                raise
            log.warning("seller topic %s is gone; posting without it", thread)
            await self.links.link(self.seller_chat, "topic", thread, "")  # forget it
            sent = await self._send(replace(command, thread_id=None))
        if sent.platform_id is not None:
            await self.links.link(self.seller_chat, "message", sent.platform_id, about)
        return sent

    async def _send(self, command: SellerCommand) -> Sent:
        if isinstance(command, SellerUpload):
            return await self.relay.to_seller_chat(self.seller_chat, command)
        return await self.telegram.send(self.seller_chat, command)
