"""The inbox in a real browser (Debian's chromium driven by Playwright), on a phone
(390×844) and a desktop (1280×800): a busy seller sorts chats with one thumb, reads what a
buyer tapped and was offered, takes over, hands back after confirming (with and without
JavaScript), and sees a hostile name rendered as text. Screenshots are kept in
``test-artifacts/inbox/`` (git-ignored; the path is printed)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import shutil
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.settings import load_settings
from bot.stats import MemoryActivity
from tests.bot.fakes import FakeBotApi, FakeGraphApi
from tests.bot.gateway_kit import (
    APP_SECRET,
    PHONE_ID,
    SECRET,
    TOKEN,
    WA_TOKEN,
    tg_tap,
    tg_text,
    wa_text,
    write_config,
)
from tests.bot.test_inbox_view import contrast

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)"
)
PASSWORD = "rahasia-toko-123"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "inbox"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


ACTIVITY = [  # chat, seconds ago, the bot's action, the buyer's words
    ("whatsapp:6281234567890", 300, "handoff:closing", "saya mau order 2, transfer kemana?"),
    ("telegram:301", 240, "handoff:complaint", "barangnya rusak kak, kecewa banget"),
    ("telegram:302", 200, "clarify", "metode bayar"),
    ("whatsapp:6289999999999", 100, "small_talk", "halo kak"),
    ("whatsapp:6289999999999", 90, "answer", "ongkir ke bandung berapa?"),
    ("web:0f3a", 80, "fallback", "bisa kirim ke 081234567890 pakai gojek?"),
    ("web:0f3a", 70, "answer", "bahannya apa?"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Shop:
    base: str
    tg: FakeBotApi
    wa: FakeGraphApi
    gateway: Any

    async def whatsapp(self, text: str, name: str, wa_id: str = "6281234567890") -> None:
        raw = json.dumps(wa_text(text, wa_id=wa_id, name=name)).encode()
        sig = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": sig, "Content-Type": "application/json"}
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.base}/webhook/whatsapp", content=raw, headers=headers
            )
            assert response.status_code == 200

    async def telegram(self, update: dict[str, Any]) -> None:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{self.base}/webhook/telegram",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert response.status_code == 200


@asynccontextmanager
async def serving(tmp_path: Path, **sections: dict[str, Any]) -> AsyncIterator[Shop]:
    sections = {"inbox": {"password": PASSWORD}, "seller": {"telegram_chat_id": None}} | sections
    settings = load_settings(write_config(tmp_path, **sections), environ={})
    tg, wa = FakeBotApi(TOKEN), FakeGraphApi(WA_TOKEN, PHONE_ID)
    app = create_app(
        settings,
        telegram_request=HTTPXRequest(httpx_kwargs={"transport": tg.transport()}),
        whatsapp_transport=wa.transport(),
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    try:
        yield Shop(f"http://127.0.0.1:{port}", tg, wa, app.state.gateway)
    finally:
        server.should_exit = True
        await task


async def _login(page: Any, base: str, name: str = "") -> None:
    await page.goto(f"{base}/inbox")
    assert page.url.endswith("/inbox/login")
    await page.fill("#password", PASSWORD)
    if name:
        await page.fill("#name", name)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/inbox")


async def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")  # noqa: T201 - where to look, in the test's output


async def _fits(page: Any) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    overflow = await page.evaluate(
        "document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


async def _colours(page: Any, selector: str) -> tuple[str, str]:
    """The computed text colour and the first opaque background behind it, as #rrggbb."""
    found: list[str] = await page.evaluate(
        """(selector) => {
          const el = document.querySelector(selector);
          const hex = (c) => '#' + c.match(/\\d+/g).slice(0, 3)
              .map((n) => (+n).toString(16).padStart(2, '0')).join('');
          let bg = el;
          while (bg && getComputedStyle(bg).backgroundColor.match(/rgba\\(.*, 0\\)|transparent/))
            bg = bg.parentElement;
          return [hex(getComputedStyle(el).color),
                  hex(getComputedStyle(bg || document.body).backgroundColor)];
        }""",
        selector,
    )
    return found[0], found[1]


