"""One store trip where a message used to take two: the commit returns the chat's next
event (and gives the lease back when there is none), the sent mark returns the lane's next
row, and the state read with an event is the one the turn's ``load_state`` sees."""

from __future__ import annotations

from typing import Any

import pytest

from bot.commands import Say, queued
from bot.store.base import LaneLeases, Store, Turn
from bot.store.memory import MemoryStore

CHAT = "telegram:5"


@pytest.fixture
def store(backend_store: Store) -> Store:
    return backend_store


async def _accept(store: Store, n: int) -> None:
    assert await store.accept_inbound(f"tg:{n}", CHAT, {"n": n}, 1.0)


async def test_the_commit_hands_over_the_next_event_and_its_state(store: Store) -> None:
    await _accept(store, 1)
    await _accept(store, 2)
    first, state = await store.next_turn(CHAT)
    assert first is not None
    assert first.payload == {"n": 1}
    assert state is None
    assert await store.load_state(CHAT) is None
    turn = Turn(first.id, CHAT, {"stage": "open", "n": 1}, [queued(CHAT, Say("halo"))])
    ids, second, state = await store.commit_and_next(turn, 2.0)
    assert len(ids) == 1
    assert second is not None
    assert second.payload == {"n": 2}
    assert state == {"stage": "open", "n": 1}
    assert await store.load_state(CHAT) == {"stage": "open", "n": 1}
    ids, third, state = await store.commit_and_next(Turn(second.id, CHAT, None), 3.0)
    assert (ids, third, state) == ([], None, None)


async def test_the_last_commit_gives_the_lease_back(store: Store) -> None:
    await _accept(store, 1)
    await _accept(store, 2)
    assert await store.claim(CHAT, "me", 1.0, 30.0)
    first, _ = await store.next_turn(CHAT)
    assert first is not None
    _, second, _ = await store.commit_and_next(Turn(first.id, CHAT, None), 2.0, (CHAT, "me"))
    assert second is not None
    assert not await store.claim(CHAT, "other", 2.0, 30.0)  # still ours: an event waits
    _, last, _ = await store.commit_and_next(Turn(second.id, CHAT, None), 3.0, (CHAT, "me"))
    assert last is None
    assert await store.claim(CHAT, "other", 3.0, 30.0)  # given back with the commit


async def test_a_state_written_after_the_read_is_not_served_stale(store: Store) -> None:
    await _accept(store, 1)
    first, _ = await store.next_turn(CHAT)
    assert first is not None
    await store.commit_turn(Turn(first.id, CHAT, {"stage": "handed_off"}), 2.0)
    assert await store.load_state(CHAT) == {"stage": "handed_off"}


async def test_the_sent_mark_hands_over_the_lanes_next_row(store: Store) -> None:
    for text in ("a", "b", "c"):
        await store.enqueue(queued(CHAT, Say(text)), 1.0)
    a = await store.next_outgoing(CHAT)
    assert a is not None
    b = await store.next_outgoing(CHAT, (a.id,))  # a is on its way: b may start
    assert b is not None
    assert b.payload != a.payload
    count, following = await store.mark_sent_next(a, "m1", 2.0, (b.id,))
    assert count == 1
    assert following is not None
    assert following.payload["text"] == "c"
    await store.mark_sent(b, "m2", 2.0)
    count, following = await store.mark_sent_next(following, "m3", 2.0)
    assert (count, following) == (3, None)
    assert await store.outbox_depth() == 0


async def test_rows_carry_the_turn_that_queued_them(store: Store) -> None:
    await _accept(store, 1)
    first, _ = await store.next_turn(CHAT)
    assert first is not None
    await store.commit_turn(Turn(first.id, CHAT, None, [queued(CHAT, Say("x"))]), 2.0)
    await store.enqueue(queued(CHAT, Say("note")), 2.0)
    row = await store.next_outgoing(CHAT)
    assert row is not None
    assert row.turn == first.id
    note = await store.next_outgoing(CHAT, (row.id,))
    assert note is not None
    assert note.turn is None


async def test_a_claim_reads_the_chats_next_event_and_the_lanes_next_row(store: Store) -> None:
    await _accept(store, 1)
    await store.enqueue(queued(CHAT, Say("halo")), 1.0)
    took, event, _ = await store.claim_turn(CHAT, "me", 1.0, 30.0, CHAT)
    assert took
    assert event is not None
    took, event, _ = await store.claim_turn(CHAT, "other", 2.0, 30.0, CHAT)
    assert (took, event) == (False, None)  # held by "me"
    took, row = await store.claim_lane("outbox:" + CHAT, "me", 1.0, 60.0, CHAT)
    assert took
    assert row is not None
    took, _ = await store.claim_lane("outbox:" + CHAT, "other", 2.0, 60.0, CHAT)
    assert not took


