"""Metrics from per-trial matches: strict P/R/F1 per kind and overall (with lenient and kind-only beside them),
field accuracy per field, the wrong-value rate, coverage and grounding. Pure.

The headline is computed over the corpus gold; the seed documents (development fixtures) and the external texts
(outside the corpus, unseen by rule writers) are scored apart (``EvalResult.seeds``, ``EvalResult.external``).
Conventions: a ratio with an empty denominator is 1.0 when nothing was expected or produced either way, else 0.0;
grounding with no predictions is 1.0. Macro F1 averages the kinds present in gold; ``typed`` is the micro score
without ``other``; ``exact`` counts a strict pair as a hit only when every compared field agrees.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.evals.gold import GoldFingerprint
from extractor.evals.match import CORE_KINDS, CountsByKind, MatchedPair, TrialMatch
from extractor.models import KINDS, ErrorInfo

__all__ = [
    "PRF",
    "EvalResult",
    "FieldAccuracy",
    "KindMetrics",
    "Metrics",
    "SubsetResult",
    "TrialResult",
    "compute_metrics",
    "prf",
]


def _ratio(num: int, den: int, empty: float) -> float:
    return num / den if den else empty


class PRF(BaseModel):
    """Counts and precision / recall / F1."""

    model_config = ConfigDict(extra="forbid")

    tp: int = 0
    fp: int = 0
    fn: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0


def prf(tp: int, fp: int, fn: int) -> PRF:
    """Precision, recall and F1 from counts."""
    p = _ratio(tp, tp + fp, 1.0 if fn == 0 else 0.0)
    r = _ratio(tp, tp + fn, 1.0 if fp == 0 else 0.0)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(tp=tp, fp=fp, fn=fn, precision=p, recall=r, f1=f1)


class KindMetrics(PRF):
    """P/R/F1 of one kind, with gold and predicted counts."""

    kind: str
    gold: int = 0
    predicted: int = 0
    wrong: int = Field(default=0, description="Strict pairs with at least one wrong field.")
    lenient_f1: float = Field(default=0.0, description="F1 when spans need only share one character.")
    kind_only_f1: float = Field(default=0.0, description="F1 from per-trial kind counts alone (no spans).")


class FieldAccuracy(BaseModel):
    """Accuracy of one core field over matched pairs (``kind.field``)."""

    model_config = ConfigDict(extra="forbid")

    field: str
    correct: int
    compared: int
    accuracy: float


class Metrics(BaseModel):
    """The headline numbers (strict pairing unless named otherwise)."""

    model_config = ConfigDict(extra="forbid")

    micro: PRF
    lenient: PRF = Field(default_factory=PRF, description="Micro P/R/F1 under lenient pairing (one shared character).")
    kind_only: PRF = Field(default_factory=PRF, description="Micro P/R/F1 from per-trial kind counts (no spans).")
    exact: PRF = Field(default_factory=PRF, description="Strict pairs with every compared field right count as hits.")
    macro_f1: float = Field(description="Mean F1 over the kinds present in gold.")
    typed: PRF = Field(description="Micro P/R/F1 without the `other` kind.")
    coverage: float = Field(description="Share of distinct gold evidence spans overlapped by any prediction.")
    covered_spans: int
    gold_spans: int
    grounding_rate: float = Field(description="Share of predictions whose evidence is verbatim at its offsets.")
    grounded: int
    predicted: int
    field_accuracy: float = Field(description="Correct / compared over all compared fields of strict pairs.")
    fields_correct: int
    fields_compared: int
    core_matched: int = Field(default=0, description="Strict pairs of the core kinds.")
    core_wrong: int = Field(default=0, description="Strict pairs of the core kinds with at least one wrong field.")
    core_wrong_rate: float = Field(default=0.0, description="core_wrong / core_matched.")
    failed_trials: int = Field(default=0, description="Trials whose prediction is an error record or missing.")


class TrialResult(BaseModel):
    """One trial's outcome: ``ok``, or a prediction ``error`` / ``missing`` prediction (all gold then missed)."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    origin: Literal["corpus", "seed", "external"] = "corpus"
    status: Literal["ok", "error", "missing"] = "ok"
    error: ErrorInfo | None = None
    match: TrialMatch

    @property
    def wrong(self) -> list[MatchedPair]:
        """Matched pairs with at least one wrong core field."""
        return [p for p in self.match.pairs if p.wrong]

    @property
    def clean(self) -> bool:
        """True when nothing was missed, spurious or wrong."""
        return self.status == "ok" and not (self.match.missed or self.match.spurious or self.wrong)


class SubsetResult(BaseModel):
    """Metrics and tables of a subset of the trials (the seeds, or the external texts)."""

    model_config = ConfigDict(extra="forbid")

    trials: int
    metrics: Metrics
    kinds: list[KindMetrics] = Field(default_factory=list)
    fields: list[FieldAccuracy] = Field(default_factory=list)


class LLMChecks(BaseModel):
    """What the LLM path's validation did over the scored predictions (``llm`` and ``hybrid`` records)."""

    model_config = ConfigDict(extra="forbid")

    rejected: int = Field(default=0, description="Criteria rejected (quote not in the text, numbers, invalid).")
    reasks: int = Field(default=0, description="Validation re-asks (requests sent again with the errors).")
    flagged: int = Field(default=0, description="Kept criteria with numbers not written in their quote.")


