"""The store contract, run against every backend: SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.store import Store, open_store
from bot.store.base import Contact, HandoffEvent, Outgoing, TimerChange, Turn
from bot.store.memory import MemoryStore
from bot.store.migrations import MIGRATIONS
from bot.store.sqlite import SqliteStore

Backend = Callable[[], Store]


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def make(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """Store objects on one database (one process's memory, one file, one server)."""
    opened: list[Store] = []
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'japri.db'}"
    memory = MemoryStore()

    def factory() -> Store:
        store = memory if request.param == "memory" else open_store(url)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        await store.close()


async def test_a_seen_id_is_refused_also_after_reopening(make: Backend) -> None:
    store = make()
    await store.open()
    assert await store.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 1.0)
    assert not await store.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 2.0)
    await store.close()
    again = make()
    await again.open()
    assert not await again.accept_inbound("telegram:update:1", "telegram:42", {"t": 1}, 3.0)


async def test_inbound_comes_back_in_order_until_processed(make: Backend) -> None:
    store = make()
    await store.open()
    for n in range(3):
        await store.accept_inbound(f"k{n}", "web:abc", {"n": n}, float(n))
    first = await store.next_inbound("web:abc")
    assert first is not None
    assert first.payload == {"n": 0}
    await store.commit_turn(Turn(first.id, "web:abc", {"stage": "bot"}, []), 5.0)
    second = await store.next_inbound("web:abc")
    assert second is not None
    assert second.payload == {"n": 1}
    assert await store.load_state("web:abc") == {"stage": "bot"}


async def test_a_chat_lease_keeps_other_workers_out_until_it_expires(make: Backend) -> None:
    store = make()
    await store.open()
    assert await store.claim("telegram:1", "a", now=100.0, ttl=30)
    assert await store.claim("telegram:1", "a", now=101.0, ttl=30)  # renew
    assert not await store.claim("telegram:1", "b", now=110.0, ttl=30)
    assert await store.claim("telegram:1", "b", now=200.0, ttl=30)  # expired
    await store.release("telegram:1", "b")
    assert await store.claim("telegram:1", "a", now=201.0, ttl=30)


async def test_the_outbox_keeps_lane_order_and_records_delivery(make: Backend) -> None:
    store = make()
    await store.open()
    await store.accept_inbound("k", "telegram:5", {}, 1.0)
    row = await store.next_inbound("telegram:5")
    assert row is not None
    contact = Contact("telegram:5", "telegram", "5", name="Budi", first_seen=1, last_seen=1)
    outgoing = [
        Outgoing("telegram:5", {"op": "say", "text": "satu"}, "telegram:5", "say", "satu"),
        Outgoing("telegram:5", {"text": "dua"}, "telegram:5", "say", "dua"),
    ]
    ids = await store.commit_turn(Turn(row.id, "telegram:5", None, outgoing, contact), 2.0)
    assert len(ids) == 2
    first = await store.next_outgoing("telegram:5")
    assert first is not None
    assert first.payload["text"] == "satu"
    await store.mark_sent(first, "m1", 3.0)
    assert await store.record_status("m1", "delivered", 4.0)
    second = await store.next_outgoing("telegram:5")
    assert second is not None
    assert second.payload["text"] == "dua"
    await store.mark_retry(second.id, 99.0, "502")
    await store.mark_failed(second.id, "gave up", 5.0)
    assert await store.next_outgoing("telegram:5") is None
    history = await store.history("telegram:5")
    assert history[-1]["status"] == "delivered"
    saved = await store.contact("telegram:5")
    assert saved is not None
    assert saved.name == "Budi"


async def test_the_schema_is_versioned(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "v.db"))
    await store.open()
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()


async def test_two_processes_opening_a_new_file_together_migrate_it_once(tmp_path: Path) -> None:
    import asyncio
    import threading

    path = str(tmp_path / "race.db")
    errors: list[BaseException] = []

    def open_one() -> None:
        async def go() -> None:
            store = SqliteStore(path)
            await store.open()
            await store.close()

        try:
            asyncio.run(go())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = SqliteStore(path)
    await store.open()
    assert await store.schema_version() == len(MIGRATIONS)
    await store.close()


