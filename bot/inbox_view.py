"""What the inbox shows: store rows turned into chat rows and transcript items (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.inbox_texts import texts_for
from bot.seller import pretty_phone

Side = Literal["in", "out", "seller"]
Owner = Literal["bot", "waiting", "seller"]

# Handoff reasons (flows.messages.HandoffReason, plus "seller": a seller stepped in unasked)
# grouped as a seller sorts them. A reason this map does not know shows as "Needs a seller".
REASON_LABELS: Mapping[str, str] = {
    "complaint": "complaint",
    "closing": "order",
    "follow_up": "order",  # the buyer answered an order's follow-up question
    "faq": "order",  # an entry marked handoff: true (ordering, paying)
    "order": "order",
    "payment": "payment",
    "human": "person",
    "not_understood": "not_understood",
    "seller": "took_over",
}
LAST_TEXT_CHARS = 90
RECENT = 6  # messages read per listed chat to find the buyer's latest words


@dataclass(frozen=True, slots=True)
class ChatRow:
    """One line of the inbox list."""

    chat_key: str
    name: str
    contact: str  # a phone number or @username, when known
    channel: str  # the channel's display name
    last_text: str
    last_side: Side | None
    owner: Owner
    seller: str | None
    reason: str | None  # a REASON_LABELS value, None while the bot has the chat
    reason_label: str
    waiting: str  # "12 mnt" while a buyer waits for a seller, else ""
    unread: int

    @property
    def complaint(self) -> bool:
        return self.reason == "complaint" and self.owner != "bot"


@dataclass(frozen=True, slots=True)
class Item:
    """One message of a transcript as the seller reads it."""

    side: Side
    text: str
    time: str  # HH:MM in the shop's time zone
    tapped: bool = False  # a button the buyer tapped (``text`` is its title)
    options: tuple[str, ...] = ()  # the titles of the buttons this message offered
    status: str = ""


@dataclass(frozen=True, slots=True)
class Actions:
    """Which of take-over and hand-back apply to a chat now."""

    take: bool
    back: bool


def owner(stage: str | None, seller: str | None) -> Owner:
    if stage != "handed_off":
        return "bot"
    return "seller" if seller else "waiting"


def actions(stage: str | None, seller: str | None) -> Actions:
    """Take over while the bot has the chat or no seller has taken it yet; hand back only
    when a seller has it."""
    who = owner(stage, seller)
    return Actions(take=who != "seller", back=who == "seller")


def reason_of(stage: str | None, reason: str | None) -> str | None:
    if stage != "handed_off":
        return None
    return REASON_LABELS.get(reason or "seller", "other")


def reasons_shown(counts: Mapping[str, int], language: str | None) -> list[tuple[str, int]]:
    """Handoff counts by raw reason as the seller reads them: by label, most first."""
    t = texts_for(language)
    merged: dict[str, int] = {}
    for reason, n in counts.items():
        label = t[f"reason_{REASON_LABELS.get(reason, 'other')}"]
        merged[label] = merged.get(label, 0) + n
    return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))


def waited(seconds: float, language: str | None) -> str:
    """12 mnt, 2 j 5 mnt, 1 hr 3 j."""
    t = texts_for(language)
    minutes = max(int(seconds // 60), 0)
    if minutes < 60:
        return t["minutes"].format(m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return t["hours"].format(h=hours, m=minutes)
    return t["days"].format(d=hours // 24, h=hours % 24)


def display_name(
    name: str | None, channel: str, external_id: str, language: str | None = None
) -> str:
    """A web-chat visitor has no name: show the start of their session id instead."""
    if name:
        return name
    if channel == "web":
        return f"{channel_label(channel, language)} · {external_id[:8]}"
    return external_id


def channel_label(channel: str, language: str | None = None) -> str:
    names = {"telegram": "Telegram", "whatsapp": "WhatsApp"}
    return names.get(channel) or (
        texts_for(language)["channel_web"] if channel == "web" else channel
    )


def contact_line(phone: str | None, username: str | None) -> str:
    return pretty_phone(phone) or (f"@{username}" if username else "")


def side_of(message: Mapping[str, Any]) -> Side:
    if message.get("kind") == "seller":
        return "seller"
    return "in" if message.get("direction") == "in" else "out"


def message_text(message: Mapping[str, Any], language: str | None) -> str:
    """A message's words; a tapped button or a photo without a caption says what it was."""
    text = str(message.get("text") or "")
    kind = str(message.get("kind") or "text")
    if text:
        return text
    if kind == "choice":
        return texts_for(language)["tapped_unknown"]
    if kind in ("text", "say", "seller"):
        return ""
    return texts_for(language)["media"].format(kind=kind)


