"""Understanding real buyers: other languages, lone candidates, people who need a person,
policy questions, small talk, and options that are about the question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faq.loader import parse_faq
from faq.matcher import Candidate, MatchResult
from faq.model import Faq
from flows.faq import NOT_THIS, decide
from flows.hedging import lone_idea_at, second_guess, sole_candidate, well_founded
from flows.messages import HUMAN_OPTION, BuyerMessage, HandOff, Say
from flows.policy import Policy
from flows.router import step
from flows.state import Conversation, Stage
from flows.trial import try_message

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

# A small Indonesian skincare shop, written for these tests: a few obvious questions an
# entry, the way sellers write them.
SKINCARE = """
faqs:
  - id: kedaluwarsa
    questions:
      - Expired-nya kapan?
      - sampai kapan bisa dipakai?
    answer: Tanggal kedaluwarsa ada di bawah botol ya kak, minimal 1 tahun dari sekarang 😊
  - id: ibu-hamil
    questions:
      - Aman untuk ibu hamil?
      - boleh dipakai bumil?
    answer: Aman untuk ibu hamil dan menyusui kak, tanpa retinol dan tanpa merkuri 🤰
  - id: lokasi
    questions:
      - Tokonya di mana?
      - alamat toko?
    answer: Toko kami di Jl. Melati 5, Bandung, buka Senin-Sabtu 09.00-17.00 kak.
  - id: izin
    questions:
      - produknya sudah terdaftar?
      - legal kah produknya?
    answer: Semua produk sudah terdaftar di BPOM kak, nomornya ada di kemasan ✅
  - id: ongkir
    questions:
      - berapa ongkirnya?
      - ongkos kirim ke Jakarta berapa?
    answer: Ongkir mulai Rp9.000 kak, tergantung kota dan berat paket.
  - id: retur
    questions:
      - bisa retur?
      - barang rusak bisa dikembalikan?
    answer: Barang yang pecah atau rusak saat sampai kami ganti baru kak, kirim video unboxing ya.
  - id: lama-kirim
    questions:
      - berapa lama pengiriman?
      - kapan sampai?
    answer: Dikirim H+1, sampai 2-4 hari kerja kak.
  - id: ukuran-botol
    questions:
      - isi botolnya berapa ml?
      - ukuran botol serum?
    answer: Serum 30 ml, toner 100 ml kak.
  - id: ukuran-kemasan
    questions:
      - ukuran kemasan paketnya?
      - ukuran kotak paket?
    answer: Kotak paket 10 x 10 x 15 cm kak.