async def test_handoffs_are_opened_answered_and_closed(make: Backend) -> None:
    store = make()
    await store.open()
    for n, (state, event) in enumerate(
        [
            ({"stage": "handed_off", "handed_off_at": 1.0}, HandoffEvent("opened", "closing")),
            ({"stage": "handed_off", "seller": "Rina"}, HandoffEvent("answered", seller="Rina")),
            ({"stage": "bot"}, HandoffEvent("released", seller="Rina")),
        ]
    ):
        await store.accept_inbound(f"h{n}", "whatsapp:62811", {}, float(n))
        row = await store.next_inbound("whatsapp:62811")
        assert row is not None
        await store.commit_turn(Turn(row.id, "whatsapp:62811", state, [], handoff=event), 10.0 + n)
        if n == 0:
            assert [key for key, _ in await store.handed_off_chats()] == ["whatsapp:62811"]
    [record] = await store.handoffs("whatsapp:62811")
    assert record["reason"] == "closing"
    assert (record["seller"], record["first_answer_at"], record["released_at"]) == (
        "Rina",
        11.0,
        12.0,
    )
    assert await store.handed_off_chats() == []
    assert await store.handoffs() == [record]


async def test_the_inbox_lists_handed_off_chats_first_with_unread_counts(make: Backend) -> None:
    store = make()
    await store.open()
    for n, key in enumerate(["telegram:1", "telegram:2"]):
        await store.accept_inbound(f"i{n}", key, {}, float(n))
        row = await store.next_inbound(key)
        assert row is not None
        contact = Contact(key, "telegram", key[-1], name=f"Buyer {n}", first_seen=n, last_seen=n)
        state = {"stage": "handed_off" if n == 0 else "bot", "handoff_reason": "human"}
        turn = Turn(row.id, key, state, [], contact, logged_text="halo")
        await store.commit_turn(turn, 5.0 + n)
    chats = await store.inbox_chats()
    assert [c["chat_key"] for c in chats] == ["telegram:1", "telegram:2"]  # handed off first
    assert chats[0]["unread"] == 1
    assert chats[0]["handoff_reason"] == "human"
    await store.mark_seen("telegram:1", 100.0)
    assert await store.annotate("telegram:1", "vip", None)
    assert not await store.annotate("telegram:404", "vip", None)
    [one] = await store.inbox_chats(chat_key="telegram:1")
    assert (one["unread"], one["tags"], one["notes"]) == (0, "vip", "")
    rows = await store.contact_rows()
    assert [(r["name"], r["handoffs"]) for r in rows] == [("Buyer 0", 0), ("Buyer 1", 0)]


async def test_pending_work_is_found_again_after_a_restart(make: Backend) -> None:
    store = make()
    await store.open()
    await store.accept_inbound("p1", "web:b", {}, 1.0)
    await store.accept_inbound("p2", "web:a", {}, 2.0)
    await store.accept_inbound("p3", "web:c", {}, 3.0)
    failed = await store.next_inbound("web:c")
    assert failed is not None
    await store.fail_inbound(failed.id, "boom", 4.0)
    say = {"op": "say", "text": "x", "options": [["a", "A"]]}
    first = await store.enqueue(Outgoing("web:a", say, "web:a", "say", "x"), 5.0)
    await store.enqueue(Outgoing("telegram:9", {"op": "say", "text": "y"}), 6.0)
    await store.close()
    again = make()
    await again.open()
    assert await again.chats_with_pending_inbound() == ["web:b", "web:a"]
    assert await again.lanes_with_pending_outbox() == ["web:a", "telegram:9"]
    assert await again.outbox_depth() == 2
    row = await again.next_outgoing("web:a")
    assert row is not None
    assert row.id == first
    await again.mark_sent(row, "web-1", 7.0)
    [sent] = await again.messages_after("web:a", 0)
    assert (sent["text"], sent["payload"]) == ("x", say)
    assert await again.messages_after("web:a", sent["id"]) == []


async def test_seller_links_find_the_buyer_and_the_latest_topic(make: Backend) -> None:
    store = make()
    await store.open()
    await store.link("-100", "topic", "77", "telegram:5")
    await store.link("-100", "message", "901", "telegram:5")
    assert await store.linked_chat("-100", "topic", "77") == "telegram:5"
    assert await store.linked_chat("-100", "topic", "78") is None
    await store.link("-100", "topic", "80", "telegram:5")  # the old topic was deleted
    assert await store.topic_of("-100", "telegram:5") == "80"
    await store.link("-100", "topic", "77", "telegram:5")  # ... and came back
    assert await store.topic_of("-100", "telegram:5") == "77"
    assert await store.topic_of("-100", "telegram:6") is None


async def test_stores_opening_a_new_database_together_migrate_it_once(make: Backend) -> None:
    import asyncio

    stores = [make() for _ in range(4)]
    await asyncio.gather(*(s.open() for s in stores))
    assert all([await s.ping() for s in stores])
    assert await stores[0].accept_inbound("m", "web:x", {}, 1.0)
    assert not await stores[1].accept_inbound("m", "web:x", {}, 1.0)


