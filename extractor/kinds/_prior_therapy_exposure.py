"""A therapy received for a time (``prior_therapy``, issue 11, round 22): a pass after the extractor.

"Received concurrent GnRH agonist therapy for at least 6 weeks prior to the first dose", "treated with therapeutic
anticoagulation for at least 4 weeks before randomization", "a CDK4/6i administered for a minimum of 8 weeks prior to
disease progression": the sentence rules read the time as a window; it is how long the therapy was given (GUIDE,
third round: exposure length is ``min_duration_months``, never ``within_weeks``). A criterion read as excluded
becomes allowed under a permission cue ("unless", "except for those ... receiving") or in an exclusion item (a
conditional permission), else required. An exclusion item is read only when a permission or a "must" stands before
the therapy in its sentence. Patterns: ``received*`` of ``planned_therapy``
in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import to_months, to_weeks
from extractor.rules.item import ItemContext

__all__ = ["ExposureRules", "received_exposure"]

C = TypeVar("C", bound=Therapy)


class ExposureRules(Protocol):
    """The ``planned_therapy`` patterns this pass reads."""

    @property
    def received(self) -> re.Pattern[str]: ...
    @property
    def received_not(self) -> re.Pattern[str]: ...
    @property
    def received_negated(self) -> re.Pattern[str]: ...
    @property
    def received_permission(self) -> re.Pattern[str]: ...
    @property
    def received_must(self) -> re.Pattern[str]: ...


def _holder(ctx: ItemContext, out: list[C], s: int, e: int) -> C | None:
    """The last criterion whose evidence holds the item span ``s:e``."""
    ev = ctx.evidence(s, e)
    best: C | None = None
    for c in out:
        if c.evidence.start <= ev.start and ev.end <= c.evidence.end:
            best = c
    return best


def received_exposure(ctx: ItemContext, r: ExposureRules, out: list[C]) -> None:
    """Turn the window of a therapy received for a time into its exposure length (in place)."""
    lower = ctx.lower
    for m in r.received.finditer(lower):
        negated = r.received_negated.search(lower, max(0, m.start() - 30), m.start()) is not None
        if negated or r.received_not.search(m.group("span")):
            continue  # "must not have received X for 14 days", "stable dose for 7 days", "within 6 weeks ... and for"
        before = _sentence_before(lower, m.start())
        permitted = r.received_permission.search(before) is not None
        if ctx.is_exclusion and not (permitted or r.received_must.search(before)):
            continue  # "patients receiving investigational agents for 28 days before": an exclusion's washout
        n, unit = float(m.group("n")), m.group("unit")
        c = _holder(ctx, out, m.start(), m.end())
        if c is None or c.min_duration_months is not None or c.within_weeks is None:
            continue
        if abs(c.within_weeks - to_weeks(n, unit)) > 0.15:
            continue  # the criterion's window is another time of the item
        c.min_duration_months = round(to_months(n, unit), 2)
        c.within_weeks = None
        if c.requirement == "excluded":
            c.requirement = "allowed" if permitted or ctx.is_exclusion else "required"


def _sentence_before(lower: str, end: int) -> str:
    """The text of the sentence that holds ``end``, up to it (at most 150 characters)."""
    start = max(0, end - 150)
    cut = max(lower.rfind(". ", start, end), lower.rfind(";", start, end))
    return lower[cut + 1 if cut >= 0 else start : end]
