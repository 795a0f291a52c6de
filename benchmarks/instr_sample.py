"""Fixed work for instruction counts (valgrind callgrind): start-up alone, or start-up and one rules pass over
every 13th corpus trial (104 trials). The pass costs the difference of the two counts; load on the machine does
not change them, as it does CPU and wall time.

    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.s python benchmarks/instr_sample.py startup
    PYTHONHASHSEED=0 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.p python benchmarks/instr_sample.py pass

(``Collected`` on valgrind's last line; a fixed hash seed keeps set and dict orders, and so the counts, the same
from run to run.)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import extractor

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "trials.jsonl"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["startup", "pass"])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument("--every", type=int, default=13, help="take every n-th corpus trial")
    args = p.parse_args()
    extractor.extract("Inclusion Criteria:\n* ECOG 0-1", trial_id="warm-up")  # load vocabularies, compile rules
    if args.mode == "pass":
        with args.corpus.open(encoding="utf-8") as f:
            trials = [(r["nct_id"], r.get("eligibility_criteria") or "") for r in map(json.loads, f)]
        for tid, text in trials[:: args.every]:
            extractor.extract(text, trial_id=tid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
