"""Judges of the tumour kinds: her2, hormone_receptor, biomarker, diagnosis, stage, metastatic_burden,
brain_metastases, measurable_disease."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from extractor.match._base import Ctx, Outcome, combine, fmt, judges, limits, tri
from extractor.match._vocab import cancer_matches, canonical_histology, in_family, marker_family, marker_key
from extractor.models import (
    HER2,
    Biomarker,
    BrainMetastases,
    Diagnosis,
    HormoneReceptor,
    MeasurableDisease,
    MetastaticBurden,
    Stage,
)
from extractor.models.patient import HER2Result, Patient, ReceptorResult

__all__: list[str] = []

T = TypeVar("T", HER2Result, ReceptorResult)


def _latest(tests: Sequence[T]) -> T | None:
    """The most recent test (undated tests count as older than dated ones; ties: the last listed)."""
    if not tests:
        return None
    return max(enumerate(tests), key=lambda it: (it[1].tested_on or date.min, it[0]))[1]


# --- HER2 ------------------------------------------------------------------------------------------------------


def _ihc(t: HER2Result) -> str | None:
    return "0" if t.ihc_score == "0+" else t.ihc_score


def _ish_positive(t: HER2Result) -> bool | None:
    if t.ish_status is not None:
        return None if t.ish_status == "equivocal" else t.ish_status == "positive"
    if t.ish_ratio is not None:
        return t.ish_ratio >= 2.0
    return None


def _her2_category(t: HER2Result) -> str | None:
    """positive / low / zero, or None when the test cannot say (IHC 2+ without ISH, nothing recorded)."""
    ihc, ish = _ihc(t), _ish_positive(t)
    if ihc == "3+" or ish is True:
        return "positive"
    if ihc == "1+":
        return "low"
    if ihc == "2+":
        return "low" if ish is False else None
    if ihc == "0":
        return "zero"
    return "zero" if ish is False else None


def _describe(t: HER2Result) -> str:
    parts = [f"IHC {_ihc(t)}"] if t.ihc_score else []
    if t.ish_ratio is not None:
        parts.append(f"ISH ratio {fmt(t.ish_ratio)}")
    if t.ish_status:
        parts.append(f"ISH {t.ish_status}")
    if t.ish_copy_number is not None:
        parts.append(f"HER2 copy number {fmt(t.ish_copy_number)}")
    return "HER2 " + (", ".join(parts) or "test without a result")


def _ish_not_indicated(t: HER2Result) -> bool:
    """IHC 0 or 1+ and no ISH result: ASCO/CAP call it HER2-negative without ISH (ISH is not indicated)."""
    no_ish = t.ish_status is None and t.ish_ratio is None and t.ish_copy_number is None
    return no_ish and _ihc(t) in ("0", "1+")


def _own_thresholds(c: HER2, t: HER2Result) -> bool | None:
    """The criterion's own IHC / ISH conditions, combined by its logic (default or). A missing ISH result after
    IHC 0 / 1+ reads as ISH-negative (:func:`_ish_not_indicated`); after IHC 2+ it is unknown."""
    neg = _ish_not_indicated(t)
    checks: list[bool | None] = []
    if c.ihc_scores:
        checks.append(None if _ihc(t) is None else _ihc(t) in c.ihc_scores)
    if c.ish_ratio_min is not None:
        checks.append((False if neg else None) if t.ish_ratio is None else t.ish_ratio >= c.ish_ratio_min)
    if c.ish_copy_number_min is not None:
        checks.append(
            (False if neg else None) if t.ish_copy_number is None else t.ish_copy_number >= c.ish_copy_number_min
        )
    if c.ish_status is not None:
        ish = False if neg else _ish_positive(t)
        checks.append(None if ish is None else ish == (c.ish_status == "positive"))
    return tri(checks, want_all=c.logic == "and")


@judges("her2")
def _her2(c: HER2, p: Patient, ctx: Ctx) -> Outcome:
    own = c.ihc_scores or c.ish_ratio_min is not None or c.ish_copy_number_min is not None or c.ish_status
    t = _latest(p.her2)
    if t is None:  # "any" is how the gold writes both "regardless of HER2" and "known HER2 status": ask
        return "unknown", "no HER2 test recorded" + (" (any result is accepted)" if c.status == "any" else "")
    if c.status == "any" and not own:
        return "met", f"{_describe(t)}: any HER2 status is allowed"
    what, cat = _describe(t), _her2_category(t)
    if _ish_not_indicated(t):
        what += " (no ISH: not indicated after IHC 0/1+, HER2-negative by ASCO/CAP)"
    rule = f"HER2-{c.status}" + (f" (IHC {'/'.join(c.ihc_scores)})" if c.ihc_scores else "")
    if c.status == "ultralow":
        if cat in ("positive", "low"):
            return "not_met", f"{what} is HER2-{cat}, not the required HER2-ultralow"
        return "unknown", f"{what}: HER2-ultralow must be stated by the pathologist (IHC 0 alone does not say it)"
    if own and c.status in ("positive", "any"):
        ok = _own_thresholds(c, t)
    elif cat is None:
        ok = None
    elif c.status == "positive":
        ok = cat == "positive"
    elif c.status == "low":
        ok = cat == "low"
    else:  # negative (its own IHC list, if any, names the negative categories)
        ok = cat != "positive" and (not c.ihc_scores or _ihc(t) in c.ihc_scores)
    if ok is None:
        return "unknown", f"{what} does not settle {rule} (an ISH result is needed)"
    return ("met", f"{what} meets {rule}") if ok else ("not_met", f"{what} is not {rule}")


# --- hormone receptors -----------------------------------------------------------------------------------------


def _receptor_state(r: ReceptorResult, status: str, min_percent: float | None) -> bool | None:
    if r.percent is not None:
        if status == "positive":
            return r.percent >= (min_percent if min_percent is not None else 1.0)
        if status == "negative":
            return r.percent < 1.0
        if status == "low":
            return 1.0 <= r.percent <= 10.0
    if r.status is not None:
        if status == "positive":
            return (
                r.status in ("positive", "low") if min_percent is None or min_percent <= 1 else r.status == "positive"
            )
        return r.status == status
    return None


@judges("hormone_receptor")
def _hormone_receptor(c: HormoneReceptor, p: Patient, ctx: Ctx) -> Outcome:
    names: list[str] = []
    for r in c.receptors:
        names += ["ER", "PR"] if r == "HR" else [r]
    rule = f"{'/'.join(c.receptors)} {c.status}" + (f" (>= {fmt(c.min_percent)}%)" if c.min_percent else "")
    latest = {n: _latest([r for r in p.receptors if r.receptor == n]) for n in names}
    seen = "; ".join(
        f"{n} " + (f"{fmt(r.percent)}%" if r.percent is not None else (r.status or "no result"))
        for n, r in latest.items()
        if r is not None
    )
    if c.status in ("known", "any"):  # a receptor not recorded is unknown (absent data), never not_met
        ok = True if all(r is not None for r in latest.values()) else None
    else:
        states = [None if r is None else _receptor_state(r, c.status, c.min_percent) for r in latest.values()]
        ok = tri(states, want_all=c.status == "negative")  # negative: all; positive / low: any (HR = ER or PR)
    if ok is None:
        missing = "/".join(n for n, r in latest.items() if r is None) or "/".join(names)
        return "unknown", f"no usable {missing} result for {rule}" + (f" ({seen})" if seen else "")
    return ("met", f"{seen} meets {rule}") if ok else ("not_met", f"{seen} does not meet {rule}")


# --- other biomarkers ------------------------------------------------------------------------------------------

_PRESENCE_WORDS = frozenset(
    "mutation mutations mutated alteration alterations altered variant variants positive positivity present presence "
    "detected detectable detection expression expressed fusion fusions rearrangement rearrangements germline "
    "somatic pathogenic deleterious likely known any gene a an".split()
)
_AMPLIFICATION = re.compile(r"^(?:gene\s+)?amplifi(?:cation|ed)s?$")
_ALTERNATIVES = re.compile(r"\s*(?:,|;|\band/or\b|\bor\b)\s*")


def _one_alteration(criterion: str, patient: str) -> bool:
    """One alternative of a criterion's alteration against the patient's: a presence-only phrase ('detectable',
    'mutation', 'pathogenic variant') matches any found result, an amplification only an amplification, anything
    else by text containment ('G12C' in 'KRAS G12C mutation')."""
    a, b = " ".join(criterion.lower().split()), " ".join(patient.lower().split())
    if _AMPLIFICATION.match(a):
        return "amplif" in b
    if a and all(w in _PRESENCE_WORDS for w in a.split()):
        return True
    return a in b or b in a


def _alteration_matches(criterion: str | None, patient: str | None) -> bool:
    """True when a found result's alteration is one the criterion names (its "or" alternatives: any of them)."""
    if criterion is None or patient is None:
        return True
    parts = [x for x in _ALTERNATIVES.split(criterion.strip()) if x]
    return any(_one_alteration(x, patient) for x in parts or [criterion])


