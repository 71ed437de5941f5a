"""`japri faq suggest`: what buyers asked that the FAQ missed, as suggestions to accept."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import re
import sys
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from bot.errors import BotError, StoreError
from bot.learning import impacts
from bot.settings import Settings, load_settings
from bot.store import Store, with_store
from faq.impact import Misanswer, SideEffect, misanswered
from faq.lessons import Lesson, LessonFormatError, from_dict
from faq.loader import FaqFormatError, load_faq
from faq.model import Faq
from faq.pairs import Pair, confused_pairs
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
PAIRS_SHOWN = 5  # pairs of entries `japri faq check` spells out; the rest are counted
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
    command.add_argument(
        "--lessons", metavar="FILE", help="lessons as JSON Lines (default: the bot's store)"
    )
    command.add_argument(
        "--dismissed", metavar="FILE", help="dismissed ids, one a line (default: the store)"
    )
    command.add_argument("--accept", metavar="ID", help="write this suggestion into the FAQ")
    command.add_argument("--dismiss", metavar="ID", help="never suggest this one again")
    command.add_argument("--text", help="with --accept: the question (or phrase) as you want it")
    command.add_argument("--answer", help="with --accept of a new entry: its answer")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO | None = None, now: float | None = None) -> int:
    out = out or sys.stdout
    clock = time.time() if now is None else now
    settings = load_settings(args.config)
    if args.dismiss is not None:
        if args.dismissed is not None:
            with open(args.dismissed, "a", encoding="utf-8") as file:
                file.write(args.dismiss + "\n")
            return EXIT_OK
        return _in_store(settings, lambda store: _dismiss(store, args.dismiss, clock))
    if args.lessons is None and missing_store(settings) is not None:
        _say(
            f"japri faq suggest: no store at {missing_store(settings)} yet (`japri serve` "
            "records lessons there); or give --lessons FILE.jsonl"
        )
        return EXIT_USAGE
    since = None
    if args.since is not None:
        span = parse_span(args.since)
        if span is None:
            _say(f"japri faq suggest: --since {args.since!r}: use e.g. 7d, 12h, 2w, 30m")
            return EXIT_USAGE
        since = clock - span
    path, thresholds = settings.faq_path, settings.thresholds()
    try:
        faq = load_faq(path, thresholds).faq
        if args.lessons is not None:
            lessons = read_lessons(Path(args.lessons))
            dismissed = read_dismissed(Path(args.dismissed)) if args.dismissed else set()
        else:
            lessons, dismissed = asyncio.run(stored(settings, since))
            if args.dismissed:
                dismissed |= read_dismissed(Path(args.dismissed))
    except (FaqFormatError, OSError, StoreError) as exc:
        _say(f"japri faq suggest: {exc}")
        return EXIT_PROBLEMS
    found = suggest(lessons, faq, dismissed, since)
    if args.accept is not None:
        return _accept(args, found, path, clock, out)
    for suggestion, effects in zip(found, impacts(found, faq, lessons), strict=True):
        if args.json:
            data = {**to_dict(suggestion), "side_effects": [asdict(e) for e in effects]}
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            out.write(describe(suggestion, effects) + "\n")
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


def missing_store(settings: Settings) -> Path | None:
    """The SQLite file the config names when it does not exist (nothing recorded yet)."""
    url = settings.store.url
    if not url.startswith("sqlite://"):
        return None
    name = url.removeprefix("sqlite://").removeprefix("/")
    if not name or name == ":memory:":
        return None
    path = Path(name) if Path(name).is_absolute() else settings.base_dir / name
    return None if path.exists() else path


async def stored(settings: Settings, since: float | None = None) -> tuple[list[Lesson], set[str]]:
    """The lessons and dismissed ids in the bot's store, opened beside a running bot
    (non-exclusively)."""

    async def read(store: Store) -> tuple[list[Lesson], set[str]]:
        lessons = []
        for data in await store.lessons(since):
            try:
                lessons.append(from_dict(data))
            except LessonFormatError as exc:
                _say(f"a stored lesson was skipped: {exc}")
        return lessons, set(await store.dismissed_suggestions())

    return await with_store(settings, read)


def _in_store(settings: Settings, work: Callable[[Store], Awaitable[None]]) -> int:
    if (path := missing_store(settings)) is not None:
        _say(f"japri faq suggest: no store at {path} yet; or give --dismissed FILE")
        return EXIT_USAGE

    try:
        asyncio.run(with_store(settings, work))
    except StoreError as exc:
        _say(f"japri faq suggest: {exc}")
        return EXIT_PROBLEMS
    return EXIT_OK


async def _dismiss(store: Store, suggestion_id: str, now: float) -> None:
    await store.dismiss_suggestion(suggestion_id, f"cli:{getpass.getuser()}", now)


def describe(s: Suggestion, effects: Iterable[SideEffect] = ()) -> str:
    """One suggestion for a seller's terminal, with what accepting it would undo."""
    who = f"{s.count} buyer{'s' if s.count != 1 else ''}"
    if isinstance(s, AddQuestion):
        head = f"add \"{_plain(s.question)}\" ({who}) as a question of '{s.entry_id}'"
    elif isinstance(s, AddHandoffWord):
        head = f'add "{_plain(s.phrase)}" ({who}) to your handoff words'
    else:
        head = f'new entry? "{_plain(s.question)}" ({who})'
        if s.draft_answer:
            head += f"; the seller answered: {_short(s.draft_answer)}"
    others = [e for e in s.examples if e != getattr(s, "question", getattr(s, "phrase", ""))]
    lines = [f"[{s.id}] {head}"]
    if others:
        lines.append("    also asked: " + "; ".join(f'"{_short(e)}"' for e in others))
    lines += [f"    careful: {_side_effect(e)}" for e in effects]
    return "\n".join(lines)


