"""Web chat, /healthz, hot FAQ reload, /metrics, pacing and secret-free logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.faqsource import FaqSource
from bot.logs import Redact
from bot.ratelimit import Limits, TokenBucket
from tests.bot.gateway_kit import TOKEN, running, tg_text, write_config


async def test_the_web_chat_works_with_no_token_at_all(tmp_path: Path) -> None:
    config = write_config(
        tmp_path,
        telegram={"token": None},
        whatsapp={"access_token": None},
        seller={"telegram_chat_id": None},
    )
    async with running(config) as bot:
        page = await bot.client.get("/")
        assert page.status_code == 200
        assert "Toko Batik Sari" in page.text
        sent = await bot.client.post(
            "/chat/messages", json={"session": "session-123", "id": "m1", "text": "pengiriman"}
        )
        assert sent.status_code == 202
        await bot.gateway.runtime.close()
        await bot.gateway.outbox.close()
        answer = await bot.client.get("/chat/messages", params={"session": "session-123"})
        [message] = answer.json()["messages"]
        assert "Toko Batik Sari" in message["text"]
        assert {"ongkir", "lama-kirim"} <= {option[0] for option in message["options"]}
        assert (await bot.client.get("/chat/messages", params={"session": "x"})).status_code == 400
        bad = await bot.client.post("/chat/messages", json={"session": "session-123"})
        assert bad.status_code == 400
        assert (await bot.client.post("/webhook/telegram", json={})).status_code == 404


async def test_healthz_reports_the_faq_and_a_broken_edit_keeps_the_last_good(
    config: Path, tmp_path: Path
) -> None:
    async with running(config) as bot:
        health = (await bot.client.get("/healthz")).json()
        assert health["status"] == "ok"
        assert health["faq"]["entries"] == 20
        faq_file = tmp_path / "faq.yaml"
        good = faq_file.read_text(encoding="utf-8")
        faq_file.write_text(good + "\n  - id: [broken\n", encoding="utf-8")
        bot.gateway.faq.load()
        health = (await bot.client.get("/healthz")).json()
        assert health["status"] == "ok"
        assert "faq.yaml:" in health["faq"]["error"]
        await bot.telegram(tg_text("bahannya apa kak?"))
        await bot.tg.wait_for(lambda c: "katun" in (c[-1].text if c else ""))


def test_the_faq_watcher_notices_an_edit(tmp_path: Path) -> None:
    faq_file = tmp_path / "faq.yaml"
    faq_file.write_text(
        "faqs:\n  - id: a\n    questions: [ada promo?]\n    answer: Ada kak.\n", encoding="utf-8"
    )
    source = FaqSource(faq_file)
    assert source.load()
    assert not source.changed()
    faq_file.write_text(
        "faqs:\n  - id: a\n    questions: [ada promo?]\n    answer: Ada diskon 10% kak.\n"
        "  - id: b\n    questions: [jam buka?]\n    answer: Jam 8-21.\n",
        encoding="utf-8",
    )
    assert source.changed()
    assert source.load()
    assert source.faq is not None
    assert len(source.faq) == 2


async def test_metrics_count_messages_and_handoffs(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("bisa ngobrol sama admin?"))
        await bot.tg.wait_for(lambda c: len(c) >= 2)
        await bot.gateway.outbox.close()
        text = (await bot.client.get("/metrics")).text
        assert 'japri_messages_in_total{channel="telegram",kind="text"} 1.0' in text
        assert 'japri_handoffs_total{reason="human"} 1.0' in text
        assert "japri_turn_seconds_bucket" in text
        assert "japri_outbox_depth" in text


def test_a_token_bucket_paces_after_its_burst() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=1.0, capacity=3, clock=lambda: now[0])
    assert [bucket.take() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take() == pytest.approx(1.0)
    now[0] = 10.0
    assert bucket.take() == 0.0


def test_limits_combine_the_chat_and_the_channel() -> None:
    now = [0.0]
    limits = Limits({"telegram": 30}, {"telegram": (1.0, 2.0)}, clock=lambda: now[0])
    assert limits.delay("telegram", "telegram:1") == 0.0
    assert limits.delay("telegram", "telegram:1") == 0.0
    assert limits.delay("telegram", "telegram:1") > 0.9  # third in a second to one chat
    assert limits.delay("telegram", "telegram:2") == 0.0  # another chat is not held back
    assert Limits({"whatsapp": 0}, {}).delay("whatsapp", "whatsapp:1") == 0.0


def test_after_a_refusal_a_channel_keeps_to_the_platforms_pace_for_a_minute() -> None:
    now = [0.0]
    limits = Limits({"telegram": 0, "whatsapp": 0}, {}, clock=lambda: now[0])
    assert [limits.delay("telegram", f"telegram:{n}") for n in range(100)] == [0.0] * 100
    limits.throttled("telegram")
    waits = [limits.delay("telegram", f"telegram:{n}") for n in range(31)]
    assert waits[:30] == [0.0] * 30  # a second's worth at once
    assert waits[30] == pytest.approx(1 / 30)  # then 30 a second
    assert limits.delay("whatsapp", "whatsapp:1") == 0.0  # the other channel is not held
    now[0] = 61.0
    assert limits.overall_rate("telegram") == 0  # a quiet minute later: no cap again
    capped = Limits({"telegram": 10}, {}, clock=lambda: now[0])
    capped.throttled("telegram")
    assert capped.overall_rate("telegram") == 10  # a cap of the shop's own stays as set


def test_the_seller_group_gets_telegrams_group_pace() -> None:
    now = [0.0]
    limits = Limits(
        {"telegram": 0},
        {"telegram": (1.0, 6.0)},
        clock=lambda: now[0],
        per_group={"telegram": (20 / 60, 20.0)},
    )
    group = [limits.delay("telegram", "telegram:-1001234") for _ in range(21)]
    assert group[:20] == [0.0] * 20  # a minute's worth at once
    assert group[20] == pytest.approx(3.0)  # then one every three seconds
    buyer = [limits.delay("telegram", "telegram:5550001") for _ in range(7)]
    assert buyer[:6] == [0.0] * 6
    assert buyer[6] == pytest.approx(1.0)  # a buyer's chat keeps the per-chat pace


def test_secrets_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("japri.test-redact")
    redact = Redact([TOKEN, None, "ab"])
    logger.addFilter(redact)
    with caplog.at_level(logging.INFO, logger="japri.test-redact"):
        logger.info("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
    logger.removeFilter(redact)
    assert TOKEN not in caplog.text
    assert "bot***/sendMessage" in caplog.text


async def test_an_faq_edit_is_live_without_a_restart(config: Path, tmp_path: Path) -> None:
    import asyncio

    async with running(config) as bot:
        faq_file = tmp_path / "faq.yaml"
        text = faq_file.read_text(encoding="utf-8")
        assert "katun combed 30s" in text
        faq_file.write_text(text.replace("katun combed 30s", "katun bambu organik"), "utf-8")
        for _ in range(100):  # the watcher looks every second
            if bot.gateway.faq.faq is not None and "bambu" in str(
                bot.gateway.faq.faq.get("bahan")
            ):
                break
            await asyncio.sleep(0.1)
        await bot.telegram(tg_text("bahannya apa kak?", user_id=301))
        await bot.tg.wait_for(lambda c: "katun bambu organik" in (c[-1].text if c else ""))