@judges("biomarker")
def _biomarker(c: Biomarker, p: Patient, ctx: Ctx) -> Outcome:
    name = c.marker + (f" {c.alteration}" if c.alteration else "")
    if c.requirement == "allowed":
        return "met", f"{name} is allowed"
    if c.threshold:
        return "not_evaluable", f"{name} with threshold {c.threshold!r}: a person must compare the result"
    family = marker_family(c.marker)
    tests = [m for m in p.biomarkers if in_family(m.marker, family, c.marker)]
    if not tests:
        return "unknown", f"no {c.marker} result recorded"
    hit = [m for m in tests if m.present and _alteration_matches(c.alteration, m.alteration)]
    found = "; ".join(f"{m.marker} {m.alteration or ''}".strip() + ("" if m.present else " not found") for m in tests)
    if not hit:
        untested = sorted(family - {marker_key(c.marker)} - {marker_key(m.marker) for m in tests})
        if untested and marker_key(c.marker) not in {marker_key(m.marker) for m in tests}:
            return "unknown", f"{found}: no {' / '.join(untested)} result recorded for {name}"
    if c.requirement == "required":
        return ("met", f"{found}: {name} is present as required") if hit else ("not_met", f"{found}: no {name}")
    return ("not_met", f"{found}: {name} is excluded") if hit else ("met", f"{found}: no {name}, as required")


