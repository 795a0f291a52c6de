"""HTML report: one self-contained page (inline CSS, no scripts) rendered from a Jinja2 template.

Per-kind table with P/R/F1 bars against the baseline; an index of trials sorted by severity (newly failing first);
per trial, the source text with gold and predicted spans highlighted, gold and prediction paired side by side with
the differing fields marked, and links between the index, the pairs and the spans. Jinja2 autoescapes all data.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache

import jinja2

from extractor.evals.match import CriterionRef, FieldValue, MatchedPair
from extractor.evals.metrics import TrialResult
from extractor.evals.report import HEADLINE, Report, by_severity, fmt, fmt_delta, trial_summary

__all__ = ["render_html"]


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("extractor.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["pct"] = lambda v: f"{max(0.0, min(1.0, v or 0.0)) * 100:.1f}%"
    env.globals["fmt_delta"] = fmt_delta
    return env


@dataclass
class Segment:
    """A run of source text with the gold and predicted criteria covering it."""

    text: str
    gold: list[int] = field(default_factory=list)
    pred: list[int] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)

    @property
    def css(self) -> str:
        """``g`` gold only, ``p`` predicted only, ``gp`` both, empty for plain text."""
        return ("g" if self.gold else "") + ("p" if self.pred else "")


@dataclass
class Row:
    """One line of a trial's pairing table: a gold criterion, a prediction, or both."""

    status: str  # matched | wrong | missed | spurious
    gold: CriterionRef | None
    pred: CriterionRef | None
    diff: set[str] = field(default_factory=set)


@dataclass
class TrialView:
    """What the template shows of one trial."""

    t: TrialResult
    summary: str
    regressed: str | None
    fixed: str | None
    segments: list[Segment]
    rows: list[Row]


def _segments(text: str, trial: TrialResult) -> list[Segment]:
    gold = {r.index: r for r in (*(p.gold for p in trial.match.pairs), *trial.match.missed)}
    pred = {r.index: r for r in (*(p.pred for p in trial.match.pairs), *trial.match.spurious)}
    cuts = {0, len(text)}
    for r in (*gold.values(), *pred.values()):
        cuts.update((max(0, min(r.start, len(text))), max(0, min(r.end, len(text)))))
    bounds = sorted(cuts)
    out = []
    for a, b in itertools.pairwise(bounds):
        seg = Segment(text=text[a:b])
        seg.gold = [i for i, r in sorted(gold.items()) if r.start <= a and b <= r.end]
        seg.pred = [j for j, r in sorted(pred.items()) if r.start <= a and b <= r.end]
        seg.anchors = [f"g{i}" for i, r in sorted(gold.items()) if r.start == a]
        seg.anchors += [f"p{j}" for j, r in sorted(pred.items()) if r.start == a]
        out.append(seg)
    return out


def _row(pair: MatchedPair) -> Row:
    diff = {c.field.split(".", 1)[1] for c in pair.wrong}
    return Row(status="wrong" if diff else "matched", gold=pair.gold, pred=pair.pred, diff=diff)


def _rows(trial: TrialResult) -> list[Row]:
    rows = [_row(p) for p in trial.match.pairs]
    rows += [Row(status="missed", gold=r, pred=None) for r in trial.match.missed]
    rows += [Row(status="spurious", gold=None, pred=r) for r in trial.match.spurious]
    order = {"missed": 0, "wrong": 1, "spurious": 2, "matched": 3}

    def key(r: Row) -> tuple[int, int]:
        ref = r.gold or r.pred
        return (order[r.status], ref.start if ref is not None else 0)

    return sorted(rows, key=key)


def _show(v: FieldValue) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(v) + "]"
    return "–" if v is None else str(v)


def render_html(report: Report, texts: dict[str, str] | None = None) -> str:
    """The HTML page. ``texts`` (trial id -> source text) enables the highlighted source view."""
    comp = report.comparison
    regressed = {c.trial_id: c.describe() for c in comp.trial_regressions} if comp else {}
    fixed = {c.trial_id: c.describe() for c in comp.trial_fixes} if comp else {}
    views = [
        TrialView(
            t=t,
            summary=trial_summary(t),
            regressed=regressed.get(t.trial_id),
            fixed=fixed.get(t.trial_id),
            segments=_segments(texts[t.trial_id], t) if texts and t.trial_id in texts else [],
            rows=_rows(t),
        )
        for t in by_severity(report)
    ]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            report=report,
            result=report.result,
            m=report.result.metrics,
            headline=HEADLINE,
            views=views,
            show=_show,
        )
    )
