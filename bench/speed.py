"""How fast `japri faq try` judges a message, and what a big FAQ costs to load and hold.

Synthetic shop FAQs of 100, 1,000 and 10,000 entries with 5 questions each are built
from a product vocabulary (so entries share words, as a real catalogue does); each is
queried with slangy variants of its own questions, typos and out-of-scope messages.
The time measured is one whole `try_message` (normalise, match, decide, word the reply),
with the per-text memories emptied first, so a repeated query costs what a new one does;
load time is `japri faq check`'s full validation (the pairwise look-alike check runs up
to 3,000 entries); memory is the growth of the process's resident set while loading.

    .venv/bin/python bench/speed.py [--sizes 100 1000 10000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faq.loader import parse_faq  # noqa: E402
from flows.policy import Policy  # noqa: E402
from flows.signals import read_signals  # noqa: E402
from flows.trial import try_message  # noqa: E402

PRODUCTS = (
    "kaos kemeja celana rok gamis hijab jaket sepatu sandal tas dompet topi kacamata jam "
    "kalung gelang cincin sprei handuk bantal boneka mainan casing charger headset"
).split()
TRAITS = "hitam putih merah biru hijau katun linen kulit denim polos motif batik anak".split()
ASPECTS = [
    ("ukuran {p} {t} ada apa saja?", "size {p} {t} yang ready apa kak"),
    ("bahan {p} {t} apa?", "{p} {t} bahannya adem gak"),
    ("stok {p} {t} masih ada?", "{p} {t} ready gak kak"),
    ("cara cuci {p} {t} gimana?", "{p} {t} boleh dicuci mesin?"),
    ("garansi {p} {t} berapa lama?", "{p} {t} ada garansinya?"),
]
NOISE = ["halo kak", "berapa cuaca besok", "asdfgh", "saya ambil 2 ya", "ok makasih"]


def build_yaml(size: int, rng: random.Random) -> tuple[str, list[str]]:
    lines, queries = ["faqs:"], []
    for i in range(size):
        product, trait = rng.choice(PRODUCTS), rng.choice(TRAITS)
        model = f"{product} {trait} seri{i}"
        aspect = ASPECTS[i % len(ASPECTS)]
        questions = [
            aspect[0].format(p=model, t=""),
            aspect[1].format(p=model, t=""),
            f"{model} harganya berapa?",
            f"{model} ada diskon?",
            f"info {model} dong",
        ]
        lines += [f"  - id: e{i}", "    questions:"]
        lines += [f'      - "{q.replace("  ", " ").strip()}"' for q in questions]
        lines.append(f'    answer: "Jawaban untuk {model} 😊"')
        queries += [f"brp hrg {model} kak?", f"{model} ready gk sis", f"{product} {trait} ada?"]
    return "\n".join(lines) + "\n", queries


def _rss_mb() -> float:
    """This process's resident memory (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(size: int, n_queries: int, seed: int = 7) -> dict[str, float]:
    rng = random.Random(seed)
    text, queries = build_yaml(size, rng)
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    faq = parse_faq(text, f"<{size} entries>", alike=False).faq  # live, as the bot loads it
    load_s = time.perf_counter() - started
    gc.collect()
    held = _rss_mb() - before
    started = time.perf_counter()
    parse_faq(text, f"<{size} entries>")  # `japri faq check`: with the look-alike warnings
    check_s = time.perf_counter() - started
    policy = Policy()
    sample = [rng.choice(queries) for _ in range(n_queries)]
    sample += [rng.choice(NOISE) for _ in range(n_queries // 10)]
    rng.shuffle(sample)
    for query in sample[:50]:  # warm caches as a running bot would be
        try_message(query, faq, policy)
    times = []
    for query in sample:
        # Cold path: forget what repeated texts cost before (the bot remembers them).
        faq.matcher._decided.clear()
        faq.matcher.lexicon.memo.clear()
        read_signals.cache_clear()
        t0 = time.perf_counter_ns()
        try_message(query, faq, policy)
        times.append((time.perf_counter_ns() - t0) / 1e6)
    times.sort()
    return {
        "entries": size,
        "queries": len(times),
        "p50_ms": statistics.median(times),
        "p99_ms": times[int(len(times) * 0.99) - 1],
        "max_ms": times[-1],
        "load_s": load_s,
        "check_s": check_s,
        "memory_mb": held,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    rows = [measure(size, args.queries) for size in args.sizes]
    print("| entries | queries | p50 ms | p99 ms | max ms | load s | check s | memory MB |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(
            f"| {r['entries']:,} | {r['queries']:,} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} "
            f"| {r['max_ms']:.1f} | {r['load_s']:.2f} | {r['check_s']:.2f} "
            f"| {r['memory_mb']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