async def test_sellers_find_buyers_by_name_phone_username_or_tag(make: Backend) -> None:
    store = make()
    await store.open()
    buyers = [
        Contact(
            "whatsapp:6281234567890",
            "whatsapp",
            "6281234567890",
            "Siti Aminah",
            None,
            "+6281234567890",
            first_seen=1,
            last_seen=1,
        ),
        Contact("telegram:77", "telegram", "77", "Budi", "budi_99", first_seen=2, last_seen=2),
        Contact("telegram:78", "telegram", "78", "100% Asli", first_seen=3, last_seen=3),
    ]
    for n, contact in enumerate(buyers):
        await store.accept_inbound(f"s{n}", contact.chat_key, {}, float(n))
        row = await store.next_inbound(contact.chat_key)
        assert row is not None
        await store.commit_turn(Turn(row.id, contact.chat_key, {}, [], contact), 5.0 + n)
    await store.annotate("telegram:77", "reseller, jakarta", None)

    async def found(search: str) -> list[str]:
        return [c["chat_key"] for c in await store.inbox_chats(search=search)]

    assert await found("siti") == ["whatsapp:6281234567890"]
    assert await found("0812-3456") == ["whatsapp:6281234567890"]  # as sellers type it
    assert await found("+62 812 345") == ["whatsapp:6281234567890"]
    assert await found("BUDI_9") == ["telegram:77"]  # any case; "_" is not a wildcard
    assert await found("reseller") == ["telegram:77"]
    assert await found("100%") == ["telegram:78"]  # "%" is not a wildcard either
    assert await found("nobody") == []
    assert len(await found("  ")) == 3  # nothing to look for: everyone


async def test_a_timer_fires_once_as_a_tick_of_its_chat(make: Backend) -> None:
    store, other = make(), make()  # two processes on one database
    await store.open()
    await other.open()
    await store.set_timer("web:t", "remind", 50.0, {"n": 1}, 1.0)
    await store.set_timer("web:t", "remind", 60.0, {"n": 2}, 2.0)  # moved, not added
    await store.set_timer("web:u", "close", 70.0, {}, 2.0)
    await store.set_timer("web:u", "gone", 10.0, {}, 2.0)
    await store.cancel_timer("web:u", "gone")
    assert [(t.kind, t.due_at, t.data) for t in await other.timers_of("web:t")] == [
        ("remind", 60.0, {"n": 2})
    ]
    assert await other.next_timer_at() == 60.0
    assert await store.fire_due_timers(59.0) == []
    fired = await asyncio.gather(store.fire_due_timers(65.0), other.fire_due_timers(65.0))
    assert sorted(fired, key=len) == [[], ["web:t"]]
    row = await store.next_inbound("web:t")
    assert row is not None
    assert row.payload == {"type": "tick", "kind": "remind", "data": {"n": 2}, "due_at": 60.0}
    await store.close()
    again = make()  # timers survive a restart
    await again.open()
    assert await again.next_timer_at() == 70.0
    assert await again.fire_due_timers(100.0) == ["web:u"]
    assert await again.fire_due_timers(100.0) == []
    assert await again.next_timer_at() is None
    assert await again.chats_with_pending_inbound() == ["web:t", "web:u"]


async def test_a_turn_sets_and_cancels_its_chats_timers(make: Backend) -> None:
    store = make()
    await store.open()
    await store.set_timer("web:v", "old", 5.0, {}, 1.0)
    await store.accept_inbound("t1", "web:v", {}, 1.0)
    row = await store.next_inbound("web:v")
    assert row is not None
    timers = [TimerChange("remind", 30.0, {"seller": "Rina"}), TimerChange("old", None)]
    await store.commit_turn(Turn(row.id, "web:v", None, timers=timers), 2.0)
    assert [(t.kind, t.data) for t in await store.timers_of("web:v")] == [
        ("remind", {"seller": "Rina"})
    ]


async def test_only_logged_commands_join_the_history(make: Backend) -> None:
    store = make()
    await store.open()
    await store.enqueue(Outgoing("telegram:7", {"op": "mark_read"}), 1.0)
    post = {"op": "seller_post", "text": "Budi asks"}
    await store.enqueue(Outgoing("telegram:-100", post, "telegram:7", "seller_post", "hi"), 2.0)
    for n in range(2):
        lane = await store.lanes_with_pending_outbox()
        row = await store.next_outgoing(lane[0])
        assert row is not None
        await store.mark_sent(row, f"p{n}", 3.0 + n)
    [line] = await store.history("telegram:7")
    assert (line["direction"], line["kind"], line["text"]) == ("out", "seller_post", "hi")
    assert await store.history("telegram:-100") == []


