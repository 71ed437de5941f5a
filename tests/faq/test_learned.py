"""Learned questions (``learned:``): buyers' wordings the seller accepted from the FAQ
suggestions. They are matched like the seller's own questions, listed apart so the seller
sees what the bot learned, and they do not make the seller's words weigh less elsewhere
or move the FAQ's thresholds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from faq.loader import FaqFormatError, parse_faq
from faq.model import Faq
from faq.normalize import normalize
from flows.policy import Policy
from flows.trial import try_message
from tests.shop_faqs import COURIERS

SHOP = """\
faqs:
  - id: ongkir
    questions:
      - berapa ongkir ke jakarta?
      - ongkos kirimnya berapa?
    answer: Ongkir mulai Rp9.000 kak.
  - id: lama-kirim
    questions:
      - berapa hari sampai?
      - pengiriman berapa lama?
    answer: 2-3 hari kerja kak.
  - id: bahan
    questions:
      - bahannya apa?
      - kainnya adem ga?
    answer: Katun combed 30s kak.
"""


def with_learned(entry_id: str, *wordings: str) -> str:
    """SHOP with ``wordings`` learned under ``entry_id``."""
    lines = "".join(f"      - {w}\n" for w in wordings)
    marker = f"  - id: {entry_id}\n    questions:\n"
    head, tail = SHOP.split(marker)
    questions, rest = tail.split("    answer:", 1)
    return f"{head}{marker}{questions}    learned:\n{lines}    answer:{rest}"


def load(text: str) -> Faq:
    return parse_faq(text, "faq.yaml").faq


def test_a_learned_wording_is_answered_with_its_entry() -> None:
    before = load(SHOP).matcher.decide("kalo ke bali nambah brp kak?")
    faq = load(with_learned("ongkir", "kalo ke bali nambah brp kak?"))
    after = faq.matcher.decide("kak kalo ke bali nambah brp?")
    assert (after.decision, after.best) == ("answer", "ongkir")
    assert before.decision == "fallback"
    entry = faq.get("ongkir")
    assert entry is not None
    assert entry.learned == ("kalo ke bali nambah brp kak?",)
    assert entry.phrasings[-1] == "kalo ke bali nambah brp kak?"
    assert entry.title == "berapa ongkir ke jakarta?"  # buttons keep the seller's wording


def test_a_learned_wording_does_not_make_another_entrys_word_weigh_less() -> None:
    # "hari" is the delivery-time entry's word; a buyer's "... brp hari sampai?" learned
    # under shipping cost must not make it commoner, as a question written there would
    learned = "ongkir ke bandung brp, brp hari sampai?"
    written = SHOP.replace(
        "      - ongkos kirimnya berapa?\n",
        f"      - ongkos kirimnya berapa?\n      - {learned}\n",
    )
    message = "kira2 berapa hari sampai kak?"

    def weights(faq: Faq) -> dict[str, float]:
        return faq.matcher.query_weights(normalize(message, faq.matcher.lexicon))

    plain = weights(load(SHOP))
    assert weights(load(with_learned("ongkir", learned))) == plain
    assert weights(load(written)) != plain


def test_learned_wordings_do_not_move_the_thresholds() -> None:
    many = [f"ongkir ke kota nomor {n} brp?" for n in range(12)]
    learned = load(with_learned("ongkir", *many)).matcher
    plain = load(SHOP).matcher
    assert (learned.richness, learned.answer_at) == (plain.richness, plain.answer_at)


def test_a_word_only_learned_wordings_use_weighs_as_an_unknown_word_in_a_message() -> None:
    # "sage" (a colour one buyer named) learned under the fabric entry: a later message
    # naming it must not weigh its other words less than before it was learned
    message = "kainnya warna sage adem ga?"

    def weights(faq: Faq) -> dict[str, float]:
        return faq.matcher.query_weights(normalize(message, faq.matcher.lexicon))

    learned = load(with_learned("bahan", "ada warna sage kak?"))
    assert weights(learned) == weights(load(SHOP))
    assert learned.matcher.decide("ada warna sage kak?").best == "bahan"


def test_a_learned_wording_makes_no_rival_of_its_entry() -> None:
    # "kirim pakai apa?" learned under shipping time shares "kirim" and "pakai" with the
    # courier entry's own question: that question is still answered with the courier
    faq = parse_faq(COURIERS, "faq.yaml").faq
    grown = parse_faq(
        COURIERS.replace(
            "[berapa lama sampainya?, estimasi tiba berapa hari?]",
            "[berapa lama sampainya?, estimasi tiba berapa hari?]\n"
            "    learned: [kirim pakai apa?]",
        ),
        "faq.yaml",
    ).faq
    entry = grown.get("lama-kirim")
    assert entry is not None
    assert entry.learned == ("kirim pakai apa?",)
    for faq_now in (faq, grown):
        result = faq_now.matcher.decide("pakai ekspedisi apa?")
        assert (result.decision, result.best) == ("answer", "kurir")
    # ... while the learned wording raises its own entry
    assert grown.matcher.decide("kirim pakai apa?").best == "lama-kirim"


HOURS = """\
faqs:
  - id: waktu-operasi
    questions: [Waktu operasi?, buka pukul berapa?, Ahad buka tak?, admin online bila?]
    answer: Isnin-Sabtu 9 pagi - 6 petang. Ahad tutup.
  - id: lokasi-butik
    questions: [Butik kat mana?, ada kedai fizikal?, boleh datang cuba?, alamat butik?]
    answer: Butik kami di Seksyen 7, Shah Alam. Parking ada depan kedai.
  - id: stok
    questions: [stok ada lagi?, bila restock?]
    answer: Stok terkini di katalog ya sis.
  - id: bayaran
    questions: [boleh bayar online?, bayar guna apa?]
    answer: Online banking atau e-wallet.