class EvalResult(BaseModel):
    """Everything one evaluation found: corpus metrics, per-kind and per-field tables, the seeds and external texts
    apart, per-trial detail of all trials. JSON-friendly."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[2] = 2
    label: str | None = Field(default=None, description="What was evaluated, e.g. the backend name.")
    trials: int = Field(description="Corpus gold trials scored in the headline.")
    metrics: Metrics
    kinds: list[KindMetrics] = Field(default_factory=list)
    fields: list[FieldAccuracy] = Field(default_factory=list)
    seeds: SubsetResult | None = Field(default=None, description="The seed documents, scored apart.")
    external: SubsetResult | None = Field(
        default=None,
        description="Texts from outside the corpus (origin external), scored apart: unseen by rule writers.",
    )
    gold: GoldFingerprint | None = Field(default=None, description="The gold set scored (all trials).")
    per_trial: list[TrialResult] = Field(default_factory=list, description="Every trial: corpus, seeds, external.")
    unscored: list[str] = Field(default_factory=list, description="Predicted trials that have no gold file.")
    llm_checks: LLMChecks | None = Field(default=None, description="LLM validation counts (null: no LLM records).")

    @property
    def failed(self) -> list[TrialResult]:
        """Trials whose prediction was an error record or absent."""
        return [t for t in self.per_trial if t.status != "ok"]

    def kind(self, name: str) -> KindMetrics | None:
        """The row of one kind, if it occurs in gold or predictions."""
        return next((k for k in self.kinds if k.kind == name), None)


def _kind_order(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def _add(total: Counter[str], counts: CountsByKind, col: int) -> None:
    for kind, row in counts.items():
        total[kind] += row[col]


def _summarise(trials: Sequence[TrialResult]) -> SubsetResult:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    exact: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    compared: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    lenient: list[Counter[str]] = [Counter(), Counter(), Counter()]
    kind_only: list[Counter[str]] = [Counter(), Counter(), Counter()]
    for t in trials:
        m = t.match
        for pair in m.pairs:
            tp[pair.gold.kind] += 1
            wrong[pair.gold.kind] += bool(pair.wrong)
            exact[pair.gold.kind] += not pair.wrong
            for check in pair.checks:
                compared[check.field] += 1
                correct[check.field] += check.ok
        for ref in m.missed:
            fn[ref.kind] += 1
        for ref in m.spurious:
            fp[ref.kind] += 1
        for col in range(3):
            _add(lenient[col], m.lenient, col)
            _add(kind_only[col], m.kind_only, col)
    kinds = sorted(set(tp) | set(fp) | set(fn), key=lambda k: (_kind_order(k), k))

    def f1(counts: list[Counter[str]], k: str) -> float:
        return prf(counts[0][k], counts[1][k], counts[2][k]).f1

    rows = [
        KindMetrics(
            kind=k,
            gold=tp[k] + fn[k],
            predicted=tp[k] + fp[k],
            wrong=wrong[k],
            lenient_f1=f1(lenient, k),
            kind_only_f1=f1(kind_only, k),
            **prf(tp[k], fp[k], fn[k]).model_dump(),
        )
        for k in kinds
    ]
    gold_rows = [r for r in rows if r.gold]
    typed = [k for k in kinds if k != "other"]
    fields = [
        FieldAccuracy(field=f, correct=correct[f], compared=compared[f], accuracy=correct[f] / compared[f])
        for f in sorted(compared, key=lambda f: (_kind_order(f.split(".")[0]), f))
    ]
    n_correct, n_compared = sum(correct.values()), sum(compared.values())
    gold_spans = sum(t.match.gold_spans for t in trials)
    covered = sum(t.match.covered_spans for t in trials)
    predicted = sum(t.match.predicted for t in trials)
    grounded = sum(t.match.grounded for t in trials)
    n_tp, n_fp, n_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    n_exact = sum(exact.values())
    core_matched = sum(tp[k] for k in CORE_KINDS)
    core_wrong = sum(wrong[k] for k in CORE_KINDS)
    metrics = Metrics(
        micro=prf(n_tp, n_fp, n_fn),
        lenient=prf(*(sum(c.values()) for c in lenient)),
        kind_only=prf(*(sum(c.values()) for c in kind_only)),
        exact=prf(n_exact, n_fp + n_tp - n_exact, n_fn + n_tp - n_exact),
        macro_f1=sum(r.f1 for r in gold_rows) / len(gold_rows) if gold_rows else 0.0,
        typed=prf(sum(tp[k] for k in typed), sum(fp[k] for k in typed), sum(fn[k] for k in typed)),
        coverage=_ratio(covered, gold_spans, 1.0),
        covered_spans=covered,
        gold_spans=gold_spans,
        grounding_rate=_ratio(grounded, predicted, 1.0),
        grounded=grounded,
        predicted=predicted,
        field_accuracy=_ratio(n_correct, n_compared, 1.0),
        fields_correct=n_correct,
        fields_compared=n_compared,
        core_matched=core_matched,
        core_wrong=core_wrong,
        core_wrong_rate=_ratio(core_wrong, core_matched, 0.0),
        failed_trials=sum(t.status != "ok" for t in trials),
    )
    return SubsetResult(trials=len(trials), metrics=metrics, kinds=rows, fields=fields)


def compute_metrics(
    trials: Sequence[TrialResult],
    label: str | None = None,
    unscored: Sequence[str] = (),
    gold: GoldFingerprint | None = None,
) -> EvalResult:
    """Aggregate per-trial results into an :class:`EvalResult`: the headline over corpus trials, seeds and external
    texts apart."""
    corpus = _summarise([t for t in trials if t.origin == "corpus"])
    seed_trials = [t for t in trials if t.origin == "seed"]
    external = [t for t in trials if t.origin == "external"]
    return EvalResult(
        label=label,
        trials=corpus.trials,
        metrics=corpus.metrics,
        kinds=corpus.kinds,
        fields=corpus.fields,
        seeds=_summarise(seed_trials) if seed_trials else None,
        external=_summarise(external) if external else None,
        gold=gold,
        per_trial=sorted(trials, key=lambda t: t.trial_id),
        unscored=sorted(unscored),
    )
