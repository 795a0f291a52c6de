"""Kind ``measurable_disease``: measurable / evaluable disease requirement.

Reads ``measurable_disease.yaml``: "measurable or evaluable" -> measurable_or_evaluable; "non-measurable" alone ->
non_measurable (an exclusion naming it states measurable); "measurable" -> measurable (negated in an inclusion ->
non_measurable; an exclusion fires only when negated or with "only"; negation is the context pass's, with the
kind's own cues only); "evaluable disease" -> evaluable. Measurable residual disease is left out unless RECIST is
named. The first response criteria named is the standard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "MeasurableDisease", "Rules", "extract"]


class MeasurableDisease(CriterionBase):
    """Measurable / evaluable disease requirement."""

    kind: Literal["measurable_disease"] = "measurable_disease"
    level: Literal["measurable", "measurable_or_evaluable", "evaluable", "non_measurable"] = Field(
        description="What disease must be present: measurable, measurable or evaluable, evaluable, non-measurable."
    )
    standard: str | None = Field(default=None, description="Response criteria named, e.g. 'RECIST 1.1', 'RANO'.")


class Standard(BaseModel):
    """One response-criteria name and the pattern that finds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    pattern: Pattern


class Rules(RuleFile):
    """``measurable_disease.yaml``."""

    both: Pattern
    non_measurable: Pattern
    measurable: Pattern
    evaluable: Pattern
    exclusion_only: tuple[str, ...]
    residual: tuple[str, ...]
    residual_unless: tuple[str, ...]
    standards: tuple[Standard, ...]
    negation_words: frozenset[str]


RULES = load_rules("measurable_disease", Rules)

# the patterns, with their required literals tested first (most items lack them)
_BOTH, _NON, _MEASURABLE, _EVALUABLE = map(
    Prefiltered, (RULES.both, RULES.non_measurable, RULES.measurable, RULES.evaluable)
)
_STANDARDS = tuple((s.name, Prefiltered(s.pattern)) for s in RULES.standards)


def _has(lower: str, words: tuple[str, ...]) -> bool:
    return any(w in lower for w in words)


def extract(ctx: ItemContext) -> list[MeasurableDisease]:
    """The item's measurable-disease criterion (at most one)."""
    lower = ctx.lower
    both = _BOTH.search(lower)
    non = _NON.search(lower)
    meas = _MEASURABLE.search(lower)
    level: str | None = None
    if both:
        level = "measurable_or_evaluable"
    elif non and not meas:
        level = "measurable" if ctx.is_exclusion else "non_measurable"
    elif meas:
        # without a negation word the item has no negation cue: the context pass is not run
        negated = not RULES.negation_words.isdisjoint(ctx.words) and ctx.context.has(
            "negated", meas.start(), meas.end(), kind="measurable_disease"
        )
        if ctx.is_exclusion and not negated and not _has(lower, RULES.exclusion_only):
            return []
        level = "non_measurable" if negated and not ctx.is_exclusion else "measurable"
    elif _EVALUABLE.search(lower):
        level = "evaluable"
    if level is None:
        return []
    if _has(lower, RULES.residual) and not _has(lower, RULES.residual_unless):
        return []
    standard = next((name for name, rx in _STANDARDS if rx.search(lower)), None)
    return [ctx.make(MeasurableDisease, level=level, standard=standard)]


KIND = KindSpec(MeasurableDisease, extract=extract, rule_file=Rules, core=False)
