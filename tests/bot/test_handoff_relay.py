"""Handing a chat to the seller chat on Telegram, passing messages both ways, /done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.bot.gateway_kit import (
    SELLER_CHAT,
    running,
    shift_clock,
    tg_media,
    tg_seller,
    tg_text,
    wa_text,
    write_config,
)

SELLER = str(SELLER_CHAT)


async def test_closing_hands_off_relays_both_ways_and_done_gives_it_back(config: Path) -> None:
    async with running(config) as bot:
        tg = bot.tg
        await bot.telegram(tg_text("oke kak saya mau order 2, transfer ke mana?"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        [topic] = tg.sent("createForumTopic")
        assert "Budi" in topic.params["name"]
        notification = tg.sent("sendMessage", SELLER)[0]
        assert "transfer ke mana" in notification.text
        assert notification.params["message_thread_id"] == "77"
        told = tg.sent("sendMessage", "42")[-1].text
        assert "admin" in told

        # while handed off: the buyer's words go to the seller, the bot stays quiet
        buyer_before = len(tg.sent("sendMessage", "42"))
        await bot.telegram(tg_text("halo kak? kok diem"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 2)
        assert "kok diem" in tg.sent("sendMessage", SELLER)[-1].text

        # the seller answers in the topic; the buyer gets it exactly as written
        await bot.telegram(tg_seller("Halo kak, ke BCA 123 (a.n. Sari) ya", thread=77))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", "42")) > buyer_before)
        assert tg.sent("sendMessage", "42")[-1].text == "Halo kak, ke BCA 123 (a.n. Sari) ya"

        await bot.telegram(tg_seller("/done", thread=77))
        await tg.wait_for(lambda c: "kembali ke bot" in tg.sent("sendMessage", SELLER)[-1].text)

        await bot.telegram(tg_text("berapa lama pengiriman ke surabaya"))
        await tg.wait_for(lambda c: "hari kerja" in tg.sent("sendMessage", "42")[-1].text)
        assert "Selamat datang" not in tg.sent("sendMessage", "42")[-1].text  # no new greeting


async def test_without_topics_the_seller_replies_to_the_notification(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    async with running(config) as bot:
        bot.tg.forum = False
        bot.tg.fail(
            "createForumTopic",
            400,
            {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: the chat is not a forum",
            },
        )
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=55, name="Dewi"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        note = bot.tg.sent("sendMessage", SELLER)[0]
        assert "message_thread_id" not in note.params
        posted_id = 1000 + next(
            i for i, c in enumerate(bot.tg.sent("sendMessage")) if c.chat == SELLER
        )
        await bot.telegram(tg_seller("Siap kak, saya bantu", reply_to=posted_id))
        await bot.tg.wait_for(
            lambda c: bot.tg.sent("sendMessage", "55")[-1].text == "Siap kak, saya bantu"
        )


async def test_buyer_photos_during_a_handoff_are_forwarded_to_the_seller(config: Path) -> None:
    async with running(config) as bot:
        await bot.telegram(tg_text("mau komplain, barangnya rusak!!", user_id=61, name="Eko"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        await bot.telegram(tg_media("photo", user_id=61))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("forwardMessage", SELLER)) == 1)


async def test_a_whatsapp_buyer_is_answered_on_whatsapp_by_a_telegram_seller(
    config: Path,
) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("saya mau bayar sekarang, transfer kemana kak?"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        assert "WhatsApp" in bot.tg.sent("createForumTopic")[0].params["name"]
        await bot.telegram(tg_seller("Ke BCA 123 ya kak", thread=77))
        await bot.wa.wait_for(
            lambda c: any(x.text == "Ke BCA 123 ya kak" for x in bot.wa.sent("messages"))
        )


async def test_the_notification_names_the_buyer_why_and_offers_take_over(
    config: Path,
) -> None:
    from tests.bot.gateway_kit import tg_seller_tap

    async with running(config) as bot:
        tg = bot.tg
        await bot.whatsapp(wa_text("halo kak"))
        await bot.whatsapp(wa_text("saya mau bayar sekarang, transfer kemana kak?"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        note = tg.sent("sendMessage", SELLER)[0]
        assert "Siti" in note.text
        assert "+62 812-3456-7890" in note.text
        assert "halo kak" in note.text  # the recent messages
        assert "WhatsApp +62 812-3456-7890" in tg.sent("createForumTopic")[0].params["name"]
        buttons = [
            row[0]["callback_data"] for row in note.params["reply_markup"]["inline_keyboard"]
        ]
        assert buttons == ["take:whatsapp:6281234567890", "back:whatsapp:6281234567890"]

        await bot.telegram(tg_seller_tap(buttons[0], name="Sari"))
        await tg.wait_for(lambda c: "Sari menangani" in tg.sent("sendMessage", SELLER)[-1].text)
        assert tg.sent("answerCallbackQuery")

        await bot.telegram(tg_seller_tap(buttons[1], name="Sari"))
        await tg.wait_for(lambda c: "kembali ke bot" in tg.sent("sendMessage", SELLER)[-1].text)
        await bot.whatsapp(wa_text("bahannya apa kak?"))
        await bot.wa.wait_for(lambda c: "katun" in bot.wa.sent("messages")[-1].text)


async def test_nobody_answering_in_time_reminds_sellers_and_reassures_the_buyer(
    config: Path,
) -> None:
    async with running(config) as bot:
        tg, timers = bot.tg, bot.gateway.timers
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=71, name="Rina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        told = len(tg.sent("sendMessage", "71"))
        assert await timers.fire() == 0  # not yet
        shift_clock(bot.gateway, 6 * 60)
        await timers.fire()  # (or the timer loop, whichever looks first)
        await tg.wait_for(lambda c: "menunggu 6 menit" in tg.sent("sendMessage", SELLER)[-1].text)
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", "71")) == told + 1)
        assert await timers.fire() == 0  # once only

        # a seller answers: the first answer is recorded on the handoff
        await bot.telegram(tg_seller("Halo kak Rina, saya bantu ya", thread=77))
        await tg.wait_for(lambda c: tg.sent("sendMessage", "71")[-1].text.startswith("Halo kak"))
        [handoff] = await bot.gateway.store.handoffs("telegram:71")
        assert handoff["reason"] == "human"
        assert handoff["seller"] == "Sari"
        assert handoff["first_answer_at"] is not None

        # twelve quiet hours later the chat goes back to the bot, silently for the buyer
        buyer_before = len(tg.sent("sendMessage", "71"))
        shift_clock(bot.gateway, 13 * 3600)
        await timers.fire()
        await tg.wait_for(lambda c: "12 jam" in tg.sent("sendMessage", SELLER)[-1].text)
        assert len(tg.sent("sendMessage", "71")) == buyer_before
        [handoff] = await bot.gateway.store.handoffs("telegram:71")
        assert handoff["released_by"] == "idle"


async def test_every_buyer_lands_in_the_contact_book(config: Path) -> None:
    import csv
    import io

    from bot.contacts import write_csv

    async with running(config) as bot:
        await bot.whatsapp(wa_text("halo kak", name="=Siti"))
        await bot.telegram(tg_text("bisa ngobrol sama admin?", user_id=81, name="Bayu"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        await bot.gateway.runtime.close()
        assert await bot.gateway.store.annotate("telegram:81", "reseller", "langganan")
        out = io.StringIO()
        write_csv(await bot.gateway.store.contact_rows(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    by_id = {r["id"]: r for r in rows}
    assert by_id["6281234567890"]["phone"] == "+6281234567890"
    assert by_id["6281234567890"]["name"] == "'=Siti"  # never a spreadsheet formula
    assert by_id["81"]["username"] == "bayu"
    assert by_id["81"]["handoffs"] == "1"
    assert by_id["81"]["tags"] == "reseller"


async def test_photos_cross_between_a_whatsapp_buyer_and_the_telegram_sellers(
    config: Path,
) -> None:
    from tests.bot.gateway_kit import wa_envelope, wa_message

    async with running(config) as bot:
        tg, wa = bot.tg, bot.wa
        await bot.whatsapp(wa_text("mau komplain kak, barangnya rusak!!"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        image = {"caption": "ini fotonya", "mime_type": "image/jpeg", "sha256": "x", "id": "m-9"}
        photo = wa_message({"type": "image", "image": image})
        await bot.whatsapp(wa_envelope({"messages": [photo]}))
        [forwarded] = await tg.wait_for(lambda c: len(tg.sent("sendPhoto", SELLER)) == 1) and (
            tg.sent("sendPhoto", SELLER)
        )
        assert forwarded.params["message_thread_id"] == "77"
        assert "ini fotonya" in forwarded.params["caption"]

        update = tg_seller("", thread=77)
        message = update["message"]
        del message["text"]
        message["photo"] = [
            {"file_id": "AgAD-seller", "file_unique_id": "s1", "width": 9, "height": 9}
        ]
        message["caption"] = "Ini penggantinya kak"
        await bot.telegram(update)
        await wa.wait_for(lambda c: any(x.params.get("type") == "image" for x in wa.sent()))
        [sent] = [x for x in wa.sent("messages") if x.params.get("type") == "image"]
        assert sent.params["image"] == {"id": "uploaded-1", "caption": "Ini penggantinya kak"}
        assert wa.sent("upload")


async def test_a_seller_takes_over_any_chat_from_the_chat_list(config: Path) -> None:
    from tests.bot.gateway_kit import tg_seller_tap

    async with running(config) as bot:
        tg = bot.tg
        await bot.telegram(tg_text("halo kak, bahannya apa?", user_id=91, name="Nina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", "91")) >= 1)
        await bot.telegram(tg_seller("/chats"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", SELLER)) >= 1)
        listing = tg.sent("sendMessage", SELLER)[-1]
        assert "Nina" in listing.text
        buttons = [
            row[0]["callback_data"] for row in listing.params["reply_markup"]["inline_keyboard"]
        ]
        assert buttons == ["take:telegram:91"]

        await bot.telegram(tg_seller_tap(buttons[0], name="Sari"))
        await tg.wait_for(lambda c: len(tg.sent("createForumTopic")) == 1)
        assert "Nina" in tg.sent("createForumTopic")[0].params["name"]
        await bot.telegram(tg_text("kak?", user_id=91, name="Nina"))
        await tg.wait_for(lambda c: "kak?" in tg.sent("sendMessage", SELLER)[-1].text)
        await bot.telegram(tg_seller("Halo kak Nina, ada promo khusus buat kakak", thread=77))
        await tg.wait_for(lambda c: "promo khusus" in tg.sent("sendMessage", "91")[-1].text)


async def test_a_seller_finds_an_older_buyer_by_name_or_phone(config: Path) -> None:
    async with running(config) as bot:
        tg = bot.tg
        await bot.whatsapp(wa_text("halo kak", name="Siti"))
        await bot.telegram(tg_text("halo kak", user_id=92, name="Nina"))
        await tg.wait_for(lambda c: len(tg.sent("sendMessage", "92")) >= 1)

        def last_says(words: str) -> Callable[[object], bool]:
            return lambda _: any(words in c.text for c in tg.sent("sendMessage", SELLER)[-1:])

        for search in ("siti", "0812 3456"):
            await bot.telegram(tg_seller(f"/chats {search}"))
            await tg.wait_for(last_says(f"“{search}”"))
            listing = tg.sent("sendMessage", SELLER)[-1]
            assert "Siti" in listing.text
            assert "Nina" not in listing.text
            rows = listing.params["reply_markup"]["inline_keyboard"]
            assert [row[0]["callback_data"] for row in rows] == ["take:whatsapp:6281234567890"]

        await bot.telegram(tg_seller("/chats budi"))
        await tg.wait_for(last_says("Tidak ada pembeli yang cocok dengan “budi”"))


async def test_sellers_hear_when_their_answer_cannot_reach_a_whatsapp_buyer(
    config: Path,
) -> None:
    async with running(config) as bot:
        await bot.whatsapp(wa_text("saya mau bayar sekarang, transfer kemana kak?"))
        await bot.tg.wait_for(lambda c: len(bot.tg.sent("sendMessage", SELLER)) >= 1)
        await bot.wa.wait_for(lambda c: len(bot.wa.sent("messages")) >= 1)  # the bot's reply
        bot.wa.fail("messages", 400, {"error": {"code": 131047, "message": "Re-engagement"}})
        await bot.telegram(tg_seller("Ke BCA 123 ya kak", thread=77))
        await bot.tg.wait_for(
            lambda c: any("131047" in m.text for m in bot.tg.sent("sendMessage", SELLER))
        )
        [told] = [m for m in bot.tg.sent("sendMessage", SELLER) if "131047" in m.text]
        assert "tidak sampai" in told.text
