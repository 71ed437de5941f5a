"""Gateway throughput and latency: the shared harness's load tool against Japri and its
echo-bot baseline, in one run, several set-ups. Needs ../shared/harness (not part of this
repository). Writes bench/results/load.json and prints a Markdown table.

    .venv/bin/python bench/load.py [--harness ../shared/harness] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAPRI = ".venv/bin/japri serve --config {config} --port {port}"
PACED = " --set telegram.max_per_second=30 --set whatsapp.max_per_second=80"

RUNS: list[tuple[str, list[str]]] = [
    ("echo baseline", ["--baseline"]),
    ("Japri, 1 process (defaults)", ["--serve-cmd", JAPRI]),
    (
        "Japri, 2 processes (`server.workers: 2`)",
        ["--serve-cmd", JAPRI + " --set server.workers=2"],
    ),
    ("Japri, 1 process, opt-in overall pacing (30/s)", ["--serve-cmd", JAPRI + PACED]),
    ("echo baseline, API 80 ms away", ["--baseline", "--api-latency-ms", "80"]),
    ("Japri, 1 process, API 80 ms away", ["--serve-cmd", JAPRI, "--api-latency-ms", "80"]),
    ("echo baseline, WhatsApp", ["--baseline", "--channel", "whatsapp"]),
    ("Japri, WhatsApp, 1 process", ["--serve-cmd", JAPRI, "--channel", "whatsapp"]),
    (
        "Japri, WhatsApp, 1 process, opt-in pacing (80/s)",
        ["--serve-cmd", JAPRI + PACED, "--channel", "whatsapp"],
    ),
]


def run(harness: Path, extra: list[str]) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and the harness script
        [sys.executable, str(harness / "load.py"), "--project", str(ROOT), *extra],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    try:
        result: dict[str, object] = json.loads(last)
    except ValueError:
        result = {"error": out.stdout[-2000:] + out.stderr[-2000:]}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--harness", default=str(ROOT.parent / "shared" / "harness"))
    parser.add_argument("--quick", action="store_true", help="the first two set-ups only")
    args = parser.parse_args()
    harness = Path(args.harness)
    if not (harness / "load.py").exists():
        print(f"no load tool at {harness}/load.py", file=sys.stderr)
        return 2
    results = []
    for name, extra in RUNS[:2] if args.quick else RUNS:
        result = run(harness, extra)
        result["setup"] = name
        results.append(result)
        print(f"done: {name}", file=sys.stderr)
    (ROOT / "bench" / "results" / "load.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| set-up | msg/s | p50 ms | p99 ms | lost | dup | CPU ms/msg |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        lat = r.get("latency_ms") or {}
        cpu = r.get("cpu_ms_per_message") or {}
        assert isinstance(lat, dict)
        assert isinstance(cpu, dict)
        print(
            f"| {r['setup']} | {r.get('messages_per_s')} | {lat.get('p50')} | {lat.get('p99')} "
            f"| {r.get('lost')} | {r.get('duplicated')} | {cpu.get('bot')} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
