"""Pair predicted with gold criteria of one trial, and compare their core fields. Pure: no I/O.

A pair needs the same ``kind`` and ``polarity`` and evidence spans that share at least one character. Among the
candidates, pairs are taken greedily by (field agreement, span IoU), ties broken by source order, so the result is
deterministic. ``other`` criteria are matched for coverage only; their fields are not compared.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.models import Criterion, Evidence

__all__ = [
    "CORE_FIELDS",
    "CriterionRef",
    "FieldCheck",
    "FieldSpec",
    "MatchedPair",
    "TrialMatch",
    "compare_fields",
    "match_trial",
    "normalise_agent",
    "overlap",
    "span_iou",
]

FieldValue = str | int | float | bool | list[str] | None
How = Literal["eq", "num", "set", "agents", "text", "present", "tokens", "flag"]


@dataclass(frozen=True)
class FieldSpec:
    """How one core field is compared, and ``abs_tol`` an absolute tolerance for numbers.

    ``how``: eq (exact), num (tolerance), set (lists as sets), agents (normalised agent-name sets), text
    (case/space-insensitive), present (set or not), tokens (content-token overlap >= 0.5), flag (None == False).
    """

    name: str
    how: How = "eq"
    abs_tol: float = 0.0


def _nums(*names: str) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(n, "num") for n in names)


CORE_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "her2": (
        FieldSpec("status"),
        FieldSpec("ihc_scores", "set"),
        *_nums("ish_ratio_min", "ish_copy_number_min"),
        FieldSpec("logic"),
    ),
    "performance_status": (FieldSpec("scale", "text"), *_nums("min", "max")),
    "metastatic_burden": _nums("max_lesions", "min_organs", "max_organs"),
    "prior_therapy": (
        FieldSpec("agents", "agents"),
        FieldSpec("requirement"),
        FieldSpec("setting"),
        *_nums("min_lines", "max_lines", "within_weeks"),
    ),
    "age": _nums("min_years", "max_years"),
    "lab": (
        FieldSpec("analyte", "text"),
        FieldSpec("op"),
        *_nums("value", "uln_multiple"),
        FieldSpec("condition", "present"),
    ),
    "cardiac": _nums("lvef_min_percent", "qtc_max_ms"),
    "life_expectancy": (FieldSpec("min_months", "num", abs_tol=0.3),),
    "brain_metastases": (FieldSpec("allowed"), FieldSpec("stable_weeks_min", "num"), FieldSpec("leptomeningeal")),
    "hormone_receptor": (FieldSpec("receptors", "set"), FieldSpec("status")),
    "biomarker": (FieldSpec("marker", "text"), FieldSpec("requirement")),
    "sex": (FieldSpec("sex"),),
    "stage": (FieldSpec("metastatic", "flag"), FieldSpec("locally_advanced", "flag")),
    "measurable_disease": (FieldSpec("level"),),
    "prior_malignancy": _nums("within_years"),
    "diagnosis": (FieldSpec("cancer", "tokens"),),
}
"""Core fields compared per kind. Kinds not listed (``other``, ``pregnancy``...) are scored on presence only."""

# A few spellings the labelling guide maps to one generic name; everything else is compared after normalising.
_AGENT_ALIASES: dict[str, str] = {
    "t-dm1": "trastuzumab emtansine",
    "tdm1": "trastuzumab emtansine",
    "ado-trastuzumab emtansine": "trastuzumab emtansine",
    "kadcyla": "trastuzumab emtansine",
    "t-dxd": "trastuzumab deruxtecan",
    "tdxd": "trastuzumab deruxtecan",
    "ds-8201": "trastuzumab deruxtecan",
    "ds-8201a": "trastuzumab deruxtecan",
    "enhertu": "trastuzumab deruxtecan",
    "fam-trastuzumab deruxtecan": "trastuzumab deruxtecan",
    "herceptin": "trastuzumab",
    "perjeta": "pertuzumab",
    "anti-her2": "anti-her2 therapy",
    "anti-her2 agent": "anti-her2 therapy",
    "her2-directed therapy": "anti-her2 therapy",
    "her2-targeted therapy": "anti-her2 therapy",
    "radiation": "radiotherapy",
    "radiation therapy": "radiotherapy",
    "hormonal therapy": "endocrine therapy",
    "hormone therapy": "endocrine therapy",
}
_NOT_PLURAL = ("ss", "us", "is", "ous")
_GENERIC_HEADS = frozenset({"therapy", "treatment", "drug", "medication", "agent", "regimen"})


class CriterionRef(BaseModel):
    """A criterion as shown in reports: where it is, what it quotes, and its core field values."""

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
        values = {s.name: _value(getattr(c, s.name, None)) for s in CORE_FIELDS.get(c.kind, ())}
        return cls(
            index=index,
            kind=c.kind,
            polarity=c.polarity,
            quote=c.evidence.text,
            start=c.evidence.start,
            end=c.evidence.end,
            fields=values,
        )


class FieldCheck(BaseModel):
    """One compared core field of a matched pair."""

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
    """Matching result of one trial: pairs, missed gold, spurious predictions, coverage and grounding."""

    model_config = ConfigDict(extra="forbid")

    trial_id: str
    pairs: list[MatchedPair] = Field(default_factory=list)
    missed: list[CriterionRef] = Field(default_factory=list)
    spurious: list[CriterionRef] = Field(default_factory=list)
    gold_spans: int = Field(default=0, description="Distinct gold evidence spans (the items to account for).")
    covered_spans: int = Field(default=0, description="Gold spans overlapped by at least one prediction.")
    uncovered: list[CriterionRef] = Field(
        default_factory=list, description="First gold criterion of each span no prediction overlaps."
    )
    predicted: int = 0
    grounded: int = Field(default=0, description="Predictions whose evidence is verbatim at its offsets.")
    ungrounded: list[CriterionRef] = Field(default_factory=list)


def _value(v: object) -> FieldValue:
    if v is None or isinstance(v, str | bool | int | float):
        return v
    if isinstance(v, list | tuple | set | frozenset):
        return sorted(str(x) for x in v)
    return str(v)


def _norm(s: str) -> str:
    return " ".join(s.replace("\u2013", "-").replace("\u2011", "-").lower().split())


def normalise_agent(name: str) -> str:
    """Canonical agent name for comparison: lower-case and single-spaced, known code and brand names mapped, simple
    plurals made singular, and a generic head noun dropped ("anti-HER2 agents" == "anti-HER2 therapy")."""
    s = _norm(name)
    s = _AGENT_ALIASES.get(s, s)
    if len(s) > 4 and s.endswith("s") and not s.endswith(_NOT_PLURAL):
        singular = s[:-1]
        s = _AGENT_ALIASES.get(singular, singular)
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


def _tokens(s: str) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+", s.lower()))
    return (words - _GENERIC) or words


def _same(spec: FieldSpec, expected: object, got: object, rel_tol: float) -> bool:
    if spec.how == "present":
        return (expected is None or expected == "") == (got is None or got == "")
    if spec.how == "flag":
        return bool(expected) == bool(got)
    if expected is None or got is None:
        return expected is None and got is None
    match spec.how:
        case "num":
            if isinstance(expected, bool) or isinstance(got, bool):
                return expected == got
            if not isinstance(expected, int | float) or not isinstance(got, int | float):
                return False
            return math.isclose(float(expected), float(got), rel_tol=rel_tol, abs_tol=spec.abs_tol)
        case "set" | "agents":
            if not isinstance(expected, list) or not isinstance(got, list):
                return False
            norm = normalise_agent if spec.how == "agents" else (lambda x: _norm(str(x)))
            return {norm(str(x)) for x in expected} == {norm(str(x)) for x in got}
        case "text":
            return _norm(str(expected)) == _norm(str(got))
        case "tokens":
            a, b = _tokens(str(expected)), _tokens(str(got))
            if not a or not b:
                return a == b
            return len(a & b) / min(len(a), len(b)) >= 0.5
        case _:
            return expected == got


def _empty(v: object) -> bool:
    return v is None or v is False or v in ("", [])


def compare_fields(gold: Criterion, pred: Criterion, rel_tol: float = 1e-6) -> list[FieldCheck]:
    """Compare the core fields of two criteria of the same kind.

    A field is compared when gold or prediction sets it (not None / empty / False): two unset fields are neither
    right nor wrong. Kinds without core fields give no checks.
    """
    checks = []
    for spec in CORE_FIELDS.get(gold.kind, ()):
        expected, got = getattr(gold, spec.name, None), getattr(pred, spec.name, None)
        if _empty(expected) and _empty(got):
            continue
        checks.append(
            FieldCheck(
                field=f"{gold.kind}.{spec.name}",
                ok=_same(spec, expected, got, rel_tol),
                expected=_value(expected),
                got=_value(got),
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


def match_trial(
    trial_id: str, gold: Sequence[Criterion], pred: Sequence[Criterion], text: str, rel_tol: float = 1e-6
) -> TrialMatch:
    """Pair ``pred`` with ``gold`` for one trial whose source ``text`` both refer to."""
    candidates: list[tuple[float, float, int, int, list[FieldCheck]]] = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if g.kind != p.kind or g.polarity != p.polarity or overlap(g.evidence, p.evidence) <= 0:
                continue
            checks = compare_fields(g, p, rel_tol)
            agreement = sum(c.ok for c in checks) / len(checks) if checks else 1.0
            candidates.append((agreement, span_iou(g.evidence, p.evidence), i, j, checks))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[MatchedPair] = []
    for _agreement, iou, i, j, checks in candidates:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append(
            MatchedPair(
                gold=CriterionRef.of(i, gold[i]), pred=CriterionRef.of(j, pred[j]), iou=round(iou, 4), checks=checks
            )
        )
    pairs.sort(key=lambda p: p.gold.index)

    spans: dict[tuple[int, int], int] = {}
    for i, g in enumerate(gold):
        spans.setdefault((g.evidence.start, g.evidence.end), i)
    uncovered = [
        CriterionRef.of(i, gold[i])
        for i in spans.values()
        if not any(overlap(gold[i].evidence, p.evidence) > 0 for p in pred)
    ]
    ungrounded = [CriterionRef.of(j, p) for j, p in enumerate(pred) if not p.evidence.is_grounded_in(text)]
    return TrialMatch(
        trial_id=trial_id,
        pairs=pairs,
        missed=[CriterionRef.of(i, g) for i, g in enumerate(gold) if i not in used_g],
        spurious=[CriterionRef.of(j, p) for j, p in enumerate(pred) if j not in used_p],
        gold_spans=len(spans),
        covered_spans=len(spans) - len(uncovered),
        uncovered=uncovered,
        predicted=len(pred),
        grounded=len(pred) - len(ungrounded),
        ungrounded=ungrounded,
    )
