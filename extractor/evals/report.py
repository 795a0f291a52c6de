"""Reports rendered from an :class:`EvalResult` and an optional baseline: the JSON document and JUnit XML here,
Markdown in :mod:`extractor.evals.report_md`, HTML in :mod:`extractor.evals.report_html`.

All numbers are computed before rendering (:func:`build_report`); renderers only format.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.evals.baseline import Baseline, Comparison, compare_all, make_baseline
from extractor.evals.match import CriterionRef, FieldCheck, FieldValue, MatchedPair
from extractor.evals.metrics import EvalResult, TrialResult

__all__ = [
    "HEADLINE",
    "Report",
    "build_report",
    "describe_ref",
    "describe_wrong",
    "fmt",
    "fmt_delta",
    "render_json",
    "render_junit",
    "trial_kinds",
    "trial_summary",
]

HEADLINE: tuple[tuple[str, str], ...] = (
    ("micro.precision", "Micro precision"),
    ("micro.recall", "Micro recall"),
    ("micro.f1", "Micro F1"),
    ("macro.f1", "Macro F1 (kinds in gold)"),
    ("typed.f1", "Typed F1 (without other)"),
    ("coverage", "Coverage"),
    ("grounding", "Grounding rate"),
    ("field_accuracy", "Field accuracy (core fields)"),
)
"""Headline metrics, in display order: (metric name, label)."""


class Report(BaseModel):
    """The JSON report: the result, this run's metrics as a baseline, and the comparison with the old baseline."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    result: EvalResult
    current: Baseline = Field(description="This run's tracked and info metrics (what --update-baseline writes).")
    baseline: Baseline | None = None
    comparison: Comparison | None = None

    @property
    def gate(self) -> Literal["pass", "fail", "none"]:
        """Gate status: ``none`` without a baseline."""
        if self.comparison is None:
            return "none"
        return "fail" if self.comparison.failed else "pass"

    def value(self, metric: str) -> float | None:
        """A current metric by name."""
        return self.current.get(metric)

    def base(self, metric: str) -> float | None:
        """A baseline metric by name (None without a baseline or when it was not recorded)."""
        return self.baseline.get(metric) if self.baseline is not None else None


def build_report(result: EvalResult, baseline: Baseline | None = None, tolerance: float = 0.02) -> Report:
    """Assemble the report (and the comparison when a baseline is given)."""
    comparison = compare_all(result, baseline, tolerance) if baseline is not None else None
    return Report(result=result, current=make_baseline(result), baseline=baseline, comparison=comparison)


def render_json(report: Report) -> str:
    """The JSON report (also accepted as a baseline file)."""
    return report.model_dump_json(indent=2) + "\n"


# -- formatting helpers shared by the renderers --------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    """A metric for display; an en dash when absent."""
    return "–" if value is None else f"{value:.{digits}f}"


def fmt_delta(current: float | None, baseline: float | None, digits: int = 3) -> str:
    """Signed difference for display; empty when either side is absent."""
    if current is None or baseline is None:
        return ""
    d = current - baseline
    return "±0" if abs(d) < 0.5 * 10**-digits else f"{d:+.{digits}f}"


def _show(v: FieldValue) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(v) + "]"
    return "null" if v is None else str(v)


def describe_fields(ref: CriterionRef) -> str:
    """``name=value`` for the set core fields of a criterion."""
    return ", ".join(f"{k}={_show(v)}" for k, v in ref.fields.items() if v not in (None, [], False))


def describe_ref(ref: CriterionRef) -> str:
    """One line: kind, polarity, quote with offsets and the set core fields (plain text)."""
    quote = " ".join(ref.quote.split())
    fields = describe_fields(ref)
    head = f"{ref.kind} ({ref.polarity}) \u201c{quote}\u201d [{ref.start}:{ref.end}]"
    return head + (f" — {fields}" if fields else "")


