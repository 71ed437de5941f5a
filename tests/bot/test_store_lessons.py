"""The lessons concern of the store contract (issue 12), over memory, SQLite, PostgreSQL."""

from __future__ import annotations

from bot.store.base import Turn
from faq.lessons import Clarified, Fallback, from_dict, to_dict
from tests.bot.test_store import Backend, make

__all__ = ["make"]  # the contract's backends fixture, shared with test_store


class TestLessons:
    async def test_lessons_are_written_with_their_turn_and_read_back(self, make: Backend) -> None:
        store = make()
        await store.open()
        await store.accept_inbound("k1", "web:a", {"type": "buyer"}, 1.0)
        row = await store.next_inbound("web:a")
        assert row is not None
        taught = [
            Fallback("kirim ke 0812 3456 7890 bisa?", 10.0, "b1"),
            Clarified("ongkir brp", ("ongkir", "kurir"), "ongkir", "tap", 20.0, "b1"),
        ]
        turn = Turn(row.id, "web:a", {"stage": "bot"}, lessons=[to_dict(m) for m in taught])
        await store.commit_turn(turn, 20.0)
        found = [from_dict(m) for m in await store.lessons()]
        assert found == taught
        assert "0812" not in str(await store.lessons())
        assert [from_dict(m) for m in await store.lessons(since=15.0)] == taught[1:]
        assert await store.next_inbound("web:a") is None

    async def test_a_dismissal_is_kept_once_with_who_and_when(self, make: Backend) -> None:
        store = make()
        await store.open()
        assert await store.dismissed_suggestions() == {}
        await store.dismiss_suggestion("abc123", "Sari", 5.0)
        await store.dismiss_suggestion("abc123", "Budi", 6.0)
        assert await store.dismissed_suggestions() == {"abc123": {"who": "Sari", "at": 5.0}}
