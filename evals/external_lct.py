"""External check: the rules backend's age and performance-status facts against the LCT corpus annotations.

    python evals/external_lct.py [--lct DIR] [--show-misses] [--json PATH]

The Leaf Clinical Trials corpus (Fu et al. 2022; a 107-document subset in ``../shared/external/lct`` beside the
checkout, ``--lct`` to override) is brat standoff written by another group. Its ``Age`` events and its
``Observation`` events named ECOG / WHO / Zubrod / Karnofsky / Lansky / "performance status" carry ``Eq-Comparison``
events (``Operator`` / ``Value`` / ``Value2`` / ``Temporal-Unit``); each comparison is one gold *fact*. Each ``.txt``
goes through ``extractor.extract(text, backend="rules")``.

What counts as found: a predicted criterion of the same kind whose evidence overlaps the fact's span or shares a line
with it, and whose bounds agree with the fact read as an effective rule (the extractor's convention):

* age: the operator gives a lower bound (``>=``, ``>``), an upper bound (``<=``, ``<``) or both (a range); under an
  exclusion heading the direction flips ("age < 18" excluded -> minimum 18). Every bound the fact states must equal
  the prediction's ``min_years`` / ``max_years`` (months, weeks and days converted to years; strictness is not
  compared, the model has none); the prediction may state more bounds, as LCT often splits "age >= 18 and <= 80"
  into two facts.
* performance status: same scale family (ECOG = WHO = Zubrod; Karnofsky; Lansky; an unnamed "performance status"
  takes a scale named on its line, else ECOG, or Karnofsky when a value is >= 10). The fact becomes an allowed score
  range: strict operators step by the scale unit ("< 2" -> at most 1), exclusion ranges are complemented on the
  living range (ECOG 0-4, Karnofsky/Lansky 0-100). Bounds at the ends of that range are dropped on both sides
  (ECOG "0-1" and "<= 1" are the same rule); then every remaining bound of the fact must equal the prediction's.

Not scoreable (counted apart, by reason): an event with no annotated number ("onset", "poor performance status"), a
PLUS-MINUS operator, an exclusion range whose complement is not one interval (age "1-18" under exclusions), a
comparator with two different values, a performance-status rule that allows the whole scale. LCT marks "adult" /
"child" as ``Life-Stage-And-Gender`` entities, not ``Age`` events: they are not facts here. The section of a fact is
the extractor's own segmentation (the same heading polarity its predictions carry).

Reported: recall = found / scoreable per kind and overall, the misses (``--show-misses``: document, fact text, what
the rules gave on that line), and "unmatched predictions": age / PS criteria with no LCT fact of that kind on their
lines. LCT annotations are incomplete, so that figure is not a precision.
"""

from __future__ import annotations

import argparse
import bisect
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

DEFAULT_LCT = Path(__file__).resolve().parents[2] / "shared" / "external" / "lct"

Kind = Literal["age", "performance_status"]
Polarity = Literal["inclusion", "exclusion"]
Bounds = tuple[float | None, float | None]
KINDS: tuple[Kind, ...] = ("age", "performance_status")

# ---------------------------------------------------------------------------------------------------- brat parsing


@dataclass(frozen=True)
class Entity:
    """A text-bound annotation ``T<n>``: type, fragments (discontinuous spans have several) and text."""

    id: str
    type: str
    spans: tuple[tuple[int, int], ...]
    text: str

    @property
    def start(self) -> int:
        return min(s for s, _ in self.spans)

    @property
    def end(self) -> int:
        return max(e for _, e in self.spans)


@dataclass(frozen=True)
class Event:
    """An event ``E<n>``: its type, trigger entity and ``(role, argument id)`` pairs (role digits stripped)."""

    id: str
    type: str
    trigger: str
    args: tuple[tuple[str, str], ...]

    def role(self, name: str) -> list[str]:
        """Argument ids of one role (``Value`` also collects ``Value2``, ``Value3``...)."""
        return [a for r, a in self.args if r == name]


