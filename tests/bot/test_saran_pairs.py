"""The inbox's Saran FAQ page names the pairs of entries buyers keep choosing between: who
meant which, in what words, and the words that tell the two apart (faq/pairs.py)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from bot.routes import inbox
from bot.store.base import Turn
from faq.lessons import Clarified, Fallback, Lesson, to_dict
from tests.bot.gateway_kit import Running, running, write_config
from tests.shop_faqs import TWINS

PASSWORD = "kata-sandi-toko"
INVOICES = ("minta-invoice", "cek-invoice")
CHECK = "status invoice saya gimana?"  # the entries' titles: their first questions
SEND = "bisa minta invoice?"


def pick(text: str, entry: str, buyer: str) -> Lesson:
    return Clarified(text, INVOICES, entry, "tap", 1.0, buyer)


TWIN_PICKS: list[Lesson] = [
    pick("cek invoice", "cek-invoice", "b1"),
    pick("mau lihat invoice", "cek-invoice", "b2"),
    pick("lihat invoice saya", "cek-invoice", "b3"),
    pick("invoice nya dong kak", "minta-invoice", "b4"),
    pick("invoice nya dikirim ya kak", "minta-invoice", "b5"),
    Fallback("jam buka toko kak", 2.0, "b6"),  # lands on both opening-hours entries today
]


def shop(tmp_path: Path, language: str = "id") -> Path:
    (tmp_path / "faq.yaml").write_text(TWINS, encoding="utf-8")
    return write_config(tmp_path, inbox={"password": PASSWORD}, shop={"language": language})


async def saran_page(bot: Running, lessons: list[Lesson]) -> str:
    """The page a logged-in seller sees once turns recorded ``lessons``."""
    if lessons:
        turn = Turn(0, "telegram:61", None, lessons=[to_dict(m) for m in lessons])
        await bot.gateway.store.commit_turn(turn, 4.0)
    login = {"password": PASSWORD, "name": "Rina"}
    assert (await bot.client.post("/inbox/login", data=login)).status_code == 303
    page = await bot.client.get("/inbox/saran")
    assert page.status_code == 200
    return html.unescape(page.text)


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, tags and line breaks gone."""
    without_tags = "".join(part.split(">", 1)[-1] for part in fragment.split("<"))
    return " ".join(without_tags.split())


async def test_the_page_says_which_entries_buyers_mix_up_and_how_they_ask(
    tmp_path: Path,
) -> None:
    async with running(shop(tmp_path)) as bot:
        page = await saran_page(bot, TWIN_PICKS)
    section = page.split('<section id="pairs">')[1].split("</section>")[0]
    invoices, hours = section.split('<div class="card pair"')[1:]  # most buyers first
    words = text_of(invoices)
    assert f"Pembeli sering bingung antara “{CHECK}” dan “{SEND}” · 5 pembeli" in words
    assert "4 pertanyaan mereka masih dijawab “maksudnya yang mana?”" in words
    assert (
        f"3 pembeli maksudnya “{CHECK}” (cek-invoice): “cek invoice”; "
        "“mau lihat invoice”; “lihat invoice saya”"
    ) in words
    assert f"2 pembeli maksudnya “{SEND}”" in words
    assert f"Pembeli yang maksudnya “{CHECK}” menulis: lihat, cek, mau" in words
    assert f"Pembeli yang maksudnya “{SEND}” menulis: dikirim" in words
    hours_words = text_of(hours)
    assert "Pembeli sering bingung antara “jam buka toko hari minggu” dan" in hours_words
    assert "1 pembeli bertanya dengan kata-kata yang cocok untuk keduanya" in hours_words
    assert "maksudnya “jam" not in hours_words  # nobody said which: no side listed
    assert 'id="more-pairs"' not in page
    assert 'class="card" id="s-' in page  # the suggestions are still there


async def test_past_the_first_pairs_the_page_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox, "PAIRS_SHOWN", 1)
    async with running(shop(tmp_path)) as bot:
        page = await saran_page(bot, TWIN_PICKS)
    assert page.count('<div class="card pair"') == 1
    assert "… dan 1 pasangan lain." in page


async def test_the_pairs_speak_the_shops_language(tmp_path: Path) -> None:
    async with running(shop(tmp_path, "en")) as bot:
        page = await saran_page(bot, TWIN_PICKS)
    words = text_of(page)
    assert f"Buyers often mix up “{CHECK}” and “{SEND}”" in words
    assert f"Buyers who meant “{CHECK}” write: lihat, cek, mau" in words


async def test_without_confused_buyers_the_page_has_no_pairs(tmp_path: Path) -> None:
    async with running(shop(tmp_path)) as bot:
        page = await saran_page(bot, [])
    assert 'id="pairs"' not in page
    assert "Belum ada saran." in page


async def test_one_buyer_is_one_buyer_in_english(tmp_path: Path) -> None:
    async with running(shop(tmp_path, "en")) as bot:
        page = await saran_page(bot, TWIN_PICKS)
    hours = text_of(page.split('<div class="card pair"')[2])
    assert "· 1 buyer 1 of their questions still gets “which one?”" in hours
    assert "1 buyer asked in words that fit both and did not say which." in hours
    assert "1 buyers" not in text_of(page)
