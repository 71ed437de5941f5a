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
        "paused_spam": "⏸️ WhatsApp membatasi nomor toko: pembeli memblokir atau melaporkan "
        "pesannya sebagai spam. Pengiriman lewat WhatsApp dijeda {wait}. Balasan untuk "
        "pembeli tidak hilang: menunggu dan dikirim setelah jeda (yang tetap ditolak "
        "4 kali dibatalkan). Periksa quality rating nomor ini di WhatsApp Manager. "
        "Detail: {error}",
        "paused_calls": "⏸️ Jatah panggilan API WhatsApp toko habis untuk sementara. "
        "Pengiriman lewat WhatsApp dijeda {wait}; balasan untuk pembeli tidak hilang: "
        "menunggu dan dikirim setelah jeda. Periksa apakah aplikasi atau alat lain memakai "
        "akun WhatsApp Business atau aplikasi Meta yang sama (Meta App Dashboard). "
        "Detail: {error}",
        "paused": "⏸️ WhatsApp terus menolak pesan toko karena terlalu banyak. Pengiriman "
        "lewat WhatsApp dijeda {wait}; balasan untuk pembeli tidak hilang: menunggu dan "
        "dikirim setelah jeda. Periksa batas kirim nomor ini di WhatsApp Manager. "
        "Detail: {error}",
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
        "paused_spam": "⏸️ WhatsApp mengehadkan nombor kedai: pembeli menyekat atau "
        "melaporkan mesejnya sebagai spam. Penghantaran melalui WhatsApp dijeda {wait}. "
        "Balasan untuk pembeli tidak hilang: menunggu dan dihantar selepas jeda (yang "
        "tetap ditolak 4 kali dibatalkan). Semak quality rating nombor ini di WhatsApp "
        "Manager. Butiran: {error}",
        "paused_calls": "⏸️ Kuota panggilan API WhatsApp kedai habis buat sementara. "
        "Penghantaran melalui WhatsApp dijeda {wait}; balasan untuk pembeli tidak hilang: "
        "menunggu dan dihantar selepas jeda. Semak sama ada aplikasi atau alat lain "
        "menggunakan akaun WhatsApp Business atau aplikasi Meta yang sama (Meta App "
        "Dashboard). Butiran: {error}",
        "paused": "⏸️ WhatsApp terus menolak mesej kedai kerana terlalu banyak. Penghantaran "
        "melalui WhatsApp dijeda {wait}; balasan untuk pembeli tidak hilang: menunggu dan "
        "dihantar selepas jeda. Semak had penghantaran nombor ini di WhatsApp Manager. "
        "Butiran: {error}",
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
        "paused_spam": "⏸️ WhatsApp restricts the shop's number: buyers blocked or reported "
        "its messages as spam. Sending on WhatsApp is paused for {wait}. Replies to buyers "
        "are not lost: they wait and go after the pause (one refused 4 times is given "
        "up). Check the number's quality rating in WhatsApp Manager. Details: {error}",
        "paused_calls": "⏸️ The shop's WhatsApp API calls are used up for now. Sending on "
        "WhatsApp is paused for {wait}; replies to buyers are not lost: they wait and go "
        "after the pause. Check whether other apps or tools use the same WhatsApp Business "
        "Account or Meta app (Meta App Dashboard). Details: {error}",
        "paused": "⏸️ WhatsApp keeps refusing the shop's messages as too many. Sending on "
        "WhatsApp is paused for {wait}; replies to buyers are not lost: they wait and go "
        "after the pause. Check the number's messaging limits in WhatsApp Manager. "
        "Details: {error}",
    },
}


def shop_text(language: str, key: str, **values: str) -> str:
    return TEXTS.get(language, TEXTS["id"])[key].format(**values)


# a wait as sellers read it: minutes and hours in the shop's language
_UNITS: Mapping[str, tuple[str, str, str]] = {
    "id": ("detik", "menit", "jam"),
    "ms": ("saat", "minit", "jam"),
    "en": ("s", "min", "h"),
}


def shop_duration(language: str, seconds: float) -> str:
    """``seconds`` as a shop owner reads them: "10 menit", "1 jam", "1 jam 30 menit" (in
    English also the outbox's log: "4 s", "10 min", "1 h 30 min")."""
    second, minute, hour = _UNITS.get(language, _UNITS["id"])
    if seconds < 60:
        return f"{seconds:.3g} {second}"
    hours, minutes = divmod(round(seconds / 60), 60)
    if not hours:
        return f"{minutes} {minute}"
    return f"{hours} {hour} {minutes} {minute}" if minutes else f"{hours} {hour}"


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


__all__ = ["WINDOW", "ShopMessages", "shop_duration", "shop_text", "warn_at"]
