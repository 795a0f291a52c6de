"""Kind ``stage``: disease stage / extent.

Reads ``stage.yaml``: stages named ("stage IIIB-IV" -> [IIIB, IV]; arabic numerals as roman), metastatic, locally
advanced (unresectable, inoperable, not amenable to curative surgery) and recurrent disease, each False when
negated (the context pass with the kind's own cues only: "no evidence of recurrent or metastatic disease").
Without a diagnosis in the item (the diagnosis kind's reading) an extent word counts only when tied to a disease
noun and not in a therapy setting ("prior chemotherapy for metastatic disease"); a stage list after a therapy word
is a setting too; an item about another malignancy gives no stage.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.kinds.diagnosis import prior_malignancy, read_diagnosis, therapy_before
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Rules", "Stage", "extract"]


class Stage(CriterionBase):
    """Disease stage / extent."""

    kind: Literal["stage"] = "stage"
    stages: list[str] = Field(default_factory=list, description="Stages named, e.g. ['IIIB', 'IV'].")
    metastatic: bool | None = Field(default=None, description="True when metastatic disease is named.")
    locally_advanced: bool | None = Field(
        default=None, description="True when locally advanced / unresectable / inoperable disease is named."
    )
    recurrent: bool | None = Field(default=None, description="True when recurrent disease is named.")


class Rules(RuleFile):
    """``stage.yaml``."""

    stages: Pattern
    stage_gate: tuple[str, ...]
    stage_token: Pattern
    arabic: dict[str, str]
    metastatic: Pattern
    metastatic_gate: tuple[str, ...]
    locally_advanced: Pattern
    locally_advanced_gate: tuple[str, ...]
    recurrent: Pattern
    recurrent_gate: tuple[str, ...]
    malignancy_gate: tuple[str, ...]
    extent_near: Pattern
    extent_start: Pattern
    negation_words: frozenset[str]


RULES = load_rules("stage", Rules)

_THERAPY_BEFORE = 50  # characters before a stage list / extent word read for a therapy word
_NEAR_BEFORE = 60  # characters before the first extent word from which a disease noun is looked for
_EXTENT_NEAR = Prefiltered(RULES.extent_near)


def _stages(clean: str) -> tuple[list[str], int | None]:
    """The stages named (in order, once each) and where the first stage list starts."""
    out: list[str] = []
    first = None
    for m in RULES.stages.finditer(clean):
        for tok in RULES.stage_token.findall(m.group("list")):
            t = tok.upper()
            if t[0].isdigit():
                t = RULES.arabic.get(t[0], t[0]) + t[1:]
            if t.startswith("X"):
                continue
            if t not in out:
                out.append(t)
        if first is None:
            first = m.start()
    return out, first


def extract(ctx: ItemContext) -> list[Stage]:
    """The item's stage criterion (at most one)."""
    lower = ctx.lower
    stages, at = _stages(ctx.clean) if any(w in lower for w in RULES.stage_gate) else ([], None)
    met = RULES.metastatic.search(lower) if any(w in lower for w in RULES.metastatic_gate) else None
    loc = RULES.locally_advanced.search(lower) if any(w in lower for w in RULES.locally_advanced_gate) else None
    rec = RULES.recurrent.search(lower) if any(w in lower for w in RULES.recurrent_gate) else None
    if not (stages or met or loc or rec):
        return []
    dx = read_diagnosis(ctx)
    if not dx.names:
        if any(w in lower for w in RULES.malignancy_gate) and prior_malignancy(lower):
            return []
        if stages and at is not None and therapy_before(lower, max(0, at - _THERAPY_BEFORE), at):
            stages = []  # "systemic therapy for Stage I-III disease": a therapy setting
            if not (met or loc or rec):
                return []
        if not stages:
            first = min(m.start() for m in (met, loc, rec) if m is not None)
            if not RULES.extent_start.match(lower) and not _EXTENT_NEAR.search(lower, max(0, first - _NEAR_BEFORE)):
                return []
            if any(a.end <= first for a in (dx.agents or find_agents(lower[:first]))):
                return []
            if therapy_before(lower, max(0, first - _THERAPY_BEFORE), first):
                return []

    negation = not RULES.negation_words.isdisjoint(ctx.words)  # else no negation cue: skip the context pass

    def flag(m: re.Match[str] | None) -> bool | None:
        if m is None:
            return None
        return not (negation and ctx.context.has("negated", m.start(), m.end(), kind="stage"))

    return [ctx.make(Stage, stages=stages, metastatic=flag(met), locally_advanced=flag(loc), recurrent=flag(rec))]


KIND = KindSpec(Stage, extract=extract, rule_file=Rules, core=False)
