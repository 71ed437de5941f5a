"""Where each outgoing command goes: the buyer's channel, the seller desk, the media relay."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.base import Channel, Sent
from bot.commands import (
    AckTap,
    Command,
    CopyMessage,
    MarkRead,
    RelayFile,
    Say,
    SellerForward,
    SellerNote,
    SellerUpload,
)
from bot.desk import SellerDesk
from bot.errors import DeliveryFailed
from bot.relay import MediaRelay
from bot.seller import SellerChat
from bot.store.base import Outgoing


class Delivery:
    """What the outbox hands each command to, and asks what to do when one is given up."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        desk: SellerDesk | None,
        relay: MediaRelay,
        seller: SellerChat,
    ) -> None:
        self.channels = channels
        self.desk = desk
        self.relay = relay
        self.seller = seller

    async def send(self, lane: str, command: Command) -> Sent:
        """``command`` to the chat ``lane`` names ("<channel>:<id>")."""
        name, _, to = lane.partition(":")
        match command:
            case SellerNote() | SellerForward() | SellerUpload():
                if self.desk is None:
                    raise DeliveryFailed("no seller chat configured (seller.telegram_chat_id)")
                return await self.desk.post(command)
            case RelayFile():
                return await self.relay.to_buyer(to, command)
            case Say() | AckTap() | MarkRead() | CopyMessage():
                channel = self.channels.get(name)
                if channel is None:
                    raise DeliveryFailed(f"the {name} channel is not configured")
                return await channel.send(to, command)

    def given_up(self, lane: str, command: Command, error: str) -> list[Outgoing]:
        """A seller's answer that will never arrive: tell the sellers, not only the log."""
        from_seller = isinstance(command, CopyMessage | RelayFile) or (
            isinstance(command, Say) and command.by_seller
        )
        return self.seller.not_delivered(lane, error) if from_seller else []
