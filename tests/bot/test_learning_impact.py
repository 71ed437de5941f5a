"""What accepting a suggestion would undo, shown where sellers accept: the inbox's Saran FAQ
page and /saran in the seller chat warn as `japri faq suggest` does (faq/impact.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.learning import IMPACT_CHECKED
from bot.learning_texts import EFFECTS_SHOWN, side_effect_lines
from bot.store.base import Turn
from faq.impact import SideEffect
from faq.lessons import Clarified, Fallback, Lesson, to_dict
from tests.bot.gateway_kit import SELLER_CHAT, Running, running, tg_seller, write_config
from tests.shop_faqs import COURIERS

PASSWORD = "kata-sandi-toko"
SELLER = str(SELLER_CHAT)
# Buyers who meant shipping time by "kirim pakai apa?": adding it to 'lama-kirim' makes the
# bot ask back on "kirimnya pakai apa sis", which a buyer settled as 'kurir' (answered so
# today; the shop's own "pakai ekspedisi apa?" stays answered: a learned wording makes no
# rival of its entry where another entry's own question is best).
RISKY = "kirim pakai apa?"
SETTLED = "kirimnya pakai apa sis"
WARNING = (
    f"Hati-hati: “{SETTLED}” sekarang dijawab dengan “kurir”; setelah ini bot akan bertanya balik."
)
HARMLESS = "kapan dikirim kak?"  # a shipping-time wording that moves no other answer


def picked(text: str, entry_id: str, at: float, buyer: str) -> Lesson:
    return Clarified(text, ("kurir", "lama-kirim"), entry_id, "tap", at, buyer)


LESSONS = [
    picked(SETTLED, "kurir", 0.5, "b0"),
    picked(RISKY, "lama-kirim", 1.0, "b1"),
    picked(RISKY, "lama-kirim", 2.0, "b2"),  # two buyers: listed first
    picked(HARMLESS, "lama-kirim", 3.0, "b3"),
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "faq.yaml").write_text(COURIERS, encoding="utf-8")
    return write_config(tmp_path, inbox={"password": PASSWORD})


async def taught(bot: Running, lessons: list[Lesson]) -> None:
    """The lessons as turns record them."""
    turn = Turn(0, "telegram:61", None, lessons=[to_dict(m) for m in lessons])
    await bot.gateway.store.commit_turn(turn, 4.0)


async def test_the_saran_page_warns_of_what_accepting_would_undo(config: Path) -> None:
    async with running(config) as bot:
        await taught(bot, LESSONS)
        login = {"password": PASSWORD, "name": "Rina"}
        assert (await bot.client.post("/inbox/login", data=login)).status_code == 303
        page = (await bot.client.get("/inbox/saran")).text
        [risky, harmless] = page.split('<li class="card"')[1:]  # most asked first
        assert f'value="{RISKY}"' in risky
        assert WARNING in risky
        assert f'value="{HARMLESS}"' in harmless
        assert "Hati-hati" not in harmless
        assert "hanya diperiksa" not in page  # every suggestion shown was checked


async def test_saran_in_the_seller_chat_warns_under_the_suggestion(config: Path) -> None:
    async with running(config) as bot:
        await taught(bot, LESSONS)
        await bot.telegram(tg_seller("/saran"))
        await bot.tg.wait_for(
            lambda c: any("Saran FAQ" in m.text for m in bot.tg.sent("sendMessage", SELLER))
        )
        [listing] = [m.text for m in bot.tg.sent("sendMessage", SELLER) if "Saran FAQ" in m.text]
        lines = listing.splitlines()
        first = next(n for n, line in enumerate(lines) if line.startswith("1. ") and RISKY in line)
        assert lines[first + 1] == f"   ⚠️ {WARNING}"
        second = next(n for n, line in enumerate(lines) if line.startswith("2. "))
        assert HARMLESS in lines[second]
        assert listing.count("Hati-hati") == 1


TOPICS = (
    "bisa bayar paylater",
    "ada garansi resmi",
    "toko buka hari minggu",
    "bisa custom warna",
    "ada harga grosir",
    "bisa kirim ke luar negeri",
)


async def test_only_the_first_suggestions_are_checked_and_the_page_says_so(
    config: Path,
) -> None:
    many = [
        picked(SETTLED, "kurir", 0.5, "a0"),
        picked(RISKY, "lama-kirim", 1.0, "b0"),
        picked(RISKY, "lama-kirim", 1.5, "b1"),
    ]
    for n, topic in enumerate(TOPICS):  # questions nobody answered, two buyers each
        many += [Fallback(topic, 2.0 + n, f"c{n}"), Fallback(topic, 2.5 + n, f"d{n}")]
    async with running(config) as bot:
        await taught(bot, many)
        reviewed = await bot.gateway.learning.reviewed(IMPACT_CHECKED)
        assert len(reviewed) == 1 + len(TOPICS) > IMPACT_CHECKED
        assert reviewed[0][1] == (SideEffect(SETTLED, "kurir", "clarify"),)
        assert all(effects is not None for _, effects in reviewed[:IMPACT_CHECKED])
        assert all(effects is None for _, effects in reviewed[IMPACT_CHECKED:])
        login = {"password": PASSWORD, "name": "Rina"}
        assert (await bot.client.post("/inbox/login", data=login)).status_code == 303
        page = (await bot.client.get("/inbox/saran")).text
        assert page.count(f"hanya diperiksa untuk {IMPACT_CHECKED} saran teratas") == 1
        assert page.count("Hati-hati:") == 1


@pytest.mark.parametrize(
    ("becomes", "then"),
    [
        ("fallback", "bot tidak akan memahaminya"),
        ("new entry", "bot akan menjawabnya dengan entri baru"),
        ("ongkir", "bot akan menjawabnya dengan “ongkir”"),
    ],
)
def test_each_side_effect_says_what_the_bot_would_do_then(becomes: str, then: str) -> None:
    [line] = side_effect_lines("id", [SideEffect("ongkir ke bdg", "kurir", becomes)])
    assert (
        line == f"Hati-hati: “ongkir ke bdg” sekarang dijawab dengan “kurir”; setelah ini {then}."
    )


def test_a_long_list_of_side_effects_is_cut_and_counted() -> None:
    effects = [SideEffect(f"pertanyaan {n} " + "x" * 80, "kurir", "clarify") for n in range(5)]
    lines = side_effect_lines("en", effects)
    assert len(lines) == EFFECTS_SHOWN + 1
    assert lines[-1] == f"… and {5 - EFFECTS_SHOWN} more questions change too."
    assert all(re.search(r"“[^”]{1,60}”", line) for line in lines[:EFFECTS_SHOWN])
    assert "x" * 80 not in lines[0]
