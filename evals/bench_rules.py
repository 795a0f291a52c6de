"""Benchmark the rules backend over a corpus on one core: trials/s, peak memory, how much ended up `other`.

    python evals/bench_rules.py [--corpus ../shared/corpus/trials.jsonl] [--repeat 3]

Prints figures; asserts nothing (performance targets live here, not in timed tests). Target on one core of the
project's 2-core machines (issue 10): >= 600 trials/s, < 300 MB peak RSS. ``--by-kind`` adds each kind's share
of the time (its extractor wrapped in a timer, so the total runs a little slower).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import extractor

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--repeat", type=int, default=3, help="timed passes (the best is reported)")
    p.add_argument("--by-kind", action="store_true", help="also time each kind's extractor (one extra pass)")
    p.add_argument(
        "--engine-only",
        action="store_true",
        help="also time passes with every kind extractor returning nothing: the engine's floor",
    )
    args = p.parse_args()
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    with args.corpus.open(encoding="utf-8") as f:
        trials = [(r["nct_id"], r.get("eligibility_criteria") or "") for r in map(json.loads, f)]

    extractor.extract("Inclusion Criteria:\n* ECOG 0-1", trial_id="warm-up")  # load vocabularies, compile rules
    times = []
    cpu: list[float] = []
    kinds: Counter[str] = Counter()
    items = other_items = criteria = 0
    for rep in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        results = [extractor.extract(text, trial_id=tid) for tid, text in trials]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
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
    # CPU time is what other processes on the machine do not inflate (wall time under load does)
    best_cpu = min(cpu)
    print(
        f"CPU per pass: best {best_cpu:.2f} s ({len(trials) / best_cpu:.0f} trials/s), "
        f"median {statistics.median(cpu):.2f} s"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")
    print(f"items left as `other`: {other_items} of {items} ({other_items / max(items, 1):.1%})")
    print("criteria per kind: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    if args.by_kind:
        _by_kind(trials)
    if args.engine_only:
        _engine_only(trials, args.repeat)
    return 0


def _engine_only(trials: list[tuple[str, str]], repeat: int) -> None:
    """Passes with every kind extractor returning nothing: segmentation, item views, triggers, `other` criteria."""
    from extractor.kinds import REGISTRY

    saved = dict(REGISTRY)
    for name, spec in saved.items():
        if spec.extract is not None:
            REGISTRY[name] = dataclasses.replace(spec, extract=lambda ctx: [])
    try:
        cpu: list[float] = []
        for _ in range(repeat):
            t0 = time.process_time()
            for tid, text in trials:
                extractor.extract(text, trial_id=tid)
            cpu.append(time.process_time() - t0)
    finally:
        REGISTRY.update(saved)
    best = min(cpu)
    print(f"engine only (no kind work): best {best:.2f} CPU-s per pass, {len(trials) / best:.0f} trials/s")


def _by_kind(trials: list[tuple[str, str]]) -> None:
    """One more pass with every kind's extractor wrapped in a timer: where the time goes."""
    from extractor.kinds import REGISTRY

    spent: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    saved = dict(REGISTRY)
    for name, spec in saved.items():
        if spec.extract is None:
            continue

        def timed(ctx: Any, _f: Any = spec.extract, _name: str = name) -> Any:
            t0 = time.perf_counter()
            try:
                return _f(ctx)
            finally:
                spent[_name] += time.perf_counter() - t0
                calls[_name] += 1

        REGISTRY[name] = dataclasses.replace(spec, extract=timed)
    try:
        t0 = time.perf_counter()
        for tid, text in trials:
            extractor.extract(text, trial_id=tid)
        total = time.perf_counter() - t0
    finally:
        REGISTRY.update(saved)
    kinds_total = sum(spent.values())
    print(
        f"by kind (one timed pass, {total:.2f} s; kind extractors {kinds_total:.2f} s, the rest "
        f"{total - kinds_total:.2f} s: segmentation, item views, trigger pass, models):"
    )
    for name, secs in spent.most_common():
        print(f"  {name:20s} {secs:6.2f} s  {calls[name]:6d} items  {secs / max(calls[name], 1) * 1e6:6.1f} us/item")


if __name__ == "__main__":
    raise SystemExit(main())