@dataclass
class Annotations:
    """One ``.ann`` file: entities, events, attributes (target id -> name -> value) and relations."""

    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    relations: list[tuple[str, str, str, str]] = field(default_factory=list)


def parse_ann(ann: str) -> Annotations:
    """Parse brat standoff (T, E, A/M, R lines; other lines such as notes are skipped)."""
    out = Annotations()
    for raw in ann.splitlines():
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        parts = line.split("\t")
        key = parts[0]
        body = parts[1] if len(parts) > 1 else ""
        if key.startswith("T"):
            typ, _, offs = body.partition(" ")
            spans = tuple((int(a), int(b)) for a, b in (frag.split() for frag in offs.split(";")))
            out.entities[key] = Entity(key, typ, spans, parts[2] if len(parts) > 2 else "")
        elif key.startswith("E"):
            tokens = body.split()
            if not tokens:
                continue
            typ, _, trig = tokens[0].partition(":")
            args = tuple((re.sub(r"\d+$", "", r), a) for r, _, a in (t.partition(":") for t in tokens[1:]))
            out.events[key] = Event(key, typ, trig, args)
        elif key[:1] in ("A", "M"):
            tokens = body.split()
            if len(tokens) >= 2:
                out.attributes.setdefault(tokens[1], {})[tokens[0]] = tokens[2] if len(tokens) > 2 else "true"
        elif key.startswith("R"):
            tokens = body.split()
            if len(tokens) == 3:
                out.relations.append((key, tokens[0], tokens[1].partition(":")[2], tokens[2].partition(":")[2]))
    return out


# -------------------------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Fact:
    """One LCT comparison on an age or performance-status event, as the annotators wrote it."""

    doc: str
    kind: Kind
    id: str  # "<event>/<comparison event>"
    start: int
    end: int
    text: str
    op: str | None  # ">=", ">", "<=", "<", "=", "range"; None when unknown
    values: tuple[float, ...]
    unit: str  # age: year/month/week/day; performance status: ""
    scale: str | None  # performance status: ECOG / Karnofsky / Lansky
    polarity: Polarity = "inclusion"
    problem: str | None = None  # why the fact is not scoreable; None when it is

    @property
    def scoreable(self) -> bool:
        return self.problem is None


