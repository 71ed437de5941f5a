"""Learning from misses on the chat-eval shops (../shared/data/chat-eval/).

For each shop: the first half of the traffic is played as new chats through the engine
(``flows.router.step``, this project's config.yaml with a seller to hand chats to), with
``flows.learning`` recording the lessons from each turn's ``Outcome`` as the runtime does.
What the simulated buyer and seller do after the bot's first reply:

- a clarify, or the topics shown after a fallback, that offer a gold entry: the buyer taps
  it (a ``Clarified`` lesson);
- a wrong answer: the buyer says "bukan ini" (``Corrected``), then taps the gold entry if
  the bot now offers it, else asks for a person;
- otherwise, on an FAQ question or a request for a person: the buyer taps "talk to a
  person" (``Fallback``, ``AskedForPerson``);
- after any handoff a seller replies: with the first line of the gold entry's answer to
  an FAQ question (``HandedOff``; which entry it resembles is found by
  ``faq.suggest.resembling``), with a greeting otherwise;
- out-of-scope and small-talk messages: the buyer leaves.

``faq.suggest.suggest`` turns the lessons into suggestions; a simulated honest seller
accepts exactly those the labels say are right (an added question whose example is
labelled with that entry; a handoff word whose example is labelled a request for a
person) and dismisses the rest (new entries: every labelled question has an entry, so
none is right). A write the writer refuses (it would break the FAQ, or make two entries
"very alike", the loader's own warning) is left out, as a seller told so would. A right
suggestion with side effects (``faq.impact``: an answer today it would turn into a
question) is counted ("warn") and accepted all the same; with ``--heed-side-effects`` the
seller leaves it. Accepted ones are written with ``faq.writer.apply`` into a temporary copy
of the FAQ, and the second half is scored before and after with chat-eval's ``score.py``
(its ``judge`` and ``rates``, imported).

"First half": the messages are grouped by label in the file (3-5 messages per entry, in
turn), so the literal first 75 lines hold only the first half of the entries and say
nothing about the rest. The default split takes the first half of each label's messages
(``--split label``); ``--split label-rev`` plays the other half and scores the first;
``--split head`` takes the file's first half as it is.

    .venv/bin/python bench/learn.py [--data ../shared/data/chat-eval]
        [--split label|label-rev|head]
        [--json FILE] [--heed-side-effects]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import load_settings  # noqa: E402
from faq.impact import side_effects  # noqa: E402
from faq.lessons import Lesson, mask  # noqa: E402
from faq.loader import load_faq  # noqa: E402
from faq.model import Faq  # noqa: E402
from faq.suggest import (  # noqa: E402
    AddHandoffWord,
    AddQuestion,
    Suggestion,
    suggest,
)
from faq.writer import FaqWriteError, apply  # noqa: E402
from flows.learning import observe, observe_seller  # noqa: E402
from flows.messages import HUMAN_OPTION, BuyerMessage, Outcome  # noqa: E402
from flows.policy import Policy  # noqa: E402
from flows.router import step  # noqa: E402
from flows.state import Conversation, Stage  # noqa: E402
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
    return (scored, played) if how == "label-rev" else (played, scored)


def seller_reply(faq: Faq, entry_id: str) -> str:
    """What a seller types by hand: the first line of the FAQ's own answer."""
    entry = faq.get(entry_id)
    if entry is None or entry.answer is None:
        return "nanti admin bantu cek ya kak"
    return entry.answer.get("id").strip().splitlines()[0]


def lessons_of(items: list[Item], faq: Faq, policy: Policy) -> list[Lesson]:
    """Each message as a new chat, through ``flows.learning`` beside the engine's ``step``.

    The shop has a seller to hand chats to (this project's config.yaml sets none up, and
    then a handoff only tells the buyer how to reach the shop: nobody would answer)."""
    staffed = replace(policy, sellers=True)
    lessons: list[Lesson] = []
    for item in items:
        lessons += _chat(item, faq, staffed)
    return lessons


