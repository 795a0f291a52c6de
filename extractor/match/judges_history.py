"""Judges of the history kinds: prior_therapy (agents by name, synonym or class; settings, lines, durations and
washouts by dates) and prior_malignancy (other cancers inside a look-back window, with exceptions)."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from extractor.match._base import Ctx, Outcome, fmt, judges, limits, tri
from extractor.match._vocab import agent_terms, ancestors, canonical_cancer, criterion_agent_matches, knowledge
from extractor.models import PriorMalignancy, PriorTherapy
from extractor.models.patient import Patient, TherapyRecord

__all__: list[str] = []

_SETTINGS = {
    "metastatic": {"metastatic", "advanced", "maintenance"},
    "adjuvant": {"adjuvant"},
    "neoadjuvant": {"neoadjuvant"},
    "early": {"early", "adjuvant", "neoadjuvant"},
}
_ADVANCED = {"metastatic", "advanced", "maintenance"}
_DAYS_PER_MONTH = 30.4375


def _agent_match(c: PriorTherapy, t: TherapyRecord) -> bool:
    return not c.agents or any(criterion_agent_matches(a, agent_terms(t.agent)) for a in c.agents)


def _setting_match(c: PriorTherapy, t: TherapyRecord) -> bool | None:
    if c.setting is None or c.setting == "any":
        return True
    return None if t.setting is None else t.setting in _SETTINGS[c.setting]


def _within(c: PriorTherapy, t: TherapyRecord, ctx: Ctx) -> bool | None:
    """Inside the criterion's window (by end date; ongoing counts as inside); True without a window."""
    if c.within_weeks is None:
        return True
    if t.end is None:
        return True if t.start is not None else None
    return ctx.assessed_on - t.end < timedelta(weeks=c.within_weeks)


def _duration_ok(c: PriorTherapy, t: TherapyRecord, ctx: Ctx) -> bool | None:
    if c.min_duration_months is None:
        return True
    if t.start is None:
        return None
    months = ((t.end or ctx.assessed_on) - t.start).days / _DAYS_PER_MONTH
    return months >= c.min_duration_months


def _response_ok(c: PriorTherapy, t: TherapyRecord) -> bool | None:
    if not c.response_required:
        return True
    return None if t.best_response is None else t.best_response in ("CR", "PR", "SD")


def _lines(c: PriorTherapy, therapies: list[TherapyRecord]) -> Outcome | None:
    """Distinct lines of the matching therapies in the metastatic / advanced setting, against min / max."""
    if c.min_lines is None and c.max_lines is None:
        return None
    matched = [t for t in therapies if _agent_match(c, t) and t.setting in _ADVANCED]
    lines = {t.line for t in matched if t.line is not None}
    undated = any(t.line is None for t in matched) or any(t.setting is None and _agent_match(c, t) for t in therapies)
    n = len(lines)
    rule = limits(c.min_lines, c.max_lines)
    what = f"{n} prior line{'s' * (n != 1)} for advanced disease"
    if c.max_lines is not None and n > c.max_lines:
        return "not_met", f"{what}, allowed {rule}"
    if c.min_lines is not None and n >= c.min_lines and not (undated and c.max_lines is not None):
        return "met", f"{what}, required {rule}"
    if undated:
        return "unknown", f"{what} counted, but some therapies have no line or setting recorded (required {rule})"
    if c.min_lines is not None and n < c.min_lines:
        return "not_met", f"{what}, required {rule}"
    return "met", f"{what}, required {rule}"


