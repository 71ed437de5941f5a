"""Editing the seller's FAQ file safely: comments kept, validated, backed up, replaced atomically.

The one module of ``faq/`` besides the loader that touches files. Every write:

1. takes an exclusive lock on ``.<name>.lock`` beside the file (``fcntl.flock``), so two
   sellers accepting at once both land: each reads the file *inside* the lock;
2. edits the YAML round-trip (ruamel.yaml), keeping comments, order, quoting and layout;
3. validates the new text with ``faq.loader.parse_faq``: a text the bot could not load is
   never written (``FaqWriteError`` names the problems);
4. copies the old file to ``.japri-backups/<name>.<UTC stamp>`` beside it (the newest
   ``KEEP_BACKUPS`` are kept);
5. writes a temporary file in the same folder, fsyncs it and ``os.replace``-s the original,
   so readers (the hot reload) see the old or the new file, never half of one.

The caller passes ``now`` (epoch seconds) for the backup name: ``faq/`` reads no clock.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from faq.loader import FaqFormatError, FaqProblem, LoadedFaq, parse_faq
from faq.matcher import Thresholds
from faq.normalize import fold
from faq.suggest import AddHandoffWord, AddQuestion, NewEntry, Suggestion

BACKUP_DIR = ".japri-backups"
KEEP_BACKUPS = 20
_ID_WORDS = 4


@dataclass(frozen=True)
class Checks:
    """What a write is checked with: the bot's thresholds (for the loader's warnings), and
    whether a new "very alike" warning refuses the write."""

    thresholds: Thresholds | None = None
    refuse_new_warnings: bool = False


class FaqWriteError(Exception):
    """The edit was refused; the file is unchanged. ``problems`` says why (may be empty)."""

    def __init__(self, message: str, problems: list[FaqProblem] | None = None) -> None:
        self.problems = problems or []
        details = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + details)


@dataclass(frozen=True)
class WriteResult:
    """What an accepted suggestion did to the file."""

    path: Path
    backup: Path | None  # None when nothing changed
    changed: bool
    entry_id: str | None  # the entry edited or created
    loaded: LoadedFaq  # the FAQ as now written (warnings included)
    new_warnings: tuple[FaqProblem, ...] = ()  # warnings the edit brought (show the seller)


def apply(
    suggestion: Suggestion,
    path: str | Path,
    *,
    now: float,
    text: str | None = None,
    answer: str | None = None,
    thresholds: Thresholds | None = None,
    refuse_new_warnings: bool = False,
) -> WriteResult:
    """Accept a suggestion: write it into the FAQ file (``text``/``answer``: the seller's
    edits of the question or phrase, and of a new entry's answer).

    Raises:
        FaqWriteError: the result would not load, a new entry has no answer, or (with
            ``refuse_new_warnings``) the edit would make two entries look alike.
    """
    rules = Checks(thresholds, refuse_new_warnings)
    if isinstance(suggestion, AddQuestion):
        question = text or suggestion.question
        return add_question(path, suggestion.entry_id, question, now=now, rules=rules)
    if isinstance(suggestion, NewEntry):
        reply = answer if answer is not None else suggestion.draft_answer
        if not reply or not reply.strip():
            raise FaqWriteError("a new entry needs an answer: write one before accepting")
        return add_entry(path, text or suggestion.question, reply, now=now, rules=rules)
    if isinstance(suggestion, AddHandoffWord):
        return add_handoff_word(path, text or suggestion.phrase, now=now, rules=rules)
    raise TypeError(f"not a suggestion: {suggestion!r}")


def add_question(
    path: str | Path,
    entry_id: str,
    question: str,
    *,
    now: float,
    rules: Checks | None = None,
) -> WriteResult:
    """Add ``question``, a buyer's wording the seller accepted, to entry ``entry_id``'s
    ``learned:`` list, made after its ``questions:`` when it has none (nothing changes if
    the entry has the wording already). Learned questions match as the seller's do, kept
    apart so the seller sees what the bot learned, and so that they do not make the
    words they share with other entries weigh less there (see ``faq.matcher``)."""
    question = _one_line(question)

    def edit(doc: CommentedMap) -> tuple[bool, str | None]:
        entry = _entry(doc, entry_id)
        questions = entry.get("questions")
        if not isinstance(questions, CommentedSeq):
            raise FaqWriteError(f"entry '{entry_id}': 'questions' is not a list")
        learned = entry.get("learned")
        if learned is None:
            learned = CommentedSeq()
            entry.insert(list(entry.keys()).index("questions") + 1, "learned", learned)
        if not isinstance(learned, CommentedSeq):
            raise FaqWriteError(f"entry '{entry_id}': 'learned' is not a list")
        if fold(question) in {fold(str(q)) for q in (*questions, *learned)}:
            return False, entry_id
        learned.append(question)
        return True, entry_id

    return _edit(Path(path), edit, now, rules or Checks())


def add_entry(
    path: str | Path,
    question: str,
    answer: str,
    *,
    now: float,
    entry_id: str | None = None,
    rules: Checks | None = None,
) -> WriteResult:
    """Append a new entry; its id is made from the question unless given, and unique."""
    question = _one_line(question)
    answer = answer.strip()

    def edit(doc: CommentedMap) -> tuple[bool, str | None]:
        faqs = _faqs(doc)
        taken = {str(e.get("id")) for e in faqs if isinstance(e, CommentedMap)}
        new_id = entry_id or unique_id(question, taken)
        if new_id in taken:
            raise FaqWriteError(f"an entry with id '{new_id}' already exists")
        entry = CommentedMap()
        entry["id"] = new_id
        entry["questions"] = CommentedSeq([question])
        entry["answer"] = LiteralScalarString(answer + "\n") if "\n" in answer else answer
        faqs.append(entry)
        return True, new_id

    return _edit(Path(path), edit, now, rules or Checks())


def add_handoff_word(
    path: str | Path, phrase: str, *, now: float, rules: Checks | None = None
) -> WriteResult:
    """Add a phrase to the top-level ``handoff_words:`` list (created when missing)."""
    phrase = _one_line(phrase)

    def edit(doc: CommentedMap) -> tuple[bool, str | None]:
        words = doc.get("handoff_words")
        if words is None:
            words = CommentedSeq()
            doc["handoff_words"] = words
        if not isinstance(words, CommentedSeq):
            raise FaqWriteError("'handoff_words' is not a list")
        if fold(phrase) in {fold(str(w)) for w in words}:
            return False, None
        words.append(phrase)
        return True, None

    return _edit(Path(path), edit, now, rules or Checks())


def unique_id(question: str, taken: set[str]) -> str:
    """An entry id from a question's first words ("bisa-kirim-ke-singapore"), made unique."""
    base = "-".join(fold(question).split()[:_ID_WORDS])
    base = re.sub(r"[^a-z0-9-]", "", base.encode("ascii", "ignore").decode()) or "entry"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    if not flat:
        raise FaqWriteError("the text is empty")
    return flat


def _faqs(doc: CommentedMap) -> CommentedSeq:
    faqs = doc.get("faqs")
    if not isinstance(faqs, CommentedSeq):
        raise FaqWriteError("the file has no 'faqs:' list")
    return faqs


def _entry(doc: CommentedMap, entry_id: str) -> CommentedMap:
    for entry in _faqs(doc):
        if isinstance(entry, CommentedMap) and str(entry.get("id")) == entry_id:
            return entry
    raise FaqWriteError(f"no entry with id '{entry_id}' in the FAQ")


Edit = Callable[[CommentedMap], tuple[bool, str | None]]


def _edit(path: Path, edit: Edit, now: float, rules: Checks) -> WriteResult:
    with _locked(path):
        try:
            old = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise FaqWriteError(f"cannot read {path}: {exc.strerror}") from None
        try:
            yaml, doc = _load(old)
        except YAMLError as exc:
            raise FaqWriteError(f"{path} is not valid YAML now; fix it first: {exc}") from None
        if not isinstance(doc, CommentedMap):
            raise FaqWriteError(f"{path} does not start with 'faqs:'")
        changed, entry_id = edit(doc)
        if not changed:
            return WriteResult(path, None, False, entry_id, _validate(old, path, rules.thresholds))
        out = io.StringIO()
        yaml.dump(doc, out)
        new = _blank_lines_kept(old, out.getvalue())
        loaded = _validate(new, path, rules.thresholds)
        fresh = _new_warnings(old, loaded, path, rules.thresholds)
        if fresh and rules.refuse_new_warnings:
            raise FaqWriteError("the edit would confuse two entries; nothing written", fresh)
        backup = _backup(path, now)
        _replace(path, new)
        return WriteResult(path, backup, True, entry_id, loaded, tuple(fresh))


def _new_warnings(
    old: str, loaded: LoadedFaq, path: Path, thresholds: Thresholds | None
) -> list[FaqProblem]:
    try:
        before = {w.message for w in parse_faq(old, str(path), thresholds).warnings}
    except FaqFormatError:
        before = set()
    return [w for w in loaded.warnings if w.message not in before]


def _load(text: str) -> tuple[YAML, Any]:
    """A round-trip YAML set to the file's own indentation, and the document.

    ruamel.yaml cannot read a file's indentation back, so the layouts sellers use are
    tried in turn and the first that re-creates the unchanged file exactly is kept.
    """
    _, guessed, offset = load_yaml_guess_indent(text)
    layouts = [(2, guessed or 2, offset or 0), *_LAYOUTS]
    best: tuple[int, YAML, Any] | None = None
    for mapping, sequence, dash in dict.fromkeys(layouts):
        yaml = YAML()  # round-trip
        yaml.preserve_quotes = True
        yaml.width = 4096  # never re-wrap the seller's long lines
        yaml.indent(mapping=mapping, sequence=max(sequence, dash + 2), offset=dash)
        doc = yaml.load(text)
        out = io.StringIO()
        yaml.dump(doc, out)
        drift = _drift(out.getvalue(), text)
        if best is None or drift < best[0]:
            best = (drift, yaml, yaml.load(text))
        if drift == 0:
            break
    assert best is not None  # noqa: S101 - there is always one layout
    return best[1], best[2]


_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (4, 6, 4), (2, 3, 1), (3, 3, 0))


