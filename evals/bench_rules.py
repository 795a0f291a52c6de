"""Benchmark the rules backend over a corpus on one core: trials/s, peak memory, how much ended up `other`.

    python evals/bench_rules.py [--corpus ../shared/corpus/trials.jsonl] [--repeat 3]

Prints figures; asserts nothing (performance targets live here, not in timed tests). Target on one core of the
project's 2-core machines: >= 200 trials/s, < 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import extractor

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--repeat", type=int, default=3, help="timed passes (the best is reported)")
    args = p.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    with args.corpus.open(encoding="utf-8") as f:
        trials = [(r["nct_id"], r.get("eligibility_criteria") or "") for r in map(json.loads, f)]

    extractor.extract("Inclusion Criteria:\n* ECOG 0-1", trial_id="warm-up")  # load vocabularies, compile rules
    times = []
    kinds: Counter[str] = Counter()
    items = other_items = criteria = 0
    for rep in range(args.repeat):
        t0 = time.perf_counter()
        results = [extractor.extract(text, trial_id=tid) for tid, text in trials]
        times.append(time.perf_counter() - t0)
        if rep == 0:
            for r in results:
                items += r.items
                criteria += len(r.criteria)
                kinds.update(c.kind for c in r.criteria)
                typed = {c.item for c in r.criteria if c.kind != "other"}
                other_items += sum(1 for c in r.criteria if c.kind == "other" and c.item not in typed)
                assert not r.ungrounded(), r.trial_id
    best = min(times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"trials: {len(trials)}   items: {items}   criteria: {criteria}")
    print(f"time per pass: best {best:.2f} s, median {statistics.median(times):.2f} s over {len(times)} passes")
    print(f"throughput (1 core): {len(trials) / best:.0f} trials/s, {items / best:.0f} items/s")
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"items left as `other`: {other_items} of {items} ({other_items / max(items, 1):.1%})")
    print("criteria per kind: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
