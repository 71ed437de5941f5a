"""Whole chats through ``step``: greeting once, asking back, handing off and getting back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faq.loader import parse_faq
from faq.model import Faq
from flows.messages import (
    HUMAN_OPTION,
    Action,
    BuyerMessage,
    CancelTimer,
    Event,
    Forward,
    HandOff,
    Outcome,
    Say,
    SellerReleased,
    SellerWrote,
    SetTimer,
)
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation, Stage

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

SHOES = """
faqs:
  - id: ukuran-sepatu
    questions:
      - ukuran sepatu ada berapa?
      - size sepatu apa saja
    answer: Sepatu ada ukuran 38-44 kak.
    follow_up: Biasanya pakai ukuran berapa kak?
  - id: ukuran-baju
    questions:
      - ukuran baju ada apa saja?
      - size baju apa saja
    answer: Baju ada S, M, L, XL kak.
  - id: ongkir
    questions:
      - berapa ongkirnya?
      - ongkos kirim ke bandung berapa
    answer: Ongkir mulai Rp9.000 kak.
  - id: bayar
    questions:
      - transfer ke rekening mana?
    handoff: true
"""


class Chat:
    """One buyer's chat, driven message by message like a channel would."""

    def __init__(self, faq: Faq, policy: Policy) -> None:
        self.faq, self.policy = faq, policy
        self.state = Conversation()

    def send(self, text: str = "", **fields: str) -> list[Action]:
        return self.event(BuyerMessage(text, **fields))  # type: ignore[arg-type]

    def event(self, event: Event) -> list[Action]:
        """What the buyer and sellers see; the timers the step set are kept aside."""
        self.state, actions = step(self.state, event, self.faq, self.policy, NOW)
        self.timers = [a for a in actions if isinstance(a, SetTimer | CancelTimer)]
        self.outcomes = [a for a in actions if isinstance(a, Outcome)]
        return [a for a in actions if not isinstance(a, SetTimer | CancelTimer | Outcome)]


