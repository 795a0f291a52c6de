"""Baselines and the regression gate.

A baseline file (``evals/baselines/<backend>.json``) holds the *tracked* metrics (gated) and *info* metrics (shown
beside the current numbers, never gated). Tracked: micro P/R/F1, typed F1, coverage, grounding rate, F1 of each kind
with at least ``MIN_SUPPORT`` gold criteria, and accuracy of each core field compared at least ``MIN_SUPPORT`` times.
A ``report.json`` is accepted as a baseline too. Writing a baseline is always an explicit call.
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
from extractor.evals.metrics import EvalResult

__all__ = [
    "MIN_SUPPORT",
    "Baseline",
    "Comparison",
    "Regression",
    "all_metrics",
    "compare",
    "compare_all",
    "load_baseline",
    "make_baseline",
    "write_baseline",
]

MIN_SUPPORT = 5
_EPS = 1e-9


class Baseline(BaseModel):
    """Tracked (gated) and info metrics of one evaluation, by metric name."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    label: str | None = None
    created: str | None = Field(default=None, description="UTC time the baseline was written.")
    trials: int = 0
    gold_criteria: int = 0
    tracked: dict[str, float] = Field(default_factory=dict)
    info: dict[str, float] = Field(default_factory=dict)

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


class Comparison(BaseModel):
    """Result of comparing a run with a baseline."""

    model_config = ConfigDict(extra="forbid")

    tolerance: float
    regressions: list[Regression] = Field(default_factory=list, description="Fell more than tolerance below.")
    improvements: list[Regression] = Field(default_factory=list, description="Rose above the baseline.")
    skipped: list[str] = Field(default_factory=list, description="Tracked metrics the current run does not have.")

    @property
    def failed(self) -> bool:
        """True when the gate fails."""
        return bool(self.regressions)


def all_metrics(result: EvalResult) -> tuple[dict[str, float], dict[str, float]]:
    """(tracked, info) metrics of a result, by name, e.g. ``micro.f1``, ``kind.her2.f1``, ``field.her2.status``."""
    m = result.metrics
    tracked = {
        "micro.precision": m.micro.precision,
        "micro.recall": m.micro.recall,
        "micro.f1": m.micro.f1,
        "typed.f1": m.typed.f1,
        "coverage": m.coverage,
        "grounding": m.grounding_rate,
    }
    info = {"macro.f1": m.macro_f1, "field_accuracy": m.field_accuracy}
    for k in result.kinds:
        for name in ("precision", "recall", "f1"):
            info[f"kind.{k.kind}.{name}"] = getattr(k, name)
        if k.gold >= MIN_SUPPORT:
            tracked[f"kind.{k.kind}.f1"] = k.f1
    for f in result.fields:
        (tracked if f.compared >= MIN_SUPPORT else info)[f"field.{f.field}"] = f.accuracy
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


def make_baseline(result: EvalResult) -> Baseline:
    """The baseline that ``result`` would write."""
    tracked, info = all_metrics(result)
    return Baseline(
        label=result.label,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        trials=result.trials,
        gold_criteria=result.metrics.micro.tp + result.metrics.micro.fn,
        tracked={k: round(v, 6) for k, v in tracked.items()},
        info={k: round(v, 6) for k, v in info.items()},
    )


def compare_all(result: EvalResult, baseline: Baseline, tolerance: float = 0.02) -> Comparison:
    """Compare every tracked metric of ``baseline`` with ``result``."""
    tracked, info = all_metrics(result)
    out = Comparison(tolerance=tolerance)
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
    """Read a baseline file, or a ``report.json`` (its metrics become the baseline). Raises :class:`InputError`."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("baseline file not found", file=str(p)) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"cannot read baseline: {e}", file=str(p)) from e
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
