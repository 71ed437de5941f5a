"""Accepting a suggestion: the seller's file keeps its look, never breaks, loses nothing."""

from __future__ import annotations

import difflib
import threading
from pathlib import Path

import pytest

from faq import writer
from faq.loader import load_faq
from faq.suggest import AddHandoffWord, AddQuestion, NewEntry
from faq.writer import FaqWriteError, add_entry, add_question, apply, unique_id

SELLER_FILE = """\
# FAQ Toko Contoh -- ditulis sendiri, jangan dihapus komentarnya
faqs:
  - id: kadaluarsa   # paling sering ditanya
    questions:
      - kapan kadaluarsanya?
      - "expired kapan kak"
    answer: |
      Tahan 6 bulan di freezer kak.
      Simpan di suhu minus 18 derajat ya.

  # ongkos kirim
  - id: ongkir
    questions:
      - berapa ongkirnya?
    answer: Ongkir mulai Rp9.000 ke seluruh Jawa kak.   # update tiap bulan

synonyms:
  - [ongkir, ongkos kirim]
"""

# The same FAQ as another seller lays it out: 4 spaces, dashes flush with their key.
FLUSH_FILE = """\
faqs:
- id: kadaluarsa
  questions:
  - kapan kadaluarsanya?
  answer: Tahan 6 bulan kak.
- id: ongkir
  questions:
  - berapa ongkirnya?
  answer: Ongkir mulai Rp9.000.
"""
NOW = 1_765_000_000.0


