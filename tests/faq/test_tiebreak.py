"""Close entries of a richly phrased FAQ are told apart by how each one is phrased."""

from __future__ import annotations

import pytest

from faq.model import Faq, FaqEntry, Localized
from faq.normalize import normalize
from faq.tiebreak import Phrasings, features
from flows.policy import Policy
from flows.trial import try_message

# Two twins: the bill seen online, and a copy of the bill to keep. Their words for the
# bill are the same; what tells them apart ("see", "online" / "get", "copy") are words
# the matcher counts for little or nothing ("see" is a function word, "get" a stopword).
SEE_BILL = (
    "can I see my bill online",
    "how do I see the bill",
    "I want to see my bill online",
    "where can I see my bill",
    "see the bill for last month",
    "can I check my bill online",
    "look at my bill online",
    "show me the bill",
    "I need to see the bill",
    "check the bill online",
)
GET_BILL = (
    "get my bill",
    "how do I get the bill",
    "I want to get a copy of my bill",
    "where can I get a bill",
    "get the bill for last month",
    "can I get a copy of my bill",
    "I need to get the bill",
    "could I get a bill",
    "get a bill for my order",
    "how to get a copy of the bill",
)
ASKED_AS = (
    "{}?",
    "tell me about {}",
    "question about {}",
    "what about {}",
    "info on {}",
    "I am asking about {}",
    "{} please",
    "something on {}",
    "and {}",
    "need to know {}",
)
OTHER_TOPICS = {
    "shipping": "shipping cost",
    "payment": "payment by transfer",
    "returns": "returning an item",
    "sizes": "size chart",
    "hours": "opening hours",
    "stock": "restock dates",
}


def _shop(phrasings: int) -> Faq:
    """The twins and six other entries, each written with ``phrasings`` questions."""
    entries = [
        FaqEntry("see-bill", SEE_BILL[:phrasings], Localized.plain("Orders > Bills.")),
        FaqEntry("get-bill", GET_BILL[:phrasings], Localized.plain("We email a copy.")),
    ]
    entries += [
        FaqEntry(key, tuple(a.format(topic) for a in ASKED_AS[:phrasings]), Localized.plain("."))
        for key, topic in OTHER_TOPICS.items()
    ]
    return Faq(tuple(entries))


@pytest.fixture(scope="module")
def rich() -> Faq:
    return _shop(10)


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("how can I see and check my bill", "see-bill"),
        ("could I get the bill", "get-bill"),
        ("can I see my bill", "see-bill"),
    ],
)
def test_twins_are_told_apart_by_how_each_is_phrased(rich: Faq, message: str, entry: str) -> None:
    result = rich.matcher.decide(message)
    assert (result.decision, result.best, result.tie_broken) == ("answer", entry, True)


def test_the_twin_chosen_comes_first_even_when_the_other_scored_higher(rich: Faq) -> None:
    # "can I see my bill": the get-bill question "can I get a copy of my bill" shares
    # more of its words, but "see" is what the see-bill entry's questions say
    ranked = rich.matcher.rank("can I see my bill")[:2]
    assert [c.entry_id for c in ranked] == ["get-bill", "see-bill"]
    result = rich.matcher.decide("can I see my bill")
    assert [c.entry_id for c in result.candidates[:2]] == ["see-bill", "get-bill"]


@pytest.mark.parametrize("message", ["my bill", "bill?", "the bill please"])
def test_a_message_without_a_telling_word_is_still_asked_back(rich: Faq, message: str) -> None:
    result = rich.matcher.decide(message)
    assert result.decision == "clarify"
    assert {"see-bill", "get-bill"} <= set(result.options)


@pytest.mark.parametrize(
    "message", ["can I see my bill refund", "can I see my bill please, or cancel it"]
)
def test_a_message_naming_an_idea_neither_twin_knows_is_asked_back(
    rich: Faq, message: str
) -> None:
    # "can I see my bill" alone is answered (above); refunds and cancelling are ideas
    # neither twin's questions know: the buyer may be asking something else
    result = rich.matcher.decide(message)
    assert result.decision == "clarify"
    assert not result.tie_broken


def test_with_three_phrasings_an_entry_a_lead_enough_with_ten_is_not() -> None:
    sparse = _shop(3)
    assert sparse.matcher.richness == 0.0
    result = sparse.matcher.decide("how can I see and check my bill")
    assert result.decision == "clarify"
    assert not result.tie_broken


# The model on its own: entries as lists of questions, each a set of words.
def _model(*entries: list[str]) -> Phrasings:
    return Phrasings([features(normalize(q)) for q in questions] for questions in entries)


def _words(text: str) -> frozenset[str]:
    return features(normalize(text))


def test_a_word_one_entry_uses_often_and_the_other_never_counts_for_the_first() -> None:
    model = _model(["get my bill"] * 5, ["see my bill"] * 5)
    assert model.log_odds(_words("get bill"), 0, 1) > 0
    assert model.log_odds(_words("see bill"), 0, 1) < 0
    assert model.log_odds(_words("get bill"), 0, 1) == pytest.approx(
        -model.log_odds(_words("get bill"), 1, 0)
    )


def test_a_word_no_question_uses_says_nothing() -> None:
    model = _model(["get my bill"] * 5, ["see my bill"] * 5)
    plain, odd = _words("get bill"), _words("get bill zyxwv")
    assert model.log_odds(odd, 0, 1) == pytest.approx(model.log_odds(plain, 0, 1))


def test_more_phrasings_say_more() -> None:
    few = _model(["get my bill"] * 3, ["see my bill"] * 3, ["shipping cost"] * 3)
    many = _model(["get my bill"] * 12, ["see my bill"] * 12, ["shipping cost"] * 12)
    message = _words("get my bill")
    assert many.log_odds(message, 0, 1) > few.log_odds(message, 0, 1) > 0


def test_a_message_fits_its_own_entrys_phrasings_better_than_the_faqs() -> None:
    model = _model(["get my bill"] * 5, ["see my bill"] * 5, ["shipping cost"] * 5)
    assert model.fit(_words("shipping cost"), 2) > 0 > model.fit(_words("shipping cost"), 0)


def test_the_clear_winner_and_its_lead_over_the_next() -> None:
    model = _model(["get my bill"] * 5, ["see my bill"] * 5, ["shipping cost"] * 5)
    message = _words("see the bill")
    position, lead = model.clear_winner(message, [0, 1, 2])
    assert position == 1
    assert lead == pytest.approx(model.log_odds(message, 1, 0))


def test_the_buyer_gets_the_twin_chosen_by_its_phrasings(rich: Faq) -> None:
    trial = try_message("can I see my bill", rich, Policy(language="en"))
    assert (trial.action, trial.faq_id) == ("answer", "see-bill")
    assert trial.why == "told apart from close entries by how each is phrased"