"""


@pytest.fixture(scope="module")
def shop() -> Faq:
    return parse_faq(SKINCARE).faq


@pytest.fixture
def policy() -> Policy:
    return Policy(shop_name="Glow Skincare", language="id")


def judged(text: str, shop: Faq, policy: Policy) -> tuple[str, str | None]:
    trial = try_message(text, shop, policy)
    return trial.action, trial.faq_id


def reached(text: str, shop: Faq, policy: Policy) -> str | None:
    """The entry answered, or the one entry asked about ("did you mean this?")."""
    trial = try_message(text, shop, policy)
    if trial.action == "clarify" and len(trial.options) == 1:
        return trial.options[0]
    return trial.faq_id if trial.action == "answer" else None


# --- the buyer's language need not be the FAQ's ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("tarikh luput bila sis?", "kedaluwarsa"),  # Malay
        ("what's the expiry date?", "kedaluwarsa"),  # English
        ("is it safe during pregnancy?", "ibu-hamil"),
        ("sesuai untuk orang mengandung tak?", "ibu-hamil"),
        ("alamat kedai kat mana?", "lokasi"),
        ("where is your store?", "lokasi"),
    ],
)
def test_other_languages_reach_the_indonesian_entry(
    text: str, entry: str, shop: Faq, policy: Policy
) -> None:
    assert reached(text, shop, policy) == entry


def test_the_answer_text_is_evidence_too(shop: Faq, policy: Policy) -> None:
    # no question of 'izin' says BPOM; its answer does
    assert judged("udah ada BPOM belum?", shop, policy) == ("answer", "izin")


# --- one real candidate: answered, lightly hedged, with a way to say "not this" -------------


def test_a_lone_middling_candidate_is_answered_with_a_hedge(shop: Faq, policy: Policy) -> None:
    conv = Conversation(stage=Stage.BOT)
    decision = decide(conv, BuyerMessage("produk ini aman buat yang lagi hamil muda?"), shop)
    assert decision.verdict == "answer"
    assert decision.entry is not None
    assert decision.entry.id == "ibu-hamil"


def _lone(
    evidence: int,
    unexplained: int,
    asked: int,
    elsewhere: int,
    rarer_elsewhere: bool = False,
    weights: tuple[float, float] = (0.4, 0.8),  # elsewhere, own
) -> MatchResult:
    keys = frozenset(f"@k{i}" for i in range(evidence))
    weights = (1.0, 0.6) if rarer_elsewhere else weights
    best = Candidate("best", 0.6, keys, unexplained, asked, elsewhere, *weights)
    return MatchResult("clarify", (best, Candidate("next", 0.4)), ("best",))


@pytest.mark.parametrize(
    ("evidence", "unexplained", "asked", "elsewhere", "rarer", "founded"),
    [
        (1, 0, 1, 0, False, True),  # "warna?": says one thing, the entry's
        (1, 2, 1, 0, False, False),  # "ada lowongan kerja di toko?": may be chance
        (2, 3, 2, 1, False, True),  # two of its own words outweigh a commoner idea
        # "how soon can I expect my order?": 'expect' (the delivery-time entry's) is rarer
        # than 'how long' and 'order' (the tracking entry's): it is what was asked
        (2, 1, 2, 1, True, False),
        # "boleh bayar tunai bila barang sampai?": the goods, another entry's idea, are
        # clearly commoner than cash on delivery
        (2, 1, 1, 1, False, True),
        (2, 2, 2, 2, False, False),  # as much of other entries as of its own
        (1, 0, 0, 0, False, False),  # only its answer text fits
    ],
)
def test_a_lone_candidate_is_well_founded_only_on_its_own_words(
    evidence: int, unexplained: int, asked: int, elsewhere: int, rarer: bool, founded: bool
) -> None:
    # (a lone shop idea is no exception at this score: see the next test)
    assert well_founded(_lone(evidence, unexplained, asked, elsewhere, rarer), 0.7) is founded


@pytest.mark.parametrize(
    ("weights", "founded"),
    [
        ((0.3, 1.0), True),  # the other entry's idea is clearly the commoner
        ((0.78, 1.0), False),  # "warna lari bila basuh?": washing is nearly as specific
        ((1.0, 0.6), False),  # the other entry's idea is the rarer: it is what was asked
    ],
)
def test_one_own_word_outweighs_another_entrys_idea_only_if_clearly_rarer(
    weights: tuple[float, float], founded: bool
) -> None:
    assert well_founded(_lone(2, 1, 1, 1, weights=weights), 0.7) is founded


def _one_idea(
    key: str, score: float, specific: float, unexplained: int = 2, **others: int
) -> MatchResult:
    best = Candidate(
        "best",
        score,
        frozenset({key}),
        unexplained,
        asked=1,
        asked_weight=specific,
        elsewhere=others.get("elsewhere", 0),
        elsewhere_weight=0.5 if others.get("elsewhere") else 0.0,
        unexplained_ideas=others.get("ideas", 0),
    )
    return MatchResult("clarify", (best, Candidate("next", 0.3)), ("best",))


@pytest.mark.parametrize(
    ("match", "founded"),
    [
        # "is the food halal? i only eat halal": one shop idea, the rest words the FAQ
        # does not know
        (_one_idea("@halal", 0.72, specific=1.0), True),
        (_one_idea("@halal", 0.65, specific=1.0), False),  # ... but a middling score
        (_one_idea("radiohead", 0.72, specific=1.0), False),  # a bare word is chance
        (_one_idea("@toko", 0.72, specific=0.3), False),  # an idea many entries share
        (_one_idea("@warna", 0.72, specific=1.0, ideas=1), False),  # "salah warna": another
        (_one_idea("@halal", 0.72, specific=1.0, elsewhere=1), False),  # another entry's
    ],
)
def test_one_shop_idea_alone_is_enough_at_a_good_score(match: MatchResult, founded: bool) -> None:
    assert well_founded(match, 0.7) is founded


def test_the_score_one_idea_alone_needs_rises_with_the_faqs_phrasings(shop: Faq) -> None:
    def faq_with(questions: int) -> Faq:
        lines = "\n".join(f"      - pertanyaan ongkir nomor {i}" for i in range(questions))
        return parse_faq(f"faqs:\n  - id: a\n    questions:\n{lines}\n    answer: x\n").faq

    sparse, rich = faq_with(3), faq_with(10)
    assert lone_idea_at(sparse) == pytest.approx(sparse.matcher.answer_at + 0.05)
    assert lone_idea_at(rich) == pytest.approx(rich.matcher.thresholds.lone_word)


def test_hedged_answer_offers_not_this_which_leads_on(shop: Faq, policy: Policy) -> None:
    conv = Conversation(stage=Stage.BOT)
    message = BuyerMessage("ukuran botol toner nya berapa ya")
    decision = decide(conv, message, shop)
    if not decision.hedged:  # the matcher may be sure; force the hedged path to test it
        decision = type(decision)("answer", entry=shop.get("ukuran-botol"), hedged=True)
    from flows.faq import respond

    conv, actions = respond(conv, message, decision, policy, NOW)
    said = [a for a in actions if isinstance(a, Say)]
    assert said[-1].text.startswith("Kalau maksud kakak soal ukuran botol:")
    assert [o.id for o in said[-1].options] == [NOT_THIS]
    assert conv.options[0] == NOT_THIS

    conv, actions = step(conv, BuyerMessage(kind="choice", choice=NOT_THIS), shop, policy, NOW)
    offered = [o.id for a in actions if isinstance(a, Say) for o in a.options]
    assert HUMAN_OPTION in offered  # the other options (if any) and a person
    assert conv.stage is Stage.BOT


@pytest.mark.parametrize("typed", ["bukan", "bukan ini", "not this", "salah"])
def test_typing_not_this_after_a_hedge_counts_as_the_button(
    typed: str, shop: Faq, policy: Policy
) -> None:
    conv = Conversation(stage=Stage.BOT, options=(NOT_THIS, "ukuran-kemasan"))
    decision = decide(conv, BuyerMessage(typed), shop)
    assert decision.verdict == "fallback"
    assert [e.id for e in decision.options] == ["ukuran-kemasan"]


def test_a_real_tie_is_still_a_choice(shop: Faq, policy: Policy) -> None:
    action, _ = judged("ukurannya berapa?", shop, policy)
    trial = try_message("ukurannya berapa?", shop, policy)
    assert action == "clarify"
    assert set(trial.options) == {"ukuran-botol", "ukuran-kemasan"}


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("the first one", "ukuran-botol"),
        ("second", "ukuran-kemasan"),
        ("yang kedua", "ukuran-kemasan"),
    ],
)
def test_english_ordinals_resolve_a_choice(
    typed: str, chosen: str, shop: Faq, policy: Policy
) -> None:
    conv = Conversation(stage=Stage.BOT, options=("ukuran-botol", "ukuran-kemasan"))
    decision = decide(conv, BuyerMessage(typed), shop)
    assert decision.entry is not None
    assert decision.entry.id == chosen


# --- people who need a person reach one -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # asking for a person, three languages and slang
        ("mau ngobrol sama adminnya aja", "human"),
        ("tolong sambungin ke cs ya", "human"),
        ("boleh saya bercakap dengan tuan kedai?", "human"),
        ("can I speak to the owner please", "human"),
        ("ini bot ya? aku mau sama orang aja", "human"),
        ("minta nomor wa ownernya dong", "human"),
        # paid or paying
        ("udah tf barusan ya kak", "closing"),
        ("dah bank in tadi sis", "closing"),
        ("ini bukti transfernya", "closing"),
        ("payment done, please check", "closing"),
        ("harga last berapa?", "closing"),
        # complaints without angry words
        ("dari kemarin chat saya ga dibales", "complaint"),
        ("udah 5 hari paketnya ga gerak", "complaint"),
        ("serumnya datang bocor semua", "complaint"),
        ("barangnya beda sama yang di foto", "complaint"),
        ("the bottle arrived cracked, not happy", "complaint"),
    ],
)
def test_people_who_need_a_person_reach_one(
    text: str, reason: str, shop: Faq, policy: Policy
) -> None:
    _, actions = step(Conversation(), BuyerMessage(text), shop, policy, NOW)
    handoffs = [a for a in actions if isinstance(a, HandOff)]
    assert handoffs, text
    assert handoffs[0].reason == reason


# --- a question about a policy is not a closing or a complaint ------------------------------


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("kalo checkout sekarang kapan sampainya?", "lama-kirim"),
        ("kalau botolnya pecah pas sampai diganti?", "retur"),
        ("kalau barangnya rusak gimana?", "retur"),
        ("what happens if it arrives broken?", "retur"),
    ],
)
def test_a_policy_question_is_answered_not_handed_off(
    text: str, entry: str, shop: Faq, policy: Policy
) -> None:
    action, faq_id = judged(text, shop, policy)
    assert action in ("answer", "clarify")
    if action == "answer":
        assert faq_id == entry


# --- small talk is not a miss ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["👍", "ok", "kak", "kak?", "wkwk", "hahaha", "mau tanya dong", "boleh tanya?"]
)
def test_small_talk_gets_a_friendly_reply(text: str, shop: Faq, policy: Policy) -> None:
    trial = try_message(text, shop, policy)
    assert trial.action == "small_talk"
    assert "belum paham" not in trial.reply


def test_salam_is_answered_in_kind(shop: Faq, policy: Policy) -> None:
    reply = try_message("assalamualaikum", shop, policy).reply
    assert reply.startswith("Waalaikumsalam")


def test_small_talk_never_counts_towards_the_misses_that_hand_off(
    shop: Faq, policy: Policy
) -> None:
    conv = Conversation()
    for text in ("kak", "kak?", "👍", "wkwk"):
        conv, actions = step(conv, BuyerMessage(text), shop, policy, NOW)
        assert not [a for a in actions if isinstance(a, HandOff)], text
    assert conv.fallbacks == 0
    assert conv.stage is Stage.BOT


# --- options must be about the question -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "jual masker wajah juga?",
        "ada lowongan kerja di toko?",
        "berat paketnya berapa gram?",  # only the shipping answer says "berat paket"
    ],
)
def test_off_topic_questions_are_not_answered(text: str, shop: Faq, policy: Policy) -> None:
    assert judged(text, shop, policy)[0] != "answer"


def test_did_you_mean_this_also_offers_a_person(shop: Faq, policy: Policy) -> None:
    conv = Conversation(stage=Stage.BOT)
    conv, actions = step(conv, BuyerMessage("pakai retinol ga?"), shop, policy, NOW)
    offered = [o.id for a in actions if isinstance(a, Say) for o in a.options]
    assert offered[-1] == HUMAN_OPTION
    assert HUMAN_OPTION not in conv.options


def test_faq_try_says_why(shop: Faq, policy: Policy) -> None:
    trial = try_message("kalau pecah diganti?", shop, policy)
    assert trial.why
    assert "hypothetical" in trial.signals
    assert trial.candidates
    assert trial.candidates[0]["id"] == "retur"


# --- the seller's titles and follow-ups (faq/loader.py keys) ---------------------------------

TITLED = """
faqs:
  - id: ongkir
    title: {id: Ongkos kirim, ms: Kos pos, en: Shipping cost}
    questions: [berapa ongkirnya?, ongkos kirim berapa?]
    answer: Ongkir mulai Rp9.000 kak.
    follow_up: Mau dikirim ke kota mana kak?
    follow_up_unless: place
  - id: ongkos-cod
    title: {id: Biaya COD, en: COD fee}
    questions: [biaya cod berapa?, ongkos cod berapa?]
    answer: Biaya COD 3 % kak.
