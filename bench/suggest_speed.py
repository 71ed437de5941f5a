"""How long `faq.suggest.suggest` takes for a day of lessons on a big FAQ.

The synthetic shop FAQs of bench/speed.py (100 and 1,000 entries, 5 questions each) and
40 lessons: buyers who picked an entry after being asked back ("which one?"), their
question wrapped in chat ("halo kak, ... soalnya buat kado"), so each suggestion's
learnable wording is tried clause by clause (``faq.wording``), and a few questions the
FAQ does not cover (new entries). Each run loads the FAQ afresh, so nothing a call to
``suggest`` remembers per FAQ is reused (the normaliser's memory of the FAQ's words is, as
in a running bot); the best of ``--repeat`` runs is shown.

    PYTHONPATH=. .venv/bin/python bench/suggest_speed.py [--sizes 100 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.speed import ASPECTS, build_yaml  # noqa: E402
from faq.lessons import Clarified, Fallback, Lesson  # noqa: E402
from faq.loader import parse_faq  # noqa: E402
from faq.model import Faq  # noqa: E402
from faq.suggest import suggest  # noqa: E402

LESSONS = 40
CHAT = ["halo kak", "permisi", "kak mau tanya", "sis"]
WHY = ["soalnya buat kado", "mau beli 2", "buat lebaran nanti", "takut kehabisan"]
NEW = ["bisa kirim ke luar negeri?", "ada cicilan kartu kredit?", "bisa ambil di gudang?"]


def lessons_for(faq: Faq, rng: random.Random) -> list[Lesson]:
    """40 lessons: 36 questions answered by the entry the buyer picked, 4 not covered."""
    found: list[Lesson] = []
    for i in range(LESSONS - 4):
        entry = rng.choice(faq.entries)
        model = entry.questions[2].removesuffix(" harganya berapa?")
        asked = ASPECTS[int(entry.id[1:]) % len(ASPECTS)][1].format(p=model, t="")
        text = f"{rng.choice(CHAT)}, {' '.join(asked.split())}? {rng.choice(WHY)}"
        found.append(Clarified(text, (entry.id,), entry.id, "tap", float(i)))
    for i in range(4):
        found.append(Fallback(NEW[i % len(NEW)], float(100 + i)))
    return found


def measure(size: int, repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        rng = random.Random(7)
        text, _queries = build_yaml(size, rng)
        faq = parse_faq(text, f"<{size} entries>", alike=False).faq
        lessons = lessons_for(faq, rng)
        started = time.perf_counter()
        count = len(suggest(lessons, faq))
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| entries | lessons | suggestions | suggest() s |")
    print("| ---: | ---: | ---: | ---: |")
    for size in args.sizes:
        seconds, count = measure(size, args.repeat)
        print(f"| {size:,} | {LESSONS} | {count} | {seconds:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