@pytest.fixture
def faq_file(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_text(SELLER_FILE, encoding="utf-8")
    return path


def only_added(old: str, new: str) -> list[str]:
    """The lines ``new`` adds to ``old``; fails when any old line changed or went."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    added = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        assert tag in ("equal", "insert"), new
        added += new.splitlines()[j1:j2] if tag == "insert" else []
    return added


@pytest.mark.parametrize("original", [SELLER_FILE, FLUSH_FILE], ids=["nested", "flush"])
def test_a_question_is_added_and_everything_else_kept(tmp_path: Path, original: str) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(original, encoding="utf-8")
    result = add_question(path, "kadaluarsa", "tarikh luput bila sis", now=NOW)
    new = path.read_text(encoding="utf-8")
    added = [line.strip() for line in only_added(original, new)]
    assert added == ["learned:", "- tarikh luput bila sis"]  # under the seller's questions
    assert result.changed
    assert result.entry_id == "kadaluarsa"
    entry = load_faq(path).faq.get("kadaluarsa")
    assert entry is not None
    assert entry.learned == ("tarikh luput bila sis",)
    assert entry.questions[-1] != "tarikh luput bila sis"
    # a second one joins the list; the layout is the seller's (indent, dashes)
    add_question(path, "kadaluarsa", "bila expired sis", now=NOW + 1)
    again = path.read_text(encoding="utf-8")
    assert [line.strip() for line in only_added(new, again)] == ["- bila expired sis"]
    learned_line = next(line for line in again.splitlines() if "learned:" in line)
    questions_line = next(line for line in again.splitlines() if "questions:" in line)
    assert learned_line.index("l") == questions_line.index("q")
    entry = load_faq(path).faq.get("kadaluarsa")
    assert entry is not None
    assert entry.learned == ("tarikh luput bila sis", "bila expired sis")


def test_the_previous_file_is_backed_up(faq_file: Path) -> None:
    result = add_question(faq_file, "ongkir", "ongkos ke medan brp", now=NOW)
    assert result.backup is not None
    assert result.backup.parent == faq_file.parent / writer.BACKUP_DIR
    assert result.backup.read_text(encoding="utf-8") == SELLER_FILE
    assert not list(faq_file.parent.glob(".faq.yaml.*.tmp"))  # no temporary file left


def test_old_backups_are_pruned(faq_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer, "KEEP_BACKUPS", 2)
    for n in range(4):
        add_question(faq_file, "ongkir", f"ongkir ke kota nomor {n}", now=NOW + n)
    assert len(list((faq_file.parent / writer.BACKUP_DIR).iterdir())) == 2


def test_a_question_already_there_changes_nothing(faq_file: Path) -> None:
    result = add_question(faq_file, "kadaluarsa", "Expired kapan kak?", now=NOW)
    assert not result.changed
    assert result.backup is None
    assert faq_file.read_text(encoding="utf-8") == SELLER_FILE


@pytest.mark.parametrize(
    ("entry_id", "question", "problem"),
    [
        ("ongkir", "kapan kadaluarsanya?", "also under 'kadaluarsa'"),  # the loader refuses
        ("refund", "bisa refund?", "no entry with id 'refund'"),
        ("ongkir", "   ", "empty"),
    ],
)
def test_a_write_that_would_break_the_faq_never_happens(
    faq_file: Path, entry_id: str, question: str, problem: str
) -> None:
    with pytest.raises(FaqWriteError, match=problem):
        add_question(faq_file, entry_id, question, now=NOW)
    assert faq_file.read_text(encoding="utf-8") == SELLER_FILE
    assert not (faq_file.parent / writer.BACKUP_DIR).exists()


def test_a_file_broken_by_hand_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("faqs:\n  - id: [oops\n", encoding="utf-8")
    with pytest.raises(FaqWriteError, match="not valid YAML"):
        add_question(path, "oops", "halo", now=NOW)


def test_a_new_entry_gets_a_unique_id_from_its_question(faq_file: Path) -> None:
    answer = "Bisa kak 🙏\nOngkir ke Singapore dihitung per kg."
    first = add_entry(faq_file, "Bisa kirim ke Singapore?", answer, now=NOW)
    second = add_entry(faq_file, "bisa kirim ke singapore pakai dhl", "Bisa kak", now=NOW)
    assert (first.entry_id, second.entry_id) == (
        "bisa-kirim-ke-singapore",
        "bisa-kirim-ke-singapore-2",
    )
    entry = load_faq(faq_file).faq.get("bisa-kirim-ke-singapore")
    assert entry is not None
    assert entry.answer is not None
    assert entry.answer.get("id") == answer
    assert "# ongkos kirim" in faq_file.read_text(encoding="utf-8")
    assert unique_id("Ünïcode éntry!!", set()) == "unicode-entry"


def test_new_entries_and_keys_are_laid_out_like_the_sellers(faq_file: Path) -> None:
    add_entry(faq_file, "ada hampers?", "Ada kak\nmulai Rp150.000", now=NOW)
    apply(AddHandoffWord("a3", "orang admin", 4, ()), faq_file, now=NOW)
    added = only_added(SELLER_FILE, faq_file.read_text(encoding="utf-8"))
    assert added == [
        "  - id: ada-hampers",
        "    questions:",
        "      - ada hampers?",
        "    answer: |",
        "      Ada kak",
        "      mulai Rp150.000",
        "",
        "",
        "handoff_words:",
        "  - orang admin",
    ]


def test_accepting_each_kind_of_suggestion(faq_file: Path) -> None:
    add = AddQuestion("a1", "ongkir", "ongkir ke medan", 3, ())
    apply(add, faq_file, now=NOW, text="ongkos kirim ke Medan?")  # edited by the seller
    new = NewEntry("a2", "ada hampers lebaran?", 2, "Ada kak, mulai Rp150.000", ())
    created = apply(new, faq_file, now=NOW)
    word = AddHandoffWord("a3", "orang admin", 4, ())
    apply(word, faq_file, now=NOW)
    faq = load_faq(faq_file).faq
    ongkir = faq.get("ongkir")
    assert ongkir is not None
    assert ongkir.learned[-1] == "ongkos kirim ke Medan?"
    assert created.entry_id == "ada-hampers-lebaran"
    assert faq.get("ada-hampers-lebaran") is not None
    assert faq.handoff_words == ("orang admin",)
    assert not apply(word, faq_file, now=NOW).changed


def test_a_new_entry_without_an_answer_is_refused(faq_file: Path) -> None:
    with pytest.raises(FaqWriteError, match="needs an answer"):
        apply(NewEntry("a2", "ada hampers?", 2, None, ()), faq_file, now=NOW)
    assert faq_file.read_text(encoding="utf-8") == SELLER_FILE


def test_two_sellers_accepting_at_once_lose_nothing(faq_file: Path) -> None:
    questions = [f"ongkir ke kota {name}" for name in ("medan", "solo", "bali", "aceh")]
    start = threading.Barrier(len(questions))
    errors: list[BaseException] = []

    def accept(question: str) -> None:
        start.wait()
        try:
            add_question(faq_file, "ongkir", question, now=NOW)
        except BaseException as exc:  # a failure must show up in the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=accept, args=(q,)) for q in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entry = load_faq(faq_file).faq.get("ongkir")
    assert entry is not None
    assert set(entry.phrasings) == {"berapa ongkirnya?", *questions}
    assert len(list((faq_file.parent / writer.BACKUP_DIR).iterdir())) == len(questions)


def test_an_edit_that_makes_two_entries_alike_is_reported_or_refused(faq_file: Path) -> None:
    alike = AddQuestion("a4", "ongkir", "kapan kadaluarsanya kak?", 1, ())
    with pytest.raises(FaqWriteError, match="confuse two entries"):
        apply(alike, faq_file, now=NOW, refuse_new_warnings=True)
    assert faq_file.read_text(encoding="utf-8") == SELLER_FILE
    result = apply(alike, faq_file, now=NOW)
    assert [w.severity for w in result.new_warnings] == ["warning"]
    assert "'kadaluarsa' and 'ongkir' are very alike" in result.new_warnings[0].message