# --- diagnosis, stage, burden ----------------------------------------------------------------------------------


@judges("diagnosis")
def _diagnosis(c: Diagnosis, p: Patient, ctx: Ctx) -> Outcome:
    if not p.diagnoses:
        return "unknown", "no diagnosis recorded"
    rule = c.cancer + (f" ({c.histology})" if c.histology else "")
    results: list[bool | None] = []
    for d in p.diagnoses:
        ok = cancer_matches(d.cancer, c.cancer)
        if ok and c.histology:
            ok = None if d.histology is None else canonical_histology(d.histology) == canonical_histology(c.histology)
        if ok and c.histologically_confirmed and d.histologically_confirmed is False:
            ok = False
        results.append(ok)
    had = ", ".join(d.cancer + (f" ({d.histology})" if d.histology else "") for d in p.diagnoses)
    ok = tri(results, want_all=False)
    if ok is None:
        return "unknown", f"diagnosis {had}: cannot tell whether it is {rule}"
    return ("met", f"diagnosis {had} is {rule}") if ok else ("not_met", f"diagnosis {had} is not {rule}")


_STAGE = re.compile(r"^\s*(?:stage\s*)?(0|IV|I{1,3})([A-C]?\d?)", re.I)


def _stage_parts(s: str) -> tuple[str, str] | None:
    m = _STAGE.match(s)
    return (m.group(1).upper(), m.group(2).upper()) if m else None


def _stage_in(patient: str, wanted: str) -> bool | None:
    """'IIIB' is in 'III'; 'III' in 'IIIB' cannot be told (None); other numerals are not."""
    p, w = _stage_parts(patient), _stage_parts(wanted)
    if p is None or w is None:
        return None
    if p[0] != w[0]:
        return False
    if not w[1] or p[1] == w[1] or p[1].startswith(w[1]):
        return True
    return None if not p[1] else False


_TNM_PREFIX = re.compile(r"(?<![A-Za-z0-9])(?:yp|yc|[cpyr])(?=[TNM](?:is|[0-4X]))")
_TNM = re.compile(r"([TNM])(is|[0-4X][a-d]?)")
_TNM_TOKEN = re.compile(r"^[cpy]{0,2}([TNM])(is|[0-4X][a-d]?)$", re.I)


def _tnm(stage: str) -> dict[str, str]:
    """The T / N / M tokens of a stage string ('cT2 N1 M0', 'pT1cN0M0' -> {'T': '1c', ...}; {} for 'IIB')."""
    return {m.group(1): m.group(2).lower() for m in _TNM.finditer(_TNM_PREFIX.sub("", stage))}