def said(actions: list[Action]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


@pytest.fixture
def shoes() -> Faq:
    return parse_faq(SHOES).faq


@pytest.fixture
def chat(shoes: Faq, policy: Policy) -> Chat:
    return Chat(shoes, policy)


def test_greets_once_then_answers_and_asks_back(chat: Chat) -> None:
    first = said(chat.send("ukuran sepatu ada berapa kak?"))
    assert "Toko Batik Sari" in first[0]
    assert first[1:] == ["Sepatu ada ukuran 38-44 kak.", "Biasanya pakai ukuran berapa kak?"]
    again = said(chat.send("ongkir ke bandung brp?"))
    assert again == ["Ongkir mulai Rp9.000 kak."]


def test_clarifies_between_close_entries_and_offers_them_as_options(chat: Chat) -> None:
    actions = chat.send("ukurannya apa aja kak?")
    question = actions[-1]
    assert isinstance(question, Say)
    assert {o.id for o in question.options} == {"ukuran-sepatu", "ukuran-baju"}
    assert chat.state.options


@pytest.mark.parametrize("reply", ["2", "yang kedua", "nomor 2", "the second"])
def test_a_clarifying_question_is_resolved_by_position(chat: Chat, reply: str) -> None:
    question = chat.send("ukurannya apa aja kak?")[-1]
    assert isinstance(question, Say)
    second = question.options[1]
    answer = said(chat.send(reply))
    expected = chat.faq.get(second.id)
    assert expected is not None
    assert expected.answer is not None
    assert answer[0] == expected.answer.get("id")


def test_a_clarifying_question_is_resolved_by_tap_and_by_words(chat: Chat) -> None:
    chat.send("ukurannya apa aja kak?")
    assert said(chat.send(choice="ukuran-baju", kind="choice")) == ["Baju ada S, M, L, XL kak."]
    chat.send("ukurannya apa aja kak?")
    assert said(chat.send("yang sepatu"))[0] == "Sepatu ada ukuran 38-44 kak."


def test_a_fresh_question_after_a_clarify_is_answered_as_asked(chat: Chat) -> None:
    chat.send("ukurannya apa aja kak?")
    assert said(chat.send("berapa ongkirnya ke bandung?")) == ["Ongkir mulai Rp9.000 kak."]
    assert chat.state.options == ()


def test_closing_hands_off_and_the_bot_keeps_answering_clear_questions(chat: Chat) -> None:
    chat.send("halo")
    actions = chat.send("saya ambil 2 ya kak")
    assert isinstance(actions[-1], HandOff)
    assert actions[-1].reason == "closing"
    assert len(said(actions)) == 1  # the buyer is told a seller will answer
    assert chat.state.stage is Stage.HANDED_OFF
    # until a seller is there: forwarded, never handed off twice, clear questions answered
    for text in ("halo?", "saya ambil 3", "kak? kok diem"):
        assert chat.send(text) == [Forward(BuyerMessage(text))]
    assert chat.send(kind="photo") == [Forward(BuyerMessage(kind="photo"))]
    asked = BuyerMessage("berapa ongkirnya?")
    assert chat.event(asked) == [Forward(asked), Say("Ongkir mulai Rp9.000 kak.")]


@pytest.mark.parametrize(
    ("texts", "outcome"),
    [
        (["berapa ongkirnya?"], "answer"),
        (["ukurannya apa aja kak?"], "clarify"),
        (["saya ambil 2 ya kak"], "handoff:closing"),
        (["cuaca hari ini gimana", "siapa presiden pertama"], "handoff:not_understood"),
        (["saya ambil 2 ya kak", "halo?"], "forward"),
        (["saya ambil 2 ya kak", "berapa ongkirnya?"], "answer"),
    ],
)
def test_each_turn_says_what_the_bot_made_of_the_message(
    chat: Chat, texts: list[str], outcome: str
) -> None:
    for text in texts:
        chat.send(text)
    assert [o.name for o in chat.outcomes] == [outcome]


def test_once_a_seller_has_written_the_bot_only_forwards(chat: Chat) -> None:
    chat.send("saya ambil 2 ya kak")
    chat.event(SellerWrote("Sari"))
    for text in ("berapa ongkirnya?", "halo?"):
        assert chat.send(text) == [Forward(BuyerMessage(text))]


def test_a_handoff_sets_its_promises_as_timers_and_release_cancels_them(chat: Chat) -> None:
    chat.send("saya ambil 2 ya kak")
    stamp = NOW.timestamp()
    assert chat.timers == [
        SetTimer("handoff_idle", stamp + 12 * 3600),
        SetTimer("handoff_remind", stamp + 5 * 60),
    ]
    chat.event(SellerWrote("Sari"))
    assert CancelTimer("handoff_remind") in chat.timers
    chat.event(SellerReleased("Sari"))
    assert chat.timers == [CancelTimer("handoff_remind"), CancelTimer("handoff_idle")]


def test_without_any_seller_the_bot_keeps_the_chat_and_says_how_to_reach_the_shop(
    shoes: Faq,
) -> None:
    policy = Policy(shop_name="Toko Uji", sellers=False, contact="WA 0812-0000-1111")
    chat = Chat(shoes, policy)
    actions = chat.send("saya ambil 2 ya kak")
    assert not any(isinstance(a, HandOff) for a in actions)
    assert "WA 0812-0000-1111" in said(actions)[-1]
    assert chat.state.stage is Stage.BOT
    assert said(chat.send("berapa ongkirnya?"))[-1] == "Ongkir mulai Rp9.000 kak."


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("saya ambil 2 ya kak", "handoff:closing"),
        ("bisa bicara dengan admin?", "handoff:human"),
        ("barangnya rusak kak", "handoff:complaint"),
    ],
)
def test_without_any_seller_a_handoff_still_names_its_reason(
    shoes: Faq, policy: Policy, text: str, outcome: str
) -> None:
    alone = Chat(shoes, Policy(shop_name="Toko Uji", sellers=False))
    staffed = Chat(shoes, policy)
    alone.send(text)
    staffed.send(text)
    assert [o.name for o in alone.outcomes] == [outcome]
    assert [o.name for o in staffed.outcomes] == [outcome]  # as when a seller takes it
    assert alone.state.stage is Stage.BOT


def test_release_gives_the_chat_back_without_greeting_again(chat: Chat) -> None:
    chat.send("mau ngobrol sama admin")
    assert chat.state.stage is Stage.HANDED_OFF
    assert said(chat.event(SellerReleased())) == []  # the buyer is not spammed on hand-back
    assert said(chat.send("berapa ongkirnya?")) == ["Ongkir mulai Rp9.000 kak."]


def test_handoff_entry_hands_off_with_its_id(chat: Chat) -> None:
    actions = chat.send("transfer ke rekening mana kak?")
    handoff = actions[-1]
    assert isinstance(handoff, HandOff)
    assert chat.state.handoff_reason in ("faq", "closing")


def test_two_fallbacks_in_a_row_bring_a_person(chat: Chat) -> None:
    first = chat.send("cuaca besok gimana")
    question = first[-1]
    assert isinstance(question, Say)
    assert question.options[-1].id == HUMAN_OPTION  # a person is always on offer
    second = chat.send("lagu dangdut terbaru apa")
    assert isinstance(second[-1], HandOff)
    assert second[-1].reason == "not_understood"


