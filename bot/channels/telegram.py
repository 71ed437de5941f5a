"""Telegram: updates in (parsed by python-telegram-bot), Bot API calls out (its ``Bot``)."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import os
import re
import warnings
from collections.abc import Callable
from typing import Any, assert_never

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.channels.base import Inbound, SellerPost, Sent, shorten, split_text
from bot.channels.http import AiohttpRequest
from bot.commands import (
    AckTap,
    BuyerCommand,
    CopyMessage,
    MarkRead,
    Options,
    Say,
    SellerForward,
    SellerNote,
)
from bot.errors import ChannelError, DeliveryFailed, ParseError, RateLimited, Unreachable
from bot.events import BuyerEvent, MessageRef, Profile, SellerEvent, SellerFile
from flows.messages import MessageKind

NAME = "telegram"
CALLBACK_PREFIX = "faq:"
BUTTON_TITLE_LIMIT = 64
_CALLBACK_BYTES = 64
# Message fields that carry something other than text, and what the engine calls them.
_MEDIA_KINDS: dict[str, MessageKind] = {
    "photo": "photo",
    "animation": "photo",
    "video": "video",
    "video_note": "video",
    "voice": "voice",
    "audio": "audio",
    "document": "document",
    "sticker": "sticker",
    "location": "location",
    "contact": "contact",
}


def _kind(has: Callable[[str], bool], has_text: bool) -> MessageKind:
    """What a message is, from which of its fields are present."""
    for field, kind in _MEDIA_KINDS.items():
        if has(field):
            return kind
    return "text" if has_text else "other"


def chat_key(chat_id: int | str) -> str:
    return f"{NAME}:{chat_id}"


def secret_ok(expected: str | None, given: str | None) -> bool:
    """The webhook secret header, compared in constant time (no secret set: any)."""
    if not expected:
        return True
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def parse_update(
    data: dict[str, Any], bot: Bot | None, seller_chat: int | None
) -> Inbound | SellerPost | None:
    """One Bot API ``Update`` as an inbound buyer event, a seller post, or None (ignored).

    Raises:
        ParseError: the JSON is not an Update.
    """
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ParseError("not a Telegram Update (no update_id)")
    dedup = f"{NAME}:update:{data['update_id']}"
    plain = _plain_text(dedup, data, seller_chat)
    if plain is not None:  # perf: most updates; PTB's objects cost ~5 % of a message's CPU
        return plain
    try:
        return _parsed(dedup, Update.de_json(data, bot), seller_chat)
    except _UNBUILDABLE:
        # A shape python-telegram-bot cannot build (an older or newer Bot API, a field
        # missing or of another type, a date past the year 9999): still answer the buyer
        # from the plain fields rather than refuse it, which would make Telegram retry it
        # and hold back the chat's next updates.
        try:
            return _lenient(dedup, data, seller_chat)
        except _UNBUILDABLE as exc:
            raise ParseError(f"not a Telegram Update ({type(exc).__name__})") from None


# What building or reading an Update of an unexpected shape raises (a date of 1e20:
# OverflowError or OSError; a text that is an object: AttributeError)
_UNBUILDABLE = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError)


def _str(value: Any) -> str | None:
    """A field kept only when it is text (a username that is an object is dropped)."""
    return value if isinstance(value, str) else None


def _parsed(dedup: str, update: Update, seller_chat: int | None) -> Inbound | SellerPost | None:
    if update.callback_query is not None:
        return _tap(dedup, update.callback_query, seller_chat)
    message = update.message or update.edited_message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None  # channel posts, member updates, polls ...: nothing for a shop to answer
    if seller_chat is not None and message.chat.id == seller_chat:
        return _seller_post(dedup, message)
    if message.chat.type != "private":
        return None  # groups other than the seller chat are not the shop's buyers
    event = _buyer_event(message, edited=update.edited_message is not None)
    return Inbound(dedup, chat_key(message.chat.id), event)


def _plain_text(dedup: str, data: dict[str, Any], seller_chat: int | None) -> Inbound | None:
    """A buyer's plain private text message, read straight from the JSON; None for
    anything else (taps, media, groups, the seller chat, odd shapes), which PTB reads."""
    if len(data) != 2 or "message" not in data:
        return None
    message = data["message"]
    if not isinstance(message, dict) or not isinstance(message.get("text"), str):
        return None
    if any(field in message for field in _MEDIA_KINDS):
        return None
    if not isinstance(message.get("date"), int) or not isinstance(message.get("message_id"), int):
        return None
    return _lenient(dedup, data, seller_chat)


def _lenient(dedup: str, data: dict[str, Any], seller_chat: int | None) -> Inbound | None:
    """The buyer's private message read from the raw JSON: for plain text messages, and
    for updates PTB cannot parse."""
    edited = "message" not in data and "edited_message" in data
    message = data.get("message") or data.get("edited_message")
    if not isinstance(message, dict):
        return None
    chat, user = message.get("chat"), message.get("from")
    if not isinstance(chat, dict) or not isinstance(user, dict) or user.get("is_bot"):
        return None
    if chat.get("type") != "private" or not isinstance(chat.get("id"), int):
        return None  # groups are read through PTB only
    if chat["id"] == seller_chat:
        return None  # so is a private seller chat
    text = _str(message.get("text")) or _str(message.get("caption")) or ""
    kind = _kind(lambda field: field in message, isinstance(message.get("text"), str))
    if kind == "text" and text.startswith("/start"):
        text = "halo"  # a deep link or the Start button: the chat just opened
    name = " ".join(p for p in (_str(user.get("first_name")), _str(user.get("last_name"))) if p)
    event = BuyerEvent(
        profile=Profile(
            channel=NAME,
            external_id=str(chat.get("id")),
            name=name or None,
            username=_str(user.get("username")),
            language=_str(user.get("language_code")),
        ),
        kind=kind,
        text=text,
        platform_id=str(message.get("message_id", "")),
        edited=edited,
    )
    return Inbound(dedup, chat_key(chat["id"]), event)


def _profile(message: Message | CallbackQuery) -> Profile:
    user = message.from_user
    assert user is not None  # noqa: S101 - checked by the callers
    chat_id = message.chat.id if isinstance(message, Message) else user.id
    return Profile(
        channel=NAME,
        external_id=str(chat_id),
        name=" ".join(p for p in (_str(user.first_name), _str(user.last_name)) if p) or None,
        username=_str(user.username),
        language=_str(user.language_code),
    )


def _buyer_event(message: Message, edited: bool) -> BuyerEvent:
    text = message.text or message.caption or ""
    kind = _kind(lambda field: bool(getattr(message, field, None)), message.text is not None)
    if kind == "text" and text.startswith("/start"):
        text = "halo"  # a deep link or the Start button: the chat just opened
    if kind == "contact" and message.contact is not None:
        text = text or f"{message.contact.first_name} {message.contact.phone_number}"
    return BuyerEvent(
        profile=_profile(message),
        kind=kind,
        text=text,
        platform_id=str(message.message_id),
        edited=edited,
    )


# a seller's button: what it asks for (order: "Record order" under a draft order card)
_TAPS = {"take": "take", "back": "done", "saran": "saran", "order": "order_draft"}


def _seller_tap(dedup: str, query: CallbackQuery, data: str, seller_chat: int) -> SellerPost:
    """ "Take over" / "Back to bot" under a notification: ``take:<chat>`` / ``back:<chat>``."""
    action, _, about = data.partition(":")
    event = SellerEvent(
        command={"take": "take", "back": "done", "saran": "saran", "order": "order_draft"}.get(
            action, "unknown"
        ),
        seller_name=_str(query.from_user.first_name),
        tap_id=query.id,
        about=about or None,
    )
    return SellerPost(dedup, str(seller_chat), None, None, event)


def _tap(dedup: str, query: CallbackQuery, seller_chat: int | None) -> Inbound | SellerPost | None:
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    data = query.data or ""
    if seller_chat is not None and chat_id == seller_chat:
        return _seller_tap(dedup, query, data, seller_chat)
    if data.startswith("opt:") and data[4:].isdigit():  # a long id: the option's number
        event = BuyerEvent(_profile(query), "text", str(int(data[4:]) + 1), tap_id=query.id)
    else:
        choice = data.removeprefix(CALLBACK_PREFIX)
        event = BuyerEvent(_profile(query), "choice", "", choice=choice, tap_id=query.id)
    return Inbound(dedup, chat_key(chat_id), event)


def _seller_post(dedup: str, message: Message) -> SellerPost:
    text = message.text or message.caption or ""
    command = None
    if message.text and message.text.startswith("/"):
        command = message.text.split()[0].split("@")[0][1:].lower()
    user = message.from_user
    reply = message.reply_to_message
    thread = message.message_thread_id if message.is_topic_message else None
    media = message.text is None  # copied to Telegram buyers as it is, uploaded for others
    event = SellerEvent(
        text=text,
        command=command,
        seller_name=_str(user.first_name) if user else None,
        message_id=str(message.message_id),
        original=MessageRef(str(message.chat.id), str(message.message_id)) if media else None,
        file=_media_file(message) if media else None,
    )
    return SellerPost(
        dedup_key=dedup,
        seller_chat=str(message.chat.id),
        thread_id=None if thread is None else str(thread),
        reply_to=None if reply is None else str(reply.message_id),
        event=event,
    )


def _media_file(message: Message) -> SellerFile | None:
    """The file behind a photo, document, video or voice message (the largest photo)."""
    if message.photo:
        return SellerFile(message.photo[-1].file_id, "photo", "image/jpeg")
    for kind in ("document", "video", "voice", "audio"):
        item = getattr(message, kind, None)
        if item is not None:
            return SellerFile(
                item.file_id,
                kind,
                getattr(item, "mime_type", None) or "application/octet-stream",
                getattr(item, "file_name", None),
            )
    return None


@functools.lru_cache(maxsize=1024)  # a shop's FAQ offers a few dozen sets; PTB objects are frozen
def keyboard(options: Options) -> InlineKeyboardMarkup | None:
    """One button a row; callback_data carries the FAQ id (``faq:<id>``)."""
    if not options:
        return None
    rows = []
    for index, (option_id, title) in enumerate(options):
        # FAQ ids hold no ':'; ids that do (seller buttons, the "talk to a person" option)
        # are complete already
        data = option_id if ":" in option_id else CALLBACK_PREFIX + option_id
        if len(data.encode()) > _CALLBACK_BYTES:
            if ":" in option_id:
                continue  # a seller button too long to carry its buyer: left out
            data = f"opt:{index}"
        rows.append([InlineKeyboardButton(shorten(title, BUTTON_TITLE_LIMIT), callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None


class TelegramChannel:
    """Sends outbox payloads through python-telegram-bot's ``Bot``."""

    name = NAME

    def __init__(
        self,
        token: str,
        base_url: str,
        *,
        request: BaseRequest | None = None,
        updates_request: BaseRequest | None = None,
        pool_size: int = 64,
        seller_chat: str | None = None,
    ) -> None:
        # Opt in to python-telegram-bot's coming behaviour (durations as timedelta), so it
        # does not warn on every 429 it parses. It reads only this variable, when it
        # parses; set when a Telegram client is built, not when the module is imported.
        os.environ.setdefault("PTB_TIMEDELTA", "true")
        # ... and let it send a message without parsing the answer (see _say), quietly
        warnings.filterwarnings(
            "ignore", r"Please use 'Bot\.send_message'", PTBUserWarning, "bot.channels.telegram"
        )
        # Bot API calls go over aiohttp (see http.py), at most pool_size at once
        request = request or AiohttpRequest(pool_size)
        # Files live beside the API: .../bot -> .../file/bot (api.telegram.org and fakes alike)
        file_url = base_url[: -len("bot")] + "file/bot" if base_url.endswith("bot") else None
        self.bot = Bot(
            token,
            base_url=base_url,
            base_file_url=file_url or "https://api.telegram.org/file/bot",
            request=request,
            get_updates_request=updates_request,
        )
        self.seller_chat = int(seller_chat) if seller_chat else None

    def parse(self, data: Any) -> Inbound | SellerPost | None:
        """An update from a webhook or polling, as an event (None: not for us).

        Raises:
            ParseError: the JSON is not an Update.
        """
        return parse_update(data, self.bot, self.seller_chat)

    async def start(self) -> str | None:
        """Open the HTTP client and fetch the bot's identity; what Telegram said when it
        refused the token (None: accepted, or the API is away and sending retries later)."""
        try:
            await self.bot.initialize()
        except (InvalidToken, Forbidden) as exc:
            return str(exc) or type(exc).__name__
        except TelegramError:
            return None
        return None

    async def close(self) -> None:
        try:
            await self.bot.shutdown()
        except TelegramError:
            return

    async def send(self, to: str, command: BuyerCommand | SellerNote | SellerForward) -> Sent:
        try:
            match command:
                case Say():
                    return await self._say(
                        to, command.text, command.options, None, command.reply_to
                    )
                case SellerNote():
                    return await self._say(to, command.text, command.options, command.thread_id)
                case AckTap():
                    await self.bot.answer_callback_query(command.tap_id)
                    return Sent()
                case MarkRead():
                    return Sent()  # Telegram shows a bot's reads by itself
                case CopyMessage():
                    copied = await self.bot.copy_message(
                        to, command.from_chat, int(command.message_id)
                    )
                    return Sent(str(copied.message_id))
                case SellerForward():
                    message = await self.bot.forward_message(
                        to,
                        command.from_chat,
                        int(command.message_id),
                        message_thread_id=_thread(command.thread_id),
                    )
                    return Sent(str(message.message_id))
                case _:
                    assert_never(command)
        except TelegramError as exc:
            raise _translate(exc) from None

    async def _say(
        self,
        to: str,
        text: str,
        options: Options,
        thread: str | None,
        reply_to: str | None = None,
    ) -> Sent:
        pieces = split_text(text, 4096)
        markup = keyboard(options)
        last: str | None = None
        for number, piece in enumerate(pieces, start=1):
            params: dict[str, Any] = {"chat_id": to, "text": piece}
            if markup is not None and number == len(pieces):
                params["reply_markup"] = markup
            if thread:
                params["message_thread_id"] = int(thread)
            if reply_to and number == 1:
                params["reply_parameters"] = ReplyParameters(
                    int(reply_to), allow_sending_without_reply=True
                )
            # The raw answer, not a Message: building one cost ~8 % of a reply's CPU, and
            # only its id is kept.
            answer = await self.bot.do_api_request("send_message", api_kwargs=params)
            if isinstance(answer, dict) and answer.get("message_id") is not None:
                last = str(answer["message_id"])
        return Sent(last)

    async def download(self, file_id: str) -> bytes:
        """A file a seller posted (photos up to Telegram's 20 MB bot limit)."""
        try:
            file = await self.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise _translate(exc) from None

    async def send_file(
        self,
        to: str,
        data: bytes,
        kind: str,
        caption: str | None,
        filename: str | None = None,
        thread_id: str | None = None,
    ) -> Sent:
        """Upload a file into a chat: a photo, voice note, video or document."""
        caption = caption[:1024] if caption else None
        extra: dict[str, Any] = {"caption": caption, "message_thread_id": _thread(thread_id)}
        try:
            if kind == "photo":
                sent = await self.bot.send_photo(to, data, **extra)
            elif kind == "voice":
                sent = await self.bot.send_voice(to, data, **extra)
            elif kind == "video":
                sent = await self.bot.send_video(to, data, **extra)
            else:
                sent = await self.bot.send_document(to, data, filename=filename or "file", **extra)
        except TelegramError as exc:
            raise _translate(exc) from None
        return Sent(str(sent.message_id))

    async def create_topic(self, chat: str, name: str) -> str | None:
        """A forum topic in the seller chat; None when the chat has no topics."""
        try:
            topic = await self.bot.create_forum_topic(chat, shorten(name, 128))
        except BadRequest:
            return None
        except TelegramError as exc:
            raise _translate(exc) from None
        return str(topic.message_thread_id)

    async def set_webhook(self, url: str, secret: str | None) -> bool:
        try:
            return await self.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=["message", "edited_message", "callback_query"],
            )
        except TelegramError as exc:
            raise _translate(exc) from None

    async def get_updates(self, offset: int | None, wait: int) -> list[dict[str, Any]]:
        """Long polling: the raw updates, for the same path webhooks take."""
        try:
            updates = await self.bot.get_updates(
                offset=offset,
                timeout=wait,
                read_timeout=wait + 10,
                allowed_updates=["message", "edited_message", "callback_query"],
            )
        except TelegramError as exc:
            raise _translate(exc) from None
        return [u.to_dict() for u in updates]

    async def delete_webhook(self) -> None:
        try:
            await self.bot.delete_webhook()
        except TelegramError as exc:
            raise _translate(exc) from None


def _thread(thread_id: str | None) -> int | None:
    return int(thread_id) if thread_id else None


# 403s that mean a user is gone for the bot ("bot was blocked by the user", "user is
# deactivated"), unlike a group the bot was removed from
_GONE = re.compile(r"blocked by the user|user is deactivated", re.IGNORECASE)


def _translate(exc: TelegramError) -> ChannelError:
    """Telegram's errors, mapped once: what to retry, when, and what never to retry."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
        return RateLimited(f"Telegram: too many requests, retry after {seconds:g}s", seconds)
    if isinstance(exc, Forbidden) and _GONE.search(exc.message):
        return Unreachable(f"Telegram: {exc.message}")  # the buyer blocked the bot
    if isinstance(exc, Forbidden):
        return DeliveryFailed(f"Telegram: forbidden ({exc.message}); the buyer blocked the bot?")
    if isinstance(exc, BadRequest):
        return DeliveryFailed(f"Telegram: bad request ({exc.message})")
    if isinstance(exc, InvalidToken):
        return ChannelError("Telegram: the bot token was rejected; check telegram.token")
    return ChannelError(f"Telegram: {type(exc).__name__}: {exc.message}")