def _tnm_in(patient: str, wanted: list[str]) -> bool | None:
    """The patient's token (e.g. '2a') among a criterion's tokens of one letter ('2' holds '2a'; '4a' in '4'
    cannot be told: None)."""
    results: list[bool | None] = []
    for w in wanted:
        if patient == w or (patient.startswith(w) and w[-1:].isdigit()):
            return True
        results.append(None if w.startswith(patient) and patient[-1:].isdigit() else False)
    return tri(results, want_all=False)


def _stages_ok(stage: str | None, stages: list[str], metastatic: bool | None) -> bool | None:
    """A criterion's ``stages`` against the patient's stage string: its stage groups (I-IV) are alternatives; its
    TNM tokens must all hold per letter (the patient's T among the T tokens and N among the N tokens). The M token
    falls back on ``metastatic`` (M1 / M0) when the stage string has none; a metastatic patient with no stage
    string is stage IV."""
    if stage is None and metastatic is None:
        return None
    stage = stage or ("IV" if metastatic else "")
    groups = [s for s in stages if not _TNM_TOKEN.match(s)]
    letters: dict[str, list[str]] = {}
    for s in stages:
        m = _TNM_TOKEN.match(s)
        if m:
            letters.setdefault(m.group(1).upper(), []).append(m.group(2).lower())
    alts: list[bool | None] = [_stage_in(stage, s) for s in groups]
    if letters:
        had = _tnm(stage)
        if "M" not in had and metastatic is not None:
            had["M"] = "1" if metastatic else "0"
        alts.append(tri((None if k not in had else _tnm_in(had[k], v) for k, v in letters.items()), want_all=True))
    return tri(alts, want_all=False)


@judges("stage")
def _stage(c: Stage, p: Patient, ctx: Ctx) -> Outcome:
    parts = _stage_parts(p.stage) if p.stage else None
    metastatic = p.metastatic
    if metastatic is None and parts is not None:
        metastatic = parts[0] == "IV"
    if metastatic is None and p.stage and "M" in _tnm(p.stage):
        metastatic = None if _tnm(p.stage)["M"] == "x" else _tnm(p.stage)["M"] != "0"
    alts: list[bool | None] = []  # the criterion's fields are alternatives
    if c.stages:
        alts.append(_stages_ok(p.stage, c.stages, metastatic))
    if c.metastatic is not None:
        alts.append(None if metastatic is None else metastatic == c.metastatic)
    if c.locally_advanced:
        alts.append(p.locally_advanced)
    if c.recurrent:
        alts.append(p.recurrent)
    rule = " or ".join(
        [f"stage {'/'.join(c.stages)}"] * bool(c.stages)
        + ["metastatic"] * bool(c.metastatic)
        + ["without distant metastases"] * (c.metastatic is False)
        + ["locally advanced"] * bool(c.locally_advanced)
        + ["recurrent"] * bool(c.recurrent)
    )
    had = (
        ", ".join(
            [f"stage {p.stage}"] * bool(p.stage)
            + [f"metastatic {metastatic}".replace("True", "yes").replace("False", "no")] * (metastatic is not None)
            + [f"locally advanced {'yes' if p.locally_advanced else 'no'}"] * (p.locally_advanced is not None)
        )
        or "no stage recorded"
    )
    if not alts:
        return "not_evaluable", "the criterion states nothing a patient field can answer"
    ok = tri(alts, want_all=False)
    if ok is None:
        return "unknown", f"{had}: cannot tell whether it is {rule}"
    return ("met", f"{had} is {rule}") if ok else ("not_met", f"{had} is not {rule}")


def _bound(name: str, value: int | None, lo: int | None, hi: int | None) -> Outcome | None:
    if lo is None and hi is None:
        return None
    rule = limits(lo, hi)
    if value is None:
        return "unknown", f"{name} not recorded (required {rule})"
    ok = (lo is None or value >= lo) and (hi is None or value <= hi)
    return ("met" if ok else "not_met"), f"{value} {name}, required {rule}"