def _side_effect(e: SideEffect) -> str:
    then = {
        "clarify": "ask which one is meant",
        "fallback": "not understand it",
        "new entry": "answer it with the new entry",
    }.get(e.becomes, f"answer it with '{e.becomes}'")
    return (
        f"\"{_short(e.question, 60)}\" is answered with '{e.entry_id}' today; the bot would {then}"
    )


def lesson_warnings(
    lessons: Iterable[Lesson], faq: Faq, dismissed: Iterable[str] = (), path: str | None = None
) -> list[str]:
    """Lines for `japri faq check`: the pairs of entries buyers keep choosing between (most
    buyers first, at most ``PAIRS_SHOWN``; without the questions a seller dismissed), then
    questions buyers ask that land on two entries, or that the FAQ answers with another
    entry than buyers meant. With ``path``, each begins as the check's problems do,
    ``file:line:``, at the line of the entry it is about (an editor jumps there)."""
    lessons = list(lessons)
    pairs = confused_pairs(lessons, faq, dismissed)
    found: list[tuple[str, str]] = [
        (p.entry_ids[0], describe_pair(p)) for p in pairs[:PAIRS_SHOWN]
    ]
    if len(pairs) > PAIRS_SHOWN:
        more = len(pairs) - PAIRS_SHOWN
        next_pair = pairs[PAIRS_SHOWN].entry_ids[0]
        found.append(
            (next_pair, f"warning: and {more} more pair{'s' if more != 1 else ''} of entries")
        )
    found += [(a.entry_ids[0], _ambiguity(a)) for a in ambiguous_questions(lessons, faq)]
    found += [(m.meant or m.answered, _misanswer(m)) for m in misanswered(lessons, faq)]
    if path is None:
        return [text for _, text in found]

    def line(entry_id: str) -> int:
        entry = faq.get(entry_id)
        return entry.line if entry is not None and entry.line else 1

    return [f"{path}:{line(entry_id)}: {text}" for entry_id, text in found]


def describe_pair(pair: Pair) -> str:
    """Two entries buyers keep choosing between, for a seller's terminal: who meant which,
    in what words, and the words that tell them apart."""
    first, second = pair.entry_ids
    head = (
        f"warning: buyers keep choosing between '{first}' and '{second}' ({_buyers(pair.count)}; "
        f"{pair.undecided} of their questions still {'get' if pair.undecided != 1 else 'gets'} "
        '"which one?" or the other\'s answer): write what sets the two apart'
    )
    lines = [head]
    for side in pair.sides:
        if side.count:
            asked = "; ".join(f'"{_short(e, 60)}"' for e in side.examples)
            lines.append(f"    '{side.entry_id}' ({_buyers(side.count)}): {asked}")
    hints = [
        f"buyers who meant '{side.entry_id}' say: {', '.join(side.words)}"
        for side in pair.sides
        if side.words
    ]
    if hints:
        lines.append("    " + "; ".join(hints))
    if pair.unsure:
        lines.append(
            f"    {_buyers(pair.unsure)} asked in words that fit both and did not say which"
        )
    return "\n".join(lines)


def _buyers(count: int) -> str:
    return f"{count} buyer{'s' if count != 1 else ''}"


def learned_warnings(settings: Settings) -> list[str]:
    """`japri faq check`'s warnings from the stored lessons; none when no store is
    configured or it cannot be read (the check is about the file first)."""
    if missing_store(settings) is not None or settings.store.url.startswith("memory://"):
        return []
    try:
        faq = load_faq(settings.faq_path, settings.thresholds()).faq
        lessons, dismissed = asyncio.run(stored(settings))
    except (FaqFormatError, OSError, BotError):  # an unreachable server included
        return []
    return lesson_warnings(lessons, faq, dismissed, str(settings.faq_path))


def _ambiguity(a: Ambiguity) -> str:
    entries = ", ".join(f"'{e}'" for e in a.entry_ids)
    return (
        f'warning: buyers asked "{_plain(a.question)}" ({a.count}x) and it fits {entries}: '
        "add it as a question of the right entry"
    )


def _misanswer(m: Misanswer) -> str:
    if m.meant is None:
        return (
            f'warning: buyers said "not this" to \'{m.answered}\' for "{_short(m.question)}", '
            "and the FAQ still answers it so: add it as a question of the right entry"
        )
    return (
        f"warning: buyers asked \"{_short(m.question)}\" meaning '{m.meant}', but the FAQ "
        f"answers it with '{m.answered}': add it as a question of '{m.meant}'"
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
    flat = _plain(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _plain(text: str) -> str:
    """Buyers' words on one terminal line: whitespace collapsed, control characters gone
    (an escape sequence a buyer typed would clear or rewrite the seller's terminal)."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def _say(message: str) -> None:
    sys.stderr.write(message + "\n")
