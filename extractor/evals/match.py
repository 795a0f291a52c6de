"""Pair predicted with gold criteria of one trial and compare every field that carries meaning. Pure: no I/O.

Three ways of pairing, reported side by side:

* **strict** (the headline): same ``kind`` and ``polarity``; the prediction's evidence lies inside the segmented
  criteria item that holds the gold evidence and covers at least half of the gold span. A span wider than its item
  never pairs. Pairs are taken one-to-one, best overlap first (then field agreement, then IoU, then source order).
* **lenient** (the 0.1 rule, kept for comparison): same kind and polarity, spans share at least one character.
* **kind-only**: per (kind, polarity), the smaller of the gold and predicted counts: what a file that never read
  the text but guessed the right mix of kinds would score.

Fields: every field of every kind is compared (see :data:`COMPARED_FIELDS`, generated from the models), except the
few in :data:`NOT_COMPARED`. A field is compared when gold or prediction sets it; ``False`` is a value. Lab
thresholds are compared as quantities with units (1,500/mm3 equals 1.5 x 10^9/L).
"""

from __future__ import annotations

import math
import re
import types
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds import REGISTRY
from extractor.kinds._spec import How
from extractor.models import BASE_FIELDS, KIND_TYPES, Criterion, Evidence
from extractor.units import same_quantity
from extractor.vocab import package_yaml

__all__ = [
    "COMPARED_FIELDS",
    "CORE_KINDS",
    "NOT_COMPARED",
    "CountsByKind",
    "CriterionRef",
    "FieldCheck",
    "FieldSpec",
    "MatchedPair",
    "TrialMatch",
    "compare_fields",
    "innermost_item",
    "match_trial",
    "normalise_agent",
    "overlap",
    "span_iou",
]

FieldValue = str | int | float | bool | list[str] | None
Span = tuple[int, int]
CountsByKind = dict[str, list[int]]
"""``kind -> [tp, fp, fn]``."""

CORE_KINDS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.core)
"""The core eligibility facts of the first domain (``KindSpec.core``; the wrong-value rate and the gold-support
check use these)."""

MIN_OVERLAP = 0.5
"""Strict pairing: the prediction must cover at least this share of the gold span."""


@dataclass(frozen=True)
class FieldSpec:
    """How one field is compared (see :class:`extractor.kinds.Compare` for ``how``); ``abs_tol`` for numbers."""

    name: str
    how: How = "eq"
    abs_tol: float = 0.0


NOT_COMPARED: dict[str, tuple[str, ...]] = {
    name: tuple(spec.not_compared) for name, spec in REGISTRY.items() if spec.not_compared
}
"""Fields deliberately left out of the comparison (each kind's ``KindSpec.not_compared`` gives the reason)."""

_OVERRIDES: dict[tuple[str, str], FieldSpec] = {
    (name, field): FieldSpec(field, c.how, c.abs_tol)
    for name, spec in REGISTRY.items()
    for field, c in spec.compare.items()
}


def _strip_none(annotation: object) -> object:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _how(annotation: object) -> How:
    ann = _strip_none(annotation)
    if ann is bool:
        return "bool"
    if ann in (int, float):
        return "num"
    if get_origin(ann) is Literal:
        return "eq"
    if get_origin(ann) is list:
        return "set"
    return "text"


def _specs() -> dict[str, tuple[FieldSpec, ...]]:
    out: dict[str, tuple[FieldSpec, ...]] = {}
    for kind, model in KIND_TYPES.items():
        skip = set(NOT_COMPARED.get(kind, ())) | BASE_FIELDS
        out[kind] = tuple(
            _OVERRIDES.get((kind, name), FieldSpec(name, _how(info.annotation)))
            for name, info in model.model_fields.items()
            if name not in skip
        )
    return out


COMPARED_FIELDS: dict[str, tuple[FieldSpec, ...]] = _specs()
"""Fields compared per kind, generated from the criterion models (a new field is compared unless listed in
:data:`NOT_COMPARED`)."""


