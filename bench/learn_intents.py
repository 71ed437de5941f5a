"""Learning from misses on the intent sets (../shared/data/faq-eval/), where wording recurs.

Chat-eval (``bench/learn.py``) has 3-5 messages per FAQ entry, one per language, so the
held-out buyers share almost no wording with the played ones. Here each intent has ~30-130
questions in one language, as buyers' wording recurs in a shop's real traffic.

Per seed, the FAQ is built as ``bench/quality.py`` builds it (its ``split``: K question
variants per intent, closing and human-request intents as ``handoff: true`` entries),
written to a temporary YAML file. Of each intent's remaining questions the first N (after
quality.py's shuffle) are played as new chats through the engine, with the simulated buyer
and seller of ``bench/learn.py`` (its ``lessons_of``: taps the entry meant when offered,
"bukan ini" to a wrong answer, else asks for a person; the seller replies with the first
line of the intent's answer). A share of the out-of-scope queries is played too (the
buyer leaves). ``faq.suggest.suggest`` groups the lessons; an honest seller accepts the
right suggestions (``learn.is_right`` on intent labels: an added question whose examples
are all of that intent; a handoff word whose examples are all human requests) and
dismisses the rest; ``faq.writer.apply`` writes them (a refused write is left out).

Scored before -> after, with quality.py's ``outcome`` (the engine as ``japri faq try``
judges it): the held-out questions (every remaining question of each intent, disjoint
from the played ones), the out-of-scope queries not played (answered = a false answer;
limit 2 %), and the played questions asked again.

    PYTHONHASHSEED=0 PYTHONPATH=. .venv/bin/python bench/learn_intents.py
        [--set bitext xsid clinc] [--intents N] [--variants 3] [--played 5] [--seeds 5]
        [--reserve R] [--oos-played 0.1] [--wording learnable|asked] [--every-message]
        [--json FILE] [--dump FILE.jsonl]

Bitext and xSID by default (~1 min and ~0.5 min CPU for 5 seeds). CLINC150 as an FAQ is
slow: at 150 entries each accepted write takes ~0.5 s (the writer reloads the FAQ with its
look-alike check) and ~300 are accepted a seed; ``--set clinc --intents 50`` takes a
subset. ``--reserve 20`` holds out the same questions whatever ``--played`` is (up to 20),
for a learning curve; ``--wording asked`` has the seller edit each added question back to
the buyer's message as written; ``--every-message`` is a bound, no lessons: every played
question learned as asked, answered or not.

``--dump`` writes, per set and seed, every suggestion (judged, and what became of it) and
every scored query before and after.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from learn import is_right, lessons_of  # noqa: E402
from quality import Tally, judge_engine, load, outcome, split  # noqa: E402

from faq.impact import side_effects  # noqa: E402
from faq.lessons import mask  # noqa: E402
from faq.loader import load_faq  # noqa: E402
from faq.model import Faq, FaqEntry  # noqa: E402
from faq.suggest import AddQuestion, Suggestion, suggest, to_dict  # noqa: E402
from faq.writer import FaqWriteError, add_question, apply  # noqa: E402
from flows.policy import Policy  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "faq-eval"
SETS = ("bitext", "xsid", "clinc")
FIGURES = ("answer", "wrong", "clarify_right", "answer_or_clarify", "fallback", "oos_false")
Item = dict[str, Any]


def yaml_id(intent_id: str) -> str:
    """An FAQ id for an intent ("alarm.set_alarm" -> "alarm-set_alarm": ids take no dots)."""
    return intent_id.replace(".", "-")


def write_faq(entries: list[FaqEntry], path: Path) -> None:
    """The entries as a seller's FAQ file (what ``faq.writer`` edits)."""
    faqs = []
    for entry in entries:
        row: dict[str, Any] = {"id": yaml_id(entry.id), "questions": list(entry.questions)}
        if entry.handoff:
            row["handoff"] = True
        if entry.answer is not None:
            row["answer"] = entry.answer.get("en")
        faqs.append(row)
    yaml = YAML()
    yaml.width = 4096
    with path.open("w", encoding="utf-8") as out:
        yaml.dump({"faqs": faqs}, out)


def traffic(
    data: dict[str, Any],
    entries: list[FaqEntry],
    queries: list[tuple[str, str]],
    played: int,
    reserve: int = 0,
) -> tuple[list[Item], list[Item]]:
    """Each intent's first ``played`` queries (in quality.py's shuffled order) to play, the
    ones after its first ``max(played, reserve)`` held out (a fixed ``reserve`` keeps the
    held-out set the same whatever is played); as ``bench/learn.py`` items (labels = the
    intent's FAQ id)."""
    human = {i["id"] for i in data["intents"] if i.get("human_request")}
    handoff = {e.id for e in entries if e.handoff}
    seen: Counter[str] = Counter()
    play, held = [], []
    for line, (text, intent) in enumerate(queries):
        item = {
            "line": line,
            "text": text,
            "gold_ids": [yaml_id(intent)],
            "target": "handoff" if intent in handoff else "faq",
            "kind": "human" if intent in human else "question",
        }
        seen[intent] += 1
        if seen[intent] <= played:
            play.append(item)
        elif seen[intent] > reserve:
            held.append(item)
    return play, held


