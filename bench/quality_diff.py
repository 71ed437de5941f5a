"""Compare two ``bench/quality.py --dump`` files query by query.

    .venv/bin/python bench/quality_diff.py BEFORE.jsonl AFTER.jsonl [--show 30]

Prints how the outcomes moved (right -> wrong, fallback -> clarify_right ...) and the
queries behind the moves that matter most: new wrong answers, new out-of-scope answers,
then new right answers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

Key = tuple[str, int, int, str, str]


def load(path: Path) -> dict[Key, dict[str, Any]]:
    rows: dict[Key, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            key = (row["set"], row["variants"], row["seed"], row["text"], row["expected"])
            rows[key] = row
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", type=int, default=20, help="queries shown per kind of move")
    args = parser.parse_args()
    before, after = load(args.before), load(args.after)
    moves: Counter[tuple[str, str, str, int]] = Counter()
    examples: dict[tuple[str, str], list[str]] = {}
    for key, old in before.items():
        new = after.get(key)
        if new is None or new["outcome"] == old["outcome"]:
            continue
        move = (old["outcome"], new["outcome"])
        moves[(key[0], *move, key[1])] += 1
        examples.setdefault(move, []).append(
            f"  [{key[0]}/{key[1]}/{key[2]}] {key[3]!r} expected {key[4] or '-'}: "
            f"{old['action']} {old['entry'] or old['options']} -> "
            f"{new['action']} {new['entry'] or new['options']}"
        )
    for (name, old, new, variants), count in sorted(moves.items()):
        print(f"{name:7s} {variants:2d} variants  {old:>14s} -> {new:<14s} {count:5d}")
    for target in ("wrong", "oos_answer", "right", "clarify_right"):
        for (old, new), lines in sorted(examples.items()):
            if new == target:
                print(f"\n# {old} -> {new} ({len(lines)})")
                print("\n".join(lines[: args.show]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
