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
    queued,
)
from bot.desk import SellerDesk
from bot.errors import (
    ChannelError,
    DeliveryFailed,
    OutsideReplyWindow,
    RateLimited,
    Unreachable,
)
from bot.relay import MediaRelay
from bot.seller import SellerChat
from bot.shop_messages import ShopMessages, preview, shop_duration, shop_text, warn_at
from bot.store.base import Outgoing


class Delivery:
    """What the outbox hands each command to, and asks what to do when one is given up."""

    def __init__(
        self,
        channels: Mapping[str, Channel],
        desk: SellerDesk | None,
        relay: MediaRelay,
        seller: SellerChat,
        *,
        shop: ShopMessages | None = None,
        allowance: int = 0,
    ) -> None:
        self.channels = channels
        self.desk = desk
        self.relay = relay
        self.seller = seller
        self.shop = shop  # messages the shop starts (window, template, held, opt-out)
        self.warn_at = warn_at(allowance)  # WhatsApp messages a month: warn the seller
        self.allowance = allowance

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
                if self.shop is None:
                    return await channel.send(to, command)
                try:
                    if isinstance(command, Say) and command.initiated:
                        return await self.shop.send(lane, command, channel)
                    return await channel.send(to, command)
                except Unreachable as exc:  # blocked the bot: mark them, tell sellers once
                    first = await self.shop.store.mark_reach(
                        lane, self.shop.wall(), unreachable=True
                    )
                    raise Unreachable(str(exc), first=first) from None
                except OutsideReplyWindow:  # a reply too late: the shop's next message
                    # goes straight as the template (or is held), without a wasted try
                    await self.shop.store.mark_reach(lane, self.shop.wall(), window_closed=True)
                    raise

    def given_up(
        self, lane: str, command: Command, error: ChannelError, *, told: bool = False
    ) -> list[Outgoing]:
        """A seller's answer that will never arrive, a message the shop started that did
        not go out (held, refused, not attempted), a reply the platform kept refusing as
        too many, a buyer who blocked the bot: tell the sellers, not only the log.

        ``told``: the refusal came during a pause of the channel the sellers were told of
        (``paused``); a reply of the bot's given up then is only logged, so that a limit
        of the whole number costs the seller chat one note a pause, not one a buyer. A
        seller's own message, or one the shop started, is still told."""
        from_seller = isinstance(command, CopyMessage | RelayFile) or (
            isinstance(command, Say) and command.by_seller
        )
        if from_seller:
            return self.seller.not_delivered(lane, str(error))
        if (
            isinstance(command, Say)
            and isinstance(error, RateLimited)
            and lane != self.seller.lane
            and (command.initiated or not told)  # a bot reply in a pause: told of it
        ):
            # a reply the platform kept refusing as too many (WhatsApp's spam restriction,
            # 131048, above all): the sellers are told which one, and why
            text = shop_text(
                self.seller.language, "failed", error=str(error), preview=preview(command)
            )
            return self.seller.note(lane, text)
        shop = self.shop
        if shop is None or not isinstance(command, Say):
            return []
        if not (command.initiated or isinstance(error, Unreachable)):
            return []
        words = shop.seller_words(self.seller.language, command, error)
        return self.seller.note(lane, words) if words else []

    def paused(self, channel: str, error: RateLimited, seconds: float) -> list[Outgoing]:
        """A limit of the whole number pauses ``channel``'s sends for ``seconds``: the
        sellers are told once a pause, how long and what to check."""
        if self.seller.lane is None or error.pause is None:
            return []
        language = self.seller.language
        text = shop_text(
            language, error.pause, wait=shop_duration(language, seconds), error=str(error)
        )
        return [queued(self.seller.lane, Say(text))]

    def counted(self, channel: str, count: int) -> list[Outgoing]:
        """``count`` messages went out on ``channel`` this month: at 80 % of WhatsApp's
        allowance the sellers are told, once (the count passes that number once)."""
        if channel != "whatsapp" or count != self.warn_at or self.seller.lane is None:
            return []
        text = shop_text(
            self.seller.language, "allowance", count=str(count), allowance=str(self.allowance)
        )
        return [queued(self.seller.lane, Say(text))]
