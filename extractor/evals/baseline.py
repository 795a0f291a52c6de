"""Baselines and the regression gate.

A baseline file (``evals/baselines/<backend>.json``, schema 2) records what one evaluation measured:

* ``gold``: the gold set's fingerprint (trial count, ids, criteria count, content hash). A different gold set fails
  the gate until the baseline is rewritten on purpose (``--update-baseline``).
* ``tracked`` (gated) and ``info`` (shown, never gated) metrics by name. Tracked: strict micro P/R/F1, typed F1,
  exact F1, coverage, grounding, strict F1 of each kind with at least ``MIN_SUPPORT`` gold criteria, and accuracy of
  each field compared at least ``MIN_SUPPORT`` times.
* ``per_trial``: each trial's status and, per kind, ``[tp, fp, fn, wrong]`` under strict matching, so the gate can
  name the trials that newly fail (and those newly fixed).

The gate fails on any of: the gold set changed; a gold trial has no prediction; a tracked metric fell more than the
tolerance below its baseline; a trial regressed (more missed, spurious or wrong-field criteria of some kind).
Writing a baseline is always an explicit call.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from extractor.errors import InputError
from extractor.evals.gold import GoldFingerprint
from extractor.evals.metrics import EvalResult, TrialResult

__all__ = [
    "MIN_SUPPORT",
    "Baseline",
    "Comparison",
    "KindDelta",
    "Regression",
    "TrialChange",
    "TrialRecord",
    "all_metrics",
    "compare",
    "compare_all",
    "load_baseline",
    "make_baseline",
    "trial_record",
    "write_baseline",
]

MIN_SUPPORT = 5
_EPS = 1e-9


class TrialRecord(BaseModel):
    """One trial in a baseline: status and, per kind, ``[tp, fp, fn, wrong]`` under strict matching."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["ok", "error", "missing"] = "ok"
    kinds: dict[str, list[int]] = Field(default_factory=dict)


class Baseline(BaseModel):
    """What one evaluation measured: gold fingerprint, tracked (gated) and info metrics, per-trial results."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[2] = 2
    label: str | None = None
    created: str | None = Field(default=None, description="UTC time the baseline was written.")
    trials: int = Field(default=0, description="Corpus gold trials in the headline.")
    gold_criteria: int = 0
    gold: GoldFingerprint | None = None
    tracked: dict[str, float] = Field(default_factory=dict)
    info: dict[str, float] = Field(default_factory=dict)
    per_trial: dict[str, TrialRecord] = Field(default_factory=dict)

    def get(self, metric: str) -> float | None:
        """A metric's value, tracked or info."""
        return self.tracked.get(metric, self.info.get(metric))


class Regression(BaseModel):
    """A tracked metric that moved: ``delta = current - baseline``."""

    model_config = ConfigDict(extra="forbid")

    metric: str
    baseline: float
    current: float
    delta: float


class KindDelta(BaseModel):
    """One kind of one trial that changed: ``[tp, fp, fn, wrong]`` before and after."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    before: list[int]
    after: list[int]

    @property
    def worse(self) -> bool:
        """More spurious, missed or wrong-field criteria than before."""
        return any(a > b for a, b in zip(self.after[1:], self.before[1:], strict=True))

    @property
    def better(self) -> bool:
        """Fewer spurious, missed or wrong-field criteria than before."""
        return any(a < b for a, b in zip(self.after[1:], self.before[1:], strict=True))

    def describe(self) -> str:
        """E.g. ``lab: missed 0→2, wrong 1→0``."""
        names = ("matched", "spurious", "missed", "wrong")
        parts = [f"{n} {b}→{a}" for n, b, a in zip(names, self.before, self.after, strict=True) if a != b]
        return f"{self.kind}: " + ", ".join(parts)


class TrialChange(BaseModel):
    """A trial whose strict results changed against the baseline."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    status_before: str
    status_after: str
    kinds: list[KindDelta] = Field(default_factory=list)

    def describe(self) -> str:
        """One line: status change (if any) and the kinds that moved."""
        head = f"{self.status_before} → {self.status_after}; " if self.status_before != self.status_after else ""
        return head + "; ".join(k.describe() for k in self.kinds)