async def test_the_web_chat_reads_only_what_the_buyer_got(make: Backend) -> None:
    store = make()
    await store.open()
    reply = {"op": "say", "text": "halo kak", "options": [["a", "A"]]}
    notice = {"op": "seller_post", "about": "web:s", "text": "Budi butuh bantuan"}
    await store.enqueue(Outgoing("web:s", reply, "web:s", "say", "halo kak"), 1.0)
    await store.enqueue(Outgoing("telegram:-100", notice, "web:s", "seller_post", "Budi"), 2.0)
    for lane in ("web:s", "telegram:-100"):
        row = await store.next_outgoing(lane)
        assert row is not None
        await store.mark_sent(row, None, 3.0)
    assert [m["text"] for m in await store.messages_after("web:s", 0)] == ["halo kak"]
    assert [m["text"] for m in await store.history("web:s")] == ["halo kak", "Budi"]


async def test_each_message_keeps_what_the_bot_did_about_it(make: Backend) -> None:
    store = make()
    await store.open()
    for n, (key, action) in enumerate([("telegram:1", "answer"), ("web:x", "handoff:price")]):
        await store.accept_inbound(f"a{n}", key, {}, float(n))
        row = await store.next_inbound(key)
        assert row is not None
        turn = Turn(row.id, key, {}, logged_text=f"pesan {n}", action=action)
        await store.commit_turn(turn, 10.0 + n)
    found = await store.activity(10.0, 11.0)
    assert found == [
        {
            "chat_key": "telegram:1",
            "channel": "telegram",
            "at": 10.0,
            "action": "answer",
            "text": "pesan 0",
        }
    ]
    assert [a["action"] for a in await store.activity(0.0, 100.0)] == ["answer", "handoff:price"]


async def test_a_secret_is_made_once_and_sessions_can_be_revoked(make: Backend) -> None:
    store, other = make(), make()
    await store.open()
    await other.open()
    first = await store.secret("cookie_key", lambda: "made-first")
    assert await other.secret("cookie_key", lambda: "made-later") == first == "made-first"
    await store.create_session("h1", "Rina", 1.0, 100.0)
    await store.create_session("h2", "Rina", 1.0, 100.0)
    assert await other.session("h1", 50.0) == {
        "seller": "Rina",
        "created_at": 1.0,
        "expires_at": 100.0,
    }
    assert await store.session("h1", 100.0) is None  # expired
    await store.revoke_session("h1")
    assert await store.session("h1", 50.0) is None
    assert await store.revoke_all_sessions() == 1
    assert await store.session("h2", 50.0) is None


async def test_purge_forgets_old_transcripts_and_web_visitors(make: Backend) -> None:
    store = make()
    await store.open()
    for n, key in enumerate(["telegram:7", "web:old"]):
        await store.accept_inbound(f"p{n}", key, {}, 1.0)
        row = await store.next_inbound(key)
        assert row is not None
        contact = Contact(key, key.split(":")[0], key[-3:], first_seen=1.0, last_seen=1.0)
        out = Outgoing(key, {"op": "say", "text": "ok"}, key, "say", "ok")
        timer = TimerChange("remind", 500.0)
        turn = Turn(row.id, key, {"stage": "bot"}, [out], contact, "hai", timers=[timer])
        await store.commit_turn(turn, 1.0)
        sent = await store.next_outgoing(key)
        assert sent is not None
        await store.mark_sent(sent, None, 1.0)
    await store.accept_inbound("new", "telegram:7", {}, 200.0)  # pending: kept
    await store.create_session("old", "Rina", 1.0, 2.0)
    assert await store.purge(100.0) > 0
    assert await store.history("telegram:7") == []
    assert await store.contact("telegram:7") is not None  # real buyers stay
    assert await store.contact("web:old") is None
    assert await store.load_state("web:old") is None
    assert await store.timers_of("web:old") == []
    assert [t.kind for t in await store.timers_of("telegram:7")] == ["remind"]
    assert await store.chats_with_pending_inbound() == ["telegram:7"]
    assert not await store.accept_inbound("new", "telegram:7", {}, 201.0)
    assert await store.purge(100.0) == 0


async def test_recent_histories_are_each_chats_history_in_one_read(make: Backend) -> None:
    store = make()
    await store.open()
    for n, (key, text) in enumerate(
        [("telegram:1", "a"), ("telegram:2", "b"), ("telegram:1", "c"), ("telegram:1", "d")]
    ):
        await store.accept_inbound(f"h{n}", key, {}, float(n))
        row = await store.next_inbound(key)
        assert row is not None
        await store.commit_turn(Turn(row.id, key, None, logged_text=text), float(n))
    keys = ["telegram:1", "telegram:2", "telegram:3"]
    found = await store.recent_histories(keys, 2)
    assert found == {key: await store.history(key, 2) for key in keys}
    assert [m["text"] for m in found["telegram:1"]] == ["c", "d"]
    assert await store.recent_histories([], 2) == {}
