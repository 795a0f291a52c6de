"""Markdown report, sized for a CI job summary: gate and regressions first, headline, per-kind and per-field tables,
then per-trial diffs (missed / spurious / wrong-field criteria with their quotes) in collapsible blocks."""

from __future__ import annotations

import html
import re

from extractor.evals.baseline import Regression
from extractor.evals.report import (
    HEADLINE,
    Report,
    describe_ref,
    describe_wrong,
    fmt,
    fmt_delta,
    trial_summary,
)

__all__ = ["render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _md(text: str) -> str:
    """Plain text made safe inside Markdown (tables included): one line, specials escaped, HTML escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def _table(header: list[str], rows: list[list[str]], align: str = "") -> list[str]:
    aligns = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else ":---" for a in aligns]
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(sep) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
    ]


def _regression_rows(rows: list[Regression]) -> list[list[str]]:
    return [[f"`{r.metric}`", fmt(r.baseline), fmt(r.current), fmt_delta(r.current, r.baseline)] for r in rows]


def render_markdown(report: Report) -> str:
    """The Markdown report."""
    res, m = report.result, report.result.metrics
    title = f"## Eval: {_md(res.label)}" if res.label else "## Eval"
    gold_n = m.micro.tp + m.micro.fn
    out = [title, "", f"{res.trials} gold trials, {gold_n} gold criteria, {m.predicted} predicted criteria.", ""]
    comp = report.comparison
    if comp is None:
        out += ["**Gate: no baseline** (pass `--baseline FILE` to compare).", ""]
    elif comp.failed:
        out += [
            f"**Gate: FAIL** — {len(comp.regressions)} tracked metric(s) fell more than "
            f"{comp.tolerance:g} below the baseline.",
            "",
            "### Regressions",
            "",
        ]
        out += _table(["Metric", "Baseline", "Current", "Δ"], _regression_rows(comp.regressions))
    else:
        out += [f"**Gate: pass** — no tracked metric fell more than {comp.tolerance:g} below the baseline.", ""]
    if report.baseline is not None:
        b = report.baseline
        out += [
            f"Baseline: {_md(b.label or '?')}, {b.trials} trials, {b.gold_criteria} gold criteria"
            + (f", written {_md(b.created)}." if b.created else "."),
            "",
        ]
    if res.failed:
        out += ["### Prediction errors", ""]
        out += [f"- **{_md(t.trial_id)}**: {_md(trial_summary(t))}" for t in res.failed]
        out.append("")

    out += ["### Headline", ""]
    rows = [
        [label, fmt(report.value(k)), fmt(report.base(k)), fmt_delta(report.value(k), report.base(k))]
        for k, label in HEADLINE
    ]
    out += _table(["Metric", "Current", "Baseline", "Δ"], rows)
    out += [
        f"Coverage: {m.covered_spans}/{m.gold_spans} gold spans; grounding: {m.grounded}/{m.predicted} "
        f"predictions; fields: {m.fields_correct}/{m.fields_compared} correct.",
        "",
    ]

    out += ["### Per kind", ""]
    rows = []
    for k in res.kinds:
        base_f1 = report.base(f"kind.{k.kind}.f1")
        rows.append(
            [
                f"`{k.kind}`",
                str(k.gold),
                str(k.predicted),
                str(k.tp),
                str(k.fp),
                str(k.fn),
                str(k.wrong),
                fmt(k.precision),
                fmt(k.recall),
                fmt(k.f1),
                fmt(base_f1),
                fmt_delta(k.f1, base_f1),
            ]
        )
    out += _table(["Kind", "Gold", "Pred", "TP", "FP", "FN", "Wrong", "P", "R", "F1", "Base F1", "Δ F1"], rows)
    out += ["Wrong: matched criteria with at least one wrong core field (they still count as TP).", ""]

    if res.fields:
        out += ["### Field accuracy", ""]
        rows = []
        for f in res.fields:
            base = report.base(f"field.{f.field}")
            rows.append(
                [f"`{f.field}`", f"{f.correct}/{f.compared}", fmt(f.accuracy), fmt(base), fmt_delta(f.accuracy, base)]
            )
        out += _table(["Field", "Correct", "Accuracy", "Baseline", "Δ"], rows)

    if comp is not None and comp.improvements:
        out += [
            "<details><summary>Improvements over the baseline "
            f"({len(comp.improvements)}; update it with --update-baseline)</summary>",
            "",
        ]
        out += _table(["Metric", "Baseline", "Current", "Δ"], _regression_rows(comp.improvements))
        out += ["</details>", ""]
    if comp is not None and comp.skipped:
        out += ["Tracked metrics not in this run: " + ", ".join(f"`{s}`" for s in comp.skipped), ""]

    out += ["### Per-trial errors", ""]
    dirty = [t for t in res.per_trial if not t.clean]
    if not dirty:
        out += ["No missed, spurious or wrong-field criteria.", ""]
    for t in dirty:
        out += [f"<details><summary>{html.escape(t.trial_id)}: {html.escape(trial_summary(t))}</summary>", ""]
        for heading, lines in (
            ("Missed", [describe_ref(r) for r in t.match.missed]),
            ("Spurious", [describe_ref(r) for r in t.match.spurious]),
            ("Wrong fields", [describe_wrong(p) for p in t.wrong]),
        ):
            if lines:
                out += [f"**{heading}**", "", *(f"- {_md(line)}" for line in lines), ""]
        out += ["</details>", ""]
    if res.unscored:
        out += ["Predictions without gold (not scored): " + ", ".join(_md(u) for u in res.unscored), ""]
    return "\n".join(out).rstrip() + "\n"
