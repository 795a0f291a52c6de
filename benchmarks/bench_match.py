"""Benchmark issue 14: match one patient against the 1,344 corpus trials' extracted criteria (target < 1 s).

The corpus is extracted once with the rules backend into ``--criteria`` (resumed / reused when it exists); then
matching ``examples/patient.json`` against every trial is timed: process CPU time, best of ``--repeat`` passes.

    python benchmarks/bench_match.py [--corpus /work/shared/corpus/trials.jsonl] [--criteria FILE] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import extractor
from extractor.io.patients import read_patient
from extractor.match import match_many

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Extract (once), then time matching one patient against every trial; print the figure."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="/work/shared/corpus/trials.jsonl")
    ap.add_argument("--criteria", default=str(Path(tempfile.gettempdir()) / "bench_match_corpus_rules.jsonl"))
    ap.add_argument("--patient", default=str(ROOT / "examples" / "patient.json"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    summary = extractor.extract_many(args.corpus, args.criteria, backend="rules", cache=False, workers=1)
    records = [r for r in extractor.read_records(args.criteria) if r.error is None]
    patient = read_patient(args.patient)
    criteria = sum(len(r.criteria) for r in records)
    print(f"{len(records)} trials, {criteria} criteria ({summary.written} extracted now, {summary.kept} reused)")
    extractor.match(patient, records[0])  # warm the vocabularies and compiled patterns (match_many caches per call)
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.process_time()
        results = list(match_many(patient, records))
        best = min(best, time.process_time() - t0)
    verdicts = {v: sum(r.verdict == v for r in results) for v in ("eligible", "needs_review", "ineligible")}
    print(f"match 1 patient x {len(records)} trials: {best:.3f} CPU-s (best of {args.repeat}); {verdicts}")


if __name__ == "__main__":
    main()