async def _busy_shop(shop: Shop) -> None:
    """Four buyers: a complaint, an order, a question asked back and tapped, small talk."""
    await shop.whatsapp("saya mau order 2, transfer kemana?", "Siti")
    await shop.wa.wait_for(lambda c: len(shop.wa.sent("messages")) >= 1)
    await shop.telegram(tg_text("barangnya rusak kak, kecewa banget", user_id=301, name="Dewi"))
    await shop.telegram(tg_text("metode bayar", user_id=302, name="Budi"))
    await shop.tg.wait_for(lambda c: len(shop.tg.sent("sendMessage")) >= 2)
    await shop.telegram(tg_tap("faq:pembayaran", user_id=302, name="Budi"))
    await shop.tg.wait_for(lambda c: len(shop.tg.sent("sendMessage")) >= 3)
    await shop.whatsapp("halo kak", "<i>Eve</i>", wa_id="6289999999999")
    await shop.wa.wait_for(lambda c: len(shop.wa.sent("messages")) >= 2)


@pytest.mark.parametrize(("screen", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
async def test_a_busy_seller_sorts_the_inbox(
    tmp_path: Path, screen: str, viewport: dict[str, int]
) -> None:
    from playwright.async_api import async_playwright

    async with serving(tmp_path) as shop:
        await _busy_shop(shop)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page(viewport=viewport)  # type: ignore[arg-type]
            await _login(page, shop.base, name="Rina")

            rows = page.locator(".chat")
            names = await page.locator(".chat .name").all_inner_texts()
            assert names[:2] == ["Dewi", "Siti"]  # the complaint first, then the order
            assert await rows.nth(0).get_attribute("class") == "chat waiting complaint"
            first = await rows.nth(0).inner_text()
            assert "Komplain" in first
            assert "menunggu penjual" in first
            assert "barangnya rusak kak, kecewa banget" in first  # the last message
            assert "Telegram" in first
            assert "Pesanan" in await rows.nth(1).inner_text()
            assert "<i>Eve</i>" in names  # a hostile name shows as text
            await _fits(page)
            fg, bg = await _colours(page, "header .who")  # the seller's own name
            assert contrast(fg, bg) >= 4.5
            fg, bg = await _colours(page, ".chat.complaint .badge.complaint")
            assert contrast(fg, bg) >= 4.5
            await _shot(page, f"{screen}-list")

            # what Budi was offered and what he tapped
            await page.click("text=Budi")
            await page.wait_for_selector(".transcript")
            transcript = await page.inner_text(".transcript")
            assert "Pilihan:" in transcript
            assert "[choice]" not in transcript
            assert await page.locator(".msg.in.tapped").count() == 1
            assert await page.locator(".msg.out .options li").count() >= 1
            await _fits(page)
            await _shot(page, f"{screen}-offered-and-tapped")

            # the complaint: only take-over applies; after it, only hand-back, confirmed
            await page.goto(f"{shop.base}/inbox")
            await page.click("text=Dewi")
            await page.wait_for_selector(".transcript")
            assert await page.locator("text=Kembalikan ke bot").count() == 0
            await page.click("text=Ambil alih (bot diam)")
            await page.wait_for_selector("text=ditangani Rina")
            assert await page.locator("text=Ambil alih (bot diam)").count() == 0
            await page.click("summary:has-text('Kembalikan ke bot')")
            await page.wait_for_selector(".confirm-box")
            await _fits(page)
            for button in await page.locator("button:visible").all():
                box = await button.bounding_box()
                assert box is not None
                assert box["height"] >= 44  # a thumb's worth
            await _shot(page, f"{screen}-confirm-hand-back")
            await page.click("text=Ya, kembalikan ke bot")
            await page.wait_for_selector("text=Ambil alih (bot diam)")
            assert await page.locator("text=ditangani Rina").count() == 0

            # until the store keeps each message's action, the figures come from a memory
            now = time.time()
            shop.gateway.store.activity = MemoryActivity(
                [
                    {
                        "chat_key": key,
                        "channel": key.split(":")[0],
                        "at": now - ago,
                        "action": action,
                        "text": text,
                    }
                    for key, ago, action, text in ACTIVITY
                ]
            ).activity
            await page.goto(f"{shop.base}/inbox/summary")
            assert await page.locator("h1").inner_text() == "Ringkasan"
            totals = await page.inner_text("#totals")
            assert "Dijawab\n2" in totals
            assert "kirim ke 0812xxxxxxxx" in await page.inner_text("#not-understood")
            await _fits(page)
            await _shot(page, f"{screen}-ringkasan")
            await browser.close()


async def test_hand_back_is_confirmed_without_javascript(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with serving(tmp_path) as shop:
        await shop.whatsapp("saya mau order 2, transfer kemana?", "Siti")
        await shop.wa.wait_for(lambda c: len(shop.wa.sent("messages")) >= 1)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            context = await browser.new_context(java_script_enabled=False, viewport=PHONE)  # type: ignore[arg-type]
            page = await context.new_page()
            await _login(page, shop.base, name="Rina")
            await page.click("text=Siti")
            await page.click("text=Ambil alih (bot diam)")
            await page.wait_for_selector("text=ditangani Rina")
            assert not await page.locator(".confirm-box").is_visible()
            await page.click("summary:has-text('Kembalikan ke bot')")
            assert await page.locator(".confirm-box").is_visible()
            await page.click("text=Batal")  # changing one's mind reloads the chat as it was
            assert not await page.locator(".confirm-box").is_visible()
            await page.click("summary:has-text('Kembalikan ke bot')")
            await page.click("text=Ya, kembalikan ke bot")
            await page.wait_for_selector("text=Ambil alih (bot diam)")
            await browser.close()


@pytest.mark.parametrize(
    ("language", "title", "take"),
    [("en", "The inbox is off", "Take over"), ("ms", "Peti masuk belum aktif", "Ambil alih")],
)
async def test_every_inbox_page_speaks_the_shops_language(
    tmp_path: Path, language: str, title: str, take: str
) -> None:
    from playwright.async_api import async_playwright

    async with serving(tmp_path, shop={"language": language}) as shop:
        await shop.whatsapp("saya mau order 2, transfer kemana?", "Siti")
        await shop.wa.wait_for(lambda c: len(shop.wa.sent("messages")) >= 1)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
            await _login(page, shop.base)
            assert await page.locator("html").get_attribute("lang") == language
            await page.click("text=Siti")
            assert await page.locator(f"button:has-text('{take}')").count() == 1
            await browser.close()
    async with (
        serving(tmp_path, shop={"language": language}, inbox={"password": None}) as shop,
        async_playwright() as pw,
    ):
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
        response = await page.goto(f"{shop.base}/inbox/login")
        assert response is not None
        assert response.status == 503
        assert await page.locator("h2").inner_text() == title
        assert await page.locator("h1").inner_text() != "Inbox penjual"
        await _shot(page, f"inbox-off-{language}")
        await browser.close()


async def test_a_seller_runs_a_chat_from_the_browser(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    async with serving(tmp_path) as shop:
        await shop.whatsapp(
            "<script>window.pwned=1</script> saya mau order, transfer kemana?", "<i>Siti</i>"
        )
        await shop.wa.wait_for(lambda c: len(shop.wa.sent("messages")) >= 1)

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page()
            await _login(page, shop.base)
            assert await page.locator("text=menunggu penjual").count() == 1
            await page.click("text=<i>Siti</i>")  # the name shows as typed, not as markup
            await page.wait_for_selector(".transcript")
            assert "<script>window.pwned=1</script>" in await page.inner_text(".transcript")
            assert await page.evaluate("window.pwned") is None

            await page.fill("#text", "Halo kak, transfer ke BCA 123 ya")
            await page.click("text=Kirim")
            await shop.wa.wait_for(
                lambda c: any(
                    x.text == "Halo kak, transfer ke BCA 123 ya" for x in shop.wa.sent("messages")
                )
            )
            await page.click("summary:has-text('Kembalikan ke bot')")
            await page.click("text=Ya, kembalikan ke bot")
            await page.wait_for_load_state()
            await browser.close()

        await shop.whatsapp("bahannya apa kak?", "<i>Siti</i>")
        await shop.wa.wait_for(lambda c: "katun" in shop.wa.sent("messages")[-1].text)