"""


def test_an_idea_an_entry_knows_only_through_a_learned_wording_leaves_its_rival_a_choice() -> None:
    # "butiknya" in an opening-hours question the seller accepted: a buyer asking whether
    # there is a real shop ("kedai", the boutique entry's own word; "online" reads as
    # opening) used to get the opening hours, hedged, as if the boutique entry were only
    # its echo; it is asked which one is meant, as before the wording was learned
    grown = HOURS.replace(
        "admin online bila?]",
        "admin online bila?]\n    learned: [hari minggu butiknya buka ga kak?]",
    )
    policy = Policy(shop_name="Toko", language="ms")
    for text in (HOURS, grown):
        trial = try_message("ada kedai betul ke online je?", parse_faq(text, "f.yaml").faq, policy)
        assert (trial.action, set(trial.options)) == ("clarify", {"waktu-operasi", "lokasi-butik"})
    learned = try_message(
        "hari minggu butiknya buka ga kak?", parse_faq(grown, "f.yaml").faq, policy
    )
    assert (learned.action, learned.faq_id) == ("answer", "waktu-operasi")


@pytest.mark.parametrize("empty", ["[]", "", "null"])
def test_an_empty_learned_list_is_fine(empty: str) -> None:
    text = SHOP.replace("    answer: Katun", f"    learned: {empty}\n    answer: Katun")
    entry = load(text).get("bahan")
    assert entry is not None
    assert entry.learned == ()


@pytest.mark.parametrize(
    ("learned", "expected"),
    [
        ("    learned: ongkir ke bdg\n", "'learned' must be a list: put '- ' before each"),
        ("    learned:\n      - berapa hari sampai?\n", "is also under 'lama-kirim'"),
        ("    learned:\n      - 12\n", "put '12' in quotes"),
    ],
)
def test_a_broken_learned_list_is_a_clear_error(learned: str, expected: str) -> None:
    text = SHOP.replace("    answer: Katun", f"{learned}    answer: Katun")
    with pytest.raises(FaqFormatError) as caught:
        load(text)
    assert expected in str(caught.value)


ACCOUNTS = """\
faqs:
  - id: create_account
    questions:
      - i need help with creating a Premium account
      - i want a damn Platinum account
      - wanna know more about creating a gold account
    learned:
      - create freemium account
      - I don't know how I can create a premium account
    answer: Sign up on the website and pick the plan you want.
  - id: delete_account
    questions:
      - I no longer use my gold account, how can I close it?
      - I don't know what I need to do to delete a free account
      - remove Premium account
    learned:
      - I want assistance to cancel a gold account
    answer: Go to Settings, then Close account.
  - id: edit_account
    questions:
      - could you help me editing the information on my account?
      - editing ddtails on Freemium account
      - changing info on gold account
    answer: Edit your details under Settings, Profile.
  - id: switch_account
    questions:
      - switch to freemium account
      - what do i have to do to use the damn pro profile
      - how do I change to the free account?
    learned:
      - were could I change to the premium account?
    answer: Choose another plan under Settings, Plan.
  - id: cancel_order
    questions:
      - I do not know how to cancel purchase 732201349959
      - i have problems with canceling order 00123842
    answer: Open the order and tap Cancel.
