"""Whatever a buyer sends, the engine answers something sensible and never crashes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faq.model import Faq
from flows.messages import BuyerMessage, CancelTimer, Forward, HandOff, Outcome, Say, SetTimer
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation, Stage
from flows.trial import try_message

NOW = datetime(2026, 11, 22, tzinfo=UTC)
POLICY = Policy(shop_name="Toko Uji")
KINDS = st.sampled_from(["text", "photo", "sticker", "voice", "location", "other", "choice"])
CHAT_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))


def check_step(faq: Faq, conv: Conversation, message: BuyerMessage) -> Conversation:
    new, actions = step(conv, message, faq, POLICY, NOW)
    assert actions, "every buyer message gets a reaction"
    assert isinstance(actions[-1], Outcome)  # every turn says what the bot made of it
    actions = actions[:-1]
    if conv.stage is Stage.HANDED_OFF:
        assert actions[0] == Forward(message)
        assert all(isinstance(a, Say) for a in actions[1:])  # a clear FAQ answer at most
    else:
        assert any(isinstance(a, Say) and a.text.strip() for a in actions)
        assert all(isinstance(a, Say | HandOff | SetTimer | CancelTimer) for a in actions)
    assert Conversation.from_dict(new.to_dict()) == new
    return new


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=CHAT_ALPHABET, max_size=300), kind=KINDS)
def test_any_unicode_text_gets_a_reply(shop_faq: Faq, text: str, kind: str) -> None:
    check_step(shop_faq, Conversation(), BuyerMessage(text, kind=kind))  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(st.text(max_size=80), min_size=1, max_size=6),
    choice=st.one_of(st.none(), st.text(max_size=30)),
)
def test_any_sequence_of_messages_keeps_a_valid_state(
    shop_faq: Faq, texts: list[str], choice: str | None
) -> None:
    conv = Conversation()
    for text in texts:
        conv = check_step(shop_faq, conv, BuyerMessage(text))
    kind = "choice" if choice is not None else "text"
    check_step(shop_faq, conv, BuyerMessage("", kind=kind, choice=choice))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=200))
def test_control_characters_are_harmless(shop_faq: Faq, text: str) -> None:
    trial = try_message(text, shop_faq, POLICY)
    assert trial.action in ("answer", "clarify", "handoff", "fallback", "small_talk")


def test_empty_and_whitespace_messages_get_a_friendly_reply(shop_faq: Faq) -> None:
    for text in ("", " ", "\n\t", "\u200b"):
        trial = try_message(text, shop_faq, POLICY)
        assert trial.action == "small_talk"  # nothing said: greeted, not "belum paham"
        assert "Toko Uji" in trial.reply


def test_a_100_kb_message_is_handled(shop_faq: Faq) -> None:
    text = ("brp ongkir ke bdg kak? " * 5000)[:100_000]
    trial = try_message(text, shop_faq, POLICY)
    assert trial.action in ("answer", "clarify", "handoff", "fallback", "small_talk")
    huge_noise = "x" * 100_000
    assert try_message(huge_noise, shop_faq, POLICY).action == "fallback"


def test_a_choice_for_an_entry_that_no_longer_exists_is_not_a_crash(shop_faq: Faq) -> None:
    conv = Conversation(stage=Stage.BOT, options=("gone", "also-gone"))
    check_step(shop_faq, conv, BuyerMessage(kind="choice", choice="clarify:gone"))
    check_step(shop_faq, conv, BuyerMessage("2"))
