"""Messages the shop starts (order news): how each reaches the buyer, or why it does not.

WhatsApp lets a business write freely only within 24 hours of the buyer's last message;
outside that window only an approved template goes through (131047 otherwise). So a
message the shop starts goes as text while the window is open, else as its configured
template (``whatsapp.templates``), else it is held until the buyer writes again. Japri
keeps its own 24-hour clock from the buyer's last message and also believes the platform
when it says the window closed (at once, or later in a ``failed`` status). Nothing the
shop starts goes to a buyer who opted out or blocked the bot; the seller is told.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping

from bot.channels.base import Channel, Sent, shorten
from bot.channels.whatsapp import WhatsAppChannel
from bot.commands import Say
from bot.errors import Held, NotSent, OutsideReplyWindow, TemplateRefused, Unreachable
from bot.store.base import ShopReach

WINDOW = 24 * 3600.0  # WhatsApp's customer-service window
WARN_AT = 0.8  # of whatsapp.monthly_allowance

# What sellers read about it, in the shop's language.
TEXTS: Mapping[str, Mapping[str, str]] = {
    "id": {
        "held": "⏸️ Pesan toko untuk pembeli ini ditahan: sudah lebih dari 24 jam sejak "
        "pembeli terakhir menulis, dan WhatsApp hanya menerima template yang disetujui "
        "(belum diatur: whatsapp.templates.{template}). Pesan dikirim begitu pembeli "
        "membalas.\n“{preview}”",
        "template": "⚠️ Pesan toko tidak terkirim: WhatsApp menolak template “{template}”. "
        "Periksa template itu di WhatsApp Manager (disetujui? bahasanya? jumlah "
        "parameternya?) dan whatsapp.templates di config.yaml. Detail: {error}\n“{preview}”",
        "opted_out": "🔕 Pesan toko tidak dikirim: pembeli ini sudah minta tidak dikirimi "
        "pesan lagi.\n“{preview}”",
        "blocked": "🚫 Pembeli ini memblokir bot, pesan tidak bisa sampai. Pesan toko "
        "berikutnya tidak dikirim sampai pembeli menulis lagi.\n“{preview}”",
        "unreachable": "🚫 Pesan toko tidak dikirim: pembeli ini memblokir bot.\n“{preview}”",
        "failed": "⚠️ Pesan toko tidak sampai ke pembeli: {error}\n“{preview}”",
        "allowance": "📊 WhatsApp: {count} pesan terkirim bulan ini, sudah 80% dari batas "
        "{allowance} (whatsapp.monthly_allowance). WhatsApp menagih per pesan, balasan "
        "juga.",
    },
    "ms": {
        "held": "⏸️ Mesej kedai untuk pembeli ini ditahan: sudah lebih 24 jam sejak pembeli "
        "terakhir menulis, dan WhatsApp hanya menerima templat yang diluluskan (belum "
        "ditetapkan: whatsapp.templates.{template}). Mesej dihantar sebaik pembeli "
        "membalas.\n“{preview}”",
        "template": "⚠️ Mesej kedai tidak dihantar: WhatsApp menolak templat “{template}”. "
        "Semak templat itu di WhatsApp Manager (diluluskan? bahasanya? bilangan "
        "parameter?) dan whatsapp.templates dalam config.yaml. Butiran: {error}\n“{preview}”",
        "opted_out": "🔕 Mesej kedai tidak dihantar: pembeli ini sudah minta tidak dihantar "
        "mesej lagi.\n“{preview}”",
        "blocked": "🚫 Pembeli ini menyekat bot, mesej tidak dapat sampai. Mesej kedai "
        "seterusnya tidak dihantar sehingga pembeli menulis semula.\n“{preview}”",
        "unreachable": "🚫 Mesej kedai tidak dihantar: pembeli ini menyekat bot.\n“{preview}”",
        "failed": "⚠️ Mesej kedai tidak sampai kepada pembeli: {error}\n“{preview}”",
        "allowance": "📊 WhatsApp: {count} mesej dihantar bulan ini, sudah 80% daripada had "
        "{allowance} (whatsapp.monthly_allowance). WhatsApp mengenakan caj setiap mesej, "
        "balasan juga.",
    },
    "en": {
        "held": "⏸️ The shop's message for this buyer is held: more than 24 hours have passed "
        "since they last wrote, and WhatsApp then takes only an approved template (none "
        "set: whatsapp.templates.{template}). It goes out as soon as the buyer writes "
        "again.\n“{preview}”",
        "template": "⚠️ The shop's message was not sent: WhatsApp refused the template "
        "“{template}”. Check it in WhatsApp Manager (approved? its language? the number of "
        "parameters?) and whatsapp.templates in config.yaml. Details: {error}\n“{preview}”",
        "opted_out": "🔕 The shop's message was not sent: this buyer asked for no more "
        "messages.\n“{preview}”",
        "blocked": "🚫 This buyer blocked the bot; messages cannot reach them. The shop's next "
        "messages will not be sent until they write again.\n“{preview}”",
        "unreachable": "🚫 The shop's message was not sent: this buyer blocked the bot."
        "\n“{preview}”",
        "failed": "⚠️ The shop's message did not reach the buyer: {error}\n“{preview}”",
        "allowance": "📊 WhatsApp: {count} messages sent this month, 80% of the allowance of "
        "{allowance} (whatsapp.monthly_allowance). WhatsApp charges per message, replies "
        "included.",
    },
}


def shop_text(language: str, key: str, **values: str) -> str:
    return TEXTS.get(language, TEXTS["id"])[key].format(**values)


def preview(say: Say) -> str:
    return shorten(say.text, 120)


def warn_at(allowance: int) -> int | None:
    """The monthly count at which the seller is warned (None: never)."""
    return max(math.ceil(allowance * WARN_AT), 1) if allowance > 0 else None


class ShopMessages:
    """Sends one message the shop starts (``Say(initiated=True)``) to a buyer's chat.

    Raises (from ``send``): ``NotSent`` (opted out, blocked the bot: not attempted),
    ``Held`` (WhatsApp window closed, no template: keep it for when the buyer writes),
    ``TemplateRefused``, ``Unreachable`` and the channel's other errors.
    """

    def __init__(
        self,
        store: ShopReach,
        whatsapp: WhatsAppChannel | None,
        *,
        wall: Callable[[], float] = time.time,
        window: float = WINDOW,
    ) -> None:
        self.store = store
        self.whatsapp = whatsapp
        self.wall = wall
        self.window = window

    async def send(self, lane: str, say: Say, channel: Channel) -> Sent:
        name, _, to = lane.partition(":")
        reach = await self.store.reach(lane)
        if reach.opted_out:
            raise NotSent("the buyer asked for no more messages from the shop", "opted_out")
        if reach.unreachable:
            raise NotSent("the buyer blocked the bot", "unreachable")
        if name != "whatsapp" or self.whatsapp is None:
            return await channel.send(to, say)
        if reach.window_open(self.wall(), self.window):
            try:
                return await channel.send(to, say)
            except OutsideReplyWindow:  # its clock, not ours, decides: believe it
                await self.store.mark_reach(lane, self.wall(), window_closed=True)
        sent = await self.whatsapp.send_template(to, say)
        if sent is None:
            raise Held(
                f"WhatsApp: outside the 24-hour window and no whatsapp.templates."
                f"{say.template or 'order_update'} configured; held until the buyer writes"
            )
        return sent

    def seller_words(self, language: str, say: Say, exc: Exception) -> str | None:
        """What the seller chat is told when ``say`` did not go out now (None: nothing)."""
        shown = preview(say)
        template = say.template or "order_update"
        match exc:
            case Held():
                return shop_text(language, "held", template=template, preview=shown)
            case NotSent(reason="opted_out"):
                return shop_text(language, "opted_out", preview=shown)
            case NotSent():
                return shop_text(language, "unreachable", preview=shown)
            case Unreachable(first=True):
                return shop_text(language, "blocked", preview=shown)
            case Unreachable():
                return None
            case TemplateRefused():
                configured = self.whatsapp.templates.get(template) if self.whatsapp else None
                name = configured.name if configured else template
                return shop_text(
                    language, "template", template=name, error=str(exc), preview=shown
                )
            case _:
                return shop_text(language, "failed", error=str(exc), preview=shown)


__all__ = ["WINDOW", "ShopMessages", "shop_text", "warn_at"]
