"""The trial viewer: one static, self-contained HTML page (inline CSS, no scripts, no external resources).

The page shows the trial's criteria text with each criterion's evidence span highlighted, coloured by kind (with a
legend). Spans are laid out as a tree of nested ``<mark>`` elements, one per criterion (``id="c<i>"``): a span that
crosses the end of an enclosing one is cut there and continues in a second ``<mark class="part">``. With a
:class:`~extractor.models.match.MatchResult`, each criterion is coloured by its status (met / not_met / unknown /
not_evaluable) with its reason in the list beside the text and in the ``title`` (hover) of its mark, under a banner
with the verdict and the blocking and unknown criteria; registry-sourced criteria (no span in the text) are listed
apart. Rendered from ``extractor/templates/view.html.j2`` by Jinja2 with autoescaping: all text is HTML-escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import jinja2

from extractor.errors import ConfigError, InputError
from extractor.kinds import KINDS, Criterion
from extractor.models.criteria import BASE_FIELDS
from extractor.models.match import CriterionMatch, MatchResult
from extractor.models.records import CriteriaSet, OutputRecord

__all__ = ["render_view"]

STATUSES = ("met", "not_met", "unknown", "not_evaluable")
_PALETTE = (  # Kelly (1965), 22 colours of maximum contrast, without white, black and grey (grey is `other`'s)
    "#be0032",
    "#0067a5",
    "#f38400",
    "#008856",
    "#875692",
    "#f3c300",
    "#882d17",
    "#a1caf1",
    "#e68fac",
    "#8db600",
    "#604e97",
    "#f99379",
    "#2b3d26",
    "#c2b280",
    "#b3446c",
    "#dcd300",
    "#654522",
    "#e25822",
    "#f6a600",
    "#17becf",
)
_MAX_DEPTH = 6  # nesting depth classes d0..d6 (deeper marks share d6)


@dataclass
class _Span:
    start: int
    end: int
    index: int
    first: bool = True


@dataclass
class Node:
    """A run of plain text (``index`` None) or one criterion's mark holding child nodes."""

    text: str = ""
    index: int | None = None
    first: bool = True
    children: list[Node] = field(default_factory=list)
    depth: int = 0  # marks nested inside this one, at most (sets how far its underline sits below the text)


@dataclass
class Row:
    """One criterion as the page lists it."""

    index: int
    criterion: Criterion
    summary: str
    status: str | None = None
    reason: str | None = None
    source: str = "text"
    located: bool = True

    @property
    def title(self) -> str:
        """The hover text of its mark: kind, polarity, and status with reason when judged."""
        head = f"{self.criterion.kind} ({self.criterion.polarity})"
        return f"{head} - {self.status}: {self.reason}" if self.status else f"{head}: {self.summary}"


def render_view(source: CriteriaSet | OutputRecord, match_result: MatchResult | None = None) -> str:
    """The HTML page for one trial's criteria (a :class:`CriteriaSet`, or an ``extract`` output record written with
    ``--include-text``), optionally with one patient's :class:`MatchResult` for that trial."""
    text = source.source_text
    if isinstance(source, OutputRecord) and source.error is not None:
        raise InputError(
            f"record is an error record ({source.error.type}: {source.error.message})", trial_id=source.trial_id
        )
    if text is None:
        raise InputError(
            "record has no source_text: write it with `extractor extract --include-text`", trial_id=source.trial_id
        )
    if match_result is not None and match_result.trial_id != source.trial_id:
        raise ConfigError(f"the match result is for trial {match_result.trial_id}, the criteria for {source.trial_id}")
    rows = _rows(source.criteria, match_result, text)
    spans = [_Span(r.criterion.evidence.start, r.criterion.evidence.end, r.index) for r in rows if r.located]
    nodes = _tree(text, 0, len(text), sorted(spans, key=lambda s: (s.start, -s.end, s.index)))
    by_index = {r.index: r for r in rows}
    kinds = [k for k in KINDS if any(r.criterion.kind == k for r in rows)]
    registry = source.registry if isinstance(source, OutputRecord) else {}
    return (
        _env()
        .get_template("view.html.j2")
        .render(
            trial_id=source.trial_id,
            nodes=nodes,
            rows=rows,
            by_index=by_index,
            kinds=kinds,
            colours={k: _colour(k) for k in KINDS},
            statuses=STATUSES,
            match=match_result,
            registry={k: v for k, v in registry.items() if k in ("sex", "minimum_age", "maximum_age") and v},
            provenance=source.provenance,
            max_depth=_MAX_DEPTH,
        )
    )


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("extractor", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _colour(kind: str) -> tuple[str, str]:
    """The kind's (strong, light) colours: Kelly's colours of maximum contrast in registry order, ``other`` grey."""
    if kind == "other":
        return "#777777", "#ececec"
    strong = _PALETTE[KINDS.index(kind) % len(_PALETTE)]
    rgb = [int(strong[i : i + 2], 16) for i in (1, 3, 5)]
    return strong, "#" + "".join(f"{round(255 - (255 - c) * 0.3):02x}" for c in rgb)


def _summary(c: Criterion) -> str:
    """The criterion's own fields that are set, as ``name=value`` (``kind``, evidence and the like left out)."""
    fields = c.model_dump(exclude=set(BASE_FIELDS), exclude_none=True)
    return ", ".join(f"{k}={v}" for k, v in fields.items() if v not in ([], {})) or "-"


def _rows(criteria: list[Criterion], match: MatchResult | None, text: str) -> list[Row]:
    items: list[tuple[Criterion, CriterionMatch | None]] = (
        [(m.criterion, m) for m in match.criteria] if match is not None else [(c, None) for c in criteria]
    )
    rows = []
    for i, (c, m) in enumerate(items):
        source = m.source if m is not None else "text"
        rows.append(
            Row(
                index=i,
                criterion=c,
                summary=_summary(c),
                status=m.status if m is not None else None,
                reason=m.reason if m is not None else None,
                source=source,
                located=source == "text" and c.evidence.is_grounded_in(text),
            )
        )
    return rows


def _tree(text: str, lo: int, hi: int, spans: list[_Span]) -> list[Node]:
    """``text[lo:hi]`` as nodes; ``spans`` (inside ``[lo, hi)``, sorted by start, longest first) become nested marks,
    a span crossing the end of the one enclosing it cut there (its rest continues after, as a part)."""
    nodes: list[Node] = []
    pos = lo
    while spans:
        s = spans.pop(0)
        if s.start > pos:
            nodes.append(Node(text=text[pos : s.start]))
        inner: list[_Span] = []
        rest: list[_Span] = []
        for t in spans:
            if t.start >= s.end:
                rest.append(t)
            elif t.end <= s.end:
                inner.append(t)
            else:  # crosses s's end: the part inside nests, the rest continues after s
                inner.append(_Span(t.start, s.end, t.index, t.first))
                rest.append(_Span(s.end, t.end, t.index, first=False))
        spans = sorted(rest, key=lambda x: (x.start, -x.end, x.index))
        children = _tree(text, s.start, s.end, inner)
        depth = max((n.depth + 1 for n in children if n.index is not None), default=0)
        nodes.append(Node(index=s.index, first=s.first, children=children, depth=depth))
        pos = s.end
    if pos < hi:
        nodes.append(Node(text=text[pos:hi]))
    return nodes
