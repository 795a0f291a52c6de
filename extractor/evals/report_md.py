"""Markdown reports. ``render_markdown(report)`` is the compact summary sized for a CI job summary (gate, headline,
per-kind table, regressions; well under 100 KB for hundreds of trials); ``full=True`` adds every trial's missed,
spurious and wrong-field criteria in collapsible blocks."""

from __future__ import annotations

import html
import re

from extractor.evals.baseline import Regression
from extractor.evals.metrics import KindMetrics, SubsetResult
from extractor.evals.report import (
    HEADLINE,
    Report,
    by_severity,
    describe_ref,
    describe_wrong,
    fmt,
    fmt_delta,
    trial_summary,
)

__all__ = ["render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_MAX_LINE = 300


def _md(text: str, limit: int = _MAX_LINE) -> str:
    """Plain text made safe inside Markdown (tables included): one line, specials escaped, HTML escaped, capped."""
    one = " ".join(text.split())
    if len(one) > limit:
        one = one[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(one, quote=False))


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    sep = [":---"] + ["---:"] * (len(header) - 1)
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(sep) + " |",
        *("| " + " | ".join(r) + " |" for r in rows),
        "",
    ]


def _regression_rows(rows: list[Regression]) -> list[list[str]]:
    return [[f"`{r.metric}`", fmt(r.baseline), fmt(r.current), fmt_delta(r.current, r.baseline)] for r in rows]


def _kind_rows(report: Report, kinds: list[KindMetrics], with_base: bool) -> list[list[str]]:
    rows = []
    for k in kinds:
        row = [
            f"`{k.kind}`",
            str(k.gold),
            str(k.predicted),
            fmt(k.precision),
            fmt(k.recall),
            f"**{fmt(k.f1)}**",
            fmt(k.lenient_f1),
            fmt(k.kind_only_f1),
            str(k.wrong),
        ]
        if with_base:
            base = report.base(f"kind.{k.kind}.f1")
            row += [fmt(base), fmt_delta(k.f1, base)]
        rows.append(row)
    return rows


_KIND_HEADER = ["Kind", "Gold", "Pred", "P", "R", "F1", "Lenient F1", "Kind-only F1", "Wrong"]


def _gate(report: Report) -> list[str]:
    comp = report.comparison
    if comp is None:
        return ["**Gate: no baseline** (pass `--baseline FILE` to compare).", ""]
    if not comp.failed:
        return [f"**Gate: pass** (metric tolerance {comp.tolerance:g}; no trial newly fails; gold set unchanged).", ""]
    return ["**Gate: FAIL**", "", *(f"- {_md(r)}" for r in comp.reasons()), ""]


def _subset(title: str, noun: str, subset: SubsetResult) -> list[str]:
    m = subset.metrics
    return [
        f"### {title}",
        "",
        f"{subset.trials} {noun}, {m.micro.tp + m.micro.fn} gold criteria: strict F1 {fmt(m.micro.f1)}, "
        f"lenient {fmt(m.lenient.f1)}, kind-only {fmt(m.kind_only.f1)}, exact {fmt(m.exact.f1)}.",
        "",
    ]