"""


@pytest.fixture(scope="module")
def titled() -> Faq:
    return parse_faq(TITLED).faq


@pytest.mark.parametrize(
    ("text", "asked_back"),
    [
        ("ongkirnya berapa?", True),  # no place said: where to?
        ("ongkir ke bandung berapa?", False),  # the place is said already
        ("ongkir ke medan brp kak", False),
    ],
)
def test_a_follow_up_already_answered_is_not_asked(
    text: str, asked_back: bool, titled: Faq, policy: Policy
) -> None:
    conv, actions = step(Conversation(stage=Stage.BOT), BuyerMessage(text), titled, policy, NOW)
    said = " ".join(a.text for a in actions if isinstance(a, Say))
    assert "Ongkir mulai" in said
    assert ("kota mana" in said) is asked_back
    assert (conv.follow_up_of == "ongkir") is asked_back


@pytest.mark.parametrize(
    ("language", "titles"),
    [("id", ["Ongkos kirim", "Biaya COD"]), ("en", ["Shipping cost", "COD fee"])],
)
def test_buttons_carry_the_title_in_the_buyers_language(
    language: str, titles: list[str], titled: Faq, policy: Policy
) -> None:
    from flows.faq import Decision, respond

    conv = Conversation(stage=Stage.BOT, language=language)
    decision = Decision("clarify", options=(titled.get("ongkir"), titled.get("ongkos-cod")))  # type: ignore[arg-type]
    _, actions = respond(conv, BuyerMessage("ongkos?"), decision, policy, NOW)
    shown = [o.title for a in actions if isinstance(a, Say) for o in a.options]
    assert shown == titles


@pytest.mark.parametrize(
    "typed", ["Ongkos kirim", "shipping cost", "Kos pos", "berapa ongkirnya?"]
)
def test_a_typed_title_in_any_language_picks_the_option(
    typed: str, titled: Faq, policy: Policy
) -> None:
    conv = Conversation(stage=Stage.BOT, options=("ongkir", "ongkos-cod"))
    decision = decide(conv, BuyerMessage(typed), titled)
    assert decision.entry is not None
    assert decision.entry.id == "ongkir"


# --- a message about another trade is asked about, never answered on a weak match ----------


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("toko sepatu yang murah di mana ya?", "@sepatu"),
        ("kedai jahit dekat sini kat mana?", "@jahit"),
        ("where is the nearest furniture store?", "@perabot"),
    ],
)
def test_goods_the_faq_never_mentions_are_asked_about_not_answered(
    text: str, foreign: str, shop: Faq, policy: Policy
) -> None:
    trial = try_message(text, shop, policy)
    assert trial.action != "answer"
    assert foreign in trial.why  # so the seller sees what the FAQ lacks


@pytest.mark.parametrize(
    "text", ["alamat toko serum kakak di mana?", "where is your skincare shop?"]
)
def test_goods_the_faq_does_mention_are_no_foreign_trade(
    text: str, shop: Faq, policy: Policy
) -> None:
    assert shop.matcher.decide(text).foreign == frozenset()
    trial = try_message(text, shop, policy)
    assert (trial.options or [trial.faq_id])[0] == "lokasi"


# --- a weak lone candidate: the next entry is offered too if it has a word of its own -------


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        # "aman" is a word of the pregnancy entry's own questions, not of the returns one
        ("kemasannya aman ga biar ga pecah?", ["retur", "ibu-hamil"]),
        # "sampai" is in the returns entry's answer, but the shipping-time entry's own
        # questions ask it ("kapan sampai?"): a second guess too
        ("botolnya sampai pecah gitu gimana ya, sampai kapan?", ["retur", "lama-kirim"]),
        # the only other entry near shares nothing with the message the first lacks
        ("ukuran botolnya gede ga, takut ga muat di tas?", ["ukuran-botol"]),
    ],
)
def test_a_second_guess_needs_a_word_of_its_own(
    text: str, offered: list[str], shop: Faq, policy: Policy
) -> None:
    trial = try_message(text, shop, policy)
    assert trial.action == "clarify"
    assert trial.options == offered


@pytest.mark.parametrize(
    ("best_asks", "rival_asks", "offered"),
    [
        # the returns entry's answer says "kemasan", the packaging entry's questions ask
        # it: the buyer may have meant that one
        (frozenset(), frozenset({"@kemasan"}), True),
        (frozenset({"@retur"}), frozenset({"@kemasan"}), True),
        # both entries' questions ask it: the next one only echoes the first
        (frozenset({"@kemasan"}), frozenset({"@kemasan"}), False),
    ],
)
def test_a_second_guess_may_be_a_word_only_its_questions_ask(
    best_asks: frozenset[str], rival_asks: frozenset[str], offered: bool, shop: Faq
) -> None:
    words = frozenset({"@kemasan", "video"})
    best = Candidate("retur", 0.5, words, 1, len(best_asks), asks=best_asks)
    rival = Candidate("ukuran-kemasan", 0.4, frozenset({"@kemasan"}), 2, 1, asks=rival_asks)
    match = MatchResult("clarify", (best, rival), ("retur",))
    expected = (shop.get("ukuran-kemasan"),) if offered else ()
    assert second_guess(match, shop) == expected


@pytest.mark.parametrize(
    ("asked", "named", "sole"),
    [
        # only the returns entry's answer mentions sending ("kirim video unboxing"): no
        # real choice beside the shipping-cost entry, whose questions ask it
        (0, frozenset(), True),
        (1, frozenset(), False),  # its questions use a word of the message too: a choice
        (0, frozenset({"@retur"}), False),  # its name says it: a choice
    ],
)
def test_a_rival_only_its_answer_ties_to_the_message_is_no_real_choice(
    asked: int, named: frozenset[str], sole: bool, shop: Faq
) -> None:
    best = Candidate("ongkir", 0.6, frozenset({"@kirim", "@biaya"}), 1, 2, asks=frozenset())
    rival = Candidate(
        "retur", 0.54, frozenset({"@kirim", "@retur"}), 1, asked, asks=frozenset(), named=named
    )
    match = MatchResult("clarify", (best, rival), ("ongkir", "retur"))
    assert (sole_candidate(match, shop) == shop.get("ongkir")) is sole
