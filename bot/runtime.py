"""One inbound event at a time per chat: dedupe, lease, load, route, step, save, send."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.channels.base import Inbound, Profile, SellerPost
from bot.faqsource import FaqSource
from bot.keyed import KeyedWorkers
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.seller import (
    channel_name,
    notification,
    seller_buttons,
    seller_text,
    topic_name,
)
from bot.store.base import Contact, HandoffEvent, InboundRow, Store, Turn
from faq.model import Faq
from flows.handoff import timer_due
from flows.messages import (
    Action,
    BuyerMessage,
    Forward,
    HandOff,
    NotifySeller,
    Say,
    SellerReleased,
    SellerWrote,
    Tick,
)
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation

log = logging.getLogger("japri.runtime")

MATCH_TEXT_LIMIT = 2000  # characters of a message the engine reads; sellers get it all
LEASE_SECONDS = 30.0
HISTORY_SHOWN = 10  # messages quoted in a handoff notification
LIST_COMMANDS = frozenset({"chats", "pembeli", "buyers", "help", "start"})
CHATS_LISTED = 10
Outgoing = list[tuple[str, dict[str, Any]]]


class Runtime:
    """Accepts inbound events durably and processes each chat's events in order.

    ``accept`` is what webhooks call: it records the event (or reports a redelivery) and
    returns at once; a per-chat worker task does the rest. Across processes a chat is
    guarded by a lease in the store, not only by this process's task map.
    """

    def __init__(
        self,
        *,
        store: Store,
        faq: FaqSource,
        policy: Policy,
        outbox: Outbox,
        metrics: Metrics,
        seller_chat: str | None = None,
        wall: Callable[[], float] = time.time,
        shared: bool = False,
        zone: tzinfo = UTC,
    ) -> None:
        self.store = store
        self.faq = faq
        self.policy = policy
        self.outbox = outbox
        self.metrics = metrics
        self.seller_chat = seller_chat
        self.seller_lane = f"telegram:{seller_chat}" if seller_chat else None
        self.wall = wall
        self.shared = shared  # other processes work on the same store
        self.zone = zone  # the shop's time zone: opening hours are local
        self.owner = uuid.uuid4().hex
        self._workers = KeyedWorkers(self._drain, "chat")
        self._leases: dict[str, float] = {}  # chat -> until when this process holds it

    # intake ----------------------------------------------------------------------------
    async def accept(self, event: Inbound) -> bool:
        """Record a buyer event; False when it was seen before (nothing more happens)."""
        channel = event.chat_key.split(":", 1)[0]
        fresh = await self.store.accept_inbound(
            event.dedup_key, event.chat_key, event.payload, self.wall()
        )
        if not fresh:
            self.metrics.duplicates.labels(channel).inc()
            log.info("in chat=%s duplicate=%s skipped", event.chat_key, event.dedup_key)
            return False
        self.metrics.messages_in.labels(channel, str(event.payload.get("kind"))).inc()
        self.schedule(event.chat_key)
        return True

    async def accept_seller(self, post: SellerPost) -> bool:
        """Record a seller's message under the buyer it answers (topic, then reply)."""
        chat_key = post.payload.get("about")  # a button names its buyer
        if chat_key and await self.store.contact(chat_key) is None:
            chat_key = None
        if not chat_key and post.thread_id is not None:
            chat_key = await self.store.linked_chat(post.seller_chat, "topic", post.thread_id)
        if not chat_key and post.reply_to is not None:
            chat_key = await self.store.linked_chat(post.seller_chat, "message", post.reply_to)
        payload = dict(post.payload)
        if not chat_key:
            chat_key = f"telegram:{post.seller_chat}"
            payload["type"] = "seller_orphan"
        fresh = await self.store.accept_inbound(post.dedup_key, chat_key, payload, self.wall())
        if fresh:
            self.metrics.messages_in.labels("seller", str(payload["type"])).inc()
            self.schedule(chat_key)
        return fresh

    async def seller_event(self, chat_key: str, payload: dict[str, Any]) -> None:
        """A seller acting from the web inbox: an answer, "take over" or "back to bot"."""
        event = {"type": "seller", "text": "", "command": None, "source": "inbox", **payload}
        await self.store.accept_inbound(f"inbox:{uuid.uuid4().hex}", chat_key, event, self.wall())
        self.schedule(chat_key)

    def schedule(self, chat_key: str) -> None:
        self._workers.poke(chat_key)

    async def resume(self) -> None:
        """After a start: process whatever was accepted but not yet processed."""
        for chat_key in await self.store.chats_with_pending_inbound():
            self.schedule(chat_key)

    async def close(self, grace: float = 3.0) -> None:
        await self._workers.close(grace)
        for chat_key in list(self._leases):
            await self.store.release_chat(chat_key, self.owner)
        self._leases.clear()

    # processing ------------------------------------------------------------------------
    async def _drain(self, chat_key: str) -> None:
        while not await self._lease(chat_key):
            await asyncio.sleep(0.05)  # another process works on this chat right now
            if self._workers.closing or await self.store.next_inbound(chat_key) is None:
                return  # ... and has taken what was waiting
        try:
            while True:  # on close too: what is accepted gets done (within the grace time)
                self._workers.seen(chat_key)
                row = await self.store.next_inbound(chat_key)
                if row is None:
                    return
                try:
                    await self._process(row)
                except Exception as exc:  # one poisoned event must not block the chat
                    log.exception("in chat=%s event #%d failed", chat_key, row.id)
                    await self.store.fail_inbound(row.id, repr(exc), self.wall())
        finally:
            if self.shared:  # let another process take the chat's next message at once
                self._leases.pop(chat_key, None)
                await self.store.release_chat(chat_key, self.owner)

    async def _lease(self, chat_key: str) -> bool:
        """Hold the chat's lease in the store. A lease is kept for ``LEASE_SECONDS`` and
        renewed only when half of it is gone, so a busy chat costs no write per message."""
        now = self.wall()
        if self._leases.get(chat_key, 0.0) - now > LEASE_SECONDS / 2:
            return True
        if not await self.store.claim_chat(chat_key, self.owner, now, LEASE_SECONDS):
            self._leases.pop(chat_key, None)
            return False
        if len(self._leases) > 50_000:
            self._leases = {k: v for k, v in self._leases.items() if v > now}
        self._leases[chat_key] = now + LEASE_SECONDS
        return True

    async def _process(self, row: InboundRow) -> None:
        kind = row.payload.get("type")
        if kind == "buyer":
            outgoing, summary = await self._buyer(row)
        elif kind == "seller":
            outgoing, summary = await self._seller(row)
        elif kind == "tick":
            outgoing, summary = await self._tick(row)
        else:
            outgoing, summary = await self._orphan(row)
        for lane in dict.fromkeys(lane for lane, _ in outgoing):
            self.outbox.kick(lane)
        latency = self.wall() - row.received_at
        self.metrics.latency.observe(max(latency, 0.0))
        log.info("in chat=%s %s latency_ms=%.1f", row.chat_key, summary, latency * 1000)

    def _now(self, stamp: float) -> datetime:
        return datetime.fromtimestamp(stamp, self.zone)

    def _faq(self) -> Faq:
        faq = self.faq.faq
        assert faq is not None  # noqa: S101 - the app does not start without an FAQ
        return faq

    async def _buyer(self, row: InboundRow) -> tuple[Outgoing, str]:
        payload = row.payload
        chat_key = row.chat_key
        profile = Profile.from_dict(payload.get("profile") or {})
        text = str(payload.get("text") or "")
        message = BuyerMessage(
            text=text[:MATCH_TEXT_LIMIT],
            kind=payload.get("kind") or "text",
            choice=payload.get("choice"),
            language_hint=profile.language,
        )
        before = Conversation.from_dict(await self.store.load_state(chat_key))
        now = self.wall()
        conv, actions = step(before, message, self._faq(), self.policy, self._now(now))
        lane = chat_key
        outgoing: Outgoing = []
        if payload.get("callback_id"):
            outgoing.append((lane, {"op": "ack_callback", "callback_id": payload["callback_id"]}))
        if profile.channel == "whatsapp" and payload.get("platform_id"):
            outgoing.append((lane, {"op": "mark_read", "message_id": payload["platform_id"]}))
        names = []
        handoff = None
        for action in _merged(actions):
            if isinstance(action, Say):
                outgoing.append((lane, self._say(action, conv)))
                names.append("say")
            elif isinstance(action, HandOff):
                self.metrics.handoffs.labels(action.reason).inc()
                names.append(f"handoff:{action.reason}")
                handoff = HandoffEvent("opened", reason=action.reason)
                history = await self.store.history(chat_key, HISTORY_SHOWN)
                history.append({"direction": "in", "text": text, "kind": message.kind})
                note = notification(
                    self.policy.language, profile, action.reason, history[-HISTORY_SHOWN:]
                )
                outgoing += self._to_seller(chat_key, note, profile, topic=True, buttons=True)
            elif isinstance(action, Forward):
                names.append("forward")
                outgoing += self._forward(chat_key, payload, profile, text)
        self.metrics.actions.labels(names[-1].split(":")[0] if names else "none").inc()
        contact = Contact(
            chat_key=chat_key,
            channel=profile.channel,
            external_id=profile.external_id,
            name=profile.name,
            username=profile.username,
            phone=profile.phone,
            language=conv.language,
            first_seen=now,
            last_seen=now,
        )
        turn = Turn(
            inbound_id=row.id,
            chat_key=chat_key,
            state=conv.to_dict(),
            outgoing=outgoing,
            contact=contact,
            logged_text=text,
            logged_kind=str(message.kind),
            platform_id=payload.get("platform_id"),
            handoff=handoff,
        )
        await self.store.commit_turn(turn, now)
        return outgoing, f"kind={message.kind} actions={','.join(names) or '-'}"

    def _say(self, action: Say, conv: Conversation) -> dict[str, Any]:
        options = [[o.id, o.title] for o in action.options]
        lang = conv.language or self.policy.language
        return {"op": "say", "text": action.text, "options": options, "lang": lang}

    def _to_seller(
        self,
        chat_key: str,
        text: str,
        profile: Profile | None = None,
        *,
        topic: bool = False,
        buttons: bool = False,
    ) -> Outgoing:
        if self.seller_lane is None:
            return []  # no seller chat: the handoff shows in the store (and the inbox)
        post: dict[str, Any] = {"op": "seller_post", "about": chat_key, "text": text}
        if topic and profile is not None:
            post["topic_name"] = topic_name(profile)
        if buttons:
            post["options"] = seller_buttons(self.policy.language, chat_key)
        return [(self.seller_lane, post)]

    def _forward(
        self, chat_key: str, payload: dict[str, Any], profile: Profile, text: str
    ) -> Outgoing:
        kind = payload.get("kind") or "text"
        if profile.channel == "telegram" and kind not in ("text", "choice"):
            forward = {
                "op": "seller_post",
                "send_op": "forward",
                "about": chat_key,
                "from_chat": profile.external_id,
                "message_id": payload.get("platform_id"),
            }
            return [(self.seller_lane, forward)] if self.seller_lane else []
        media = payload.get("media")
        if media and profile.channel == "whatsapp" and self.seller_lane:
            upload = {
                "op": "seller_post",
                "send_op": "wa_media",
                "about": chat_key,
                "media_kind": kind,
                "caption": f"{profile.display}: {text}".strip(": "),
                **media,
            }
            return [(self.seller_lane, upload)]
        shown = text if kind in ("text", "choice") else f"[{kind}] {text}".strip()
        if payload.get("edited"):
            shown = f"✏️ {shown}"
        return self._to_seller(chat_key, f"{profile.display}: {shown}", profile)

    async def _seller(self, row: InboundRow) -> tuple[Outgoing, str]:
        payload = row.payload
        chat_key = row.chat_key
        channel = chat_key.split(":", 1)[0]
        conv = Conversation.from_dict(await self.store.load_state(chat_key))
        now = self.wall()
        seller = str(payload.get("seller_name") or "Seller")
        command = payload.get("command")
        outgoing: Outgoing = []
        if payload.get("callback_id"):
            ack = {"op": "ack_callback", "callback_id": payload["callback_id"]}
            outgoing.append((str(self.seller_lane), ack))
        faq = self._faq()
        handoff = None
        if command == "done":
            conv, actions = step(conv, SellerReleased(seller), faq, self.policy, self._now(now))
            handoff = HandoffEvent("released", seller=seller)
        elif command == "take":
            conv, actions = step(
                conv, SellerWrote(seller, answered=False), faq, self.policy, self._now(now)
            )
        elif command:
            return await self._orphan(row)
        else:
            first = conv.seller_answered_at is None
            conv, actions = step(conv, SellerWrote(seller), faq, self.policy, self._now(now))
            if first:
                handoff = HandoffEvent("answered", seller=seller)
                started = conv.handed_off_at or now
                self.metrics.first_answer.observe(max(now - started, 0.0))
            copy = payload.get("copy")
            media = payload.get("media")
            if copy and channel == "telegram":
                outgoing.append((chat_key, {"op": "copy", "kind": "seller", **copy}))
            elif media and channel == "whatsapp":
                upload = {
                    "op": "tg_media",
                    "kind": "seller",
                    "text": payload.get("text") or f"[{media['kind']}]",
                    "caption": payload.get("text") or None,
                    "media_kind": media["kind"],
                    "file_id": media["file_id"],
                    "mime": media.get("mime"),
                    "filename": media.get("filename"),
                }
                outgoing.append((chat_key, upload))
            elif payload.get("text"):
                relay = {"op": "say", "text": payload["text"], "options": [], "kind": "seller"}
                outgoing.append((chat_key, relay))
                if payload.get("source") == "inbox":  # sellers on Telegram see it too
                    outgoing += self._to_seller(chat_key, f"🧑‍💼 {seller}: {payload['text']}")
            delivered = channel == "telegram" or (channel == "whatsapp" and media)
            if copy and not delivered:  # e.g. a sticker for WhatsApp, a photo for the web
                hint = seller_text(
                    self.policy.language, "text_only", channel=channel_name(channel)
                )
                outgoing += self._to_seller(chat_key, hint)
        outgoing += await self._seller_notes(chat_key, actions)
        turn = Turn(
            inbound_id=row.id,
            chat_key=chat_key,
            state=conv.to_dict(),
            outgoing=outgoing,
            handoff=handoff,  # the answer itself joins the history once it is sent
        )
        await self.store.commit_turn(turn, now)
        return outgoing, f"seller={command or 'relay'}"

    async def _seller_notes(self, chat_key: str, actions: list[Action]) -> Outgoing:
        """The engine's notes for the seller chat, in words."""
        outgoing: Outgoing = []
        buyer: str | None = None
        contact: Contact | None = None
        for action in actions:
            if not isinstance(action, NotifySeller):
                continue
            if buyer is None:
                contact = await self.store.contact(chat_key)
                buyer = _contact_display(contact, chat_key)
            text = seller_text(
                self.policy.language,
                action.kind,
                buyer=buyer,
                seller=action.seller or "",
                minutes=str(action.waited_minutes),
                hours=f"{self.policy.idle_hours:g}",
            )
            profile = _profile_of(contact) if action.kind == "claimed" else None
            outgoing += self._to_seller(
                chat_key,
                text,
                profile,
                topic=profile is not None,  # taken over from the chat list: give it a topic
                buttons=action.kind == "reminder",
            )
        return outgoing

    async def _tick(self, row: InboundRow) -> tuple[Outgoing, str]:
        chat_key = row.chat_key
        conv = Conversation.from_dict(await self.store.load_state(chat_key))
        now = self.wall()
        conv, actions = step(conv, Tick(), self._faq(), self.policy, self._now(now))
        outgoing: Outgoing = [
            (chat_key, self._say(a, conv)) for a in actions if isinstance(a, Say)
        ]
        outgoing += await self._seller_notes(chat_key, actions)
        idle = any(isinstance(a, NotifySeller) and a.kind == "idle_released" for a in actions)
        turn = Turn(
            inbound_id=row.id,
            chat_key=chat_key,
            state=conv.to_dict(),
            outgoing=outgoing,
            handoff=HandoffEvent("idle") if idle else None,
        )
        await self.store.commit_turn(turn, now)
        kinds = ",".join(a.kind for a in actions if isinstance(a, NotifySeller)) or "-"
        return outgoing, f"tick={kinds}"

    async def watch_timers(self, interval: float = 15.0) -> None:
        """Every ``interval`` seconds: queue a tick for each handed-off chat whose promise
        is due (a reminder, a holding message, the idle hand-back)."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.check_timers()
            except Exception:
                log.exception("checking handoff timers failed")

    async def check_timers(self) -> int:
        now = self.wall()
        due = 0
        for chat_key, state in await self.store.handed_off_chats():
            conv = Conversation.from_dict(state)
            if timer_due(conv, self.policy, self._now(now)):
                key = f"tick:{chat_key}:{int(now)}"
                if await self.store.accept_inbound(key, chat_key, {"type": "tick"}, now):
                    self.schedule(chat_key)
                    due += 1
        return due

    async def _chat_list(self, search: str = "") -> dict[str, Any]:
        """/chats in the seller chat: the latest buyers, each with a "Take over" button;
        ``/chats siti`` or ``/chats 0812`` looks for a buyer among all of them."""
        search = search.strip()
        chats = await self.store.inbox_chats(CHATS_LISTED, search=search or None)
        language = self.policy.language
        lines = [seller_text(language, "chats_found" if search else "chats", search=search)]
        options = []
        for chat in chats:
            name = Profile.from_dict(chat).display
            state = "🔔" if chat["stage"] == "handed_off" else "🤖"
            lines.append(f"{state} {name} · {channel_name(chat['channel'])}")
            options.append([f"take:{chat['chat_key']}", f"🙋 {name}"])
        if not chats:
            lines.append(
                seller_text(language, "no_match" if search else "no_chats", search=search)
            )
        return {"op": "say", "text": "\n".join(lines), "options": options}

    async def _orphan(self, row: InboundRow) -> tuple[Outgoing, str]:
        outgoing: Outgoing = []
        if row.payload.get("callback_id"):
            ack = {"op": "ack_callback", "callback_id": row.payload["callback_id"]}
            outgoing.append((row.chat_key, ack))
        elif row.payload.get("command") in LIST_COMMANDS:
            search = str(row.payload.get("text") or "").partition(" ")[2]
            outgoing.append((row.chat_key, await self._chat_list(search)))
        else:
            hint = seller_text(self.policy.language, "orphan")
            reply_to = row.payload.get("message_id")
            outgoing.append(
                (row.chat_key, {"op": "say", "text": hint, "options": [], "reply_to": reply_to})
            )
        turn = Turn(inbound_id=row.id, chat_key=row.chat_key, state=None, outgoing=outgoing)
        await self.store.commit_turn(turn, self.wall())
        return outgoing, "seller=orphan"


def _profile_of(contact: Contact | None) -> Profile | None:
    return None if contact is None else Profile.from_dict(asdict(contact))


def _merged(actions: list[Action]) -> list[Action]:
    """Consecutive messages of one turn as one message (greeting, answer, follow-up):
    the buyer's phone buzzes once, and the platform counts one message, not three."""
    merged: list[Action] = []
    for action in actions:
        last = merged[-1] if merged else None
        if isinstance(action, Say) and isinstance(last, Say) and not last.options:
            merged[-1] = Say(f"{last.text}\n\n{action.text}", action.options)
        else:
            merged.append(action)
    return merged


def _contact_display(contact: Contact | None, chat_key: str) -> str:
    profile = _profile_of(contact)
    return profile.display if profile else chat_key.split(":", 1)[-1]