def _chat(item: Item, faq: Faq, policy: Policy) -> list[Lesson]:
    conv, pending = Conversation(), None
    buyer, clock = f"buyer-{item['line']}", float(item["line"]) * 1000
    lessons: list[Lesson] = []

    def buyer_says(message: BuyerMessage) -> None:
        nonlocal conv, pending, clock
        clock += 10
        before = conv
        conv, actions = step(conv, message, faq, policy, datetime.fromtimestamp(clock, UTC))
        outcome = next((a for a in actions if isinstance(a, Outcome)), None)
        if outcome is not None and before.stage is not Stage.HANDED_OFF:  # (forwarded then)
            pending, learned = observe(pending, message, outcome, clock, buyer)
            lessons.extend(learned)

    def seller_answers() -> None:
        nonlocal pending, clock
        clock += 60
        reply = seller_reply(faq, item["gold_ids"][0]) if item["gold_ids"] else _SELLER_HELLO
        pending, learned = observe_seller(pending, reply, faq, clock, buyer)
        lessons.extend(learned)

    def handed_off() -> bool:  # a seller was asked in (whether or not one is set up)
        return pending is not None and pending.kind in ("handoff", "handoff_other")

    gold = item["gold_ids"]
    buyer_says(BuyerMessage(item["text"]))
    if handed_off():
        seller_answers()
        return lessons
    if item["target"] not in ("faq", "handoff"):
        return lessons  # out of scope or small talk: the buyer leaves
    if pending is not None and pending.kind == "answer":
        if pending.entry_id in gold:
            return lessons
        buyer_says(BuyerMessage("bukan ini kak"))
        if handed_off():
            seller_answers()
            return lessons
    # what the bot offers now ("which one?", or the nearest topics when it did not
    # understand, also after "not this"): the buyer taps the entry meant, when it is there
    if pending is not None and pending.kind in ("clarify", "fallback"):
        offered = [o for o in pending.options if o in gold]
        if offered:
            buyer_says(BuyerMessage("", kind="choice", choice=offered[0]))
            return lessons
    buyer_says(BuyerMessage("", kind="choice", choice=HUMAN_OPTION))
    if handed_off():
        seller_answers()
    return lessons


_SELLER_HELLO = "Halo kak, dengan admin di sini, ada yang bisa dibantu?"


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


def run_shop(
    shop: str, data: Path, how: str, score: Any, heed_side_effects: bool = False
) -> dict[str, Any]:
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
        tally = {"accepted": 0, "dismissed": 0, "refused": 0, "unchanged": 0, "warned": 0}
        kinds: dict[str, int] = defaultdict(int)
        learned: list[dict[str, str]] = []  # what was written, beside what the buyer asked
        for number, suggestion in enumerate(suggestions):
            kinds[suggestion.kind] += 1
            if not is_right(suggestion, labels):
                tally["dismissed"] += 1
                continue
            current = load_faq(path, thresholds).faq
            if side_effects(suggestion, current, lessons):
                tally["warned"] += 1
                if heed_side_effects:  # told what it would undo, the seller leaves it
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
            if isinstance(suggestion, AddQuestion) and result.changed:
                learned.append(
                    {
                        "entry": suggestion.entry_id,
                        "question": suggestion.question,
                        "asked": suggestion.examples[0],
                    }
                )
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
            "learned": learned,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=("label", "label-rev", "head"), default="label")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--heed-side-effects",
        action="store_true",
        help="the seller leaves a right suggestion that would undo an answer (faq.impact)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(args.data))
    import score  # chat-eval's own scorer: judge() and rates()

    results = [
        run_shop(shop, args.data, args.split, score, args.heed_side_effects) for shop in SHOPS
    ]
    head = f"{'shop':<8}{'lessons':>8}{'sugg':>6}{'acc':>5}{'ref':>5}{'warn':>5}  " + "  ".join(
        f"{h:>20}" for h in HEADLINE
    )
    print(f"split: {args.split}; second half scored before -> after (percent)")
    print(head)
    for r in results:
        cells = "  ".join(f"{r['before'][h]:>8.1f} -> {r['after'][h]:>6.1f}  " for h in HEADLINE)
        total = sum(r["suggestions"].values())
        print(
            f"{r['shop']:<8}{r['lessons']:>8}{total:>6}{r['accepted']:>5}{r['refused']:>5}"
            f"{r['warned']:>5}  " + cells
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
