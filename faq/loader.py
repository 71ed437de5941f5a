"""Reading the seller's FAQ YAML, with every problem reported as ``file:line: message``."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from faq.followup import KINDS
from faq.matcher import Thresholds
from faq.model import LANGUAGES, Faq, FaqEntry, FollowUpSkip, Localized
from faq.normalize import fold
from faq.yaml_errors import explain

_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
TOP_KEYS = ("faqs", "synonyms", "slang", "handoff_words")
ENTRY_KEYS = (
    "id",
    "questions",
    "learned",
    "title",
    "answer",
    "follow_up",
    "follow_up_unless",
    "handoff",
)
_BUTTON_LIMIT = 20  # WhatsApp reply-button titles are cut at 20 characters
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
_CONFUSION_CHECK_LIMIT = 3000  # entries; above this the pairwise check would be slow

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class FaqProblem:
    """One thing wrong with (or worth a look in) the FAQ file."""

    file: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


class FaqFormatError(Exception):
    """The FAQ file cannot be used; ``problems`` says where and why."""

    def __init__(self, problems: list[FaqProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LoadedFaq:
    faq: Faq
    warnings: list[FaqProblem] = field(default_factory=list)


def load_faq(
    path: str | Path, thresholds: Thresholds | None = None, *, alike: bool = True
) -> LoadedFaq:
    """Load and validate an FAQ file; ``alike=False`` leaves out the look-alike warnings
    (``confusable_entries``: a pass over every question, most of a big FAQ's load time).

    Raises:
        FaqFormatError: with every error found (not just the first).
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        problem = FaqProblem(name, 1, f"cannot read the file: {exc.strerror}")
        raise FaqFormatError([problem]) from None
    return parse_faq(raw, name, thresholds, alike=alike)


def check_faq(path: str | Path, thresholds: Thresholds | None = None) -> list[FaqProblem]:
    """Every error and warning for an FAQ file (empty when all is well)."""
    try:
        loaded = load_faq(path, thresholds)
    except FaqFormatError as exc:
        return exc.problems
    return loaded.warnings


def parse_faq(
    raw: bytes | str,
    source: str = "<faq>",
    thresholds: Thresholds | None = None,
    *,
    alike: bool = True,
) -> LoadedFaq:
    """Validate FAQ YAML given as bytes or text; see ``load_faq``."""
    return _Parser(source, thresholds, alike).parse(raw)


class _Parser:
    def __init__(
        self, source: str, thresholds: Thresholds | None = None, alike: bool = True
    ) -> None:
        self.source = source
        self.thresholds = thresholds
        self.alike = alike
        self.problems: list[FaqProblem] = []
        self.warnings: list[FaqProblem] = []

    def error(self, node_or_line: Node | int, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else _line(node_or_line)
        self.problems.append(FaqProblem(self.source, line, message))

    def fail(self) -> FaqFormatError:
        return FaqFormatError(sorted(self.problems, key=lambda p: p.line))

    def parse(self, raw: bytes | str) -> LoadedFaq:
        text = self._decode(raw) if isinstance(raw, bytes) else raw
        if text is None or not self._precheck(text):
            raise self.fail()
        try:
            root = _compose(text)
        except yaml.MarkedYAMLError as exc:
            self.error(*explain(exc, text))
            raise self.fail() from None
        except yaml.YAMLError as exc:
            self.error(1, f"not valid YAML: {exc}")
            raise self.fail() from None
        if root is None:
            self.error(1, "the FAQ file is empty; start it with 'faqs:' and a list of entries")
            raise self.fail()
        faq = self._document(root)
        if self.problems or faq is None:
            raise self.fail()
        alike = confusable_entries(faq, self.source) if self.alike else []
        return LoadedFaq(faq, self.warnings + alike)

    def _decode(self, raw: bytes) -> str | None:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            byte = raw[exc.start]
            self.error(line, f"not UTF-8 text (byte 0x{byte:02x}); save the file as UTF-8")
            return None

    def _precheck(self, text: str) -> bool:
        ok = True
        for number, line in enumerate(text.splitlines(), start=1):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                self.error(number, "a tab is used for indentation; YAML needs spaces")
                ok = False
        if ok and not any(s.strip() and not s.lstrip().startswith("#") for s in text.splitlines()):
            self.error(1, "the FAQ file is empty; start it with 'faqs:' and a list of entries")
            ok = False
        return ok

    def _document(self, root: Node) -> Faq | None:
        if not isinstance(root, MappingNode):
            self.error(root, "the file must start with 'faqs:' followed by a list of entries")
            return None
        top = self._mapping(root, TOP_KEYS, "top-level key")
        if "faqs" not in top:
            self.error(root, "missing 'faqs:' (the list of questions and answers)")
            return None
        faqs_node = top["faqs"][1]
        if not isinstance(faqs_node, SequenceNode) or not faqs_node.value:
            hint = ""
            if isinstance(faqs_node, MappingNode):
                hint = ": put '- ' before the 'id:' of each entry"
            self.error(
                faqs_node, f"'faqs' must be a list of entries, each starting with '- id:'{hint}"
            )
            return None
        entries = [e for e in (self._entry(n, i) for i, n in enumerate(faqs_node.value, 1)) if e]
        self._check_unique(entries, faqs_node)
        synonyms = self._synonyms(top["synonyms"][1]) if "synonyms" in top else ()
        slang = self._slang(top["slang"][1]) if "slang" in top else {}
        words = self._handoff_words(top["handoff_words"][1]) if "handoff_words" in top else ()
        if self.problems:
            return None
        return Faq(tuple(entries), self.source, synonyms, slang, self.thresholds, words)

    def _mapping(
        self, node: MappingNode, allowed: tuple[str, ...], what: str
    ) -> dict[str, tuple[Node, Node]]:
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            if key in found:
                first = _line(found[key][0])
                if key == "id" and what == "key":
                    # Two entries run together: the rest would only repeat the same story.
                    self.error(
                        key_node,
                        f"a second 'id' in the entry of line {first}: each entry starts with "
                        "'- id:'; is the '-' missing here?",
                    )
                    return found
                self.error(key_node, f"'{key}' is given twice (first at line {first})")
                continue
            if key not in allowed:
                self.error(key_node, f"unknown {what} '{key}'{_did_you_mean(key, allowed)}")
                continue
            found[key] = (key_node, value_node)
        return found

    def _entry(self, node: Node, number: int) -> FaqEntry | None:
        if not isinstance(node, MappingNode):
            self.error(node, f"entry #{number} must be a mapping with 'id:', 'questions:', ...")
            return None
        before = len(self.problems)
        fields = self._mapping(node, ENTRY_KEYS, "key")
        if "id" not in fields:
            self.error(node, f"entry #{number}: missing 'id'")
            return None
        id_node = fields["id"][1]
        entry_id = str(id_node.value) if isinstance(id_node, ScalarNode) else ""
        if not isinstance(id_node, ScalarNode) or id_node.tag == _NULL or not entry_id:
            self.error(id_node, f"entry #{number}: 'id' must be a short name like 'ongkir'")
            return None
        if not _ID.match(entry_id):
            self.error(id_node, f"entry '{entry_id}': 'id' may hold only letters, digits, - and _")
        label = f"entry '{entry_id}'"
        questions = self._questions(fields.get("questions"), node, label)
        learned = (
            self._questions(fields["learned"], node, label, "learned")
            if "learned" in fields
            else ()
        )
        handoff = self._bool(fields["handoff"][1], label) if "handoff" in fields else False
        answer = (
            self._localized(fields["answer"][1], label, "answer") if "answer" in fields else None
        )
        if "answer" not in fields and not handoff:
            self.error(
                node, f"{label}: missing 'answer' (or 'handoff: true' to pass it to a seller)"
            )
        follow_up = (
            self._localized(fields["follow_up"][1], label, "follow_up")
            if "follow_up" in fields
            else None
        )
        titles = self._title(fields["title"][1], label) if "title" in fields else None
        skip = None
        if "follow_up_unless" in fields:
            skip = self._skip(fields["follow_up_unless"][1], label)
            if "follow_up" not in fields:
                self.error(
                    fields["follow_up_unless"][0],
                    f"{label}: 'follow_up_unless' needs a 'follow_up' question to skip",
                )
        if len(self.problems) > before:
            return None
        return FaqEntry(
            entry_id, questions, answer, follow_up, handoff, _line(node), titles, skip, learned
        )

    def _title(self, node: Node, label: str) -> Localized | None:
        titles = self._localized(node, label, "title")
        for lang, text in titles.texts.items() if titles is not None else ():
            if len(text) > _BUTTON_LIMIT:
                where = "" if lang == "*" else f".{lang}"
                self.warnings.append(
                    FaqProblem(
                        self.source,
                        _line(node),
                        f"{label}: 'title{where}' has {len(text)} characters; WhatsApp "
                        f"buttons show {_BUTTON_LIMIT}: '{text[:_BUTTON_LIMIT]}'",
                        "warning",
                    )
                )
        return titles

    def _skip(self, node: Node, label: str) -> FollowUpSkip | None:
        items = node.value if isinstance(node, SequenceNode) else [node]
        if not items:
            self.error(node, f"{label}: 'follow_up_unless' must name a kind like 'place'")
            return None
        kinds: list[str] = []
        words: list[str] = []
        for item in items:
            text = self._text(item, f"{label}: 'follow_up_unless'")
            if text is None:
                continue
            kind = KINDS.get(text.casefold())
            close = _did_you_mean(text.casefold(), tuple(KINDS))
            if kind is not None:
                kinds.append(kind)
            elif close and " " not in text:
                self.error(
                    item,
                    f"{label}: 'follow_up_unless' kind '{text}' is unknown{close}; "
                    "kinds are place, size, colour, number (or your own words)",
                )
            elif fold(text):
                words.append(fold(text))
        return FollowUpSkip(tuple(dict.fromkeys(kinds)), tuple(dict.fromkeys(words)))

    def _questions(
        self, pair: tuple[Node, Node] | None, entry: Node, label: str, key: str = "questions"
    ) -> tuple[str, ...]:
        """The entry's ``questions:`` (required, one or more) or ``learned:`` (optional,
        may be empty: what buyers asked, accepted from the FAQ suggestions)."""
        if pair is None:
            self.error(entry, f"{label}: missing 'questions' (one or more ways buyers ask it)")
            return ()
        node = pair[1]
        if isinstance(node, ScalarNode) and node.tag == _STR and node.value.strip():
            self.error(node, f"{label}: '{key}' must be a list: put '- ' before each question")
            return ()
        if key == "learned" and (
            (isinstance(node, ScalarNode) and node.tag == _NULL)
            or (isinstance(node, SequenceNode) and not node.value)
        ):
            return ()
        if not isinstance(node, SequenceNode) or not node.value:
            self.error(node, f"{label}: '{key}' must be a non-empty list of questions")
            return ()
        questions = []
        for item in node.value:
            text = self._text(item, f"{label}: each question")
            if text is not None and _runs_over(item):
                first = _line(item)
                self.error(
                    first + 1,
                    f"{label}: this line is read as part of the question on line {first} "
                    f"('{_shorten(text)}'): each question needs its own '- ', and the '-' of "
                    "every question must start exactly under each other",
                )
            elif text is not None:
                questions.append(text)
        return tuple(questions)

    def _text(self, node: Node, what: str) -> str | None:
        if isinstance(node, ScalarNode) and node.tag == _STR and node.value.strip():
            return str(node.value).strip()
        if isinstance(node, ScalarNode) and node.tag not in (_NULL, _STR):
            self.error(node, f"{what} must be text; put '{node.value}' in quotes")
        else:
            self.error(node, f"{what} must be a non-empty string")
        return None

    def _localized(self, node: Node, label: str, key: str) -> Localized | None:
        if isinstance(node, MappingNode):
            texts: dict[str, str] = {}
            for lang_node, text_node in node.value:
                lang = str(lang_node.value)
                if lang not in LANGUAGES:
                    hint = _did_you_mean(lang, LANGUAGES)
                    self.error(
                        lang_node,
                        f"{label}: '{key}' language '{lang}' is not one of id, ms, en{hint}",
                    )
                    continue
                text = self._text(text_node, f"{label}: '{key}.{lang}'")
                if text is not None:
                    texts[lang] = text
            if not texts and not node.value:
                self.error(node, f"{label}: '{key}' must be a non-empty string")
            return Localized(texts) if texts else None
        text = self._text(node, f"{label}: '{key}'")
        return Localized.plain(text) if text is not None else None

    def _bool(self, node: Node, label: str) -> bool:
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return bool(yaml.safe_load(node.value))
        self.error(node, f"{label}: 'handoff' must be true or false")
        return False

    def _check_unique(self, entries: list[FaqEntry], faqs_node: SequenceNode) -> None:
        first_line: dict[str, int] = {}
        owner: dict[str, tuple[str, int]] = {}
        question_lines = _question_lines(faqs_node)
        for entry in entries:
            if entry.id in first_line:
                self.error(
                    entry.line,
                    f"duplicate id '{entry.id}' (first used at line {first_line[entry.id]})",
                )
                continue
            first_line[entry.id] = entry.line
            for question in entry.phrasings:
                key = fold(question) or question.casefold()
                line = question_lines.get((entry.line, question), entry.line)
                if key in owner and owner[key][0] != entry.id:
                    other, other_line = owner[key]
                    self.error(
                        line,
                        f"question '{question}' is also under '{other}' (line "
                        f"{other_line}); one question can lead to one answer only",
                    )
                owner.setdefault(key, (entry.id, line))

    def _synonyms(self, node: Node) -> tuple[tuple[str, ...], ...]:
        if not isinstance(node, SequenceNode):
            self.error(node, "'synonyms' must be a list of groups like [sepatu, shoes, kasut]")
            return ()
        groups = []
        for item in node.value:
            if not isinstance(item, SequenceNode) or len(item.value) < 2:
                self.error(
                    item,
                    "each synonym group must list two or more words, e.g. [sepatu, shoes, kasut]",
                )
                continue
            words = [self._text(w, "a synonym") for w in item.value]
            groups.append(tuple(w for w in words if w))
        return tuple(groups)

    def _handoff_words(self, node: Node) -> tuple[str, ...]:
        if not isinstance(node, SequenceNode):
            self.error(node, "'handoff_words' must be a list of phrases, e.g. [orang admin]")
            return ()
        words = (self._text(item, "each handoff word") for item in node.value)
        return tuple(w for w in words if w)

    def _slang(self, node: Node) -> dict[str, str]:
        if not isinstance(node, MappingNode):
            self.error(node, "'slang' must map buyers' words to plain ones, e.g. 'brg: barang'")
            return {}
        pairs = {}
        for key_node, value_node in node.value:
            value = self._text(value_node, f"slang '{key_node.value}'")
            if value:
                pairs[str(key_node.value)] = value
        return pairs


def confusable_entries(faq: Faq, source: str) -> list[FaqProblem]:
    """Warnings for entries so alike that buyers' questions will be confused between them."""
    if len(faq) > _CONFUSION_CHECK_LIMIT:
        return []
    thresholds = faq.matcher.thresholds
    seen: set[frozenset[str]] = set()
    warnings = []
    for entry in faq.entries:
        for question in entry.questions:
            ranked = faq.matcher.rank(question)
            own = next((c.score for c in ranked if c.entry_id == entry.id), 0.0)
            for other in ranked:
                pair = frozenset((entry.id, other.entry_id))
                if other.entry_id == entry.id or pair in seen:
                    continue
                if other.score >= faq.matcher.answer_at and own - other.score < thresholds.margin:
                    seen.add(pair)
                    warnings.append(
                        FaqProblem(
                            source,
                            entry.line,
                            f"entries '{entry.id}' and '{other.entry_id}' are very alike "
                            f"('{question}' fits both): buyers may be asked which one they mean; "
                            "make their questions more distinct or merge them",
                            "warning",
                        )
                    )
    return warnings


def _compose(text: str) -> Node | None:
    """The YAML node tree; libyaml for speed, the pure parser for its clearer errors."""
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _runs_over(node: Node) -> bool:
    """An unquoted text spread over lines: in a list of questions, a misplaced '- '."""
    return (
        isinstance(node, ScalarNode)
        and not node.style
        and node.end_mark.line > node.start_mark.line
    )


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _question_lines(faqs_node: SequenceNode) -> dict[tuple[int, str], int]:
    """(entry line, question text) -> the question's own line."""
    lines = {}
    for entry in faqs_node.value:
        if not isinstance(entry, MappingNode):
            continue
        for key, value in entry.value:
            if getattr(key, "value", None) in ("questions", "learned") and isinstance(
                value, SequenceNode
            ):
                for item in value.value:
                    if isinstance(item, ScalarNode):
                        lines[(_line(entry), str(item.value).strip())] = _line(item)
    return lines


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