_OPERATOR_ATTR = {"GTEQ": ">=", "GT": ">", "LTEQ": "<=", "LT": "<", "EQ": "=", "BETWEEN": "range"}
_OPERATOR_TEXT: tuple[tuple[str, str], ...] = (
    (
        r"≥|>\s*=|=\s*>|at least|or (?:older|more|over|greater|above)|(?:greater|older) than or equal|equal to or "
        r"(?:greater|more|older)|minimum|no less",
        ">=",
    ),
    (
        r"≤|<\s*=|=\s*<|at most|or (?:younger|less|under|below|fewer)|(?:less|younger) than or equal|equal to or "
        r"(?:less|younger|fewer)|maximum|no more|up to",
        "<=",
    ),
    (r">|＞|greater|older|over|above|more than|exceed", ">"),
    (r"<|＜|less|younger|under|below|fewer", "<"),
    (r"-|–|~|to|between|and|through", "range"),
    (r"=|equal", "="),
)
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25}
_NUMBER_WORDS = {
    w: float(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
_PS_NAME = re.compile(
    r"\b(?:ecog|zubrod|karnofsky|kps|lansky|who\s+ps|performance\s+(?:status|scale|score)|ps)\b", re.IGNORECASE
)
_SCALES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Karnofsky", re.compile(r"\b(?:karnofsky|kps)\b", re.IGNORECASE)),
    ("Lansky", re.compile(r"\blansky\b", re.IGNORECASE)),
    ("ECOG", re.compile(r"\b(?:ecog|eastern\s+cooperative|zubrod|who)\b", re.IGNORECASE)),
)
#: living score range and step of each scale family (ECOG 5 = dead is left out, so "ECOG 3-4" excluded -> 0-2)
PS_RANGE: dict[str, tuple[int, int, int]] = {"ECOG": (0, 4, 1), "Karnofsky": (0, 100, 10), "Lansky": (0, 100, 10)}


def scale_family(scale: str | None) -> str | None:
    """ECOG, WHO and Zubrod are one 0-5 scale."""
    return "ECOG" if scale in ("ECOG", "WHO", "Zubrod") else scale


def operator_of(text: str) -> str | None:
    """Normalise an operator's surface text (used when LCT gave no ``Eq-Operator-Value`` attribute)."""
    low = text.lower().strip()
    for pattern, op in _OPERATOR_TEXT:
        if re.search(pattern, low):
            return op
    return None


def number_of(text: str) -> float | None:
    """A numeral or a small number word ("18", "0.5", "eighteen")."""
    t = text.strip().lower().rstrip("%")
    try:
        return float(t)
    except ValueError:
        return _NUMBER_WORDS.get(t)


def unit_of(text: str) -> str:
    """Temporal unit of an age ("years", "y", "mos") -> year / month / week / day; years when unclear."""
    low = text.lower()
    for unit, pattern in (("month", r"^mo"), ("week", r"^w"), ("day", r"^d")):
        if re.match(pattern, low.strip()):
            return unit
    return "year"


def _line_text(text: str, start: int) -> str:
    s = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return text[s : min(ends) if ends else len(text)]


def _comparison(ann: Annotations, ev: Event) -> tuple[str | None, tuple[float, ...], str, list[Entity], str | None]:
    """Operator, values, unit, the entities involved and a problem (None when readable) of one Eq-Comparison."""
    ents = [ann.entities[ev.trigger]] if ev.trigger in ann.entities else []
    values: list[float] = []
    seen: set[str] = set()
    for vid in sorted(ev.role("Value"), key=lambda i: ann.entities[i].start if i in ann.entities else 0):
        e = ann.entities.get(vid)
        if e is None or vid in seen:
            continue
        seen.add(vid)
        ents.append(e)
        v = number_of(e.text)
        if v is None:
            return None, (), "year", ents, "value is not a number"
        values.append(v)
    op: str | None = None
    for oid in ev.role("Operator"):
        e = ann.entities.get(oid)
        if e is None:
            continue
        ents.append(e)
        attr = ann.attributes.get(oid, {}).get("Eq-Operator-Value")
        if attr == "PLUS-MINUS":
            return None, tuple(values), "year", ents, "plus-minus operator"
        op = _OPERATOR_ATTR.get(attr or "") or operator_of(e.text)
    unit = "year"
    for uid in ev.role("Temporal-Unit") + ev.role("Unit"):
        e = ann.entities.get(uid)
        if e is not None:
            ents.append(e)
            unit = ann.attributes.get(uid, {}).get("Eq-Temporal-Unit-Value") or unit_of(e.text)
    if not values:
        return op, (), unit, ents, "no number annotated"
    if op is None:
        op = "range" if len(values) > 1 else "="
    if op == "range" and len(values) == 1:
        op = "="
    if op not in ("range", "=") and len(values) > 1 and len(set(values)) > 1:
        return op, tuple(values), unit, ents, "comparator with two values"
    return op, tuple(values), unit, ents, None


def _ps_scale(name: str, line: str, values: Sequence[float]) -> str:
    for source in (name, line):
        for scale, pattern in _SCALES:
            if pattern.search(source):
                return scale
    return "Karnofsky" if any(v >= 10 for v in values) else "ECOG"


def facts_of(doc: str, text: str, ann: Annotations) -> list[Fact]:
    """Age and performance-status facts of one document (section polarity not yet set: see :func:`with_polarity`)."""
    out: list[Fact] = []
    for ev in ann.events.values():
        trig = ann.entities.get(ev.trigger)
        if trig is None:
            continue
        kind: Kind
        roles: tuple[str, ...]
        if ev.type == "Age":
            kind, roles, name = "age", ("Numeric-Filter",), trig.text
        elif ev.type == "Observation":
            names = [ann.entities[n].text for n in ev.role("Name") if n in ann.entities]
            name = " ".join(names) or trig.text
            if not _PS_NAME.search(name):
                continue
            kind, roles = "performance_status", ("Numeric-Filter", "Stage")
        else:
            continue
        comps = [ann.events[c] for r in roles for c in ev.role(r) if c in ann.events]
        line = _line_text(text, trig.start)
        if not comps:
            scale = _ps_scale(name, line, ()) if kind == "performance_status" else None
            out.append(_fact(doc, kind, ev.id, text, [trig], scale=scale, problem="no number annotated"))
            continue
        for comp in comps:
            op, values, unit, ents, problem = _comparison(ann, comp)
            if kind == "performance_status":
                unit, scale = "", _ps_scale(name, line, values)
            else:
                scale = None
            fid, span = f"{ev.id}/{comp.id}", [trig, *ents]
            out.append(_fact(doc, kind, fid, text, span, op=op, values=values, unit=unit, scale=scale, problem=problem))
    return sorted(out, key=lambda f: (f.start, f.id))


def _fact(
    doc: str,
    kind: Kind,
    fid: str,
    text: str,
    ents: Sequence[Entity],
    *,
    op: str | None = None,
    values: tuple[float, ...] = (),
    unit: str = "",
    scale: str | None = None,
    problem: str | None = None,
) -> Fact:
    start, end = min(e.start for e in ents), max(e.end for e in ents)
    return Fact(doc, kind, fid, start, end, text[start:end], op, values, unit, scale, problem=problem)


def with_polarity(fact: Fact, polarity: Polarity) -> Fact:
    """The fact in a section; sets the problem of rules that cannot be one interval there."""
    problem = fact.problem
    if problem is None:
        problem = None if effective_bounds(fact, polarity) is not None else _unbounded_reason(fact, polarity)
    return replace(fact, polarity=polarity, problem=problem)


def _unbounded_reason(fact: Fact, polarity: Polarity) -> str:
    if polarity == "exclusion" and fact.op in ("range", "="):
        return "exclusion range (complement is not one interval)"
    return "allows the whole scale" if fact.kind == "performance_status" else "no bound"


def effective_bounds(fact: Fact, polarity: Polarity) -> Bounds | None:
    """The rule a patient must meet, as (lower, upper) bounds: years for age, scores for performance status."""
    if not fact.values or fact.op is None:
        return None
    if fact.kind == "age":
        return _age_bounds(fact.op, fact.values, _UNIT_YEARS.get(fact.unit, 1.0), polarity)
    return _ps_bounds(fact.op, fact.values, scale_family(fact.scale) or "ECOG", polarity)


def _age_bounds(op: str, values: tuple[float, ...], per_year: float, polarity: Polarity) -> Bounds | None:
    vals = [v * per_year for v in values]
    lo, hi = min(vals), max(vals)
    if polarity == "exclusion":
        return {">=": (None, lo), ">": (None, lo), "<=": (lo, None), "<": (lo, None)}.get(op)
    return {">=": (lo, None), ">": (lo, None), "<=": (None, lo), "<": (None, lo), "range": (lo, hi), "=": (lo, hi)}[op]


def _ps_bounds(op: str, values: tuple[float, ...], scale: str, polarity: Polarity) -> Bounds | None:
    bottom, top, step = PS_RANGE.get(scale, PS_RANGE["ECOG"])
    v, w = min(values), max(values)
    lo, hi = {">=": (v, top), ">": (v + step, top), "<=": (bottom, v), "<": (bottom, v - step)}.get(op, (v, w))
    lo, hi = max(lo, bottom), min(hi, top)
    if polarity == "exclusion":
        if lo <= bottom and hi >= top:
            return None
        if lo <= bottom:
            lo, hi = hi + step, top
        elif hi >= top:
            lo, hi = bottom, lo - step
        else:
            return None  # excluded band in the middle of the scale
    return normalise_ps(lo, hi, scale)


def normalise_ps(lo: float | None, hi: float | None, scale: str) -> Bounds | None:
    """Drop bounds at the ends of the living range; None when nothing is left (the whole scale is allowed)."""
    bottom, top, _ = PS_RANGE.get(scale, PS_RANGE["ECOG"])
    nlo = None if lo is None or lo <= bottom else lo
    nhi = None if hi is None or hi >= top else hi
    return None if nlo is None and nhi is None else (nlo, nhi)


# -------------------------------------------------------------------------------------------------- predictions


@dataclass(frozen=True)
class Pred:
    """A predicted age / performance-status criterion: evidence span, section, bounds (and scale)."""

    kind: Kind
    start: int
    end: int
    text: str
    polarity: Polarity
    lo: float | None
    hi: float | None
    scale: str | None = None

    def describe(self) -> str:
        rng = f"{_num(self.lo)}..{_num(self.hi)}"
        return f"{self.kind}{' ' + self.scale if self.scale else ''} {rng} ({self.polarity})"


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def predictions(text: str) -> tuple[list[Pred], list[tuple[str, int, int]]]:
    """Age / PS predictions of the rules backend, and (kind, start, end) of every other criterion."""
    import extractor
    from extractor.kinds.age import Age
    from extractor.kinds.performance_status import PerformanceStatus

    cs = extractor.extract(text, backend="rules")
    preds: list[Pred] = []
    others: list[tuple[str, int, int]] = []
    for c in cs.criteria:
        ev = c.evidence
        if isinstance(c, Age):
            preds.append(Pred("age", ev.start, ev.end, ev.text, c.polarity, c.min_years, c.max_years))
        elif isinstance(c, PerformanceStatus):
            preds.append(Pred("performance_status", ev.start, ev.end, ev.text, c.polarity, c.min, c.max, c.scale))
        else:
            others.append((c.kind, ev.start, ev.end))
    return preds, others


def section_polarity(text: str) -> list[tuple[int, int, Polarity]]:
    """(start, end, polarity) of each segmented item of ``text`` (the extractor's own segmentation)."""
    from extractor.segment import segment

    return [(it.start, it.end, it.polarity) for it in segment(text).items]


def polarity_at(items: Sequence[tuple[int, int, Polarity]], offset: int) -> Polarity:
    """Polarity of the item holding ``offset``; else of the last item before it; inclusion before any item."""
    before: Polarity = "inclusion"
    for s, e, pol in items:
        if s <= offset < e:
            return pol
        if s <= offset:
            before = pol
    return before


# ----------------------------------------------------------------------------------------------------- matching


class Lines:
    """Line numbers of character offsets (``\\n``, ``\\r\\n`` and ``\\r`` all end a line)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def of(self, start: int, end: int) -> range:
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return range(first, last + 1)

    def near(self, a: tuple[int, int], b: tuple[int, int]) -> bool:
        """Spans overlap, or share a line."""
        if a[0] < b[1] and b[0] < a[1]:
            return True
        ra, rb = self.of(*a), self.of(*b)
        return ra.start <= rb.stop - 1 and rb.start <= ra.stop - 1


def bounds_agree(fact: Fact, pred: Pred, tol: float = 1e-3) -> bool:
    """Every bound the fact states (as an effective rule in the prediction's section) equals the prediction's."""
    if fact.kind != pred.kind or not fact.scoreable:
        return False
    if fact.kind == "performance_status" and scale_family(fact.scale) != scale_family(pred.scale):
        return False
    want = effective_bounds(fact, pred.polarity)
    if want is None:
        return False
    got: Bounds = (pred.lo, pred.hi)
    if fact.kind == "performance_status":
        got = normalise_ps(pred.lo, pred.hi, scale_family(pred.scale) or "ECOG") or (None, None)
    return all(w is None or (g is not None and abs(w - g) <= tol) for w, g in zip(want, got, strict=True))


@dataclass
class Miss:
    """A scoreable fact no prediction matched, with what the rules gave on its line."""

    doc: str
    kind: Kind
    fact: str
    line: str
    polarity: Polarity
    rule: str  # the fact as an effective rule
    category: str  # no_prediction / wrong_bounds / wrong_scale
    rules_gave: list[str]


@dataclass
class DocResult:
    """One document: its facts, which were found, misses and unmatched predictions."""

    doc: str
    facts: list[Fact]
    found: list[Fact]
    misses: list[Miss]
    preds: list[Pred]
    unmatched: list[Pred]
    used: set[int] = field(default_factory=set)  # indices of predictions that matched a fact


def _rule_text(fact: Fact) -> str:
    b = effective_bounds(fact, fact.polarity)
    if b is None:
        return "-"
    unit = " y" if fact.kind == "age" else ""
    scale = f"{fact.scale} " if fact.scale else ""
    return f"{scale}{_num(b[0])}..{_num(b[1])}{unit}"


def score_doc(
    doc: str,
    text: str,
    facts: Sequence[Fact],
    preds: Sequence[Pred],
    others: Iterable[tuple[str, int, int]] = (),
) -> DocResult:
    """Match the facts of one document (polarity set) to its predictions."""
    lines = Lines(text)
    others = list(others)
    found: list[Fact] = []
    misses: list[Miss] = []
    used: set[int] = set()
    for f in facts:
        if not f.scoreable:
            continue
        near = [i for i, p in enumerate(preds) if p.kind == f.kind and lines.near((f.start, f.end), (p.start, p.end))]
        hits = [i for i in near if bounds_agree(f, preds[i])]
        if hits:
            found.append(f)
            used.update(hits)
            continue
        if not near:
            category = "no_prediction"
        elif f.kind == "performance_status" and all(
            scale_family(preds[i].scale) != scale_family(f.scale) for i in near
        ):
            category = "wrong_scale"
        else:
            category = "wrong_bounds"
        gave = [preds[i].describe() for i in near]
        gave += sorted({k for k, s, e in others if lines.near((f.start, f.end), (s, e))})
        line = _line_text(text, f.start).strip()
        misses.append(Miss(doc, f.kind, f.text, line, f.polarity, _rule_text(f), category, gave))
    unmatched = [
        p
        for i, p in enumerate(preds)
        if i not in used and not any(f.kind == p.kind and lines.near((f.start, f.end), (p.start, p.end)) for f in facts)
    ]
    return DocResult(doc, list(facts), found, misses, list(preds), unmatched, used)


def load_doc(ann_path: Path) -> tuple[str, str, list[Fact]]:
    """(doc id, text, facts with section polarity) of one ``.ann`` and its ``.txt``."""
    with open(ann_path.with_suffix(".txt"), encoding="utf-8", newline="") as fh:
        text = fh.read()
    with open(ann_path, encoding="utf-8", newline="") as fh:
        ann = parse_ann(fh.read())
    doc = ann_path.stem
    items = section_polarity(text)
    facts = [with_polarity(f, polarity_at(items, f.start)) for f in facts_of(doc, text, ann)]
    return doc, text, facts


# ------------------------------------------------------------------------------------------------------ figures


def summarise(results: Sequence[DocResult]) -> dict[str, object]:
    """Per-kind and overall figures (JSON-ready)."""
    out: dict[str, object] = {"documents": len(results)}
    rows: dict[str, dict[str, object]] = {}
    for kind in (*KINDS, "overall"):
        kinds = KINDS if kind == "overall" else (kind,)
        facts = [f for r in results for f in r.facts if f.kind in kinds]
        scoreable = [f for f in facts if f.scoreable]
        found = [f for r in results for f in r.found if f.kind in kinds]
        preds = [p for r in results for p in r.preds if p.kind in kinds]
        unmatched = [p for r in results for p in r.unmatched if p.kind in kinds]
        matched = sum(1 for r in results for i, p in enumerate(r.preds) if p.kind in kinds and i in r.used)
        misses = [m for r in results for m in r.misses if m.kind in kinds]
        rows[kind] = {
            "facts": len(facts),
            "scoreable": len(scoreable),
            "found": len(found),
            "recall": round(len(found) / len(scoreable), 4) if scoreable else None,
            "not_scoreable": len(facts) - len(scoreable),
            "not_scoreable_reasons": dict(Counter(f.problem for f in facts if f.problem).most_common()),
            "miss_categories": dict(Counter(m.category for m in misses).most_common()),
            "predicted": len(preds),
            "matched_predictions": matched,
            "unmatched_predictions": len(unmatched),
        }
    out["kinds"] = rows
    out["misses"] = [asdict(m) for r in results for m in r.misses]
    out["unmatched_predictions"] = [{"doc": r.doc, **asdict(p)} for r in results for p in r.unmatched]
    out["not_scoreable"] = [
        {"doc": f.doc, "kind": f.kind, "id": f.id, "text": f.text, "problem": f.problem}
        for r in results
        for f in r.facts
        if f.problem
    ]
    return out


def table(summary: dict[str, object]) -> str:
    """The compact text table."""
    rows = summary["kinds"]
    assert isinstance(rows, dict)
    lines = [
        f"LCT external check, {summary['documents']} documents (rules backend)",
        f"{'kind':20s} {'scoreable':>9s} {'found':>6s} {'recall':>7s} {'not-sc.':>8s} {'predicted':>9s}"
        f" {'matched':>8s} {'unmatched':>9s}",
    ]
    for kind, r in rows.items():
        rec = "-" if r["recall"] is None else f"{r['recall']:.3f}"
        lines.append(
            f"{kind:20s} {r['scoreable']:9d} {r['found']:6d} {rec:>7s} {r['not_scoreable']:8d}"
            f" {r['predicted']:9d} {r['matched_predictions']:8d} {r['unmatched_predictions']:9d}"
        )
    overall = rows["overall"]
    reasons = ", ".join(f"{k} {v}" for k, v in overall["not_scoreable_reasons"].items()) or "none"
    cats = ", ".join(f"{k} {v}" for k, v in overall["miss_categories"].items()) or "none"
    lines += [f"not scoreable: {reasons}", f"misses: {cats}"]
    return "\n".join(lines)


def run(lct: Path) -> list[DocResult]:
    """Score every ``.ann`` of ``lct`` that has its ``.txt``."""
    results = []
    for ann_path in sorted(lct.glob("*.ann")):
        if not ann_path.with_suffix(".txt").exists():
            continue
        doc, text, facts = load_doc(ann_path)
        preds, others = predictions(text)
        results.append(score_doc(doc, text, facts, preds, others))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--lct", type=Path, default=DEFAULT_LCT, help=f"LCT brat directory (default {DEFAULT_LCT})")
    p.add_argument("--show-misses", action="store_true", help="list misses and unmatched predictions")
    p.add_argument("--json", type=Path, help="write the figures (and misses) to this JSON file")
    args = p.parse_args(argv)
    if not args.lct.is_dir() or not any(args.lct.glob("*.ann")):
        print(f"LCT corpus not found at {args.lct} (no .ann files); pass --lct DIR", file=sys.stderr)
        return 2
    results = run(args.lct)
    summary = summarise(results)
    print(table(summary))
    if args.show_misses:
        print("\nmisses (doc | kind | section | LCT text -> effective rule | category | rules gave on the line):")
        for r in results:
            for m in r.misses:
                gave = "; ".join(m.rules_gave) or "nothing"
                print(f"  {m.doc} | {m.kind} | {m.polarity} | {m.fact!r} -> {m.rule} | {m.category} | {gave}")
                print(f"      line: {m.line[:160]}")
        print("\nunmatched predictions (no LCT fact of the kind on their line):")
        for r in results:
            for pr in r.unmatched:
                print(f"  {r.doc} | {pr.describe()} | {pr.text[:120]!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