async def test_the_lanes_last_mark_gives_its_lease_back(store: Store) -> None:
    key = "outbox:" + CHAT
    for text in ("a", "b"):
        await store.enqueue(queued(CHAT, Say(text)), 1.0)
    took, a = await store.claim_lane(key, "me", 1.0, 60.0, CHAT)
    assert took
    assert a is not None
    _, b = await store.mark_sent_next(a, None, 2.0, (), (key, "me"))
    assert b is not None
    assert not await store.claim(key, "other", 2.0, 60.0)  # b waits: still ours
    _, none = await store.mark_sent_next(b, None, 3.0, (), (key, "me"))
    assert none is None
    assert await store.claim(key, "other", 3.0, 60.0)


LANES = LaneLeases("outbox:", "me", 60.0)
SELLERS = "telegram:-100"


async def _turn_with_replies(store: Store) -> Turn:
    await _accept(store, 1)
    first, _ = await store.next_turn(CHAT)
    assert first is not None
    replies = [
        queued(CHAT, Say("halo")),
        queued(CHAT, Say("apa kabar")),
        queued(SELLERS, Say("!")),
    ]
    return Turn(first.id, CHAT, None, replies)


async def test_a_commit_takes_the_lanes_it_queued_for_for_the_outbox(store: Store) -> None:
    await store.commit_and_next(await _turn_with_replies(store), 2.0, None, LANES)
    assert not await store.claim("outbox:" + CHAT, "other", 2.5, 60.0)
    assert not await store.claim("outbox:" + SELLERS, "other", 2.5, 60.0)
    took, row = await store.claim_lane("outbox:" + CHAT, "me", 2.5, 60.0, CHAT)
    assert took
    assert row is not None
    assert row.payload["text"] == "halo"  # the lane's first row, as a read gives it
    took, row = await store.claim_lane("outbox:" + SELLERS, "me", 2.5, 60.0, SELLERS)
    assert took
    assert row is not None
    assert row.payload["text"] == "!"


async def test_a_commit_leaves_a_lane_another_process_holds(store: Store) -> None:
    assert await store.claim("outbox:" + CHAT, "other", 1.0, 60.0)
    await store.commit_and_next(await _turn_with_replies(store), 2.0, None, LANES)
    took, _ = await store.claim_lane("outbox:" + CHAT, "me", 2.5, 60.0, CHAT)
    assert not took


async def test_a_lane_sent_from_after_the_commit_is_read_again(store: Store) -> None:
    """A worker of the lane still running in this process may send what the commit
    queued before the next worker claims the lane: that one must not send it again."""
    await store.commit_and_next(await _turn_with_replies(store), 2.0, None, LANES)
    for _ in range(2):  # the running worker sends both replies
        row = await store.next_outgoing(CHAT)
        assert row is not None
        await store.mark_sent(row, None, 2.2)
    took, row = await store.claim_lane("outbox:" + CHAT, "me", 2.5, 60.0, CHAT)
    assert took
    assert row is None


async def test_a_lane_given_back_after_the_commit_is_read_again(store: Store) -> None:
    await store.commit_and_next(await _turn_with_replies(store), 2.0, None, LANES)
    await store.release("outbox:" + CHAT, "me")
    assert await store.claim("outbox:" + CHAT, "other", 2.1, 60.0)
    took, _ = await store.claim_lane("outbox:" + CHAT, "me", 2.5, 60.0, CHAT)
    assert not took


async def test_a_lane_sent_from_while_the_commit_was_on_its_way_is_read_again(
    store: Store,
) -> None:
    if isinstance(store, MemoryStore):
        pytest.skip("no trips to overlap")
    turn = await _turn_with_replies(store)
    engine: Any = store.engine  # type: ignore[attr-defined]
    commit = engine.run
    overlapping = True

    async def run(stmts: Any, write: bool = True) -> Any:
        nonlocal overlapping
        results = await commit(stmts, write)
        if overlapping and len(stmts) > 3:  # the commit is in: before its answer is read,
            overlapping = False  # a worker of the lane still running sends what it queued
            while (row := await store.next_outgoing(CHAT)) is not None:
                await store.mark_sent(row, None, 2.1)
        return results

    engine.run = run
    await store.commit_and_next(turn, 2.0, None, LANES)
    assert not overlapping
    took, row = await store.claim_lane("outbox:" + CHAT, "me", 2.5, 60.0, CHAT)
    assert took
    assert row is None  # not the reply the running worker sent already