class AgentNames(BaseModel):
    """``agent_names.yaml``: the spellings of one treatment that the eval compares as equal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    aliases: dict[str, str]
    abbreviations: dict[str, str]
    salts: frozenset[str]


@cache
def _agent_names() -> AgentNames:
    return package_yaml("extractor.evals", "agent_names.yaml", AgentNames)


_NOT_PLURAL = ("ss", "us", "is", "ous")
_GENERIC_HEADS = frozenset({"therapy", "treatment", "drug", "medication", "agent", "regimen"})


def _quantity_text(value: object, unit: object) -> str | None:
    if value is None:
        return None
    return f"{value:g} {unit}".strip() if isinstance(value, int | float) and unit else f"{value}"


def _value(v: object) -> FieldValue:
    if v is None or isinstance(v, str | bool | int | float):
        return v
    if isinstance(v, list | tuple | set | frozenset):
        return sorted(str(x) for x in v)
    return str(v)


def _field_value(c: Criterion, spec: FieldSpec) -> FieldValue:
    if spec.how == "quantity":
        return _quantity_text(getattr(c, spec.name, None), getattr(c, "unit", None))
    return _value(getattr(c, spec.name, None))


class CriterionRef(BaseModel):
    """A criterion as shown in reports: where it is, what it quotes, and its compared field values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(description="Position in the gold or predicted criteria list of the trial.")
    kind: str
    polarity: str
    quote: str
    start: int
    end: int
    fields: dict[str, FieldValue] = Field(default_factory=dict)

    @classmethod
    def of(cls, index: int, c: Criterion) -> CriterionRef:
        """The reference for criterion ``c`` at position ``index``."""
        values = {s.name: _field_value(c, s) for s in COMPARED_FIELDS.get(c.kind, ())}
        return cls(
            index=index,
            kind=c.kind,
            polarity=c.polarity,
            quote=c.evidence.text,
            start=c.evidence.start,
            end=c.evidence.end,
            fields={k: v for k, v in values.items() if not _unset(v)},
        )


class FieldCheck(BaseModel):
    """One compared field of a matched pair."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    ok: bool
    expected: FieldValue
    got: FieldValue


class MatchedPair(BaseModel):
    """A gold criterion and the prediction paired with it, with the field comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    gold: CriterionRef
    pred: CriterionRef
    iou: float
    checks: list[FieldCheck] = Field(default_factory=list)

    @property
    def wrong(self) -> list[FieldCheck]:
        """The fields that disagree."""
        return [c for c in self.checks if not c.ok]


