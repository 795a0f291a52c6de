"""The judge registry: one judge per criterion kind, registered by kind name, and what judges share.

A judge is ``judge(criterion, patient, ctx) -> (status, reason)``. A kind without a judge comes out
``not_evaluable`` (:func:`judge_for`), so a new kind is never silently ``met``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

from extractor.match.settings import MatchSettings
from extractor.models.match import Status
from extractor.models.patient import Patient

__all__ = [
    "JUDGES",
    "READS_EVIDENCE",
    "Ctx",
    "Judge",
    "Outcome",
    "combine",
    "fmt",
    "judge_for",
    "judges",
    "limits",
    "tri",
]

Outcome = tuple[Status, str]
Judge = Callable[[Any, Patient, "Ctx"], Outcome]
JUDGES: dict[str, Judge] = {}
"""kind name -> its judge."""

F = TypeVar("F", bound=Callable[..., Outcome])


READS_EVIDENCE: set[str] = set()
"""Kinds whose judge also reads the criterion's evidence text (``match_many`` then caches on it too)."""


def judges(kind: str, *, reads_evidence: bool = False) -> Callable[[F], F]:
    """Register the decorated function as the judge of ``kind`` (``reads_evidence``: it reads the evidence text)."""

    def deco(fn: F) -> F:
        if kind in JUDGES:
            raise ValueError(f"kind {kind!r} has two judges")
        JUDGES[kind] = fn
        if reads_evidence:
            READS_EVIDENCE.add(kind)
        return fn

    return deco


def _no_judge(c: Any, p: Patient, ctx: Ctx) -> Outcome:
    return "not_evaluable", f"no judge for kind {c.kind!r}: a person must check it"


def judge_for(kind: str) -> Judge:
    """The judge of ``kind`` (one that answers ``not_evaluable`` when the kind has none)."""
    return JUDGES.get(kind, _no_judge)


@dataclass(frozen=True)
class Ctx:
    """What every judge needs besides the criterion and the patient: the assessment date and the settings."""

    assessed_on: date
    settings: MatchSettings

    def fresh(self, when: date | None, max_days: int) -> bool:
        """True when a measurement of ``when`` is recent enough (undated: as the settings say)."""
        if when is None:
            return self.settings.undated_is_current
        return self.assessed_on - when <= timedelta(days=max_days)

    def weeks_since(self, when: date) -> float:
        """Weeks from ``when`` to the assessment date."""
        return (self.assessed_on - when).days / 7


def fmt(x: float) -> str:
    """A number without a needless ``.0`` (1.5 -> '1.5', 100.0 -> '100')."""
    return f"{x:g}"


def limits(lo: float | None, hi: float | None) -> str:
    """'>= lo and <= hi' for the bounds that are set ('' when neither is)."""
    parts = [] if lo is None else [f">= {fmt(lo)}"]
    return " and ".join(parts if hi is None else [*parts, f"<= {fmt(hi)}"])


def tri(results: Iterable[bool | None], *, want_all: bool) -> bool | None:
    """Three-valued any/all: ``want_all`` is AND (False wins, then None), else OR (True wins, then None)."""
    seen_none = False
    for r in results:
        if r is None:
            seen_none = True
        elif r is not want_all:
            return r
    return None if seen_none else want_all


def combine(parts: list[Outcome]) -> Outcome:
    """Several checks of one criterion, all required: not_met wins, then unknown, then met; reasons joined."""
    if not parts:
        return "not_evaluable", "the criterion states nothing a patient field can answer"
    for status in ("not_met", "unknown"):
        hit = [r for s, r in parts if s == status]
        if hit:
            return status, "; ".join(hit)
    evaluable = [r for s, r in parts if s == "met"]
    if not evaluable:
        return "not_evaluable", "; ".join(r for _, r in parts)
    return "met", "; ".join(evaluable)
