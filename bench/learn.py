"""Learning from misses on the chat-eval shops (../shared/data/chat-eval/).

For each shop: the first half of the traffic is played as buyers' first messages through
the engine (exactly as ``japri faq try`` judges them, with this project's config.yaml).
Every miss becomes a lesson the way a live chat would produce it:

- a clarify that offers a gold entry: the buyer taps it (``Clarified``);
- a clarify without one, a fallback or a false handoff on an FAQ question: the buyer gets
  a person and the seller answers with the first line of the gold entry's answer
  (``HandedOff``; which entry it resembles is found by ``faq.suggest.resembling``);
- a wrong answer: the buyer says "bukan ini" and the seller answers (``Corrected``);
- a fallback on a request for a person: ``AskedForPerson``; on anything else: ``Fallback``.

``faq.suggest.suggest`` turns the lessons into suggestions; a simulated honest seller
accepts exactly those the labels say are right (an added question whose example is
labelled with that entry; a handoff word whose example is labelled a request for a
person) and dismisses the rest (new entries: every labelled question has an entry, so
none is right). A write the writer refuses (it would break the FAQ, or make two entries
"very alike", the loader's own warning) is left out, as a seller told so would.
Accepted ones are written with ``faq.writer.apply`` into a temporary copy of the FAQ,
and the second half is scored before and after with chat-eval's ``score.py`` (its
``judge`` and ``rates``, imported).

"First half": the messages are grouped by label in the file (3-5 messages per entry, in
turn), so the literal first 75 lines hold only the first half of the entries and say
nothing about the rest. The default split takes the first half of each label's messages
(``--split label``); ``--split head`` takes the file's first half as it is.

    .venv/bin/python bench/learn.py [--data ../shared/data/chat-eval] [--split label|head]
        [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from faq.lessons import (  # noqa: E402
    AskedForPerson,
    Clarified,
    Corrected,
    Fallback,
    HandedOff,
    Lesson,
    mask,
)
from faq.loader import load_faq  # noqa: E402
from faq.model import Faq  # noqa: E402
from faq.suggest import (  # noqa: E402
    AddHandoffWord,
    AddQuestion,
    Suggestion,
    resembling,
    suggest,
)
from faq.writer import FaqWriteError, apply  # noqa: E402
from flows.engine import Policy  # noqa: E402
from flows.trial import try_message  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "chat-eval"
SHOPS = ("gadget", "frozen", "tudung")
HEADLINE = ("answered_right", "clarify_right", "wrong_answer", "false_handoff", "right_action")


Item = dict[str, Any]


def split(items: list[Item], how: str) -> tuple[list[Item], list[Item]]:
    if how == "head":
        half = (len(items) + 1) // 2
        return items[:half], items[half:]
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_label[json.dumps(item["gold"])].append(item)
    played, scored = [], []
    for group in by_label.values():
        half = (len(group) + 1) // 2
        played += group[:half]
        scored += group[half:]
    played.sort(key=lambda i: i["line"])
    scored.sort(key=lambda i: i["line"])
    return played, scored


def seller_reply(faq: Faq, entry_id: str) -> str:
    """What a seller types by hand: the first line of the FAQ's own answer."""
    entry = faq.get(entry_id)
    if entry is None or entry.answer is None:
        return "nanti admin bantu cek ya kak"
    return entry.answer.get("id").strip().splitlines()[0]


def lessons_of(items: list[dict[str, Any]], faq: Faq, policy: Policy) -> list[Lesson]:
    lessons: list[Lesson] = []
    for item in items:
        at, buyer, text = float(item["line"]), f"buyer-{item['line']}", item["text"]
        trial = try_message(text, faq, policy)
        gold, target = item["gold_ids"], item["target"]
        offered = [o for o in trial.options if o in gold]

        answer = seller_reply(faq, gold[0]) if gold else ""
        handed = HandedOff(text, answer, resembling(answer, faq), at, buyer)
        if trial.action == "answer":
            if target == "faq" and trial.faq_id not in gold:
                assert trial.faq_id is not None
                lessons.append(Corrected(text, trial.faq_id, gold[0], at, buyer))
        elif trial.action == "clarify" and target == "faq" and offered:
            lessons.append(Clarified(text, tuple(trial.options), offered[0], "tap", at, buyer))
        elif target == "faq" and trial.action in ("clarify", "fallback", "handoff"):
            if trial.action == "fallback":
                lessons.append(Fallback(text, at, buyer))
            lessons.append(handed)
        elif trial.action == "fallback" and target == "handoff":
            lessons += [Fallback(text, at, buyer), AskedForPerson(text, at, buyer)]
        elif trial.action == "fallback":
            lessons.append(Fallback(text, at, buyer))
    return lessons


