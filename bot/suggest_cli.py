"""`japri faq suggest`: what buyers asked that the FAQ missed, as suggestions to accept."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from bot.settings import load_settings
from faq.lessons import Lesson, LessonFormatError, from_dict
from faq.loader import FaqFormatError, load_faq
from faq.model import Faq
from faq.suggest import (
    AddHandoffWord,
    AddQuestion,
    Ambiguity,
    Suggestion,
    ambiguous_questions,
    suggest,
    to_dict,
)
from faq.writer import FaqWriteError, apply

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_SPAN = re.compile(r"^(\d+(?:\.\d+)?)([mhdw])$")
_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def register(
    faq_commands: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Add `suggest` under `japri faq`."""
    command = with_config(
        faq_commands.add_parser("suggest", help="FAQ suggestions from what buyers asked")
    )
    command.add_argument("--since", metavar="SPAN", help="only lessons this recent: 7d, 12h, 2w")
    command.add_argument("--json", action="store_true", help="one JSON object per suggestion")
    command.add_argument("--lessons", metavar="FILE", help="lessons as JSON Lines")
    command.add_argument("--dismissed", metavar="FILE", help="dismissed ids, one a line")
    command.add_argument("--accept", metavar="ID", help="write this suggestion into the FAQ")
    command.add_argument("--dismiss", metavar="ID", help="never suggest this one again")
    command.add_argument("--text", help="with --accept: the question (or phrase) as you want it")
    command.add_argument("--answer", help="with --accept of a new entry: its answer")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO | None = None, now: float | None = None) -> int:
    out = out or sys.stdout
    clock = time.time() if now is None else now
    if args.dismiss is not None:
        if args.dismissed is None:
            _say("japri faq suggest: --dismiss needs --dismissed FILE to remember it in")
            return EXIT_USAGE
        with open(args.dismissed, "a", encoding="utf-8") as file:
            file.write(args.dismiss + "\n")
        return EXIT_OK
    if args.lessons is None:
        _say("japri faq suggest: give --lessons FILE.jsonl (lessons are not stored yet)")
        return EXIT_USAGE
    since = None
    if args.since is not None:
        span = parse_span(args.since)
        if span is None:
            _say(f"japri faq suggest: --since {args.since!r}: use e.g. 7d, 12h, 2w, 30m")
            return EXIT_USAGE
        since = clock - span
    settings = load_settings(args.config)
    path, thresholds = settings.faq_path, settings.thresholds()
    try:
        faq = load_faq(path, thresholds).faq
        lessons = read_lessons(Path(args.lessons))
        dismissed = read_dismissed(Path(args.dismissed)) if args.dismissed else set()
    except (FaqFormatError, OSError) as exc:
        _say(f"japri faq suggest: {exc}")
        return EXIT_PROBLEMS
    found = suggest(lessons, faq, dismissed, since)
    if args.accept is not None:
        return _accept(args, found, path, clock, out)
    for suggestion in found:
        out.write(
            json.dumps(to_dict(suggestion), ensure_ascii=False) + "\n"
            if args.json
            else describe(suggestion) + "\n"
        )
    if not args.json:
        _say(f"{len(found)} suggestion(s); accept one with --accept ID")
    return EXIT_OK


def _accept(
    args: argparse.Namespace, found: list[Suggestion], path: Path, now: float, out: TextIO
) -> int:
    chosen = next((s for s in found if s.id == args.accept), None)
    if chosen is None:
        _say(f"japri faq suggest: no suggestion {args.accept!r} (dismissed or already in?)")
        return EXIT_PROBLEMS
    try:
        result = apply(chosen, path, now=now, text=args.text, answer=args.answer)
    except FaqWriteError as exc:
        _say(f"japri faq suggest: {exc}")
        return EXIT_PROBLEMS
    if args.json:
        report = {
            "id": chosen.id,
            "changed": result.changed,
            "entry_id": result.entry_id,
            "path": str(path),
            "backup": str(result.backup) if result.backup else None,
        }
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    else:
        done = "written" if result.changed else "already there"
        out.write(f"{path}: {done}; backup {result.backup or '-'}\n")
    for warning in result.new_warnings:
        _say(str(warning))
    return EXIT_OK


def describe(s: Suggestion) -> str:
    """One suggestion for a seller's terminal."""
    who = f"{s.count} buyer{'s' if s.count != 1 else ''}"
    if isinstance(s, AddQuestion):
        head = f"add \"{s.question}\" ({who}) as a question of '{s.entry_id}'"
    elif isinstance(s, AddHandoffWord):
        head = f'add "{s.phrase}" ({who}) to your handoff words'
    else:
        head = f'new entry? "{s.question}" ({who})'
        if s.draft_answer:
            head += f"; the seller answered: {_short(s.draft_answer)}"
    others = [e for e in s.examples if e != getattr(s, "question", getattr(s, "phrase", ""))]
    lines = [f"[{s.id}] {head}"]
    if others:
        lines.append("    also asked: " + "; ".join(f'"{_short(e)}"' for e in others))
    return "\n".join(lines)


def ambiguity_warnings(lessons: Iterable[Lesson], faq: Faq) -> list[str]:
    """Lines for `japri faq check`: questions buyers ask that land on two entries."""
    return [_ambiguity(a) for a in ambiguous_questions(lessons, faq)]


def _ambiguity(a: Ambiguity) -> str:
    entries = ", ".join(f"'{e}'" for e in a.entry_ids)
    return (
        f'warning: buyers asked "{a.question}" ({a.count}x) and it fits {entries}: '
        "add it as a question of the right entry"
    )


def parse_span(text: str) -> float | None:
    """Seconds in "7d", "12h", "2w", "30m" (None when not such a span)."""
    match = _SPAN.match(text.strip().lower())
    return float(match.group(1)) * _SECONDS[match.group(2)] if match else None


def read_lessons(path: Path) -> list[Lesson]:
    """Lessons from a JSON Lines file; unreadable lines are reported and skipped."""
    lessons = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                lessons.append(from_dict(json.loads(line)))
            except (json.JSONDecodeError, LessonFormatError, AttributeError) as exc:
                _say(f"{path}:{number}: skipped: {exc}")
    return lessons


def read_dismissed(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
