"""The chat-eval development sets (../shared/data/chat-eval/), judged in-process.

Each message goes through the same path as ``japri faq try --json`` (flows.trial), and is
scored with the set's own ``score.py`` functions (judge, rates), so the figures are the
ones ``score.py --japri`` prints, in about a second instead of a process per set. Also
prints the issue-10 goals per set: answered right, answered-or-clarified right, wrong
answers, off-topic answered, handoff recall overall and per kind, false handoffs.

    .venv/bin/python bench/chat_eval.py [--data DIR] [--set gadget] [--failures N] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faq.loader import load_faq  # noqa: E402
from flows.policy import Policy  # noqa: E402
from flows.trial import try_message  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "chat-eval"
SETS = ("gadget", "frozen", "tudung")
HANDOFF_KINDS = ("closing", "human", "complaint")
GOALS = {
    "answered_right": (">=", 60.0),
    "answered_or_clarified_right": (">=", 90.0),
    "wrong_answer": ("<=", 2.0),
    "oos_answered": ("<=", 2.0),
    "handoff_recall": (">=", 90.0),
    "false_handoff": ("<=", 3.0),
}


def _score_module(data: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("chat_eval_score", data / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {data / 'score.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_set(data: Path, name: str, score: ModuleType) -> tuple[dict[str, Any], list[Any]]:
    """Figures of one set, and its misjudged messages (item, decision)."""
    items = score.read_gold(str(data / f"{name}.jsonl"))
    faq = load_faq(data / f"faq_{name}.yaml").faq
    policy = Policy(shop_name="Toko", language="id")
    decisions = [try_message(item["text"], faq, policy).to_dict() for item in items]
    rows = [(item, score.judge(item, d)) for item, d in zip(items, decisions, strict=True)]
    overall = score.rates(rows)
    faq_rows = [r for r in rows if r[0]["target"] == "faq"]
    oos = [d for item, d in zip(items, decisions, strict=True) if item["target"] == "oos"]

    def pct(count: int, total: int) -> float:
        return round(100.0 * count / total, 1) if total else 0.0

    figures: dict[str, Any] = {
        "answered_right": overall["answered_right"],
        "answered_or_clarified_right": pct(
            sum(f["answered_right"] or f["clarify_right"] for _, f in faq_rows), len(faq_rows)
        ),
        "wrong_answer": overall["wrong_answer"],
        "oos_answered": pct(sum(d["action"] == "answer" for d in oos), len(oos)),
        "handoff_recall": overall["handoff_right"],
        "false_handoff": overall["false_handoff"],
        "right_action": overall["right_action"],
    }
    for kind in HANDOFF_KINDS:
        kind_rows = [r for r in rows if r[0]["kind"] == kind]
        figures[f"recall_{kind}"] = pct(
            sum(f["handoff_right"] for _, f in kind_rows), len(kind_rows)
        )
    figures["by_kind"] = {
        k: score.rates(r for r in rows if r[0]["kind"] == k)["right_action"] for k in score.KINDS
    }
    figures["by_lang"] = {
        lg: score.rates(r for r in rows if r[0]["lang"] == lg)["right_action"]
        for lg in score.LANGS
    }
    failed = [
        (item, d) for (item, f), d in zip(rows, decisions, strict=True) if not f["right_action"]
    ]
    failed.sort(key=lambda x: (0 if x[1]["action"] == "answer" else 1, x[0]["kind"], x[0]["line"]))
    return figures, failed


def _met(name: str, value: float) -> str:
    op, goal = GOALS.get(name, (">=", -1.0))
    ok = value >= goal if op == ">=" else value <= goal
    return "" if goal < 0 else (" ok" if ok else " MISS")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", choices=SETS, action="append", help="only this set (repeatable)")
    parser.add_argument("--failures", type=int, default=0, metavar="N")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    score = _score_module(args.data)
    report: dict[str, Any] = {}
    for name in args.set or SETS:
        figures, failed = run_set(args.data, name, score)
        report[name] = figures
        if args.json:
            continue
        print(f"== {name}")
        for key, value in figures.items():
            if isinstance(value, dict):
                print(f"  {key:<28} " + "  ".join(f"{k} {v}" for k, v in value.items()))
            else:
                print(f"  {key:<28} {value:6.1f}{_met(key, value)}")
        for item, d in failed[: args.failures]:
            got = d["action"] + (f":{d['faq_id']}" if d["faq_id"] else "")
            if d["options"]:
                got += "[" + ",".join(d["options"]) + "]"
            gold = item["gold"] if isinstance(item["gold"], str) else "|".join(item["gold"])
            why = d.get("why", "")
            print(
                f"    [{item['kind']}/{item['lang']}] {gold} <- {got} ({d['score']:.2f}) "
                f"{item['text']}  {why}"
            )
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