class Comparison(BaseModel):
    """Result of comparing a run with a baseline: the gate's inputs and verdict."""

    model_config = ConfigDict(extra="forbid")

    tolerance: float
    gold_changed: str | None = Field(default=None, description="How the gold set differs from the baseline's.")
    missing: list[str] = Field(default_factory=list, description="Gold trials without a prediction.")
    regressions: list[Regression] = Field(default_factory=list, description="Fell more than tolerance below.")
    improvements: list[Regression] = Field(default_factory=list, description="Rose above the baseline.")
    skipped: list[str] = Field(default_factory=list, description="Tracked metrics the current run does not have.")
    trial_regressions: list[TrialChange] = Field(default_factory=list, description="Trials that newly fail.")
    trial_fixes: list[TrialChange] = Field(default_factory=list, description="Trials newly better, none worse.")

    @property
    def failed(self) -> bool:
        """True when the gate fails."""
        return bool(self.gold_changed or self.missing or self.regressions or self.trial_regressions)

    def reasons(self) -> list[str]:
        """Why the gate fails, one line each (empty when it passes)."""
        out = []
        if self.gold_changed:
            out.append(f"gold set changed ({self.gold_changed}); review it, then run with --update-baseline")
        if self.missing:
            out.append(f"{len(self.missing)} gold trial(s) without a prediction: {', '.join(self.missing[:10])}")
        if self.regressions:
            out.append(
                f"{len(self.regressions)} tracked metric(s) fell more than {self.tolerance:g}: "
                + ", ".join(r.metric for r in self.regressions[:10])
            )
        if self.trial_regressions:
            out.append(
                f"{len(self.trial_regressions)} trial(s) newly fail: "
                + ", ".join(t.trial_id for t in self.trial_regressions[:10])
            )
        return out


def all_metrics(result: EvalResult) -> tuple[dict[str, float], dict[str, float]]:
    """(tracked, info) metrics of a result, by name, e.g. ``micro.f1``, ``kind.her2.f1``, ``field.her2.status``."""
    m = result.metrics
    tracked = {
        "micro.precision": m.micro.precision,
        "micro.recall": m.micro.recall,
        "micro.f1": m.micro.f1,
        "typed.f1": m.typed.f1,
        "exact.f1": m.exact.f1,
        "coverage": m.coverage,
        "grounding": m.grounding_rate,
    }
    info = {
        "macro.f1": m.macro_f1,
        "field_accuracy": m.field_accuracy,
        "lenient.f1": m.lenient.f1,
        "kind_only.f1": m.kind_only.f1,
        "core_wrong_rate": m.core_wrong_rate,
    }
    for k in result.kinds:
        for name in ("precision", "recall", "f1", "lenient_f1", "kind_only_f1"):
            info[f"kind.{k.kind}.{name}"] = getattr(k, name)
        if k.gold >= MIN_SUPPORT:
            tracked[f"kind.{k.kind}.f1"] = k.f1
    for f in result.fields:
        (tracked if f.compared >= MIN_SUPPORT else info)[f"field.{f.field}"] = f.accuracy
    for name, subset in (("seeds", result.seeds), ("external", result.external)):
        if subset is not None:
            info[f"{name}.micro.f1"] = subset.metrics.micro.f1
            info[f"{name}.lenient.f1"] = subset.metrics.lenient.f1
    return tracked, info


def _current_value(result: EvalResult, metric: str, tracked: dict[str, float], info: dict[str, float]) -> float | None:
    if metric in tracked:
        return tracked[metric]
    if metric in info:
        return info[metric]
    if metric.startswith("field."):
        kind = metric.split(".")[1]
        row = result.kind(kind)
        if row is not None and row.gold:  # the kind is still in gold but nothing was matched: accuracy 0
            return 0.0
    return None


def trial_record(t: TrialResult) -> TrialRecord:
    """A trial's strict result per kind, as stored in a baseline."""
    rows: dict[str, list[int]] = {}
    for pair in t.match.pairs:
        row = rows.setdefault(pair.gold.kind, [0, 0, 0, 0])
        row[0] += 1
        row[3] += bool(pair.wrong)
    for col, refs in ((1, t.match.spurious), (2, t.match.missed)):
        for ref in refs:
            rows.setdefault(ref.kind, [0, 0, 0, 0])[col] += 1
    return TrialRecord(status=t.status, kinds=dict(sorted(rows.items())))


def make_baseline(result: EvalResult) -> Baseline:
    """The baseline that ``result`` would write."""
    tracked, info = all_metrics(result)
    return Baseline(
        label=result.label,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        trials=result.trials,
        gold_criteria=result.metrics.micro.tp + result.metrics.micro.fn,
        gold=result.gold,
        tracked={k: round(v, 6) for k, v in tracked.items()},
        info={k: round(v, 6) for k, v in info.items()},
        per_trial={t.trial_id: trial_record(t) for t in result.per_trial},
    )


