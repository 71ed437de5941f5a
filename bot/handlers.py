"""One handler per event type: load what the engine needs, step it, put its actions into a
``Turn`` (state, commands, timers, history) for the runtime to commit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol, assert_never, cast, get_args

from bot.abuse import WebChatGuard
from bot.commands import AckTap, MarkRead, Say, SellerNote, queued
from bot.events import BuyerEvent, Event, OrderPosted, OrderUpdate, SellerEvent, TimerEvent
from bot.faqsource import FaqSource
from bot.learning import WEEKLY, Learning, is_saran
from bot.metrics import Metrics
from bot.orders.bridge import order_view
from bot.orders.desk import COMMANDS as ORDER_COMMANDS
from bot.orders.desk import DRAFT_COMMAND, TRACK, OrderDesk
from bot.orders.service import Buyer
from bot.relay import TEXT_KINDS, from_buyer, from_seller
from bot.seller import SellerChat
from bot.store.base import (
    Contact,
    Conversations,
    HandoffEvent,
    InboundRow,
    Outgoing,
    ReadModel,
    TimerChange,
    Turn,
)
from flows.messages import (
    Action,
    BuyerMessage,
    CancelTimer,
    Forward,
    HandOff,
    MessageKind,
    NotifySeller,
    Outcome,
    SellerReleased,
    SellerWrote,
    SetTimer,
    ShopMessage,
    Tick,
)
from flows.messages import Event as FlowEvent
from flows.messages import OrderUpdate as FlowOrderUpdate
from flows.messages import Say as SayAction
from flows.order_form import parse_form
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation

MATCH_TEXT_LIMIT = 2000  # characters of a message the engine reads; sellers get it all
HISTORY_SHOWN = 10  # messages quoted in a handoff notification
LIST_COMMANDS = frozenset({"chats", "pembeli", "buyers", "help", "start"})
CHATS_LISTED = 10


class HandlerStore(Conversations, ReadModel, Protocol):
    """What the handlers read: chat state, contacts, recent history, the chat list."""


@dataclass(frozen=True, slots=True)
class Handled:
    """A processed event: what to commit, and one line for the log."""

    turn: Turn
    summary: str


class Handlers:
    """Turns each inbound event into a ``Turn``; the only place that calls the engine."""

    def __init__(
        self,
        store: HandlerStore,
        faq: FaqSource,
        policy: Policy,
        metrics: Metrics,
        seller: SellerChat,
        zone: tzinfo = UTC,
        learning: Learning | None = None,
        guard: WebChatGuard | None = None,
        orders: OrderDesk | None = None,
    ) -> None:
        self.store = store
        self.faq = faq
        self.policy = policy
        self.metrics = metrics
        self.seller = seller
        self.zone = zone  # the shop's time zone: opening hours are local
        self.learning = learning  # lessons from misses, /saran, the weekly note (issue 12)
        self.guard = guard  # web-chat handoffs per address (None: no limit)
        self.orders = orders

    async def handle(self, row: InboundRow, event: Event, now: float) -> Handled:
        match event:
            case BuyerEvent():
                return await self.buyer(row, event, now)
            case SellerEvent() if self.orders and event.command in ORDER_COMMANDS:
                return await self.order_command(row, event, now)
            case SellerEvent() if self.orders and event.command == DRAFT_COMMAND:
                return await self.order_draft(row, event, now)
            case SellerEvent() if event.orphan or (
                event.command and event.command not in ("done", "take")
            ):
                return await self.orphan(row, event, now)
            case SellerEvent():
                return await self.seller_event(row, event, now)
            case TimerEvent():
                return await self.timer(row, event, now)
            case OrderUpdate():
                return await self.order(row, event, now)
            case OrderPosted():
                return await self.order_posted(row, event, now)
            case _:
                assert_never(event)

    async def _step(
        self, chat_key: str, event: FlowEvent, now: float, conv: Conversation | None = None
    ) -> tuple[Conversation, list[Action]]:
        if conv is None:
            conv = Conversation.from_dict(await self.store.load_state(chat_key))
        faq = self.faq.faq
        assert faq is not None  # noqa: S101 - the app does not start without an FAQ
        when = datetime.fromtimestamp(now, self.zone)
        if self.orders is not None:  # the order record is the truth, not the snapshot
            conv = conv.evolve(orders=await self.orders.views(chat_key))
        conv, actions = step(conv, event, faq, self.policy, when)
        if self.orders is not None:
            await self.orders.apply(actions, when)
        return conv, actions

    async def buyer(self, row: InboundRow, event: BuyerEvent, now: float) -> Handled:
        chat_key = row.chat_key
        profile = event.profile
        kind = cast(MessageKind, event.kind if event.kind in _KINDS else "other")
        message = BuyerMessage(
            text=event.text[:MATCH_TEXT_LIMIT],
            kind=kind,
            choice=event.choice,
            language_hint=profile.language,
        )
        before = Conversation.from_dict(await self.store.load_state(chat_key))
        conv, actions = await self._step(chat_key, message, now, before)
        outgoing: list[Outgoing] = []
        if event.tap_id:
            outgoing.append(queued(chat_key, AckTap(event.tap_id)))
        receipt_at = len(outgoing)  # the read receipt goes here (``_receipt``)
        names = []
        handoff = None
        lang = conv.language or self.policy.language
        for action in _merged(actions):
            match action:
                case SayAction() | ShopMessage():
                    outgoing.append(queued(chat_key, _said(action, lang)))
                    names.append("say")
                case HandOff():
                    self.metrics.handoffs.labels(action.reason).inc()
                    names.append(f"handoff:{action.reason}")
                    handoff = HandoffEvent("opened", reason=action.reason)
                    history = await self.store.history(chat_key, HISTORY_SHOWN)
                    history.append({"direction": "in", "text": event.text, "kind": kind})
                    shown = history[-HISTORY_SHOWN:]
                    if self._may_notify(chat_key):  # else it shows in the inbox only
                        outgoing += self.seller.handoff(chat_key, profile, action.reason, shown)
                    if action.note:  # an order case card
                        outgoing += self.seller.note(chat_key, action.note, profile)
                    if action.reason == "return" and event.kind not in TEXT_KINDS:
                        outgoing += self._forward(chat_key, event)  # the buyer's photo
                case NotifySeller(kind="order"):
                    outgoing += self.seller.note(chat_key, action.text, profile)
                case Forward():
                    names.append("forward")
                    outgoing += self._forward(chat_key, event)
                    outgoing += self._draft(chat_key, event.text)
                case _:
                    pass  # timers below; the engine notifies sellers only on seller events
        if profile.channel == "whatsapp" and event.platform_id:
            outgoing = _receipt(outgoing, receipt_at, chat_key, event.platform_id)
        self.metrics.actions.labels(names[-1].split(":")[0] if names else "none").inc()
        said = next((a for a in actions if isinstance(a, Outcome)), None)
        outcome = said.name if said is not None else None
        self.metrics.turn(outcome)
        lessons: list[dict[str, object]] = []
        if self.learning is not None:
            buyer = await self.learning.buyer(chat_key)
            conv, lessons = self.learning.buyer_turn(before, conv, message, said, now, buyer)
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
            logged_text=event.text or event.choice or "",  # a tap: the option it picked
            logged_kind=kind,
            platform_id=event.platform_id,
            handoff=handoff,
            timers=_timers(actions),
            action=outcome,
            lessons=lessons,
        )
        summary = f"kind={kind} action={outcome or '-'} actions={','.join(names) or '-'}"
        return Handled(turn, summary)

    def _draft(self, chat_key: str, text: str) -> list[Outgoing]:
        """A filled order form from the buyer: a draft card with "Record order"."""
        if self.orders is None or not text:
            return []
        card, options = self.orders.draft_card(chat_key, text)
        return self.seller.post(SellerNote(chat_key, card, options=options)) if card else []

    def _may_notify(self, chat_key: str) -> bool:
        """Whether a handoff may post to the seller chat: a web-chat address gets a few an
        hour (``webchat.handoffs_per_hour``), then its handoffs show in the inbox only."""
        if self.guard is None or not chat_key.startswith("web:"):
            return True
        allowed = self.guard.may_notify(chat_key)
        self.guard.note_handoff(chat_key)
        return allowed

    def _forward(self, chat_key: str, event: BuyerEvent) -> list[Outgoing]:
        """While a seller owns the chat: the buyer's message into the seller chat."""
        media = from_buyer(chat_key, event)
        if media is not None:
            return self.seller.post(media)
        shown = event.text if event.kind in TEXT_KINDS else f"[{event.kind}] {event.text}".strip()
        if event.edited:
            shown = f"✏️ {shown}"
        profile = event.profile
        return self.seller.note(chat_key, f"{profile.display}: {shown}", profile)

    async def seller_event(self, row: InboundRow, event: SellerEvent, now: float) -> Handled:
        chat_key = row.chat_key
        channel = chat_key.split(":", 1)[0]
        conv = Conversation.from_dict(await self.store.load_state(chat_key))
        seller = event.seller_name or "Seller"
        outgoing: list[Outgoing] = []
        if event.tap_id and self.seller.lane:
            outgoing.append(queued(self.seller.lane, AckTap(event.tap_id)))
        handoff = None
        lessons: list[dict[str, object]] = []
        if event.command == "done":
            conv, actions = await self._step(chat_key, SellerReleased(seller), now, conv)
            handoff = HandoffEvent("released", seller=seller)
        elif event.command == "take":
            conv, actions = await self._step(
                chat_key, SellerWrote(seller, answered=False), now, conv
            )
        else:
            first = conv.seller_answered_at is None
            conv, actions = await self._step(chat_key, SellerWrote(seller), now, conv)
            if first and self.learning is not None and event.text:
                buyer = await self.learning.buyer(chat_key)
                conv, lessons = self.learning.seller_turn(conv, event.text, now, buyer)
            if first:
                handoff = HandoffEvent("answered", seller=seller)
                started = conv.handed_off_at or now
                self.metrics.first_answer.observe(max(now - started, 0.0))
            outgoing += self._answer(chat_key, channel, event, seller)
        outgoing += await self._notes(chat_key, actions)
        turn = Turn(
            inbound_id=row.id,
            chat_key=chat_key,
            state=conv.to_dict(),
            outgoing=outgoing,
            handoff=handoff,  # the answer itself joins the history once it is sent
            timers=_timers(actions),
            lessons=lessons,
        )
        return Handled(turn, f"seller={event.command or 'relay'}")

    def _answer(
        self, chat_key: str, channel: str, event: SellerEvent, seller: str
    ) -> list[Outgoing]:
        """A seller's answer for the buyer: their photo or file, else their text."""
        outgoing: list[Outgoing] = []
        media = from_seller(channel, event)
        if media is not None:
            outgoing.append(queued(chat_key, media))
        elif event.text:
            outgoing.append(queued(chat_key, Say(event.text, by_seller=True)))
            if event.source == "inbox":  # sellers on Telegram see it too
                outgoing += self.seller.note(chat_key, f"🧑‍💼 {seller}: {event.text}")
        if event.original is not None and media is None:
            # e.g. a sticker for WhatsApp, a photo for the web chat
            outgoing += self.seller.text_only(chat_key, channel)
        return outgoing

    async def _notes(self, chat_key: str, actions: Sequence[Action]) -> list[Outgoing]:
        """The engine's notes for the seller chat (who took the chat, a reminder ...)."""
        notes = [a for a in actions if isinstance(a, NotifySeller)]
        if not notes:
            return []
        contact = await self.store.contact(chat_key)
        return [out for note in notes for out in self.seller.told(chat_key, note, contact)]

    async def timer(self, row: InboundRow, event: TimerEvent, now: float) -> Handled:
        if event.kind == WEEKLY and self.learning is not None:
            return Handled(await self.learning.weekly(row, event, now), f"tick={WEEKLY}")
        chat_key = row.chat_key
        if self.orders is not None and event.kind.startswith(TRACK):
            return await self.order_tracking(row, event, now)
        conv, actions = await self._step(chat_key, Tick(event.kind, event.data), now)
        outgoing = self._to_buyer(chat_key, conv, actions)
        outgoing += await self._notes(chat_key, actions)
        idle = any(isinstance(a, NotifySeller) and a.kind == "idle_released" for a in actions)
        turn = Turn(
            inbound_id=row.id,
            chat_key=chat_key,
            state=conv.to_dict(),
            outgoing=outgoing,
            handoff=HandoffEvent("idle") if idle else None,
            timers=_timers(actions),
        )
        kinds = ",".join(a.kind for a in actions if isinstance(a, NotifySeller)) or "-"
        return Handled(turn, f"tick={event.kind} notes={kinds}")

    async def order(self, row: InboundRow, event: OrderUpdate, now: float) -> Handled:
        update = FlowOrderUpdate(event.order, event.change, event.by)
        turn = await self._order_turn(row, update, now)
        return Handled(turn, f"order={event.order.number} change={event.change}")

    def _to_buyer(
        self, chat_key: str, conv: Conversation, actions: Sequence[Action]
    ) -> list[Outgoing]:
        """The engine's messages for the buyer, outside a reply to them."""
        lang = conv.language or self.policy.language
        return [
            queued(chat_key, _said(a, lang))
            for a in actions
            if isinstance(a, SayAction | ShopMessage)
        ]

    async def orphan(self, row: InboundRow, event: SellerEvent, now: float) -> Handled:
        """A seller's message for no buyer: a tap is answered, /chats lists the buyers,
        anything else gets a hint how to reach one."""
        if is_saran(event) and self.learning is not None:
            return Handled(await self.learning.seller_command(row, event, now), "seller=saran")
        lane = self.seller.lane or row.chat_key  # the seller chat, also from a buyer topic
        if event.tap_id:
            command: AckTap | Say = AckTap(event.tap_id)
        elif event.command in LIST_COMMANDS:
            search = event.text.partition(" ")[2].strip()
            chats = await self.store.inbox_chats(CHATS_LISTED, search=search or None)
            command = self.seller.chat_list(chats, search)
        else:
            command = self.seller.orphan(event.message_id)
        turn = Turn(row.id, row.chat_key, None, outgoing=[queued(lane, command)])
        return Handled(turn, "seller=orphan")

    async def order_command(self, row: InboundRow, event: SellerEvent, now: float) -> Handled:
        """/order, /resi, /sampai, /batal, /pesanan: carried out, never relayed; the
        seller gets a short answer, the buyer's chat an order update (its own turn)."""
        assert self.orders is not None  # noqa: S101 - routed here only with orders on
        command = self.orders.parse(event.text)
        if command is None:  # e.g. a bare "/order" word: show how
            return await self.orphan(row, event, now)
        buyer = None
        if not event.orphan:
            contact = await self.store.contact(row.chat_key)
            buyer = Buyer(
                row.chat_key,
                (contact.name or "") if contact else "",
                (contact.phone or "") if contact else "",
            )
        # A seller's command is carried out at most once: if this event comes round again
        # (the process died before its turn was committed), an order must not be recorded
        # twice; the seller, who saw no confirmation, can look with /pesanan.
        if await self.orders.store.seen_event(f"seller:{row.id}", "command"):
            turn = Turn(row.id, row.chat_key, None)
            return Handled(turn, f"seller=/{event.command} already carried out")
        when = datetime.fromtimestamp(now, self.zone)
        applied = await self.orders.command(command, buyer, when, event.seller_name or "seller")
        outgoing: list[Outgoing] = []
        if event.tap_id and self.seller.lane:
            outgoing.append(queued(self.seller.lane, AckTap(event.tap_id)))
        if applied.reply and event.orphan:
            outgoing.append(queued(self.seller.lane or row.chat_key, Say(applied.reply)))
        elif applied.reply:
            outgoing += self.seller.note(row.chat_key, applied.reply)
        turn = Turn(row.id, row.chat_key, None, outgoing=outgoing)
        return Handled(turn, f"seller=/{event.command} event={applied.event or '-'}")

    async def order_draft(self, row: InboundRow, event: SellerEvent, now: float) -> Handled:
        """The seller tapped "Record order" under a draft: the buyer's form becomes the order."""
        assert self.orders is not None  # noqa: S101 - routed here only with orders on
        chat_key = row.chat_key
        contact = await self.store.contact(chat_key)
        buyer = Buyer(chat_key, (contact.name or "") if contact else "",
                      (contact.phone or "") if contact else "")  # fmt: skip
        history = await self.store.history(chat_key, 30)
        outgoing: list[Outgoing] = []
        if event.tap_id and self.seller.lane:
            outgoing.append(queued(self.seller.lane, AckTap(event.tap_id)))
        form = _latest_form(history)
        if form is not None and await self.orders.store.seen_event(form, "recorded"):
            # a second tap on the same card (or the tap's event again after a crash):
            # the first one recorded the order and was confirmed
            return Handled(Turn(row.id, chat_key, None, outgoing=outgoing), "seller=draft again")
        when = datetime.fromtimestamp(now, self.zone)
        who = event.seller_name or "seller"
        applied = await self.orders.record_draft(history, buyer, when, who)
        if applied.reply:
            outgoing += self.seller.note(chat_key, applied.reply)
        turn = Turn(row.id, chat_key, None, outgoing=outgoing)
        return Handled(turn, f"seller=draft event={applied.event or '-'}")

    async def order_posted(self, row: InboundRow, event: OrderPosted, now: float) -> Handled:
        """A shop system's order post, in the buyer's chat: applied once, the buyer told."""
        assert self.orders is not None  # noqa: S101 - the route is on only with orders
        chat_key = row.chat_key
        when = datetime.fromtimestamp(now, self.zone)
        applied = await self.orders.posted(dict(event.body), chat_key, when)
        contact = None
        if await self.store.contact(chat_key) is None:  # a buyer the bot has not met yet
            channel, _, external = chat_key.partition(":")
            buyer = event.body.get("buyer")
            name = str(buyer.get("name") or "") if isinstance(buyer, dict) else ""
            contact = Contact(chat_key, channel, external, name or None, first_seen=now,
                              last_seen=now)  # fmt: skip
        if applied is None or applied.order is None or applied.event is None:
            turn = Turn(row.id, chat_key, None, contact=contact)
            return Handled(turn, "order_posted=repeat" if applied is None else "order_posted")
        view = order_view(applied.order)
        turn = await self._order_turn(row, FlowOrderUpdate(view, applied.event, "webhook"), now)
        turn = replace(turn, contact=contact)
        return Handled(turn, f"order_posted={applied.order.number} event={applied.event}")

    async def order_tracking(self, row: InboundRow, event: TimerEvent, now: float) -> Handled:
        """A tracking provider asked about a shipped order (``tracking.provider``): news
        is recorded, a delivered parcel tells the buyer; looked at again until it arrives."""
        assert self.orders is not None  # noqa: S101 - the timer is set only with orders on
        number = event.kind.removeprefix(TRACK)
        when = datetime.fromtimestamp(now, self.zone)
        applied, again = await self.orders.poll(number, when)
        if applied is not None and applied.order is not None and applied.event is not None:
            update = FlowOrderUpdate(order_view(applied.order), applied.event, "tracking")
            turn = await self._order_turn(row, update, now)
        else:
            turn = Turn(row.id, row.chat_key, None)
        if again:
            every = self.orders.service.settings.poll_every_hours * 3600
            turn = replace(turn, timers=[*turn.timers, TimerChange(event.kind, now + every)])
        return Handled(turn, f"tracked={number} again={again}")

    async def _order_turn(self, row: InboundRow, update: FlowOrderUpdate, now: float) -> Turn:
        """The buyer told about an order change in this chat's turn (and timers set)."""
        conv, actions = await self._step(row.chat_key, update, now)
        outgoing = self._to_buyer(row.chat_key, conv, actions)
        outgoing += await self._notes(row.chat_key, actions)
        track = self.orders.track_timer(update.order, now) if self.orders else None
        timers = [*_timers(actions), *([track] if track else [])]
        return Turn(row.id, row.chat_key, conv.to_dict(), outgoing=outgoing, timers=timers)