@judges("metastatic_burden")
def _burden(c: MetastaticBurden, p: Patient, ctx: Ctx) -> Outcome:
    organs = (
        p.organ_count
        if p.organ_count is not None
        else (len(p.metastatic_sites) if p.metastatic_sites is not None else None)
    )
    parts = [
        x
        for x in (
            _bound("metastatic lesions", p.lesion_count, c.min_lesions, c.max_lesions),
            _bound("organs with metastases", organs, c.min_organs, c.max_organs),
        )
        if x is not None
    ]
    if not parts:
        return "not_evaluable", "metastatic burden named without numbers: a person must judge it"
    return combine(parts)


# --- brain metastases ------------------------------------------------------------------------------------------


def _condition(cond: str, c: BrainMetastases, p: Patient, ctx: Ctx) -> Outcome | None:
    bm = p.brain_metastases
    assert bm is not None
    if cond == "treated":
        return (
            ("unknown", "whether the brain metastases were treated is not recorded")
            if bm.treated is None
            else (("met", "treated") if bm.treated else ("not_met", "brain metastases untreated, must be treated"))
        )
    if cond == "stable":
        if bm.stable_since is None:
            return "unknown", "brain metastases: no date since which they are stable"
        weeks = ctx.weeks_since(bm.stable_since)
        need = c.stable_weeks_min or 0
        if weeks >= need:
            return "met", f"stable since {bm.stable_since} ({weeks:.1f} weeks)"
        return "not_met", f"stable since {bm.stable_since} ({weeks:.1f} weeks), required {fmt(need)} weeks"
    if cond == "asymptomatic":
        if bm.symptomatic is None:
            return "unknown", "whether the brain metastases cause symptoms is not recorded"
        return ("not_met", "brain metastases are symptomatic") if bm.symptomatic else ("met", "asymptomatic")
    if cond == "off_steroids":
        if bm.on_steroids is None:
            return "unknown", "whether the patient takes steroids for them is not recorded"
        return ("not_met", "on steroids for brain metastases") if bm.on_steroids else ("met", "off steroids")
    return None  # "untreated": untreated ones are allowed, nothing to check


@judges("brain_metastases")
def _brain(c: BrainMetastases, p: Patient, ctx: Ctx) -> Outcome:
    bm = p.brain_metastases
    if bm is None:
        return "unknown", "brain metastases not recorded"
    parts: list[Outcome] = []
    present = bm.present
    if c.allowed == "allowed":
        parts.append(("met", "brain metastases are allowed"))
    elif present is None:
        parts.append(("unknown", "whether the patient has brain metastases is not recorded"))
    elif c.allowed == "excluded":
        parts.append(("not_met", "brain metastases present, excluded") if present else ("met", "no brain metastases"))
    elif c.allowed == "required":
        parts.append(
            ("met", "brain metastases present, as required")
            if present
            else ("not_met", "no brain metastases; the trial requires them")
        )
    elif not present:
        parts.append(("met", "no brain metastases"))
    else:
        conds = list(c.conditions)
        if c.stable_weeks_min and "stable" not in conds:
            conds.append("stable")
        sub = [o for o in (_condition(x, c, p, ctx) for x in conds) if o is not None]
        status, why = combine(sub) if sub else ("met", "brain metastases allowed")
        parts.append((status, f"brain metastases present: {why}"))
    if c.leptomeningeal == "excluded":
        lepto = bm.leptomeningeal
        if lepto is None and present is False:
            lepto = False  # imaging without brain metastases shows no leptomeningeal disease either
        if lepto is None:
            parts.append(("unknown", "leptomeningeal disease not recorded"))
        elif lepto:
            parts.append(("not_met", "leptomeningeal disease present, excluded"))
    return combine(parts)


@judges("measurable_disease")
def _measurable(c: MeasurableDisease, p: Patient, ctx: Ctx) -> Outcome:
    had = p.measurable_disease
    if had is None:
        return "unknown", "measurable disease not recorded"
    accepted = {
        "measurable": {"measurable"},
        "measurable_or_evaluable": {"measurable", "evaluable"},
        "evaluable": {"measurable", "evaluable"},
        "non_measurable": {"evaluable"},
    }[c.level]
    rule = c.level.replace("_", " ") + (f" ({c.standard})" if c.standard else "")
    what = {"measurable": "measurable disease", "evaluable": "evaluable, non-measurable disease"}.get(had, "no disease")
    return ("met", f"{what}: meets {rule}") if had in accepted else ("not_met", f"{what}: {rule} required")