@cache
def _plan_pattern() -> re.Pattern[str]:
    words = sorted(knowledge()["plan_words"], key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _planned(c: PriorTherapy, p: Patient, ctx: Ctx) -> Outcome | None:
    """A therapy still to come (``plan_words`` in the evidence). Only a matching therapy under way answers a required
    plan (else unknown: plans are not in the record); an excluded plan is met unless one is under way (a past course
    is not the planned one)."""
    if c.requirement == "allowed" or not _plan_pattern().search(c.evidence.text):
        return None
    if p.therapies is None:
        return "unknown", "treatment history not recorded"
    ongoing = [t for t in p.therapies if _agent_match(c, t) and t.start is not None and t.end is None]
    if ongoing:
        names = ", ".join(t.agent for t in ongoing)
        verdict: Outcome = ("met", f"{names} under way: meets the planned {_names(c)}")
        return verdict if c.requirement == "required" else ("not_met", f"{names} under way: {_names(c)} is excluded")
    if c.requirement == "excluded":
        return "met", f"no {_names(c)} under way (a past course is not the planned one)"
    return "unknown", f"{_names(c)} is a plan; the record holds past and current treatment only"


def _names(c: PriorTherapy) -> str:
    return " or ".join(c.agents) if c.agents else "prior therapy"


@judges("prior_therapy", reads_evidence=True)
def _prior_therapy(c: PriorTherapy, p: Patient, ctx: Ctx) -> Outcome:
    if c.requirement == "allowed" and c.max_lines is None and c.min_lines is None:
        return "met", f"{_names(c)} is allowed"
    planned = _planned(c, p, ctx)
    if planned is not None:
        return planned
    if p.therapies is None:
        return "unknown", "treatment history not recorded"
    lines = _lines(c, p.therapies)
    if c.requirement == "allowed":
        assert lines is not None
        return lines
    hits = [t for t in p.therapies if _agent_match(c, t)]
    setting = f" in the {c.setting} setting" if c.setting and c.setting != "any" else ""
    window = f" within {fmt(c.within_weeks)} weeks" if c.within_weeks is not None else ""
    rule = f"{_names(c)}{setting}{window}"
    states = [
        tri(
            (_setting_match(c, t), _within(c, t, ctx), _duration_ok(c, t, ctx), _response_ok(c, t)),
            want_all=True,
        )
        for t in hits
    ]
    found = tri(states, want_all=False)
    names = ", ".join(t.agent + (f" (ended {t.end})" if t.end else " (ongoing)" * (t.start is not None)) for t in hits)
    if c.requirement == "excluded":
        if found is None:
            return "unknown", f"{names}: cannot tell whether it counts as {rule} (dates or setting missing)"
        if found:
            return "not_met", f"had {names}: {rule} is excluded"
        return "met", (f"{names} outside the exclusion {rule}" if hits else f"no {rule} in the treatment history")
    if found is None:
        return "unknown", f"{names}: cannot tell whether it meets {rule} (dates, setting or response missing)"
    if not found:
        return "not_met", (f"{names} does not meet {rule}" if hits else f"no {rule} in the treatment history")
    if lines is not None and lines[0] != "met":
        return lines
    return "met", f"had {names}: meets {rule}"


def _excepted(cancer: str, exceptions: list[str]) -> bool:
    """True when a prior cancer is (or falls under) one of the criterion's exceptions ('basal cell carcinoma of the
    skin' under 'non-melanoma skin cancer', through the cancer vocabulary and ``knowledge.yaml``)."""
    names = {*ancestors(canonical_cancer(cancer)), cancer.lower()}
    wanted = {canonical_cancer(e) for e in exceptions} | {e.lower() for e in exceptions}
    return bool(names & wanted) or any(e.lower() in cancer.lower() for e in exceptions)


@judges("prior_malignancy")
def _prior_malignancy(c: PriorMalignancy, p: Patient, ctx: Ctx) -> Outcome:
    if p.prior_malignancies is None:
        return "unknown", "history of other cancers not recorded"
    window = f" within {fmt(c.within_years)} years" if c.within_years is not None else ""
    results: list[bool | None] = []  # True: an excluding cancer
    for pc in p.prior_malignancies:
        if _excepted(pc.cancer, c.exceptions):
            results.append(False)
            continue
        if c.within_years is None:
            results.append(True)
            continue
        dates = [d for d in (pc.diagnosed_on, pc.treatment_ended_on) if d is not None]
        if not dates:
            results.append(None)
            continue
        results.append(ctx.assessed_on - max(dates) < timedelta(days=365.25 * c.within_years))
    had = ", ".join(pc.cancer for pc in p.prior_malignancies)
    found = tri(results, want_all=False)
    if found is None:
        return "unknown", f"prior {had}: no date to place it inside or outside the window{window}"
    if found:
        return "not_met", f"prior {had}{window}, not an allowed exception"
    if not p.prior_malignancies:
        return "met", "no other cancer recorded"
    return "met", f"prior {had} is an allowed exception or outside the window{window}"