def test_tapping_the_human_option_hands_off(chat: Chat) -> None:
    chat.send("cuaca besok gimana")
    actions = chat.send(choice=HUMAN_OPTION, kind="choice")
    assert isinstance(actions[-1], HandOff)
    assert actions[-1].reason == "human"


def test_an_answer_to_a_follow_up_brings_a_seller(chat: Chat) -> None:
    chat.send("size sepatu apa saja")  # ... "Biasanya pakai ukuran berapa kak?"
    actions = chat.send("biasanya 42 kak")
    assert isinstance(actions[-1], HandOff)
    assert actions[-1].reason == "follow_up"


def test_a_new_question_after_a_follow_up_is_answered(chat: Chat) -> None:
    chat.send("size sepatu apa saja")
    assert said(chat.send("ongkir ke bandung berapa?")) == ["Ongkir mulai Rp9.000 kak."]


def test_angry_buyer_gets_an_apology_and_a_person(chat: Chat) -> None:
    actions = chat.send("kecewa banget, barang rusak!!!")
    assert isinstance(actions[-1], HandOff)
    assert actions[-1].reason == "complaint"
    assert "maaf" in said(actions)[-1].lower()


@pytest.mark.parametrize(
    ("first", "second", "language"),
    [
        ("how much is shipping?", "ok", "en"),
        ("nak tanya kos pos ke johor berapa", "ok", "ms"),
        ("brp ongkir kak", "ok", "id"),
    ],
)
def test_language_is_guessed_and_sticks(
    chat: Chat, first: str, second: str, language: str
) -> None:
    chat.send(first)
    chat.send(second)
    assert chat.state.language == language


def test_english_buyer_is_greeted_in_english(chat: Chat) -> None:
    greeting = said(chat.send("hello, how much is shipping to Jakarta?"))[0]
    assert "Welcome" in greeting or "welcome" in greeting


def test_texts_can_be_overridden_per_language(shoes: Faq) -> None:
    from flows.texts import Texts

    policy = Policy(
        shop_name="Toko X", texts=Texts({"id": {"greeting": "Selamat datang di {shop}!"}})
    )
    chat = Chat(shoes, policy)
    assert said(chat.send("halo"))[0] == "Selamat datang di Toko X!"


def test_conversation_state_round_trips_through_a_dict(chat: Chat) -> None:
    chat.send("ukurannya apa aja kak?")
    data = chat.state.to_dict()
    assert Conversation.from_dict(data) == chat.state
    assert data["version"] == 2


def test_unknown_state_versions_start_clean_but_keep_the_stage() -> None:
    restored = Conversation.from_dict({"version": 99, "stage": "handed_off", "language": "ms"})
    assert restored.stage is Stage.HANDED_OFF
    assert restored.language == "ms"
    assert Conversation.from_dict(None) == Conversation()
    assert Conversation.from_dict({"stage": "bogus"}).stage is Stage.BOT


@pytest.mark.parametrize(
    "reply", ["ga jadi deh", "gak jadi kak", "nggak usah deh, makasih", "never mind"]
)
def test_never_mind_after_a_follow_up_is_accepted_kindly(chat: Chat, reply: str) -> None:
    chat.send("ukuran sepatu ada berapa?")
    assert chat.state.follow_up_of == "ukuran-sepatu"
    actions = chat.send(reply)
    assert not any(isinstance(a, HandOff) for a in actions)
    assert len(said(actions)) == 1
    assert chat.state.follow_up_of is None
    assert chat.state.stage is Stage.BOT


def test_cancelling_an_order_is_still_for_a_seller(chat: Chat) -> None:
    chat.send("halo")
    assert isinstance(chat.send("saya mau batalkan pesanan saya, sudah transfer")[-1], HandOff)


def test_while_a_seller_is_awaited_an_order_question_is_left_to_the_seller(
    policy: Policy,
) -> None:
    faq = parse_faq(
        SHOES
        + """
  - id: resi
    questions: [resi saya mana kak?, paket saya sudah sampai mana?]
    answer: Resi dikirim H+1 setelah pembayaran ya kak.
"""
    ).faq
    chat = Chat(faq, policy)
    chat.send("saya ambil 2 ya kak")  # handed off, no seller yet
    asked = BuyerMessage("paket saya udah sampai mana kak?")
    assert chat.event(asked) == [Forward(asked)]  # not the generic text about receipts
    plain = BuyerMessage("berapa ongkirnya?")
    assert chat.event(plain) == [Forward(plain), Say("Ongkir mulai Rp9.000 kak.")]
