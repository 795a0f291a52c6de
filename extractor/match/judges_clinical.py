"""Judges of the clinical kinds: lab (units converted with pint, x ULN with the patient's ULN), cardiac,
performance_status, age, sex, life_expectancy, bmi, pregnancy, infection, consent."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from datetime import date
from functools import cache

from extractor.kinds.bmi import BMI
from extractor.match._base import Ctx, Outcome, combine, fmt, judges, limits
from extractor.match._vocab import analyte_key, infection_names, named_infections, site_of
from extractor.models import (
    Age,
    Cardiac,
    Consent,
    Infection,
    Lab,
    LifeExpectancy,
    PerformanceStatus,
    Pregnancy,
    Sex,
)
from extractor.models.patient import LabResult, Patient
from extractor.units import to_unit

__all__: list[str] = []

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9),
}
_COMPOSITES = {"organ_function", "marrow_function", "liver_function", "renal_function", "coagulation"}


def _spelling(unit: str | None) -> str:
    return "".join((unit or "").lower().split()).replace("µ", "u").replace("μ", "u").replace("mcl", "ul")


@cache
def _factor(unit: str, target: str, analyte: str) -> float | None:
    """Multiplier from ``unit`` to ``target`` for ``analyte`` (every lab unit here is linear), or None."""
    return to_unit(1.0, unit, target, analyte)


def _convert(value: float, unit: str | None, target: str | None, analyte: str) -> float | None:
    if _spelling(unit) == _spelling(target):
        return value
    if unit is None or target is None:
        return None
    f = _factor(unit, target, analyte)
    return None if f is None else float(f"{value * f:.10g}")  # 1e5 /mm3 is 100 x10^9/L, not 100.00000000000001


def _latest_lab(p: Patient, analyte: str) -> LabResult | None:
    labs = [(i, x) for i, x in enumerate(p.labs) if analyte_key(x.analyte) == analyte]
    return max(labs, key=lambda it: (it[1].measured_on or date.min, it[0]))[1] if labs else None


def _condition_holds(condition: str, p: Patient) -> bool | None:
    """Whether the patient has a lab limit's condition: an infection it names from ``active_infections`` (None:
    not recorded), metastases of an organ from ``metastatic_sites``; None for a condition no field records."""
    infections = named_infections(condition)
    if infections:
        if p.active_infections is None:
            return None
        return any(infection_names(x) & infections for x in p.active_infections)
    site = site_of(condition)
    if site is None or ("metasta" not in condition.lower() and "involvement" not in condition.lower()):
        return None
    if p.metastatic_sites is None:
        return None
    return any(site_of(s) == site for s in p.metastatic_sites)


@judges("lab")
def _lab(c: Lab, p: Patient, ctx: Ctx) -> Outcome:
    analyte = analyte_key(c.analyte)
    name = c.analyte.replace("_", " ")
    if analyte in _COMPOSITES or (c.uln_multiple is None and (c.op is None or c.value is None)):
        return "not_evaluable", f"{name} named without a threshold: a person must judge it"
    if c.condition:
        holds = _condition_holds(c.condition, p)
        if holds is None:
            return "unknown", f"cannot tell whether the patient has {c.condition} (the {name} limit for it)"
        if not holds:
            return "met", f"no {c.condition}: this {name} limit does not apply (the general limit governs)"
    lab = _latest_lab(p, analyte)
    if lab is None:
        return "unknown", f"no {name} result recorded"
    if not ctx.fresh(lab.measured_on, ctx.settings.lab_max_age_days):
        return "unknown", f"{name} of {lab.measured_on} is older than {ctx.settings.lab_max_age_days} days"
    had = f"{name} {fmt(lab.value)}" + (f" {lab.unit}" if lab.unit else "")
    op = c.op or "<="
    if c.uln_multiple is not None:
        rule = f"{op} {fmt(c.uln_multiple)} x ULN"
        if lab.uln is None:
            return "unknown", f"{had}: the lab's ULN is not recorded, needed for {rule}"
        limit = c.uln_multiple * lab.uln
        ok = _OPS[op](lab.value, limit)
        where = f"{had} is {fmt(lab.value / lab.uln)} x ULN ({fmt(lab.uln)})"
        return ("met", f"{where}, within {rule}") if ok else ("not_met", f"{where}, outside the required {rule}")
    assert c.value is not None
    rule = f"{op} {fmt(c.value)}" + (f" {c.unit}" if c.unit else "")
    value = _convert(lab.value, lab.unit, c.unit, analyte)
    if value is None:
        return "unknown", f"{had} cannot be converted to {c.unit or 'the unitless threshold'} for {rule}"
    shown = had if value == lab.value else f"{had} (= {value:.4g} {c.unit})"
    if _OPS[op](value, c.value):
        return "met", f"{shown} meets the required {rule}"
    side = "below" if op in (">=", ">") else "above" if op in ("<=", "<") else "not equal to"
    return "not_met", f"{shown} is {side} the required {rule}"


@judges("cardiac")
def _cardiac(c: Cardiac, p: Patient, ctx: Ctx) -> Outcome:
    cs = p.cardiac
    parts: list[Outcome] = []
    fresh = cs is not None and ctx.fresh(cs.measured_on, ctx.settings.cardiac_max_age_days)
    stale = f" (measured {cs.measured_on}, over {ctx.settings.cardiac_max_age_days} days ago)" if cs else ""

    def measure(
        name: str, value: float | None, limit: float | None, ok: Callable[[float, float], bool], rule: str
    ) -> None:
        if limit is None:
            return
        if value is None:
            parts.append(("unknown", f"{name} not recorded ({rule})"))
        elif not fresh:
            parts.append(("unknown", f"{name} {fmt(value)}{stale}"))
        else:
            parts.append(("met" if ok(value, limit) else "not_met", f"{name} {fmt(value)}, required {rule}"))

    lvef = cs.lvef_percent if cs else None
    if c.lvef_min_percent is not None:
        measure("LVEF %", lvef, c.lvef_min_percent, operator.ge, f">= {fmt(c.lvef_min_percent)}%")
    if c.lvef_lln:
        lln = cs.lvef_lln_percent if cs else None
        if lln is None:
            parts.append(("unknown", "the institution's LVEF lower limit of normal is not recorded"))
        else:
            measure("LVEF %", lvef, lln, operator.ge, f">= LLN ({fmt(lln)}%)")
    if c.qtc_max_ms is not None:
        measure("QTc ms", cs.qtc_ms if cs else None, c.qtc_max_ms, operator.le, f"<= {fmt(c.qtc_max_ms)} ms")
    if c.nyha_max is not None:
        nyha = cs.nyha_class if cs else None
        if nyha is None:
            parts.append(("unknown", f"NYHA class not recorded (at most {c.nyha_max} allowed)"))
        else:
            ok = nyha <= c.nyha_max
            parts.append(("met" if ok else "not_met", f"NYHA class {nyha}, at most {c.nyha_max} allowed"))
    if c.conditions:
        had = cs.conditions if cs else None
        if had is None:
            parts.append(("unknown", "cardiac history not recorded"))
        else:
            hit = [h for h in had if any(x.lower() in h.lower() or h.lower() in x.lower() for x in c.conditions)]
            parts.append(
                ("not_met", f"history of {', '.join(hit)} is excluded")
                if hit
                else ("met", f"none of {', '.join(c.conditions)} in the cardiac history")
            )
    return combine(parts)


_KPS_TO_ECOG = ((90, 0), (70, 1), (50, 2), (30, 3), (10, 4), (0, 5))


@judges("performance_status")
def _performance(c: PerformanceStatus, p: Patient, ctx: Ctx) -> Outcome:
    ecog_like = {"ECOG", "WHO"}
    same = [s for s in p.performance if (s.scale in ecog_like) if c.scale in ecog_like] or [
        s for s in p.performance if s.scale == c.scale
    ]
    converted = False
    if not same and c.scale in ecog_like:
        same = [s for s in p.performance if s.scale == "Karnofsky"]
        converted = bool(same)
    rule = f"{c.scale} " + (f"{c.min}-{c.max}" if c.min is not None and c.max is not None else limits(c.min, c.max))
    if not same:
        return "unknown", f"no {c.scale} score recorded ({rule})"
    s = max(enumerate(same), key=lambda it: (it[1].assessed_on or date.min, it[0]))[1]
    if not ctx.fresh(s.assessed_on, ctx.settings.performance_max_age_days):
        return (
            "unknown",
            f"{s.scale} {s.score} of {s.assessed_on} is older than {ctx.settings.performance_max_age_days} days",
        )
    score = next(e for k, e in _KPS_TO_ECOG if s.score >= k) if converted else s.score
    had = f"Karnofsky {s.score} (ECOG {score})" if converted else f"{s.scale} {s.score}"
    ok = (c.min is None or score >= c.min) and (c.max is None or score <= c.max)
    return ("met", f"{had} meets {rule}") if ok else ("not_met", f"{had} is outside the required {rule}")


def _age(p: Patient, on: date) -> tuple[float, int] | None:
    """(age in completed months / 12, completed years), or None."""
    if p.birth_date is not None:
        months = (on.year - p.birth_date.year) * 12 + on.month - p.birth_date.month - (on.day < p.birth_date.day)
        return months / 12, months // 12
    if p.age_years is not None:
        return p.age_years, math.floor(p.age_years)
    return None


@judges("age")
def _age_judge(c: Age, p: Patient, ctx: Ctx) -> Outcome:
    rule = limits(c.min_years, c.max_years)
    age = _age(p, ctx.assessed_on)
    if not rule:
        return "not_evaluable", "age named without limits"
    if age is None:
        return "unknown", f"age not recorded (required {rule} years)"
    exact, whole = age
    ok = (c.min_years is None or exact >= c.min_years) and (
        c.max_years is None or (whole if float(c.max_years).is_integer() else exact) <= c.max_years
    )
    return ("met" if ok else "not_met"), f"age {whole} years, required {rule} years"


@judges("sex")
def _sex(c: Sex, p: Patient, ctx: Ctx) -> Outcome:
    if c.sex == "all":
        return "met", "open to all sexes"
    if p.sex is None:
        return "unknown", f"sex not recorded ({c.sex} required)"
    return ("met" if p.sex == c.sex else "not_met"), f"patient is {p.sex}, the trial takes {c.sex} patients"


@judges("life_expectancy")
def _life(c: LifeExpectancy, p: Patient, ctx: Ctx) -> Outcome:
    rule = f">= {fmt(c.min_months)} months"
    if p.life_expectancy_months is None:
        return "unknown", f"life expectancy not recorded (required {rule})"
    ok = p.life_expectancy_months >= c.min_months
    return ("met" if ok else "not_met"), f"life expectancy {fmt(p.life_expectancy_months)} months, required {rule}"


@judges("bmi")
def _bmi(c: BMI, p: Patient, ctx: Ctx) -> Outcome:
    lo, hi = c.min, c.max
    if c.percentile:
        return "not_evaluable", "BMI-for-age percentiles: a person must judge them"
    rule = limits(lo, hi)
    if not rule:
        return "not_evaluable", "BMI named without limits"
    if p.bmi is None:
        return "unknown", f"BMI not recorded (required {rule})"
    ok = (lo is None or p.bmi >= lo) and (hi is None or p.bmi <= hi)
    return ("met" if ok else "not_met"), f"BMI {fmt(p.bmi)}, required {rule}"


@judges("pregnancy")
def _pregnancy(c: Pregnancy, p: Patient, ctx: Ctx) -> Outcome:
    parts: list[Outcome] = []
    for flag, value, word in (
        (c.pregnancy_excluded, p.pregnant, "pregnant"),
        (c.breastfeeding_excluded, p.breastfeeding, "breastfeeding"),
    ):
        if not flag:
            continue
        if p.sex == "male":
            parts.append(("met", f"male patient: not {word}"))
        elif value is None:
            parts.append(("unknown", f"whether the patient is {word} is not recorded"))
        else:
            parts.append(("not_met", f"patient is {word}, excluded") if value else ("met", f"not {word}"))
    if not parts:
        return "not_evaluable", "contraception or a negative pregnancy test: checked at screening by a person"
    return combine(parts)


@judges("infection")
def _infection(c: Infection, p: Patient, ctx: Ctx) -> Outcome:
    wanted = set(c.infections) or {"active infection"}
    if p.active_infections is None:
        return "unknown", f"active infections not recorded ({', '.join(sorted(wanted))} excluded)"
    hit = [x for x in p.active_infections if infection_names(x) & wanted]
    if hit:
        return "not_met", f"active {', '.join(hit)}: {', '.join(sorted(wanted))} excluded"
    had = ", ".join(p.active_infections) or "none"
    return "met", f"active infections: {had}; none of {', '.join(sorted(wanted))}"


@judges("consent")
def _consent(c: Consent, p: Patient, ctx: Ctx) -> Outcome:
    if p.consented is None:
        return "unknown", "consent not recorded"
    return ("met", "consented") if p.consented else ("not_met", "has not consented / cannot consent")


@judges("other")
def _other(c: object, p: Patient, ctx: Ctx) -> Outcome:
    return "not_evaluable", "free-text criterion: a person must check it"
