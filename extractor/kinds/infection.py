"""Kind ``infection``: infections such as HIV, hepatitis B/C, tuberculosis, active infection requiring therapy.

Reads ``infection.yaml``: each named infection has gate words and name patterns (any case) or abbreviations
(case-sensitive); it counts when a gate word of the item lies inside a match ("TB <= 1.5 x ULN" is bilirubin, a
"COVID-19 vaccine" no infection) and no exception cue stands just before it ("except hepatitis B or C"), nor the
guidelines of a therapy ("follow local guidelines for HBV anti-viral therapy"). One criterion
per item lists every infection found, in the file's order; the generic "active infection" is left out when a named
one follows it ("active infection with hepatitis B"), a general one when a specific one it covers is named, a
site-named one ("urinary tract infection") when any other is named. A child of an HIV lead-in that states HIV
control without naming HIV ("Undetectable viral load", "On stable antiretroviral therapy") is an ``hiv`` criterion.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import sentence_bounds, word_starts
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Infection", "InfectionRule", "Rules", "extract"]


class Infection(CriterionBase):
    """Infections such as HIV, hepatitis B/C, tuberculosis, active infection requiring therapy."""

    kind: Literal["infection"] = "infection"
    infections: list[str] = Field(
        default_factory=list,
        description="Lower-case infections: hiv, hepatitis b, hepatitis c, tuberculosis, covid-19, active infection.",
    )


class InfectionRule(BaseModel):
    """One infection: gate words, name patterns (any case), abbreviations (case-sensitive), joined at load into
    one word-bounded pattern (:attr:`pattern`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: frozenset[str] = Field(min_length=1)
    names: tuple[Pattern, ...] = ()
    abbrev: tuple[Pattern, ...] = ()
    _pattern: re.Pattern[str] = PrivateAttr()

    @model_validator(mode="after")
    def _join(self) -> InfectionRule:
        alts = [f"(?:{p.pattern})" for p in self.names] + [f"(?-i:{p.pattern})" for p in self.abbrev]
        if not alts:
            raise ValueError("an infection needs names or abbrev")
        try:
            self._pattern = re.compile(r"(?<!\w)(?i:" + "|".join(alts) + r")(?!\w)")
        except re.error as e:
            raise ValueError(f"its patterns do not join into one: {e}") from None
        return self

    @property
    def pattern(self) -> re.Pattern[str]:
        """Any of the infection's names or abbreviations, as a whole word."""
        return self._pattern


class Rules(RuleFile):
    """``infection.yaml``."""

    infections: dict[str, InfectionRule] = Field(min_length=1)
    generic: str
    generic_named_after: Pattern
    generic_restated: Pattern
    vaccine_after: Pattern
    exception_before: Pattern
    guideline_before: Pattern
    covered_by: dict[str, tuple[str, ...]]
    covered_by_examples: dict[str, tuple[str, ...]]
    examples_after: Pattern
    site_named: frozenset[str]
    lead_hiv: Pattern
    lead_viral_load: Pattern
    lead_hepatitis: Pattern
    lead_not: Pattern
    parenthetical: Pattern

    @model_validator(mode="after")
    def _generic_is_listed(self) -> Rules:
        if self.generic not in self.infections:
            raise ValueError(f"generic {self.generic!r} is not one of the infections")
        if not self.site_named <= self.infections.keys():
            raise ValueError("site_named lists a name that is not one of the infections")
        return self


RULES = load_rules("infection", Rules)

#: how far around a gate word a name pattern may start / end (characters)
_BEFORE, _AFTER = 150, 80


@cache
def _gate() -> frozenset[str]:
    """Every infection's gate words."""
    return frozenset().union(*(rule.gate for rule in RULES.infections.values()))


@cache
def _infections() -> tuple[tuple[str, frozenset[str], re.Pattern[str]], ...]:
    """(name, gate words, pattern) of each infection, in the file's order."""
    return tuple((name, rule.gate, rule.pattern) for name, rule in RULES.infections.items())


def _lead_hiv(ctx: ItemContext) -> list[Infection]:
    """An ``hiv`` criterion for a child of an HIV lead-in that states HIV control without naming HIV."""
    lead = ctx.lead_in
    if not lead or RULES.lead_triggers is None or not RULES.lead_triggers.search(lead):
        return []
    clean = ctx.clean
    if RULES.lead_not.search(RULES.parenthetical.sub("", clean)):  # a parenthetical note may name an interaction
        return []
    m = RULES.lead_hiv.search(clean)
    if m is None and not RULES.lead_hepatitis.search(lead):
        m = RULES.lead_viral_load.search(clean)
    if m is None:
        return []
    start, end = sentence_bounds(clean, m.start(), m.end())
    return [ctx.make(Infection, start, end, infections=["hiv"])]


def extract(ctx: ItemContext) -> list[Infection]:
    """The item's infection criterion (at most one)."""
    hits = ctx.words & _gate()
    if not hits:
        return _lead_hiv(ctx)
    clean, low = ctx.clean, ctx.lower
    starts = word_starts(low, hits)
    found: list[str] = []
    spans: list[tuple[str, int, int]] = []
    generic = False
    for name, own, rx in _infections():
        if own.isdisjoint(hits):
            continue
        m = None
        for pos, word in starts:
            if word not in own:
                continue
            for cand in rx.finditer(clean, max(0, pos - _BEFORE), min(len(clean), pos + _AFTER)):
                if cand.start() <= pos < cand.end() and not RULES.vaccine_after.match(low, cand.end()):
                    window = max(0, cand.start() - 40)
                    if RULES.exception_before.search(low, window, cand.start()) or RULES.guideline_before.search(
                        low, window, cand.start()
                    ):
                        continue
                    m = cand
                    break
            if m is not None:
                break
        if m is None:
            continue
        found.append(name)
        spans.append((name, m.start(), m.end()))
        if name == RULES.generic:
            restated = RULES.generic_restated.search(low, max(0, m.start() - 40), m.end())
            if RULES.generic_named_after.match(low, m.end()) or (restated and restated.start() <= m.start()):
                generic = True
    if not RULES.site_named.issuperset(found):
        found = [name for name in found if name not in RULES.site_named]
        spans = [span for span in spans if span[0] not in RULES.site_named]
    if generic and len(found) > 1:
        found.remove(RULES.generic)
    for general, specific in RULES.covered_by.items():
        if general in found and any(name in found for name in specific):
            found.remove(general)
    for general, specific in RULES.covered_by_examples.items():
        if general in found and any(name in found for name in specific):
            end = next(e for name, _, e in spans if name == general)
            if RULES.examples_after.match(low, end):
                found.remove(general)
    if not found:
        return _lead_hiv(ctx)
    first, last = min(s for _, s, _ in spans), max(e for _, _, e in spans)
    start, end = sentence_bounds(clean, first, last)
    return [ctx.make(Infection, start, end, infections=found)]


KIND = KindSpec(
    Infection,
    extract=extract,
    rule_file=Rules,
    core=False,
    compare={
        "infections": Compare("phrases"),
    },
)
