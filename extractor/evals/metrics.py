"""Corpus metrics from per-trial matches: P/R/F1 per kind and overall, field accuracy, coverage, grounding. Pure.

Conventions: a ratio with an empty denominator is 1.0 when nothing was expected or produced either way
(no gold and no predictions of a kind), else 0.0; grounding with no predictions is 1.0. Macro F1 averages the
kinds present in gold; ``typed`` is the micro score without ``other``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.evals.match import MatchedPair, TrialMatch
from extractor.models import KINDS, ErrorInfo

__all__ = ["PRF", "EvalResult", "FieldAccuracy", "KindMetrics", "Metrics", "TrialResult", "compute_metrics", "prf"]


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
    wrong: int = Field(default=0, description="Matched pairs with at least one wrong core field.")


class FieldAccuracy(BaseModel):
    """Accuracy of one core field over matched pairs (``kind.field``)."""

    model_config = ConfigDict(extra="forbid")

    field: str
    correct: int
    compared: int
    accuracy: float


class Metrics(BaseModel):
    """The headline numbers."""

    model_config = ConfigDict(extra="forbid")

    micro: PRF
    macro_f1: float = Field(description="Mean F1 over the kinds present in gold.")
    typed: PRF = Field(description="Micro P/R/F1 without the `other` kind.")
    coverage: float = Field(description="Share of distinct gold evidence spans overlapped by any prediction.")
    covered_spans: int
    gold_spans: int
    grounding_rate: float = Field(description="Share of predictions whose evidence is verbatim at its offsets.")
    grounded: int
    predicted: int
    field_accuracy: float = Field(description="Correct / compared over all core fields of matched pairs.")
    fields_correct: int
    fields_compared: int
    failed_trials: int = Field(default=0, description="Trials whose prediction is an error record or missing.")


class TrialResult(BaseModel):
    """One trial's outcome: ``ok``, or a prediction ``error`` / ``missing`` prediction (all gold then missed)."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
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


class EvalResult(BaseModel):
    """Everything one evaluation found: metrics, per-kind and per-field tables, per-trial detail. JSON-friendly."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    label: str | None = Field(default=None, description="What was evaluated, e.g. the backend name.")
    trials: int
    metrics: Metrics
    kinds: list[KindMetrics] = Field(default_factory=list)
    fields: list[FieldAccuracy] = Field(default_factory=list)
    per_trial: list[TrialResult] = Field(default_factory=list)
    unscored: list[str] = Field(default_factory=list, description="Predicted trials that have no gold file.")

    @property
    def failed(self) -> list[TrialResult]:
        """Trials whose prediction was an error record or absent."""
        return [t for t in self.per_trial if t.status != "ok"]

    def kind(self, name: str) -> KindMetrics | None:
        """The row of one kind, if it occurs in gold or predictions."""
        return next((k for k in self.kinds if k.kind == name), None)


def _kind_order(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def compute_metrics(
    trials: Sequence[TrialResult], label: str | None = None, unscored: Sequence[str] = ()
) -> EvalResult:
    """Aggregate per-trial results into an :class:`EvalResult`."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    compared: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for t in trials:
        m = t.match
        for pair in m.pairs:
            tp[pair.gold.kind] += 1
            wrong[pair.gold.kind] += bool(pair.wrong)
            for check in pair.checks:
                compared[check.field] += 1
                correct[check.field] += check.ok
        for ref in m.missed:
            fn[ref.kind] += 1
        for ref in m.spurious:
            fp[ref.kind] += 1
    kinds = sorted(set(tp) | set(fp) | set(fn), key=lambda k: (_kind_order(k), k))
    rows = [
        KindMetrics(
            kind=k, gold=tp[k] + fn[k], predicted=tp[k] + fp[k], wrong=wrong[k], **prf(tp[k], fp[k], fn[k]).model_dump()
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
    metrics = Metrics(
        micro=prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
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
        failed_trials=sum(t.status != "ok" for t in trials),
    )
    return EvalResult(
        label=label,
        trials=len(trials),
        metrics=metrics,
        kinds=rows,
        fields=fields,
        per_trial=sorted(trials, key=lambda t: t.trial_id),
        unscored=sorted(unscored),
    )