def oos_traffic(
    oos: list[str], share: float, seed: int, start: int
) -> tuple[list[Item], list[str]]:
    """A share of the out-of-scope queries played (the buyer leaves), the rest scored."""
    order = list(dict.fromkeys(q.strip() for q in oos if q.strip()))
    random.Random(seed).shuffle(order)
    cut = round(len(order) * share)
    play = [
        {"line": start + n, "text": t, "gold_ids": [], "target": "oos", "kind": "oos"}
        for n, t in enumerate(order[:cut])
    ]
    return play, order[cut:]


def score(
    items: list[Item], oos: list[str], faq: Faq, policy: Policy, rows: list[Item] | None
) -> dict[str, float]:
    tally = Tally()
    for item in items:
        action, faq_id, options = judge_engine(faq, policy, item["text"])
        result = outcome(action, faq_id, options, item["gold_ids"][0], faq)
        tally.add_in(result)
        if rows is not None:
            rows.append(
                {
                    "text": item["text"],
                    "expected": item["gold_ids"][0],
                    "action": action,
                    "entry": faq_id,
                    "options": options,
                    "outcome": result,
                }
            )
    for text in oos:
        action, faq_id, options = judge_engine(faq, policy, text)
        result = "answer" if action == "answer" else action
        tally.add_oos(result)
        if rows is not None:
            rows.append(
                {
                    "text": text,
                    "expected": "",
                    "action": action,
                    "entry": faq_id,
                    "options": options,
                    "outcome": "oos_" + result,
                }
            )
    return tally.summary()


def learn(
    suggestions: list[Suggestion],
    labels: dict[str, Item],
    path: Path,
    lessons: list[Any],
    notes: list[Item] | None,
    asked: bool = False,
) -> Counter[str]:
    """The honest seller: accept what the labels say is right, dismiss the rest (with
    ``asked``, the seller edits an added question back to the buyer's message as written,
    as ``japri faq suggest`` shows it)."""
    tally: Counter[str] = Counter()
    current = load_faq(path).faq
    for number, suggestion in enumerate(suggestions):
        right = is_right(suggestion, labels)
        fate = "dismissed"
        if right:
            if side_effects(suggestion, current, lessons):
                tally["warned"] += 1
            try:
                text = (
                    suggestion.examples[0]
                    if asked and isinstance(suggestion, AddQuestion)
                    else None
                )
                result = apply(
                    suggestion,
                    path,
                    now=1_700_000_000.0 + number,
                    text=text,
                    refuse_new_warnings=True,
                )
            except FaqWriteError as exc:
                fate = "refused: " + str(exc).splitlines()[0]
            else:
                fate = "accepted" if result.changed else "unchanged"
                current = result.loaded.faq
        tally[fate.split(":")[0]] += 1
        tally[suggestion.kind] += 1
        if notes is not None:
            gold = [labels[e]["gold_ids"] for e in suggestion.examples if e in labels]
            notes.append({**to_dict(suggestion), "right": right, "fate": fate, "gold": gold})
    return tally


def every_message(play: list[Item], path: Path) -> Counter[str]:
    """The bound: every played question, answered or not, learned as its buyer wrote it."""
    tally: Counter[str] = Counter()
    for number, item in enumerate(play):
        try:
            result = add_question(
                path, item["gold_ids"][0], mask(item["text"]).strip(), now=1_700_000_000.0 + number
            )
        except FaqWriteError:
            tally["refused"] += 1
        else:
            tally["accepted" if result.changed else "unchanged"] += 1
    return tally


def run_seed(
    data: dict[str, Any],
    oos: list[str],
    seed: int,
    args: argparse.Namespace,
    dump: list[Item] | None,
) -> dict[str, Any]:
    entries, queries = split(data, args.variants, seed)
    play, held = traffic(data, entries, queries, args.played, args.reserve)
    oos_play, oos_held = oos_traffic(oos, args.oos_played, seed, len(queries))
    policy = Policy(language="en")
    rows: dict[str, list[Item]] | None = defaultdict(list) if dump is not None else None

    def rows_of(name: str) -> list[Item] | None:
        return rows[name] if rows is not None else None

    with tempfile.TemporaryDirectory(prefix="learn-intents-") as tmp:
        path = Path(tmp) / "faq.yaml"
        write_faq(entries, path)
        before = load_faq(path).faq
        lessons = lessons_of(sorted(play + oos_play, key=lambda i: i["line"]), before, policy)
        suggestions = suggest(lessons, before, min_unanswered=1)
        labels = {mask(i["text"]).strip(): i for i in play + oos_play}
        notes: list[Item] | None = [] if dump is not None else None
        if args.every_message:
            tally = every_message(play, path)
        else:
            tally = learn(suggestions, labels, path, lessons, notes, args.wording == "asked")
        after = load_faq(path).faq
    result = {
        "seed": seed,
        "played": len(play),
        "held_out": len(held),
        "oos_played": len(oos_play),
        "oos_scored": len(oos_held),
        "lessons": len(lessons),
        "suggestions": len(suggestions),
        **tally,
        "before": score(held, oos_held, before, policy, rows_of("before")),
        "after": score(held, oos_held, after, policy, rows_of("after")),
        "replayed_before": score(play, [], before, policy, rows_of("replayed_before")),
        "replayed_after": score(play, [], after, policy, rows_of("replayed_after")),
    }
    if dump is not None and rows is not None:
        dump.append({"seed": seed, "suggestions": notes, **rows})
    return result


