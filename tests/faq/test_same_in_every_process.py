"""A decision does not depend on the process: workers started with other string-hash
seeds (Python's default) score and decide every message alike, typos and ties included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from faq.loader import load_faq
faq = load_faq("faq/faq.yaml").faq
messages = [
    "brp ongkir ke bdg kak?", "bahannya apa sih, adem ga?", "warna hitam ready?",
    "bisa tuker ukuran kalo kekecilan?", "how long is the warranty", "tarikh luput bila sis?",
    "return policy gimana kak", "ukuran xl masih ada? warna navy", "pengirimannya brp hari",
    "can i pay cash when the parcel arrives?", "ada diskon buat reseller ga",
]
out = []
for text in messages:
    match = faq.matcher.decide(text)
    out.append([match.decision, [(c.entry_id, c.score) for c in match.candidates]])
# the unrounded figures behind the decisions (the phrasings' likelihoods, the weights),
# to the last bit: a sum over a set in another order would change the last bits
from faq.normalize import normalize
from faq.tiebreak import features
matcher = faq.matcher
for text in messages:
    norm = normalize(text, matcher.lexicon)
    words = features(norm)
    likelihood = matcher._phrasings.log_likelihood
    out.append([repr(likelihood(words, e)) for e in range(len(faq.entries))])
    out.append([repr(w) for w in matcher.query_weights(norm).values()])
print(json.dumps(out))
"""


def _decisions(seed: str) -> list[object]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(  # noqa: S603 (our own script)
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result: list[object] = json.loads(done.stdout)
    return result


def test_two_processes_with_other_hash_seeds_decide_alike() -> None:
    first, *others = (_decisions(seed) for seed in ("1", "2", "3", "4", "5"))
    assert all(other == first for other in others)