def _gold_change(old: GoldFingerprint | None, new: GoldFingerprint | None) -> str | None:
    if old is None or new is None or old.sha256 == new.sha256:
        return None
    added = sorted(set(new.ids) - set(old.ids))
    removed = sorted(set(old.ids) - set(new.ids))
    parts = [f"{old.trials} -> {new.trials} trials, {old.criteria} -> {new.criteria} criteria"]
    if added:
        parts.append(f"added {', '.join(added[:5])}" + (f" and {len(added) - 5} more" if len(added) > 5 else ""))
    if removed:
        parts.append(
            f"removed {', '.join(removed[:5])}" + (f" and {len(removed) - 5} more" if len(removed) > 5 else "")
        )
    if not added and not removed:
        parts.append("same trials, different labels or texts")
    return "; ".join(parts)


def _trial_changes(result: EvalResult, baseline: Baseline) -> tuple[list[TrialChange], list[TrialChange]]:
    worse, better = [], []
    for t in result.per_trial:
        old = baseline.per_trial.get(t.trial_id)
        if old is None:
            continue
        new = trial_record(t)
        deltas = [
            KindDelta(kind=k, before=old.kinds.get(k, [0, 0, 0, 0]), after=new.kinds.get(k, [0, 0, 0, 0]))
            for k in sorted(set(old.kinds) | set(new.kinds))
        ]
        deltas = [d for d in deltas if d.before != d.after]
        change = TrialChange(trial_id=t.trial_id, status_before=old.status, status_after=new.status, kinds=deltas)
        if any(d.worse for d in deltas):
            worse.append(change)
        elif any(d.better for d in deltas):
            better.append(change)
    return worse, better


def compare_all(result: EvalResult, baseline: Baseline, tolerance: float = 0.02) -> Comparison:
    """Compare a run with ``baseline``: gold fingerprint, missing predictions, tracked metrics, per-trial results."""
    tracked, info = all_metrics(result)
    worse, better = _trial_changes(result, baseline)
    out = Comparison(
        tolerance=tolerance,
        gold_changed=_gold_change(baseline.gold, result.gold),
        missing=[t.trial_id for t in result.per_trial if t.status == "missing"],
        trial_regressions=worse,
        trial_fixes=better,
    )
    for metric, base in sorted(baseline.tracked.items()):
        value = _current_value(result, metric, tracked, info)
        if value is None:
            out.skipped.append(metric)
            continue
        cur = round(value, 6)  # baselines are stored to 6 decimals: compare like with like
        row = Regression(metric=metric, baseline=base, current=cur, delta=round(cur - base, 6))
        if cur < base - tolerance - _EPS:
            out.regressions.append(row)
        elif cur > base + _EPS:
            out.improvements.append(row)
    out.regressions.sort(key=lambda r: (r.delta, r.metric))
    out.improvements.sort(key=lambda r: (-r.delta, r.metric))
    return out


def compare(result: EvalResult, baseline: Baseline, tolerance: float = 0.02) -> list[Regression]:
    """Tracked metrics that fell more than ``tolerance`` below ``baseline`` (worst first)."""
    return compare_all(result, baseline, tolerance).regressions


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline file, or a ``report.json`` (its result becomes the baseline). Raises :class:`InputError`."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("baseline file not found", file=str(p)) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read baseline: {e}", file=str(p)) from e
    if isinstance(data, dict) and "result" not in data and data.get("schema_version") == 1:
        raise InputError(
            "baseline schema 1 (lenient matching, no gold fingerprint) is no longer read: rewrite it with "
            "--update-baseline",
            file=str(p),
            field="schema_version",
        )
    try:
        if isinstance(data, dict) and "result" in data:
            return make_baseline(EvalResult.model_validate(data["result"]))
        return Baseline.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or None
        raise InputError(
            f"not a baseline or report.json: {' '.join(str(err['msg']).split())}", file=str(p), field=field
        ) from e


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a baseline or report is an ordinary file
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_baseline(result: EvalResult, path: str | Path) -> Baseline:
    """Write the baseline of ``result`` to ``path`` (explicit only: the CLI's ``--update-baseline``)."""
    baseline = make_baseline(result)
    write_atomic(Path(path), baseline.model_dump_json(indent=2) + "\n")
    return baseline
