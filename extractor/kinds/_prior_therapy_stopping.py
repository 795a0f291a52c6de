"""A therapy the patient must stop or stay off, of the ``prior_therapy`` kind: "willing to discontinue NSAIDs 6 weeks
prior to Day 1", "unwilling to discontinue anti-TNF agents", "must discontinue any statin within 48 hours of
beginning treatment", "X must be discontinued at least 7 days prior", "must be off steroids for at least 7 days",
"cannot be on X". Excluded (GUIDE: "must discontinue X for at least 7 days" is X excluded, within_weeks 1), the
window the time after the phrase (hours read as days); a criterion the extractor read as required is turned excluded
and one without a window gets this one;
a stop naming its agents by reference ("These must be discontinued >= 5 days prior") gives its window to the
excluded criteria before it. Names another criterion holds are not added again. Patterns: ``stop``,
``stop_window`` of the ``ongoing`` block in ``prior_therapy.yaml``."""

from __future__ import annotations

from typing import Protocol, TypeVar, cast

from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_types import Therapy
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import Agent
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["stopped"]

C = TypeVar("C", bound=CriterionBase)

_GROUPS = ("span", "span2", "span3", "span4", "pre")


class _Rules(Protocol):
    @property
    def stop(self) -> Pattern: ...
    @property
    def stop_window(self) -> Pattern: ...
    @property
    def stop_back(self) -> Pattern: ...


def stopped(
    ctx: ItemContext, r: _Rules, out: list[C], model: type[C], *, found: list[Agent], sentences: list[tuple[int, int]]
) -> list[C]:
    """``out`` with the therapies the item says to stop or stay off (excluded), their windows filled in."""
    lower, stop, window, back = ctx.lower, r.stop, r.stop_window, r.stop_back
    have = {n for c in out for n in cast(Therapy, c).agents}
    add: list[C] = []
    for s, e in sentences:
        for m in stop.finditer(lower, s, e):
            g = next(g for g in _GROUPS if m.group(g) is not None)
            a, b = m.span(g)
            names: list[str] = []
            for ag in found:
                if a <= ag.start and ag.end <= b and not ag.neg:
                    names.extend(n for n in ag.qualified or (ag.name,) if n not in names)
            if not names and g == "pre" and back.match(lower, a, b):
                _back(ctx, out, s, _weeks(window, lower, m.end(), e))  # "These must be discontinued >= 5 days prior"
                continue
            if not names or (any(_held(n, have) for n in names) and any(not _held(n, have) for n in names)):
                continue  # none, or the extractor read the phrase (a qualifier it left is no agent of the stop)
            weeks = _weeks(window, lower, m.end(), e)
            for c in map(lambda x: cast(Therapy, x), out):
                if c.agents and all(n in names for n in c.agents) and c.requirement != "allowed":
                    c.requirement = "excluded"
                    c.min_duration_months = None
                    c.within_weeks = c.within_weeks if c.within_weeks is not None else weeks
            new = [n for n in names if not _held(n, have)]
            if new:
                have.update(new)
                add.append(ctx.make(model, s, e, agents=new, requirement="excluded", within_weeks=weeks))
    return [*out, *add] if add else out


def _back(ctx: ItemContext, out: list[C], s: int, weeks: float | None) -> None:
    """The window of a stop that names its agents by reference, given to the excluded criteria before it that have
    none."""
    if weeks is None:
        return
    start = ctx.evidence(s, s + 1).start
    for c in map(lambda x: cast(Therapy, x), out):
        if c.requirement == "excluded" and c.within_weeks is None and c.evidence.end <= start:
            c.within_weeks = weeks


def _held(name: str, have: set[str]) -> bool:
    """Whether a criterion holds ``name``, or a name it holds is it with a qualifier dropped or added."""
    return name in have or any(h.endswith(" " + name) or name.endswith(" " + h) for h in have)


def _weeks(window: Pattern, lower: str, a: int, e: int) -> float | None:
    """The window written right after the phrase (within 60 characters of ``a``, inside the sentence)."""
    m = window.search(lower, a, min(e, a + 60))
    if m is None:
        return None
    n = float(m.group("n"))
    if m.group("hours") is not None:
        return round(n / 24 / 7, 2)
    return weeks_of(n, m.group("unit"))