class TrialMatch(BaseModel):
    """One trial's strict pairs, missed gold and spurious predictions (with detail), the lenient and kind-only
    counts per kind, and the coverage and grounding sanity figures."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    pairs: list[MatchedPair] = Field(default_factory=list)
    missed: list[CriterionRef] = Field(default_factory=list)
    spurious: list[CriterionRef] = Field(default_factory=list)
    lenient: CountsByKind = Field(default_factory=dict, description="kind -> [tp, fp, fn] under lenient pairing.")
    kind_only: CountsByKind = Field(default_factory=dict, description="kind -> [tp, fp, fn] from counts alone.")
    gold_spans: int = Field(default=0, description="Distinct gold evidence spans (the items to account for).")
    covered_spans: int = Field(default=0, description="Gold spans a prediction covers strictly (any kind).")
    uncovered: list[CriterionRef] = Field(
        default_factory=list, description="First gold criterion of each span no prediction covers."
    )
    predicted: int = 0
    grounded: int = Field(default=0, description="Predictions whose evidence is verbatim at its offsets.")
    ungrounded: list[CriterionRef] = Field(default_factory=list)


def _norm(s: str) -> str:
    return " ".join(s.replace("\u2013", "-").replace("\u2011", "-").lower().split())


def normalise_agent(name: str) -> str:
    """Canonical agent name for comparison: lower-case and single-spaced; known code and brand names mapped, standard
    abbreviations written out and a trailing salt dropped (``agent_names.yaml``); simple plurals made singular,
    "radiation therapy" read as radiotherapy, "anti-" joined to a word ("anti-cancer" == "anticancer"), hyphens
    between words as spaces, and a generic head noun dropped ("anti-HER2 agents" == "anti-HER2 therapy")."""
    names = _agent_names()
    s = _norm(name)
    s = names.aliases.get(s, s)
    words = [names.abbreviations.get(w, w) for w in s.split()]
    if len(words) > 1 and words[-1] in names.salts:
        words.pop()
    s = names.aliases.get(" ".join(words), " ".join(words))
    s = re.sub(r"\bradiation(?: therapy)?\b", "radiotherapy", s)
    s = re.sub(r"\banti-(?=[a-z]{4,}\b)", "anti", s)
    s = re.sub(r"(?<=[a-z]{3})-(?=[a-z]{3,}\b)", " ", s)
    if len(s) > 4 and s.endswith("s") and not s.endswith(_NOT_PLURAL):
        singular = s[:-1]
        s = names.aliases.get(singular, singular)
    head, _, last = s.rpartition(" ")
    if head and last in _GENERIC_HEADS:
        s = head
    return s


_GENERIC = frozenset(
    {
        "cancer",
        "cancers",
        "carcinoma",
        "tumor",
        "tumour",
        "tumors",
        "tumours",
        "neoplasm",
        "malignancy",
        "disease",
        "of",
        "the",
        "and",
        "or",
        "with",
    }
)


_STOP = frozenset({"in", "a", "an", "any", "to", "for", "on", "by"})

#: An organ's adjective and its noun are one word to the comparison ("cervical cancer in situ" ~ "carcinoma in situ
#: of the cervix"; "renal failure" ~ "kidney failure").
_ORGAN_WORDS = {
    "cervical": "cervix",
    "renal": "kidney",
    "hepatic": "liver",
    "pulmonary": "lung",
    "gastric": "stomach",
    "cutaneou": "skin",
    "mammary": "breast",
    "colonic": "colon",
    "vesical": "bladder",
    "cerebral": "brain",
    "cardiac": "heart",
}


def _tokens(s: str) -> set[str]:
    """Content words: lower case, "non " joined to its word ("non-small"), simple plurals singular, an organ's
    adjective as its noun."""
    text = re.sub(r"\bnon[\s-]+", "non-", s.lower())
    words = {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"[a-z0-9][a-z0-9-]*", text)}
    words = {_ORGAN_WORDS.get(w, w) for w in words - _STOP}
    return (words - _GENERIC) or words


def _similar(a: str, b: str) -> bool:
    """Two free phrases say the same: the content words of one hold all of the other's and at most twice as many
    ("metastatic breast carcinoma" ~ "breast cancer"), or share 75% (Jaccard). "non-small cell lung cancer" is not
    "small cell lung cancer", nor "hepatitis b" "hepatitis c"."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return ta == tb
    small, big = sorted((ta, tb), key=len)
    if small <= big and 2 * len(small) >= len(big):
        return True
    return len(ta & tb) / len(ta | tb) >= 0.75


