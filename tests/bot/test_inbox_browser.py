"""The inbox in a real browser (Debian's chromium driven by Playwright): log in, see the
handed-off chat, answer it, hand it back, and see a hostile name rendered as text."""

from __future__ import annotations

import asyncio
import shutil
import socket
from pathlib import Path

import pytest
import uvicorn
from telegram.request import HTTPXRequest

from bot.app import create_app
from bot.settings import load_settings
from tests.bot.fakes import FakeBotApi, FakeGraphApi
from tests.bot.gateway_kit import PHONE_ID, TOKEN, WA_TOKEN, wa_text, write_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make test installs it)"
)
PASSWORD = "rahasia-toko-123"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_seller_runs_a_chat_from_the_browser(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    settings = load_settings(
        write_config(tmp_path, inbox={"password": PASSWORD}, seller={"telegram_chat_id": None}),
        environ={},
    )
    wa = FakeGraphApi(WA_TOKEN, PHONE_ID)
    app = create_app(
        settings,
        telegram_request=HTTPXRequest(httpx_kwargs={"transport": FakeBotApi(TOKEN).transport()}),
        whatsapp_transport=wa.transport(),
    )
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    serving = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        import hashlib
        import hmac
        import json

        import httpx

        async def buyer(text: str, name: str) -> None:
            raw = json.dumps(wa_text(text, name=name)).encode()
            sig = "sha256=" + hmac.new(b"app-secret-1", raw, hashlib.sha256).hexdigest()
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    f"{base}/webhook/whatsapp",
                    content=raw,
                    headers={"X-Hub-Signature-256": sig, "Content-Type": "application/json"},
                )
                assert response.status_code == 200

        await buyer(
            "<script>window.pwned=1</script> saya mau order, transfer kemana?", "<i>Siti</i>"
        )
        await wa.wait_for(lambda c: len(wa.sent("messages")) >= 1)

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = await browser.new_page()
            await page.goto(f"{base}/inbox")
            assert page.url.endswith("/inbox/login")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/inbox")
            assert await page.locator("text=menunggu penjual").count() == 1
            await page.click("text=<i>Siti</i>")  # the name shows as typed, not as markup
            await page.wait_for_selector(".transcript")
            assert "<script>window.pwned=1</script>" in await page.inner_text(".transcript")
            assert await page.evaluate("window.pwned") is None

            await page.fill("#text", "Halo kak, transfer ke BCA 123 ya")
            await page.click("text=Kirim")
            await wa.wait_for(
                lambda c: any(
                    x.text == "Halo kak, transfer ke BCA 123 ya" for x in wa.sent("messages")
                )
            )
            await page.click("text=Kembalikan ke bot")
            await page.wait_for_load_state()
            await browser.close()

        await buyer("bahannya apa kak?", "<i>Siti</i>")
        await wa.wait_for(lambda c: "katun" in wa.sent("messages")[-1].text)
    finally:
        server.should_exit = True
        await serving