"""


def test_a_learned_wording_and_the_sellers_question_add_up() -> None:
    # "canceling premium account": the seller's "remove Premium account" says the plan,
    # the learned "... cancel a gold account" the cancelling; scored as one question the
    # two explain the message, which is answered outright instead of hedged
    faq = load(ACCOUNTS)
    for text in ("canceling premium account", "question about a premium account termination"):
        result = faq.matcher.decide(text)
        assert (result.decision, result.best) == ("answer", "delete_account")
        trial = try_message(text, faq, Policy(shop_name="Toko", language="en"))
        assert (trial.action, trial.faq_id, trial.hedged) == ("answer", "delete_account", False)
    # without the learned wording, the seller's question alone is not enough
    plain = load(ACCOUNTS.replace("      - I want assistance to cancel a gold account\n", ""))
    assert plain.matcher.decide("canceling premium account").decision == "clarify"


CHARGERS = """\
faqs:
  - id: case-tipe-hp
    questions:
      - Casing tersedia untuk HP apa aja?
      - Ada case buat iPhone 15?
      - case samsung ada kak?
      - casing buat hp oppo ada?
    answer: Casing untuk iPhone, Samsung, Xiaomi, Poco, Oppo dan Vivo kak.
  - id: charger-kompatibel
    questions:
      - Chargernya bisa buat iPhone?
      - Kabelnya cocok buat HP apa aja?
      - charger ini bisa dipakai buat samsung?
      - kabel type c ada?
    learned:
      - adaptor 20w nya bisa buat ngecas ip 11 ga kak?
    answer: Kepala charger kami pakai port USB-C, bisa untuk iPhone dan semua HP Android kak.
  - id: fast-charging
    questions:
      - Support fast charging gak?
      - chargernya berapa watt?
      - bisa ngecas cepat?
      - ada charger 65W?
    answer: Support fast charging kak, 20W sampai 67W.
  - id: garansi
    questions:
      - Ada garansi?
      - garansinya berapa lama?
    answer: Garansi 1 tahun kak.
"""


def test_a_learned_wording_adds_up_only_for_the_entry_the_sellers_words_put_first() -> None:
    # the charger entry's own "charger ... buat samsung" and learned "adaptor 20w ...
    # ngecas" together explain much of a fast-charging question; added up, they would
    # lift the charger entry over fast charging, the entry the seller's own questions put
    # first, and turn its answer into a "which one?"
    grown = load(CHARGERS)
    plain = load(CHARGERS.replace("      - adaptor 20w nya bisa buat ngecas ip 11 ga kak?\n", ""))
    policy = Policy(shop_name="Toko", language="id")
    text = "kepala cas yg 33w beneran bikin ngecas ngebut ga kak, hpku poco x6"
    assert grown.matcher.decide(text).best == "fast-charging"
    learned, before = try_message(text, grown, policy), try_message(text, plain, policy)
    assert (learned.action, learned.options) == (before.action, before.options)
    assert learned.options == ["fast-charging", "charger-kompatibel"]


SCORES = """
import json, sys
from faq.loader import parse_faq
faq = parse_faq(sys.stdin.read(), "faq.yaml").faq
out = []
for text in json.loads(sys.argv[1]):
    match = faq.matcher.decide(text)
    out.append([match.decision, [(c.entry_id, repr(c.score)) for c in match.candidates]])
print(json.dumps(out))
"""


def test_learned_and_own_rows_add_up_alike_in_every_process() -> None:
    # the pair's sums run over sets of keys, whose order changes with the string-hash seed
    messages = [
        "canceling premium account",
        "question about a premium account termination",
        "i need assistance creating a freemium account",
        "I need help using the Freemium profile",
    ]

    def scores(seed: str) -> object:
        done = subprocess.run(  # noqa: S603 (our own script)
            [sys.executable, "-c", SCORES, json.dumps(messages)],
            input=ACCOUNTS,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    first, *others = (scores(seed) for seed in ("1", "2", "3"))
    assert all(other == first for other in others)