def spread(values: list[float]) -> str:
    mid = 100 * statistics.fmean(values)
    if len(values) < 2:
        return f"{mid:5.1f}"
    return f"{mid:5.1f} ±{100 * statistics.stdev(values):3.1f}"


def report(name: str, runs: list[dict[str, Any]], seconds: float) -> None:
    counts = ("lessons", "suggestions", "accepted", "refused", "dismissed", "warned")
    mean_counts = "  ".join(
        f"{c} {statistics.fmean(r.get(c, 0) for r in runs):.1f}" for c in counts
    )
    print(f"\n## {name}: {len(runs)} seeds, {seconds:.0f} s")
    first = runs[0]
    print(
        f"  per seed: {first['played']} played, {first['held_out']} held out, "
        f"{first['oos_played']} out-of-scope played, {first['oos_scored']} scored"
    )
    print(f"  mean: {mean_counts}")
    print(f"  {'held-out (mean ±sd over seeds)':<34}{'before':>14}{'after':>14}")
    for figure in FIGURES:
        b = [r["before"][figure] for r in runs]
        a = [r["after"][figure] for r in runs]
        gain = 100 * (statistics.fmean(a) - statistics.fmean(b))
        print(f"  {figure:<34}{spread(b):>14}{spread(a):>14}   {gain:+5.1f}")
    for figure in ("answer", "wrong", "clarify_right"):
        b = [r["replayed_before"][figure] for r in runs]
        a = [r["replayed_after"][figure] for r in runs]
        print(f"  {'played, asked again: ' + figure:<34}{spread(b):>14}{spread(a):>14}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--set", nargs="+", choices=SETS, default=["bitext", "xsid"])
    parser.add_argument(
        "--intents", type=int, help="only each set's first N intents (CLINC: 150 are slow)"
    )
    parser.add_argument("--variants", type=int, default=3, help="questions per FAQ entry")
    parser.add_argument("--played", type=int, default=5, help="buyer messages played per intent")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--oos-played", type=float, default=0.1, help="share of out-of-scope queries played"
    )
    parser.add_argument(
        "--reserve",
        type=int,
        default=0,
        help="hold out only each intent's queries after this many",
    )
    parser.add_argument(
        "--wording",
        choices=("learnable", "asked"),
        default="learnable",
        help="what an accepted question adds: faq.wording's part of it, or the message as asked",
    )
    parser.add_argument(
        "--every-message",
        action="store_true",
        help="bound: every played question learned as asked (no lessons, no suggestions)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dump", type=Path, help="suggestions and scored queries (JSON lines)")
    args = parser.parse_args()
    bitext = load(args.data / "bitext_customer_support_en.dev.json")
    clinc = load(args.data / "clinc150_oos_en.dev.json")
    xsid = load(args.data / "xsid_id.dev.json")
    # out of scope as in quality.py: CLINC's out-of-scope queries (and, for the shop set,
    # xSID's assistant commands)
    shop_oos = list(clinc["out_of_scope"]) + [q for i in xsid["intents"] for q in i["questions"]]
    suites = {
        "bitext": ("bitext shop FAQ (27 intents, en)", bitext, shop_oos),
        "xsid": ("xSID as an FAQ (16 intents, id)", xsid, list(clinc["out_of_scope"])),
        "clinc": ("CLINC150 as an FAQ (150 intents, en)", clinc, list(clinc["out_of_scope"])),
    }
    print(
        f"{args.variants} questions per entry, {args.played} buyer messages per intent played, "
        f"{100 * args.oos_played:.0f} % of out-of-scope played; held-out scored (percent)"
    )
    results: dict[str, Any] = {}
    dump: list[Item] | None = [] if args.dump else None
    for short in args.set:
        name, data, oos = suites[short]
        if args.intents:
            data = {**data, "intents": data["intents"][: args.intents]}
            name += f", first {len(data['intents'])} intents"
        started = time.process_time()
        runs = []
        for seed in range(args.seeds):
            rows: list[Item] = []
            runs.append(run_seed(data, oos, seed, args, rows if dump is not None else None))
            if dump is not None:
                dump += [{"set": short, **row} for row in rows]
        seconds = time.process_time() - started
        report(name, runs, seconds)
        results[short] = {"name": name, "cpu_seconds": seconds, "runs": runs}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.dump and dump is not None:
        with args.dump.open("w", encoding="utf-8") as out:
            for row in dump:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