_KINDS = frozenset(get_args(MessageKind))


def _receipt(outgoing: list[Outgoing], at: int, lane: str, message_id: str) -> list[Outgoing]:
    """``outgoing`` with the buyer's message ``message_id`` marked read (WhatsApp's blue
    ticks) at ``at``, before the turn's other commands for their chat.

    perf: when the turn's first command for the chat from there on is a reply (not a
    message the shop starts), the receipt rides with it (``Say.read``): the channel sends
    it just before the reply, as a row of its own would have gone, best effort (a failed
    receipt does not hold the reply back). That saves an outbox row, its send mark and a
    turn of the lane's worker a message (~15 % of a WhatsApp message's CPU; bench/README.md,
    "Session 8"). A turn with no such reply (a chat the seller holds) queues a
    ``MarkRead`` row. The receipt goes once per message: a reply the platform refused and
    the outbox tries again goes without it (``Outbox._send``).
    """
    for n in range(at, len(outgoing)):
        out = outgoing[n]
        if out.lane != lane:
            continue
        said = out.payload  # perf: the command's JSON (``encode``), not decoded again
        if said.get("op") == Say.tag and not said.get("initiated") and "read" not in said:
            carried = replace(out, payload={**said, "read": message_id})
            return [*outgoing[:n], carried, *outgoing[n + 1 :]]
        break
    return [*outgoing[:at], queued(lane, MarkRead(message_id)), *outgoing[at:]]


