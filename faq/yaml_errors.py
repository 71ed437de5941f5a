"""YAML syntax errors retold for shop owners: the line where the mistake is, and the fix."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# Keys a seller types in the FAQ file; a bare one on a line is a missing ':'.
KNOWN_KEYS = (
    "faqs",
    "synonyms",
    "slang",
    "handoff_words",
    "id",
    "questions",
    "learned",
    "answer",
    "follow_up",
    "follow_up_unless",
    "handoff",
    "title",
)
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dashes>(?:- +)*)(?P<key>[^\s'\"#\-][^:#]*?):(?:\s|$)")
_ITEM_LINE = re.compile(r"^(?P<indent> *)- ")
# Where a value starts: after "key: " and/or "- " at the start of a line.
_VALUE_START = re.compile(r"^ *(?:- +)*(?:[^\s'\"#\-][^:#]*?: +)?(?:- +)*(?=['\"])")

_BLOCK_START = re.compile(r"(?:^|[:-])\s+[|>][-+0-9]*\s*(?:#.*)?$")


@dataclass(frozen=True, slots=True)
class _Span:
    """A quoted text running over several lines (1-based; ``end`` None = never closed)."""

    quote: str
    start: int
    end: int | None


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """Where a YAML syntax error really is (a 1-based line) and how to fix it, in plain words.

    PyYAML reports where it gave up, which is often lines after the mistake (an unclosed
    quote is noticed at the end of the file); this looks back for the usual causes.
    """
    lines = text.splitlines()
    problem = error.problem or ""
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    column = mark.column if mark is not None else 0
    start = error.context_mark.line + 1 if error.context_mark is not None else line

    if context.startswith("while scanning a quoted scalar"):
        return start, _unclosed(_quote_at(lines, error.context_mark), start, None)
    span = _span_ending_at(lines, line)
    if span is not None:
        return span.start, _unclosed(span.quote, span.start, span.end)
    if problem.startswith("expected <block end>"):
        undashed = _undashed_entry(lines, line)
        if undashed is not None:
            return undashed, (
                "a '- ' is missing before this entry (the entries below start with one): "
                "each entry starts with '- id:'"
            )
        return line, _after_block(lines, line, column, problem)
    if problem.startswith("could not find expected ':'"):
        return start, _no_colon(lines, start)
    if problem.startswith("mapping values are not allowed here"):
        return _colon_in_text(lines, line, column)
    if "'\\t'" in problem:
        return line, "a tab character here; YAML needs spaces: replace the tab with spaces"
    if context.startswith(("while scanning an alias", "while scanning an anchor")):
        line, column = start, error.context_mark.column if error.context_mark else 0
    if context.startswith(("while scanning an alias", "while scanning an anchor")) or (
        problem.startswith(("found undefined alias", "found character '"))
    ):
        first = _char(lines, line, column) or "*"
        return line, (
            f"a text cannot start with '{first}' unless it is in quotes: write it as "
            f'"{first}..." with the whole text between double quotes'
        )
    if context.startswith("while scanning a block scalar"):
        return start, (
            "'|' (or '>') must end its line: write the text on the lines below it, "
            "indented more than the key"
        )
    if problem.startswith("expected ',' or ']'") or problem.startswith("expected ',' or '}'"):
        return start, (
            "a list in [ ] brackets cannot be read: a '?' or ': ' inside it confuses YAML, "
            "or a comma or the closing bracket is missing; put each item on its own '- ' line"
        )
    return line, (
        "this line cannot be read: check its indentation, its ':' and its quotes "
        "(and those of the line above)"
    )


def _unclosed(quote: str, start: int, end: int | None) -> str:
    where = "the rest of the file" if end is None else f"everything up to line {end}"
    tip = "; an apostrophe inside '...' is written twice ('Jum''at')" if quote == "'" else ""
    return (
        f"the quote {quote} opened on this line is never closed, so {where} is read as one "
        f"text: end the text with {quote} on this line{tip}"
    )


def _after_block(lines: list[str], line: int, column: int, problem: str) -> str:
    """The parser met something where a line should have ended, or at an odd indent."""
    before = _line_text(lines, line)[:column].rstrip()[-1:]
    if "'<scalar>'" in problem and before in ("'", '"'):
        return _early_quote(lines[line - 1], before)
    if "<block mapping start>" in problem or "<block sequence start>" in problem:
        return _misaligned(lines, line)
    if problem.endswith("'?'"):
        return _misaligned(lines, line)
    return (
        "text is found where the line should have ended: check the quotes and the "
        "indentation on this line"
    )


def _early_quote(text: str, quote: str) -> str:
    value = text.strip()
    if value.startswith("- "):
        value = value[2:].strip()
    if re.match(r"^[^\s'\"#][^:#]*?: ", value):
        value = value.split(": ", 1)[1].strip()
    if quote == "'":
        inner = value[1:-1] if value.endswith("'") and len(value) > 1 else value[1:]
        return (
            f"the apostrophe inside {value} ends the text early: write it twice "
            f"('{inner.replace(chr(39), chr(39) * 2)}') or put the text in double quotes "
            f'("{inner}")'
        )
    inner = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
    return (
        f'the " inside {value} ends the text early: put the text in single quotes '
        f"('{inner}') or write the inner quotes as \\\""
    )


def _misaligned(lines: list[str], line: int) -> str:
    here = lines[line - 1]
    item = _ITEM_LINE.match(here)
    indent = len(here) - len(here.lstrip(" "))
    if item:
        # The nearest item above at a nearby indent: the one this item should line up with.
        above = (
            (n, len(m.group("indent")))
            for n, m in ((n, _ITEM_LINE.match(lines[n - 1])) for n in range(line - 1, 0, -1))
            if m
        )
        near = next((a for a in above if abs(a[1] - indent) <= 2), None)
        if near is not None and near[1] != indent:
            return (
                f"this list item's '-' is indented by {indent} spaces, but the one on line "
                f"{near[0]} by {near[1]}: put the '-' of every item in a list exactly under "
                "each other"
            )
        return "this list item is indented differently from the lines above it"
    key = _KEY_LINE.match(here)
    name = key.group("key") if key else here.strip()[:20]
    previous = _previous_content(lines, line)
    item_above = _ITEM_LINE.match(lines[previous - 1]) if previous is not None else None
    in_list = item_above and indent in (len(item_above.group("indent")), item_above.end())
    if in_list and name not in KNOWN_KEYS:
        return (
            f"'{here.strip()[:40]}' is not a list item: start it with '- ' like the line "
            "above (and put the text in quotes if it holds ': ')"
        )
    return _unlike_key_above(lines, line, name, indent)


def _unlike_key_above(lines: list[str], line: int, name: str, indent: int) -> str:
    for number in range(line - 1, 0, -1):
        other = _KEY_LINE.match(lines[number - 1])
        if other is None:
            continue
        column = len(other.group("indent")) + len(other.group("dashes"))
        if column == indent:
            break
        return (
            f"'{name}' is indented by {indent} spaces, but '{other.group('key')}' on line "
            f"{number} by {column}: the keys of one entry (or of one answer's languages) "
            "must start exactly under each other"
        )
    return f"'{name}' is indented differently from the lines above it: line the keys up"


def _no_colon(lines: list[str], line: int) -> str:
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    word = text.split()[0] if text.split() else text
    if word.rstrip(":") in KNOWN_KEYS:
        return f"a ':' is missing after '{word}': write '{word}:'"
    previous = _previous_content(lines, line)
    if previous is not None and _ITEM_LINE.match(lines[previous - 1]):
        return (
            f"'{text[:40]}' is not a list item: start it with '- ' like the line above, "
            f"or add the missing ':' if it is a key"
        )
    return (
        f"a ':' is missing on this line ('{text[:40]}'): keys are written 'key: value'; "
        "a question in a list starts with '- '"
    )


def _colon_in_text(lines: list[str], line: int, column: int) -> tuple[int, str]:
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    key = _KEY_LINE.match(here)
    previous = _previous_content(lines, line)
    colon = key.end("key") if key is not None else -1
    if column == colon and previous is not None and ":" not in lines[previous - 1]:
        word = lines[previous - 1].strip().lstrip("- ").split()[0]
        return previous, f"a ':' is missing after '{word}': write '{word}:'"
    if key is not None and column == colon:  # a key read as the text above continuing
        indent = len(key.group("indent")) + len(key.group("dashes"))
        return line, _unlike_key_above(lines, line, key.group("key"), indent)
    example = 'answer: "Ongkir: Rp9.000"'
    if key is not None and column > colon:
        value = here[key.end() :].strip().replace('"', "'")
        example = f'{key.group("key")}: "{value}"'
    return line, (
        "a ': ' (colon and space) inside a text confuses YAML: put the whole text in "
        f"double quotes, e.g. {example}"
    )


def _span_ending_at(lines: list[str], line: int) -> _Span | None:
    """The multi-line quoted text that ends (or would end) on ``line``, if any."""
    for span in _spans(lines):
        if span.start < line and (span.end is None or span.end >= line):
            return span
    return None


def _spans(lines: list[str]) -> list[_Span]:
    spans = []
    number = 0
    block_indent = -1  # inside an `answer: |` block, quotes are just text
    while number < len(lines):
        text = lines[number]
        number += 1
        indent = len(text) - len(text.lstrip(" "))
        if block_indent >= 0 and (not text.strip() or indent > block_indent):
            continue
        block_indent = indent if _BLOCK_START.search(text) else -1
        start = _VALUE_START.match(text)
        if start is None or text.lstrip().startswith("#"):
            continue
        quote = text[start.end()]
        rest = text[start.end() + 1 :]
        if _closes(rest, quote):
            continue
        end = None
        for later in range(number, len(lines)):
            if _closes(lines[later], quote):
                end = later + 1
                break
        spans.append(_Span(quote, number, end))
        number = end if end is not None else len(lines)
    return spans


def _closes(text: str, quote: str) -> bool:
    if quote == '"':
        return re.search(r'(?<!\\)(?:\\\\)*"', text) is not None
    return re.search(r"'(?!')", text.replace("''", "")) is not None


def _quote_at(lines: list[str], mark: yaml.Mark | None) -> str:
    if mark is None:
        return '"'
    char = _char(lines, mark.line + 1, mark.column)
    return char if char in ("'", '"') else '"'


def _undashed_entry(lines: list[str], line: int) -> int | None:
    """The first line of an entry written without '- ' above the list item on ``line``."""
    item = _ITEM_LINE.match(_line_text(lines, line))
    if item is None:
        return None
    indent = len(item.group("indent"))
    top = None
    for number in range(line - 1, 0, -1):
        text = lines[number - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if len(text) - len(text.lstrip(" ")) <= indent:
            return top if top is not None and not _ITEM_LINE.match(text) else None
        if _ITEM_LINE.match(text):
            return None
        top = number
    return None


def _line_text(lines: list[str], line: int) -> str:
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _char(lines: list[str], line: int, column: int) -> str:
    if 0 < line <= len(lines) and 0 <= column < len(lines[line - 1]):
        return lines[line - 1][column]
    return ""


def _previous_content(lines: list[str], line: int) -> int | None:
    for number in range(line - 1, 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None