def render_markdown(report: Report, *, full: bool = False) -> str:
    """The Markdown report: compact by default, every trial's diff with ``full=True``."""
    res, m = report.result, report.result.metrics
    comp = report.comparison
    title = f"## Eval: {_md(res.label)}" if res.label else "## Eval"
    gold_n = m.micro.tp + m.micro.fn
    out = [
        title,
        "",
        f"{res.trials} corpus gold trials, {gold_n} gold criteria, {m.predicted} predicted criteria; strict "
        "matching (the prediction lies in the gold criterion's item and covers at least half its span).",
        "",
        *_gate(report),
    ]
    if report.baseline is not None:
        b = report.baseline
        out += [
            f"Baseline: {_md(b.label or '?')}, {b.trials} trials, {b.gold_criteria} gold criteria"
            + (f", written {_md(b.created)}." if b.created else "."),
            "",
        ]

    out += ["### Headline", ""]
    rows = [
        [label, fmt(report.value(k)), fmt(report.base(k)), fmt_delta(report.value(k), report.base(k))]
        for k, label in HEADLINE
    ]
    out += _table(["Metric", "Current", "Baseline", "Δ"], rows)
    out += [
        f"Strict coverage {m.covered_spans}/{m.gold_spans} gold spans; grounding {m.grounded}/{m.predicted}; fields "
        f"{m.fields_correct}/{m.fields_compared} right; core criteria with a wrong value {m.core_wrong}/"
        f"{m.core_matched}.",
        "",
    ]
    if (checks := res.llm_checks) is not None:
        out += [
            f"LLM validation: {checks.rejected} criteria rejected, {checks.reasks} re-asks, {checks.flagged} kept "
            "with numbers not written in their quote (flagged).",
            "",
        ]

    if comp is not None and comp.regressions:
        out += ["### Metric regressions", ""]
        out += _table(["Metric", "Baseline", "Current", "Δ"], _regression_rows(comp.regressions))
    if comp is not None and comp.trial_regressions:
        out += [f"### Trials that newly fail ({len(comp.trial_regressions)})", ""]
        out += [f"- **{_md(c.trial_id)}**: {_md(c.describe())}" for c in comp.trial_regressions]
        out.append("")
    if res.failed:
        out += [f"### Prediction errors ({len(res.failed)})", ""]
        out += [f"- **{_md(t.trial_id)}**: {_md(trial_summary(t))}" for t in res.failed]
        out.append("")

    out += ["### Per kind (strict; lenient and kind-only beside)", ""]
    with_base = report.baseline is not None
    header = _KIND_HEADER + (["Base F1", "Δ F1"] if with_base else [])
    out += _table(header, _kind_rows(report, res.kinds, with_base))
    out += ["Wrong: strict pairs with at least one wrong field (they still count in F1; `exact.f1` does not).", ""]

    if comp is not None and comp.trial_fixes:
        out += [f"<details><summary>Trials newly fixed ({len(comp.trial_fixes)})</summary>", ""]
        out += [f"- {_md(c.trial_id)}: {_md(c.describe())}" for c in comp.trial_fixes]
        out += ["", "</details>", ""]
    if comp is not None and comp.improvements:
        out += [
            f"<details><summary>Metrics above the baseline ({len(comp.improvements)}; update it with "
            "--update-baseline)</summary>",
            "",
        ]
        out += _table(["Metric", "Baseline", "Current", "Δ"], _regression_rows(comp.improvements))
        out += ["</details>", ""]
    if res.seeds is not None:
        out += _subset("Seed documents (development fixtures, scored apart)", "seeds", res.seeds)
    if res.external is not None:
        out += _subset(
            "External texts (outside the corpus, unseen by rule writers; scored apart)", "trials", res.external
        )
    if res.fields:
        out += ["<details><summary>Field accuracy (every compared field)</summary>", ""]
        frows = []
        for f in res.fields:
            base = report.base(f"field.{f.field}")
            frows.append(
                [f"`{f.field}`", f"{f.correct}/{f.compared}", fmt(f.accuracy), fmt(base), fmt_delta(f.accuracy, base)]
            )
        out += _table(["Field", "Right", "Accuracy", "Baseline", "Δ"], frows)
        out += ["</details>", ""]
    if comp is not None and comp.skipped:
        out += ["Tracked metrics not in this run: " + ", ".join(f"`{s}`" for s in comp.skipped), ""]
    if res.unscored:
        out += [f"Predictions without gold (not scored): {len(res.unscored)}.", ""]
    if full:
        out += _per_trial(report)
    return "\n".join(out).rstrip() + "\n"


def _per_trial(report: Report) -> list[str]:
    out = ["### Per trial (worst first)", ""]
    dirty = [t for t in by_severity(report) if not t.clean]
    if not dirty:
        return [*out, "No missed, spurious or wrong-field criteria.", ""]
    for t in dirty:
        out += [f"<details><summary>{html.escape(t.trial_id)}: {html.escape(trial_summary(t))}</summary>", ""]
        for heading, lines in (
            ("Missed", [describe_ref(r) for r in t.match.missed]),
            ("Spurious", [describe_ref(r) for r in t.match.spurious]),
            ("Wrong fields", [describe_wrong(p) for p in t.wrong]),
        ):
            if lines:
                out += [f"**{heading}**", "", *(f"- {_md(line, 1000)}" for line in lines), ""]
        out += ["</details>", ""]
    return out