def _said(action: SayAction | ShopMessage, lang: str) -> Say:
    """The engine's words for the buyer as a command (a shop message is marked so)."""
    options = tuple((o.id, o.title) for o in action.options)
    if isinstance(action, ShopMessage):
        return Say(
            action.text,
            options,
            lang,
            initiated=True,
            template=action.template,
            params=action.params,
        )
    return Say(action.text, options, lang)


def _timers(actions: Sequence[Action]) -> list[TimerChange]:
    """The engine's timer requests, as the turn records them."""
    changes: list[TimerChange] = []
    for action in actions:
        if isinstance(action, SetTimer):
            changes.append(TimerChange(action.kind, action.at, action.data))
        elif isinstance(action, CancelTimer):
            changes.append(TimerChange(action.kind, None))
    return changes


def _merged(actions: Sequence[Action]) -> list[Action]:
    """Consecutive messages of one turn as one message (greeting, answer, follow-up):
    the buyer's phone buzzes once, and the platform counts one message, not three."""
    merged: list[Action] = []
    for action in actions:
        last = merged[-1] if merged else None
        if isinstance(action, SayAction) and isinstance(last, SayAction) and not last.options:
            merged[-1] = SayAction(f"{last.text}\n\n{action.text}", action.options)
        else:
            merged.append(action)
    return merged


def _latest_form(history: Sequence[Mapping[str, Any]]) -> str | None:
    """The buyer's latest filled order form in ``history``, as a key ("form:<message id>")
    that a draft card's "Record order" tap may turn into an order once."""
    for message in reversed(history):
        if message.get("direction") == "in" and parse_form(str(message.get("text") or "")):
            return f"form:{message.get('id')}"
    return None
