"""HTML report: one self-contained page (inline CSS, no scripts) with per-kind P/R/F1 bars against the baseline.

Every piece of text from the data is escaped.
"""

from __future__ import annotations

from html import escape

from extractor.evals.report import (
    HEADLINE,
    Report,
    describe_ref,
    describe_wrong,
    fmt,
    fmt_delta,
    trial_summary,
)

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}.fail{color:#b00020;font-weight:bold}.pass{color:#1b7f3b;font-weight:bold}
.bars td{border:none;padding:1px 6px}
.bar{position:relative;width:240px;height:12px;background:#eee;display:inline-block}
.fill{position:absolute;left:0;top:0;bottom:0}.p .fill{background:#5b8def}.r .fill{background:#f0a04b}
.f .fill{background:#4caf50}.base{position:absolute;top:-3px;bottom:-3px;width:2px;background:#000}
.neg{color:#b00020}.posd{color:#1b7f3b}details{margin:.3em 0}li{margin:.15em 0}.legend span{margin-right:1em}
"""


def _pct(v: float | None) -> str:
    return f"{max(0.0, min(1.0, v or 0.0)) * 100:.1f}%"


def _delta_td(cur: float | None, base: float | None) -> str:
    d = fmt_delta(cur, base)
    cls = "neg" if d.startswith("-") else ("posd" if d.startswith("+") else "")
    return f'<td class="{cls}">{escape(d)}</td>'


def _bar(label: str, cls: str, cur: float, base: float | None) -> str:
    marker = (
        f'<span class="base" style="left:{_pct(base)}" title="baseline {fmt(base)}"></span>' if base is not None else ""
    )
    title = f"{label} {fmt(cur)}" + (f" (baseline {fmt(base)})" if base is not None else "")
    return (
        f'<tr class="{cls}"><td>{label}</td><td><span class="bar" title="{escape(title)}">'
        f'<span class="fill" style="width:{_pct(cur)}"></span>{marker}</span></td>'
        f"<td>{fmt(cur)}</td><td>{fmt(base)}</td>{_delta_td(cur, base)}</tr>"
    )


def render_html(report: Report) -> str:
    """The HTML page."""
    res, m = report.result, report.result.metrics
    label = escape(res.label or "predictions")
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Eval: {label}</title>'
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Eval: {label}</h1>",
        f"<p>{res.trials} gold trials, {m.micro.tp + m.micro.fn} gold criteria, {m.predicted} predicted.</p>",
    ]
    comp = report.comparison
    if comp is None:
        parts.append("<p>Gate: no baseline.</p>")
    elif comp.failed:
        parts.append(
            f'<p class="fail">Gate: FAIL ({len(comp.regressions)} regression(s), tolerance '
            f"{comp.tolerance:g})</p><h2>Regressions</h2><table><tr><th>Metric</th><th>Baseline</th>"
            "<th>Current</th><th>Δ</th></tr>"
        )
        parts += [
            f"<tr><td>{escape(r.metric)}</td><td>{fmt(r.baseline)}</td><td>{fmt(r.current)}</td>"
            f"{_delta_td(r.current, r.baseline)}</tr>"
            for r in comp.regressions
        ]
        parts.append("</table>")
    else:
        parts.append(f'<p class="pass">Gate: pass (tolerance {comp.tolerance:g})</p>')
    if res.failed:
        parts.append("<h2>Prediction errors</h2><ul>")
        parts += [f"<li><b>{escape(t.trial_id)}</b>: {escape(trial_summary(t))}</li>" for t in res.failed]
        parts.append("</ul>")

    parts.append("<h2>Headline</h2><table><tr><th>Metric</th><th>Current</th><th>Baseline</th><th>Δ</th></tr>")
    for key, name in HEADLINE:
        cur, base = report.value(key), report.base(key)
        parts.append(f"<tr><td>{escape(name)}</td><td>{fmt(cur)}</td><td>{fmt(base)}</td>{_delta_td(cur, base)}</tr>")
    parts.append("</table>")

    parts.append(
        '<h2>Per kind</h2><p class="legend"><span>bar: current</span><span>black line: baseline</span></p>'
        '<table class="bars"><tr><th>Kind / metric</th><th></th><th>Current</th><th>Baseline</th>'
        "<th>Δ</th></tr>"
    )
    for k in res.kinds:
        parts.append(
            f'<tr><th colspan="5">{escape(k.kind)} <small>(gold {k.gold}, predicted {k.predicted}, '
            f"TP {k.tp}, FP {k.fp}, FN {k.fn}, wrong-field {k.wrong})</small></th></tr>"
        )
        for short, cls, attr in (("P", "p", "precision"), ("R", "r", "recall"), ("F1", "f", "f1")):
            parts.append(_bar(short, cls, getattr(k, attr), report.base(f"kind.{k.kind}.{attr}")))
    parts.append("</table>")

    if res.fields:
        parts.append(
            '<h2>Field accuracy</h2><table class="bars"><tr><th>Field</th><th></th><th>Current</th>'
            "<th>Baseline</th><th>Δ</th></tr>"
        )
        for f in res.fields:
            row = _bar(escape(f.field), "f", f.accuracy, report.base(f"field.{f.field}"))
            parts.append(row.replace("</td>", f" <small>({f.correct}/{f.compared})</small></td>", 1))
        parts.append("</table>")

    parts.append("<h2>Per-trial errors</h2>")
    for t in res.per_trial:
        if t.clean:
            continue
        parts.append(f"<details><summary><b>{escape(t.trial_id)}</b>: {escape(trial_summary(t))}</summary><ul>")
        parts += [f"<li>MISSED {escape(describe_ref(r))}</li>" for r in t.match.missed]
        parts += [f"<li>SPURIOUS {escape(describe_ref(r))}</li>" for r in t.match.spurious]
        parts += [f"<li>WRONG {escape(describe_wrong(p))}</li>" for p in t.wrong]
        parts.append("</ul></details>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