def is_right(suggestion: Suggestion, labels: dict[str, dict[str, Any]]) -> bool:
    """What the labels say of a suggestion (judged on its examples' labels)."""
    examples = [labels[e] for e in suggestion.examples if e in labels]
    if not examples:
        return False
    if isinstance(suggestion, AddQuestion):
        return all(suggestion.entry_id in item["gold_ids"] for item in examples)
    if isinstance(suggestion, AddHandoffWord):
        return all(item["kind"] == "human" for item in examples)
    return False  # every labelled FAQ question has an entry; out-of-scope ones need none


def score_half(items: list[Item], faq: Faq, policy: Policy, score: Any) -> dict[str, Any]:
    rows = [(i, score.judge(i, try_message(i["text"], faq, policy).to_dict())) for i in items]
    result: dict[str, Any] = score.rates(rows)
    return result


def run_shop(shop: str, data: Path, how: str, score: Any) -> dict[str, Any]:
    settings = load_settings(ROOT / "config.yaml")
    policy, thresholds = settings.policy(), settings.thresholds()
    items = score.read_gold(str(data / f"{shop}.jsonl"))
    played, scored = split(items, how)
    with tempfile.TemporaryDirectory(prefix="learn-") as tmp:
        path = Path(tmp) / f"faq_{shop}.yaml"
        shutil.copy(data / f"faq_{shop}.yaml", path)
        before = load_faq(path, thresholds).faq
        lessons = lessons_of(played, before, policy)
        suggestions = suggest(lessons, before, min_unanswered=1)
        labels = {mask(i["text"]).strip(): i for i in played}
        tally = {"accepted": 0, "dismissed": 0, "refused": 0, "unchanged": 0}
        kinds: dict[str, int] = defaultdict(int)
        for number, suggestion in enumerate(suggestions):
            kinds[suggestion.kind] += 1
            if not is_right(suggestion, labels):
                tally["dismissed"] += 1
                continue
            try:
                result = apply(
                    suggestion, path, now=1_700_000_000.0 + number, refuse_new_warnings=True
                )
            except FaqWriteError:
                # the wording is another entry's question already, or it would make two
                # entries look alike: the seller is told and leaves it
                tally["refused"] += 1
                continue
            tally["accepted" if result.changed else "unchanged"] += 1
        after = load_faq(path, thresholds).faq
        return {
            "shop": shop,
            "played": len(played),
            "scored": len(scored),
            "lessons": len(lessons),
            "suggestions": dict(kinds),
            **tally,
            "before": score_half(scored, before, policy, score),
            "after": score_half(scored, after, policy, score),
            "replayed_before": score_half(played, before, policy, score),
            "replayed_after": score_half(played, after, policy, score),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("label", "head"), default="label")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sys.path.insert(0, str(args.data))
    import score  # chat-eval's own scorer: judge() and rates()

    results = [run_shop(shop, args.data, args.split, score) for shop in SHOPS]
    head = f"{'shop':<8}{'lessons':>8}{'sugg':>6}{'acc':>5}{'ref':>5}  " + "  ".join(
        f"{h:>20}" for h in HEADLINE
    )
    print(f"split: {args.split}; second half scored before -> after (percent)")
    print(head)
    for r in results:
        cells = "  ".join(f"{r['before'][h]:>8.1f} -> {r['after'][h]:>6.1f}  " for h in HEADLINE)
        total = sum(r["suggestions"].values())
        print(
            f"{r['shop']:<8}{r['lessons']:>8}{total:>6}{r['accepted']:>5}{r['refused']:>5}  "
            + cells
        )
    print("\nthe played half asked again by later buyers (answered right / wrong answer):")
    for r in results:
        b, a = r["replayed_before"], r["replayed_after"]
        print(
            f"{r['shop']:<8}{b['answered_right']:>8.1f} -> {a['answered_right']:>6.1f}"
            f"{b['wrong_answer']:>10.1f} -> {a['wrong_answer']:>6.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
