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
    "by_severity",
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
    ("micro.precision", "Micro precision (strict)"),
    ("micro.recall", "Micro recall (strict)"),
    ("micro.f1", "Micro F1 (strict)"),
    ("lenient.f1", "Micro F1, lenient (one shared character)"),
    ("kind_only.f1", "Micro F1, kind-only (counts, no spans)"),
    ("exact.f1", "Exact F1 (strict pair, every field right)"),
    ("typed.f1", "Typed F1 (strict, without other)"),
    ("macro.f1", "Macro F1 (strict, kinds in gold)"),
    ("field_accuracy", "Field accuracy (all compared fields)"),
    ("core_wrong_rate", "Wrong-value rate, matched core criteria"),
    ("coverage", "Coverage (sanity)"),
    ("grounding", "Grounding rate (sanity)"),
)
"""Headline metrics, in display order: (metric name, label)."""


class Report(BaseModel):
    """The JSON report: the result, this run's metrics as a baseline, and the comparison with the old baseline."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[2] = 2
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

    @property
    def reasons(self) -> list[str]:
        """Why the gate fails (empty when it passes or there is no baseline)."""
        return self.comparison.reasons() if self.comparison is not None else []

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


def by_severity(report: Report) -> list[TrialResult]:
    """Trials worst first: newly failing, then failed predictions, then by missed + spurious + wrong-field count."""
    regressed = {c.trial_id for c in report.comparison.trial_regressions} if report.comparison else set()

    def key(t: TrialResult) -> tuple[int, int, int, str]:
        bad = len(t.match.missed) + len(t.match.spurious) + len(t.wrong)
        return (t.trial_id not in regressed, t.status == "ok", -bad, t.trial_id)

    return sorted(report.result.per_trial, key=key)


def trial_kinds(t: TrialResult) -> list[str]:
    """Kinds occurring in a trial's gold or predictions, in first-seen order."""
    seen: dict[str, None] = {}
    for p in t.match.pairs:
        seen[p.gold.kind] = None
    for r in (*t.match.missed, *t.match.spurious):
        seen[r.kind] = None
    return list(seen)


# -- JUnit XML -----------------------------------------------------------------------------------------------------


def _details(t: TrialResult) -> str:
    lines = [trial_summary(t)]
    lines += [f"MISSED {describe_ref(r)}" for r in t.match.missed]
    lines += [f"SPURIOUS {describe_ref(r)}" for r in t.match.spurious]
    lines += [f"WRONG {describe_wrong(p)}" for p in t.wrong]
    return "\n".join(lines)


def render_junit(report: Report) -> str:
    """JUnit XML for CI test-report tools.

    Suite ``eval.<label>``: one test case per gold trial, failing only when the trial regressed against the baseline
    (its mismatches are listed in ``system-out`` either way, so an unchanged run shows no failure). Suite
    ``eval.<label>.gate``: the gate's other checks (gold set unchanged, every gold trial predicted, each tracked
    metric within tolerance). Without a baseline nothing fails.
    """
    result, comp = report.result, report.comparison
    name = f"eval.{result.label or 'predictions'}"
    root = ET.Element("testsuites", name="extractor eval")
    suite = ET.SubElement(root, "testsuite", name=name)
    props = ET.SubElement(suite, "properties")
    for key, _label in HEADLINE:
        value = report.value(key)
        if value is not None:
            ET.SubElement(props, "property", name=key, value=f"{value:.6f}")
    regressed = {c.trial_id: c for c in comp.trial_regressions} if comp is not None else {}
    failures = 0
    for t in result.per_trial:
        case = ET.SubElement(suite, "testcase", classname=name, name=t.trial_id, time="0")
        change = regressed.get(t.trial_id)
        if change is not None:
            failures += 1
            fail = ET.SubElement(case, "failure", type="TrialRegression", message=f"newly fails: {change.describe()}")
            fail.text = change.describe()
        ET.SubElement(case, "system-out").text = _details(t)
    _counts(suite, len(result.per_trial), failures)
    total_tests, total_failures = len(result.per_trial), failures
    if comp is not None and report.baseline is not None:
        gate = ET.SubElement(root, "testsuite", name=f"{name}.gate")
        checks: list[tuple[str, str | None]] = [
            ("gold set unchanged", comp.gold_changed),
            ("every gold trial predicted", ", ".join(comp.missing) or None),
        ]
        by_metric = {r.metric: r for r in comp.regressions}
        for metric in sorted(report.baseline.tracked):
            r = by_metric.get(metric)
            msg = None
            if r is not None:
                msg = (
                    f"{metric} {fmt(r.current)} < baseline {fmt(r.baseline)} "
                    f"({fmt_delta(r.current, r.baseline)}, tolerance {comp.tolerance:g})"
                )
            checks.append((f"metric {metric}", msg))
        n_fail = 0
        for check, problem in checks:
            case = ET.SubElement(gate, "testcase", classname=f"{name}.gate", name=check, time="0")
            if problem:
                n_fail += 1
                ET.SubElement(case, "failure", type="GateFailure", message=problem)
        _counts(gate, len(checks), n_fail)
        total_tests += len(checks)
        total_failures += n_fail
    _counts(root, total_tests, total_failures)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _counts(element: ET.Element, tests: int, failures: int) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    if element.tag == "testsuite":
        element.set("skipped", "0")
