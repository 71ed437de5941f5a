"""What a suggestion learns from a buyer's message: the question, not the chat around it."""

from __future__ import annotations

import pytest

from faq.loader import parse_faq
from faq.model import Faq
from faq.wording import learnable

SHOP = """
faqs:
  - id: warna
    questions:
      - ada warna apa saja?
      - warnanya sama dengan foto?
      - warna navy ada?
    answer: Ada 10 pilihan warna kak, lihat katalog ya.
  - id: stok
    questions:
      - stoknya masih ada?
      - kapan restock?
      - ready stock kak?
    answer: Stok diperbarui tiap Senin kak.
  - id: pembayaran
    questions:
      - bayar pakai apa?
      - bisa bayar transfer?
      - bayar lewat e-wallet bisa?
    answer: Transfer BCA atau QRIS kak.
  - id: cod
    questions:
      - bisa cod?
      - ada cod ga?
    answer: COD hanya untuk area Jakarta kak.
  - id: ongkir
    questions:
      - berapa ongkirnya?
      - ongkir ke bandung berapa?
    answer: Ongkir mulai 10 ribu kak.
  - id: garansi
    questions:
      - ada garansi?
      - garansi berapa lama?
    answer: Garansi toko 6 bulan kak.
  - id: lama-kirim
    questions:
      - kapan barangnya sampai?
      - berapa hari pengiriman?
    answer: 2-3 hari kerja kak.
  - id: alamat
    questions:
      - ada toko offline?
      - tokonya di mana?
    answer: Jl. Melati 5, Bandung kak.
"""


@pytest.fixture(scope="module")
def faq() -> Faq:
    return parse_faq(SHOP, "faq.yaml").faq


@pytest.mark.parametrize(
    ("text", "entry_id", "learned"),
    [
        # why the buyer asks is chat context, not the question
        (
            "ukuran L stoknya masih ada? buat kondangan minggu depan",
            "stok",
            "ukuran L stoknya masih ada?",
        ),
        (
            "kalau rusak dalam sebulan diganti ga? soalnya buat hadiah",
            "garansi",
            "kalau rusak dalam sebulan diganti ga?",
        ),
        # the colour is the colour entry's topic: asked about stock, it is a detail
        ("warna maroon masih ready?", "stok", "maroon masih ready?"),
        # only the address entry asks about the shop, in most of its questions: its topic,
        # though its id does not name it
        ("garansinya bisa diurus di toko?", "garansi", "garansinya bisa diurus di?"),
        # without "bayar" what is left is other entries' words (the goods, arriving):
        # nothing of cash on delivery, so the words stay
        ("bayar pas barang datang bisa?", "cod", "bayar pas barang datang bisa?"),
        # ... unless what is left names an idea no entry is asked about yet
        ("warna layarnya retak?", "garansi", "layarnya retak?"),
        # the clause that asks, alone, would not get the buyer answered: all of it
        (
            "yang kemarin gimana? layarnya mati padahal baru seminggu",
            "garansi",
            "yang kemarin gimana? layarnya mati padahal baru seminggu",
        ),
        # nothing in it asks: the whole message
        ("pengen liat liat dulu", "stok", "pengen liat liat dulu"),
        # an entry that is gone: the message as it is, spaces tidied
        ("ada  ukuran L?  buat besok", "hapus", "ada ukuran L? buat besok"),
    ],
)
def test_the_part_learned_is_the_question_without_its_context(
    faq: Faq, text: str, entry_id: str, learned: str
) -> None:
    assert learnable(text, faq, entry_id) == learned


def test_a_new_entry_is_proposed_with_the_clause_that_asks(faq: Faq) -> None:
    text = "bisa kirim ke singapura? saudara saya di sana"
    assert learnable(text, faq) == "bisa kirim ke singapura?"


def test_what_is_learned_gets_the_buyers_own_message_answered(faq: Faq) -> None:
    from dataclasses import replace

    text = "ukuran L stoknya masih ada? buat kondangan minggu depan"
    entry = faq.get("stok")
    assert entry is not None
    grown = replace(entry, learned=(*entry.learned, learnable(text, faq, "stok")))
    after = replace(faq, entries=tuple(grown if e.id == "stok" else e for e in faq.entries))
    result = after.matcher.decide(text)
    assert (result.decision, result.best) == ("answer", "stok")


def test_the_part_is_worked_out_once_per_faq(faq: Faq, monkeypatch: pytest.MonkeyPatch) -> None:
    import faq.wording as wording

    calls: list[str] = []
    checked = wording._answers

    def counting(text: str, question: str, faq: Faq, entry: object) -> bool:
        calls.append(question)
        return checked(text, question, faq, entry)  # type: ignore[arg-type]

    monkeypatch.setattr(wording, "_answers", counting)
    text = "garansi berapa lama? buat kado ulang tahun adik"
    first = learnable(text, faq, "garansi")
    assert calls
    made = len(calls)
    assert learnable(text, faq, "garansi") == first
    assert len(calls) == made  # remembered: accepting works the suggestions out again