def describe_check(check: FieldCheck) -> str:
    """``field: expected X, got Y``."""
    return f"{check.field}: expected {_show(check.expected)}, got {_show(check.got)}"


def describe_wrong(pair: MatchedPair) -> str:
    """One line for a matched pair with wrong fields (plain text)."""
    quote = " ".join(pair.gold.quote.split())
    return (
        f"{pair.gold.kind} ({pair.gold.polarity}) \u201c{quote}\u201d [{pair.gold.start}:{pair.gold.end}] — "
        + "; ".join(describe_check(c) for c in pair.wrong)
    )


def trial_summary(t: TrialResult) -> str:
    """E.g. ``2 missed, 1 spurious, 1 wrong-field`` or the error."""
    if t.status != "ok":
        err = t.error
        what = f"{err.type}: {err.message}" if err is not None else t.status
        return f"{t.status} ({what}); {len(t.match.missed)} gold criteria counted as missed"
    return f"{len(t.match.missed)} missed, {len(t.match.spurious)} spurious, {len(t.wrong)} wrong-field"


def trial_kinds(t: TrialResult) -> list[str]:
    """Kinds occurring in a trial's gold or predictions, in first-seen order."""
    seen: dict[str, None] = {}
    for p in t.match.pairs:
        seen[p.gold.kind] = None
    for r in (*t.match.missed, *t.match.spurious):
        seen[r.kind] = None
    return list(seen)


# -- JUnit XML -----------------------------------------------------------------------------------------------------


def render_junit(report: Report) -> str:
    """JUnit XML: one test case per trial x kind (failure when that kind has misses, spurious or wrong fields in
    that trial), and one per tracked metric when a baseline is compared (failure on regression)."""
    result = report.result
    name = f"eval.{result.label or 'predictions'}"
    root = ET.Element("testsuites", name="extractor eval")
    suite = ET.SubElement(root, "testsuite", name=name)
    tests = failures = 0
    for t in result.per_trial:
        for kind in trial_kinds(t):
            tests += 1
            case = ET.SubElement(suite, "testcase", classname=f"{name}.{t.trial_id}", name=kind, time="0")
            missed = [r for r in t.match.missed if r.kind == kind]
            spurious = [r for r in t.match.spurious if r.kind == kind]
            wrong = [p for p in t.wrong if p.gold.kind == kind]
            if not (missed or spurious or wrong):
                continue
            failures += 1
            if t.status != "ok":
                msg = trial_summary(t)
            else:
                msg = f"{len(missed)} missed, {len(spurious)} spurious, {len(wrong)} wrong-field"
            lines = (
                [f"MISSED {describe_ref(r)}" for r in missed]
                + [f"SPURIOUS {describe_ref(r)}" for r in spurious]
                + [f"WRONG {describe_wrong(p)}" for p in wrong]
            )
            fail = ET.SubElement(case, "failure", message=msg, type="EvalMismatch")
            fail.text = "\n".join(lines)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    total_tests, total_failures = tests, failures
    if report.comparison is not None and report.baseline is not None:
        gate = ET.SubElement(root, "testsuite", name=f"{name}.baseline")
        regressed = {r.metric: r for r in report.comparison.regressions}
        n = 0
        for metric in sorted(report.baseline.tracked):
            n += 1
            case = ET.SubElement(gate, "testcase", classname=f"{name}.baseline", name=metric, time="0")
            if metric in regressed:
                r = regressed[metric]
                ET.SubElement(
                    case,
                    "failure",
                    type="Regression",
                    message=f"{metric} {fmt(r.current)} < baseline {fmt(r.baseline)} "
                    f"({fmt_delta(r.current, r.baseline)}, tolerance {report.comparison.tolerance})",
                )
            elif metric in report.comparison.skipped:
                ET.SubElement(case, "skipped", message="not present in this run")
        gate.set("tests", str(n))
        gate.set("failures", str(len(regressed)))
        total_tests += n
        total_failures += len(regressed)
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