def _same_phrases(expected: list[str], got: list[str]) -> bool:
    """Two lists of free phrases agree when they pair one-to-one by :func:`_similar`."""
    if len(expected) != len(got):
        return False
    left = list(got)
    for e in expected:
        hit = next((g for g in left if _norm(g) == _norm(e)), None) or next((g for g in left if _similar(e, g)), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


def _unset(v: object) -> bool:
    return v is None or v in ("", [])


def _same(spec: FieldSpec, gold: Criterion, pred: Criterion, rel_tol: float) -> bool:
    expected, got = getattr(gold, spec.name, None), getattr(pred, spec.name, None)
    if spec.how == "quantity":
        return same_quantity(
            expected,
            getattr(gold, "unit", None),
            got,
            getattr(pred, "unit", None),
            analyte=getattr(gold, "analyte", None),
        )
    if expected is None or got is None:
        return _unset(expected) and _unset(got)
    match spec.how:
        case "num":
            if isinstance(expected, bool) or isinstance(got, bool):
                return bool(expected == got)
            if not isinstance(expected, int | float) or not isinstance(got, int | float):
                return False
            return math.isclose(float(expected), float(got), rel_tol=rel_tol, abs_tol=spec.abs_tol)
        case "set" | "agents":
            if not isinstance(expected, list) or not isinstance(got, list):
                return False
            norm = normalise_agent if spec.how == "agents" else (lambda x: _norm(str(x)))
            return {norm(str(x)) for x in expected} == {norm(str(x)) for x in got}
        case "phrases":
            if not isinstance(expected, list) or not isinstance(got, list):
                return False
            return _same_phrases([str(x) for x in expected], [str(x) for x in got])
        case "text":
            return _norm(str(expected)) == _norm(str(got))
        case "tokens":
            return _norm(str(expected)) == _norm(str(got)) or _similar(str(expected), str(got))
        case _:
            return bool(expected == got)


def compare_fields(gold: Criterion, pred: Criterion, rel_tol: float = 1e-6) -> list[FieldCheck]:
    """Compare every compared field of two criteria of the same kind.

    A field is compared when gold or prediction sets it (``False`` counts as set; None, "" and [] do not).
    """
    checks = []
    for spec in COMPARED_FIELDS.get(gold.kind, ()):
        expected, got = _field_value(gold, spec), _field_value(pred, spec)
        if _unset(expected) and _unset(got):
            continue
        checks.append(
            FieldCheck(
                field=f"{gold.kind}.{spec.name}",
                ok=_same(spec, gold, pred, rel_tol),
                expected=expected,
                got=got,
            )
        )
    return checks


def overlap(a: Evidence, b: Evidence) -> int:
    """Number of characters two evidence spans share."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def span_iou(a: Evidence, b: Evidence) -> float:
    """Intersection over union of two spans (0 when disjoint)."""
    inter = overlap(a, b)
    union = max(a.end, b.end) - min(a.start, b.start)
    return inter / union if union > 0 else 0.0


def innermost_item(ev: Evidence, items: Sequence[Span]) -> Span | None:
    """The smallest item span that contains ``ev`` (None when no single item does)."""
    holding = [it for it in items if it[0] <= ev.start and ev.end <= it[1]]
    return min(holding, key=lambda it: it[1] - it[0]) if holding else None


def _strict_ok(g: Evidence, p: Evidence, item: Span | None) -> float:
    """Share of the gold span the prediction covers, or 0 when the pair is not allowed under strict rules."""
    if item is None or p.start < item[0] or p.end > item[1]:
        return 0.0
    share = overlap(g, p) / max(1, g.end - g.start)
    return share if share >= MIN_OVERLAP else 0.0


def _pair(
    gold: Sequence[Criterion], pred: Sequence[Criterion], items: Sequence[Span], rel_tol: float, strict: bool
) -> list[tuple[int, int, float, list[FieldCheck]]]:
    holders = [innermost_item(g.evidence, items) for g in gold] if strict else []
    candidates: list[tuple[float, float, float, int, int, list[FieldCheck]]] = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if g.kind != p.kind or g.polarity != p.polarity:
                continue
            if strict:
                score = _strict_ok(g.evidence, p.evidence, holders[i])
            else:
                score = 1.0 if overlap(g.evidence, p.evidence) > 0 else 0.0
            if score <= 0:
                continue
            checks = compare_fields(g, p, rel_tol)
            agreement = sum(c.ok for c in checks) / len(checks) if checks else 1.0
            candidates.append((round(score, 3), agreement, span_iou(g.evidence, p.evidence), i, j, checks))
    candidates.sort(key=lambda c: (-c[0], -c[1], -c[2], c[3], c[4]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _score, _agreement, iou, i, j, checks in candidates:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j, iou, checks))
    return out


def _counts(gold: Sequence[Criterion], pred: Sequence[Criterion], paired: Sequence[tuple[int, int]]) -> CountsByKind:
    tp: Counter[str] = Counter(gold[i].kind for i, _ in paired)
    n_gold: Counter[str] = Counter(g.kind for g in gold)
    n_pred: Counter[str] = Counter(p.kind for p in pred)
    return {k: [tp[k], n_pred[k] - tp[k], n_gold[k] - tp[k]] for k in sorted(set(n_gold) | set(n_pred))}


def _kind_only(gold: Sequence[Criterion], pred: Sequence[Criterion]) -> CountsByKind:
    g = Counter((c.kind, c.polarity) for c in gold)
    p = Counter((c.kind, c.polarity) for c in pred)
    out: CountsByKind = {}
    for key in set(g) | set(p):
        row = out.setdefault(key[0], [0, 0, 0])
        tp = min(g[key], p[key])
        row[0] += tp
        row[1] += p[key] - tp
        row[2] += g[key] - tp
    return dict(sorted(out.items()))


def match_trial(
    trial_id: str,
    gold: Sequence[Criterion],
    pred: Sequence[Criterion],
    text: str,
    *,
    rel_tol: float = 1e-6,
    items: Sequence[Span] | None = None,
) -> TrialMatch:
    """Pair ``pred`` with ``gold`` for one trial whose source ``text`` both refer to.

    ``items`` are the criteria items' spans (default: :func:`extractor.segment` of ``text``).
    """
    if items is None:
        from extractor.segment import segment

        items = [(it.start, it.end) for it in segment(text).items]
    strict = _pair(gold, pred, items, rel_tol, strict=True)
    lenient = _pair(gold, pred, items, rel_tol, strict=False)
    pairs = sorted(
        (
            MatchedPair(
                gold=CriterionRef.of(i, gold[i]), pred=CriterionRef.of(j, pred[j]), iou=round(iou, 4), checks=ch
            )
            for i, j, iou, ch in strict
        ),
        key=lambda p: p.gold.index,
    )
    used_g = {i for i, *_ in strict}
    used_p = {j for _, j, *_ in strict}

    spans: dict[tuple[int, int], int] = {}
    for i, g in enumerate(gold):
        spans.setdefault((g.evidence.start, g.evidence.end), i)
    inside: dict[Span | None, list[Evidence]] = {}
    uncovered = []
    for i in spans.values():
        holder = innermost_item(gold[i].evidence, items)
        if holder not in inside:
            inside[holder] = [
                p.evidence for p in pred if holder and holder[0] <= p.evidence.start <= p.evidence.end <= holder[1]
            ]
        if not any(_strict_ok(gold[i].evidence, ev, holder) for ev in inside[holder]):
            uncovered.append(CriterionRef.of(i, gold[i]))
    ungrounded = [CriterionRef.of(j, p) for j, p in enumerate(pred) if not p.evidence.is_grounded_in(text)]
    return TrialMatch(
        trial_id=trial_id,
        pairs=pairs,
        missed=[CriterionRef.of(i, g) for i, g in enumerate(gold) if i not in used_g],
        spurious=[CriterionRef.of(j, p) for j, p in enumerate(pred) if j not in used_p],
        lenient=_counts(gold, pred, [(i, j) for i, j, *_ in lenient]),
        kind_only=_kind_only(gold, pred),
        gold_spans=len(spans),
        covered_spans=len(spans) - len(uncovered),
        uncovered=uncovered,
        predicted=len(pred),
        grounded=len(pred) - len(ungrounded),
        ungrounded=ungrounded,
    )