def latest(recent: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The message a chat's row quotes: the buyer's latest words among ``recent`` (the
    chat's last few messages, oldest first), else their latest tap or photo, else
    whatever was said last."""
    theirs = [m for m in recent if side_of(m) == "in"]
    worded = [m for m in theirs if m.get("text")]
    found = worded or theirs or list(recent)
    return found[-1] if found else None


def chat_rows(
    rows: Iterable[Mapping[str, Any]],
    recent: Mapping[str, Sequence[Mapping[str, Any]]],
    language: str | None,
    now: float,
) -> list[ChatRow]:
    """The inbox list from ``inbox_chats`` rows and each chat's last few messages:
    complaints waiting for a seller first, then the other handoffs (longest wait first),
    chats a seller has, then the bot's chats by last activity."""
    t = texts_for(language)
    made: list[tuple[tuple[int, float], ChatRow]] = []
    for row in rows:
        stage, seller = row.get("stage"), row.get("seller")
        who = owner(stage, seller)
        reason = reason_of(stage, row.get("handoff_reason"))
        since = row.get("handed_off_at")
        message = latest(recent.get(row["chat_key"], ()))
        wait = ""
        if who == "waiting" and since:
            wait = waited(now - float(since), language)
        chat = ChatRow(
            chat_key=row["chat_key"],
            name=display_name(row.get("name"), row["channel"], row["external_id"], language),
            contact=contact_line(row.get("phone"), row.get("username")),
            channel=channel_label(row["channel"], language),
            last_text=_short(message_text(message, language)) if message else "",
            last_side=side_of(message) if message else None,
            owner=who,
            seller=seller if who == "seller" else None,
            reason=reason,
            reason_label=t[f"reason_{reason}"] if reason else "",
            waiting=wait,
            unread=int(row.get("unread") or 0),
        )
        group = {"waiting": 1, "seller": 2, "bot": 3}[who]
        if chat.complaint:
            group = 0
        # waiting chats: the longest wait first; the others: the latest activity first
        order = float(since or 0) if group <= 1 else -float(row.get("last_seen") or 0)
        made.append(((group, order), chat))
    made.sort(key=lambda pair: pair[0])
    return [chat for _, chat in made]


def offered(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The (id, title) options an outgoing message offered, from its outbox payload (or
    the ``options`` a store already lifted out of it)."""
    raw = message.get("options")
    if raw is None:
        payload = message.get("payload")
        raw = payload.get("options") if isinstance(payload, Mapping) else None
    pairs: list[tuple[str, str]] = []
    for option in raw or ():
        if isinstance(option, Mapping):
            pairs.append((str(option.get("id", "")), str(option.get("title", ""))))
        elif isinstance(option, Sequence) and not isinstance(option, str) and len(option) >= 2:
            pairs.append((str(option[0]), str(option[1])))
    return pairs


def transcript(
    history: Sequence[Mapping[str, Any]],
    sent: Sequence[Mapping[str, Any]],
    language: str | None,
    zone: ZoneInfo,
    titles: Mapping[str, str] | None = None,
) -> list[Item]:
    """The transcript from ``history`` rows; ``sent`` are the same chat's outgoing rows
    with their payloads (``messages_after``), matched by id, for the options offered;
    ``titles`` are FAQ titles by id, for a tapped option no earlier message names."""
    options_of = {m.get("id"): offered(m) for m in sent}
    last_offer: list[tuple[str, str]] = []
    items: list[Item] = []
    for message in history:
        side = side_of(message)
        at = datetime.fromtimestamp(float(message.get("at") or 0), zone).strftime("%H:%M")
        status = str(message.get("status") or "")
        if side == "in" and message.get("kind") == "choice":
            title = _tapped_title(str(message.get("text") or ""), last_offer, titles or {})
            text = (
                texts_for(language)["tapped"].format(title=title)
                if title
                else texts_for(language)["tapped_unknown"]
            )
            items.append(Item(side, text, at, tapped=True, status=status))
            continue
        offer = options_of.get(message.get("id"), []) if side != "in" else []
        if offer:
            last_offer = offer
        titles_shown = tuple(title for _, title in offer)
        items.append(Item(side, message_text(message, language), at, False, titles_shown, status))
    return items


def _tapped_title(said: str, offer: Sequence[tuple[str, str]], titles: Mapping[str, str]) -> str:
    """The title of the option a buyer tapped: the history keeps its id (or its title);
    when it kept nothing, a question that offered a single option says which it was."""
    for option_id, title in offer:
        if said in (option_id, title):
            return title
    if not said and len(offer) == 1:
        return offer[0][1]
    return titles.get(said) or said


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= LAST_TEXT_CHARS else line[: LAST_TEXT_CHARS - 1] + "…"