def _drift(dumped: str, original: str) -> int:
    """How many lines a dump changes (0: the layout is the file's own)."""
    a, b = dumped.splitlines(), original.splitlines()
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*:")


def _blank_lines_kept(old: str, new: str) -> str:
    """The seller's blank line before a top-level key ("synonyms:") stays before it.

    ruamel.yaml keeps a blank line as a comment of whatever precedes it, so an item
    appended at the end of a list goes *after* that blank line; a new top-level key gets
    one when the seller's keys are spaced so.
    """
    before_old = old.splitlines()
    spaced = {
        line.split(":", 1)[0]
        for i, line in enumerate(before_old)
        if i and _TOP_KEY.match(line) and not before_old[i - 1].strip()
    }
    lines = new.splitlines()
    result: list[str] = []
    for line in lines:
        key = line.split(":", 1)[0] if _TOP_KEY.match(line) else None
        is_new = key is not None and not any(o.startswith(key + ":") for o in before_old)
        wanted = key in spaced or (is_new and bool(spaced))
        previous = result[-1].strip() if result else ""
        if wanted and previous and not previous.startswith("#"):
            result.append("")
        result.append(line)
    return "\n".join(result) + ("\n" if new.endswith("\n") else "")


def _validate(text: str, path: Path, thresholds: Thresholds | None) -> LoadedFaq:
    try:
        return parse_faq(text, str(path), thresholds)
    except FaqFormatError as exc:
        message = "the edit would break the FAQ; nothing written"
        raise FaqWriteError(message, exc.problems) from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(f".{path.name}.lock")
    with open(lock, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _backup(path: Path, now: float) -> Path:
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = folder / f"{path.name}.{stamp}"
    n = 2
    while target.exists():  # two writes in one microsecond (tests with a fixed clock)
        target, n = folder / f"{path.name}.{stamp}.{n}", n + 1
    shutil.copy2(path, target)
    old = sorted(folder.glob(f"{path.name}.*"))  # UTC stamps sort by time
    for stale in old[:-KEEP_BACKUPS]:
        stale.unlink(missing_ok=True)
    return target


def _replace(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut
    finally:
        os.close(dir_fd)
