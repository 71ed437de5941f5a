"""Learned questions (``learned:``): buyers' wordings the seller accepted from the FAQ
suggestions. They are matched like the seller's own questions, listed apart so the seller
sees what the bot learned, and they do not make the seller's words weigh less elsewhere
or move the FAQ's thresholds."""

from __future__ import annotations

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
