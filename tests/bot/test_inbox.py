"""The sellers' web inbox over HTTP: login, privacy, CSRF, replies, take over, hand back."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.bot.gateway_kit import (
    SELLER_CHAT,
    Running,
    running,
    tg_text,
    wa_text,
    write_config,
)

PASSWORD = "kata-sandi-toko"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path, inbox={"password": PASSWORD})


async def login(bot: Running, name: str = "") -> str:
    form = {"password": PASSWORD, "name": name}
    response = await bot.client.post("/inbox/login", data=form)
    assert response.status_code == 303
    page = await bot.client.get("/inbox")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text) or re.search(r"Keluar", page.text)
    assert match
    chat_page = await bot.client.get("/inbox")
    return chat_page.text


async def csrf_of(bot: Running, chat_key: str) -> str:
    page = await bot.client.get(f"/inbox/chat/{chat_key}")
    match = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


async def test_without_a_login_nothing_is_revealed(config: Path) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("halo kak"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        for path in ("/inbox", "/inbox/chat/whatsapp:6281234567890", "/inbox/contacts.csv"):
            response = await bot.client.get(path)
            assert response.status_code == 303
            assert response.headers["location"] == "/inbox/login"
        reply = await bot.client.post(
            "/inbox/chat/whatsapp:6281234567890/reply", data={"text": "hai", "csrf": "x"}
        )
        assert reply.status_code == 303
        assert bot.wa.sent("messages")[-1].text != "hai"


async def test_wrong_passwords_are_refused_then_rate_limited(config: Path) -> None:
    async with running(config) as bot:
        for _ in range(5):
            wrong = await bot.client.post("/inbox/login", data={"password": "nope"})
            assert wrong.status_code == 401
        limited = await bot.client.post("/inbox/login", data={"password": PASSWORD})
        assert limited.status_code == 429


async def test_a_seller_answers_takes_over_and_hands_back_from_the_inbox(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("halo kak", user_id=200, name="Wati"))
        await bot.whatsapp(wa_text("saya mau order 2, transfer kemana?", name="Siti"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await login(bot, name="  Rina   Sari ")
        listing = (await bot.client.get("/inbox")).text
        assert "Rina Sari" in listing  # who is signed in
        found = (await bot.client.get("/inbox", params={"q": "0812-3456"})).text
        assert "Siti" in found
        assert "Wati" not in found
        nobody = (await bot.client.get("/inbox", params={"q": "<b>budi</b>"})).text
        assert "Tidak ada pembeli yang cocok dengan “&lt;b&gt;budi&lt;/b&gt;”" in nobody
        assert listing.index("Siti") < listing.index("Wati")  # handed-off chats first
        assert "menunggu penjual" in listing

        chat_key = "whatsapp:6281234567890"
        token = await csrf_of(bot, chat_key)
        forged = await bot.client.post(f"/inbox/chat/{chat_key}/reply", data={"text": "x"})
        assert forged.status_code == 403

        sent = await bot.client.post(
            f"/inbox/chat/{chat_key}/reply", data={"text": "Ke BCA 123 ya kak", "csrf": token}
        )
        assert sent.status_code == 303
        await bot.wa.wait_for(
            lambda c: any(x.text == "Ke BCA 123 ya kak" for x in bot.wa.sent("messages"))
        )
        for _ in range(200):  # the send is recorded right after the platform answered
            history = await bot.gateway.store.history(chat_key)
            kinds = [h["kind"] for h in history if h["text"] == "Ke BCA 123 ya kak"]
            if kinds:
                break
            await asyncio.sleep(0.01)
        assert kinds == ["seller"]
        [handoff] = await bot.gateway.store.handoffs(chat_key)
        assert handoff["seller"] == "Rina Sari"  # the first answer is hers
        echoed = [c.text for c in bot.tg.sent("sendMessage", str(SELLER_CHAT))]
        assert "🧑‍💼 Rina Sari: Ke BCA 123 ya kak" in echoed  # sellers on Telegram see who
        transcript = (await bot.client.get(f"/inbox/chat/{chat_key}")).text
        assert "Ke BCA 123 ya kak" in transcript

        await bot.client.post(f"/inbox/chat/{chat_key}/release", data={"csrf": token})
        await bot.whatsapp(wa_text("bahannya apa kak?"))
        await bot.wa.wait_for(lambda c: "katun" in bot.wa.sent("messages")[-1].text)

        taken = await bot.client.post(f"/inbox/chat/{chat_key}/take", data={"csrf": token})
        assert taken.status_code == 303
        await bot.gateway.runtime.close()
        before = len(bot.wa.sent("messages"))
        await bot.whatsapp(wa_text("ada garansi?"))
        await bot.gateway.runtime.close()
        assert len(bot.wa.sent("messages")) == before  # the bot stays quiet


async def test_buyer_text_is_escaped_and_contacts_download_behind_login(config: Path) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("<script>alert(1)</script> ongkir?", name="<b>Eve</b>"))
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)
        await login(bot)
        listing = (await bot.client.get("/inbox")).text
        assert "<b>Eve</b>" not in listing
        assert "&lt;b&gt;Eve&lt;/b&gt;" in listing
        page = (await bot.client.get("/inbox/chat/whatsapp:6281234567890")).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        csv = await bot.client.get("/inbox/contacts.csv")
        assert csv.status_code == 200
        assert "text/csv" in csv.headers["content-type"]
        assert "+6281234567890" in csv.text


async def test_no_password_means_no_inbox(tmp_path: Path) -> None:
    async with running(write_config(tmp_path)) as bot:
        assert (await bot.client.get("/inbox/login")).status_code == 503
        assert (await bot.client.post("/inbox/login", data={"password": ""})).status_code == 401
        assert (await bot.client.get("/inbox")).status_code == 303


@pytest.mark.parametrize(
    ("language", "words"),
    [("id", "Kata sandi"), ("ms", "Kata laluan"), ("en", "Password")],
)
async def test_the_login_page_speaks_the_shops_language(
    tmp_path: Path, language: str, words: str
) -> None:
    config = write_config(tmp_path, inbox={"password": PASSWORD}, shop={"language": language})
    async with running(config) as bot:
        page = await bot.client.get("/inbox/login")
    assert words in page.text
    assert "/ password" not in page.text  # one language, not two side by side
