"""Inter-annotator agreement: the second, independent labelling (``evals/data/agreement/``) against the gold files.

    python evals/agreement.py [--gold gold_labels] [--second evals/data/agreement]
    python evals/agreement.py --second evals/data/agreement_external     # three external (Chia) trials

Prints pairwise F1 (strict matching of the eval harness, one labeller taken as reference: F1 is symmetric), per kind
and overall, the lenient and kind-only figures beside it, per-field agreement over the paired criteria, and the
wrong-value rate of the paired core criteria (the eval's measure, here between two people).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from extractor.evals import EvalResult, load_gold, score
from extractor.evals.metrics import SubsetResult
from extractor.models import CriteriaSet, Provenance


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gold", type=Path, default=Path("gold_labels"))
    p.add_argument("--second", type=Path, default=Path("evals/data/agreement"))
    p.add_argument("--texts", type=Path, default=Path("evals/data/gold_texts.jsonl"))
    args = p.parse_args()
    second = load_gold(args.second, args.texts)
    ids = {c.trial_id for c in second}
    first = [c for c in load_gold(args.gold, args.texts) if c.trial_id in ids]
    preds = {
        c.trial_id: CriteriaSet(
            trial_id=c.trial_id,
            source_text=c.text,
            criteria=c.gold.criteria,
            provenance=Provenance(backend="gold", library_version="agreement"),
        )
        for c in second
    }
    res = score(preds, first, label="agreement")
    # Corpus trials make the headline; a second labelling of external texts is scored in their own subset.
    sub: EvalResult | SubsetResult = res if res.trials or res.external is None else res.external
    m = sub.metrics
    n1 = m.micro.tp + m.micro.fn
    n2 = m.micro.tp + m.micro.fp
    print(f"{len(first)} trials; first labeller {n1} criteria, second {n2}")
    print(f"pairwise F1 strict {m.micro.f1:.3f} (lenient {m.lenient.f1:.3f}, kind-only {m.kind_only.f1:.3f})")
    print(f"typed F1 strict {m.typed.f1:.3f}; exact F1 (every field agrees) {m.exact.f1:.3f}")
    print(f"field agreement over paired criteria {m.fields_correct}/{m.fields_compared} = {m.field_accuracy:.3f}")
    print(f"wrong-value rate, paired core criteria {m.core_wrong}/{m.core_matched} = {m.core_wrong_rate:.3f}")
    print("\nper kind: gold1 gold2 paired F1")
    for k in sub.kinds:
        print(f"  {k.kind:20s} {k.gold:4d} {k.predicted:4d} {k.tp:4d} {k.f1:.3f}")
    print("\nper field: agree/compared")
    for f in sub.fields:
        print(f"  {f.field:40s} {f.correct:3d}/{f.compared:<3d} {f.accuracy:.3f}")
    wrong: Counter[str] = Counter()
    for t in res.per_trial:
        for pair in t.wrong:
            for c in pair.wrong:
                wrong[c.field] += 1
    print("\nmost disagreed fields:", ", ".join(f"{k} {v}" for k, v in wrong.most_common(8)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
