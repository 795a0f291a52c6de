"""Requirements the sentence reading reverses, re-read from the criterion's quote (issue 11, round 26).

A read of prior-therapy criteria whose item admits something ("except", "allowed", "stable", ...) found the
requirement reversed in three families of the non-gold corpus:

- "independent of (platelet) transfusion(s)", "transfusion independent": the counts must hold without
  transfusion, so transfusion is ``excluded`` (typed required or allowed; about 5 trials);
- "No washout (period) is required / needed for X": X may be given up to the first dose, a permission (GUIDE,
  second round) ``allowed`` (typed required or excluded; about 8 trials);
- "patients receiving X must be on a stable or decreasing dose", "either off X or on a stable or decreasing dose":
  X is admitted on a condition, a permission, ``allowed`` (typed required or excluded; about 9 trials);
- vaccines: a non-live vaccine a quote permits ("Seasonal flu vaccines that do not contain a live virus and COVID-19
  vaccines are permitted") is ``allowed`` (typed excluded; 3 trials); a live vaccine is never required or admitted
  by the permission of the inactivated ones beside it ("Live vaccines within 4 weeks (participants vaccinated with
  inactivated vaccines can be enrolled)"), so it is ``excluded`` (typed required or allowed; 3 trials).

- the later entries of an inline exception list ("...: A; B; C"): ``allowed`` (``_prior_therapy_allowance``).

Only criteria whose quote states the family are re-read. Patterns: ``reread`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_allowance import AllowanceRules, allowance, outer_rule
from extractor.kinds._prior_therapy_conditional import ConditionalRules, conditional
from extractor.kinds._prior_therapy_types import Therapy
from extractor.models.criteria import Requirement
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["RereadRules", "reread"]


class RereadRules(BaseModel):
    """``reread``: a cheap gate (substrings of the lower-case quote) and the pattern of each family."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    transfusion: Pattern
    transfusion_agent: Pattern
    no_washout: Pattern
    stable: Pattern
    vaccine: Pattern
    non_live: Pattern
    permit: Pattern
    conditional: ConditionalRules
    allowance: AllowanceRules


C = TypeVar("C", bound=Therapy)


def reread(rules: RereadRules, found: list[C], ctx: ItemContext) -> list[C]:
    """``found`` with the requirement of each criterion whose quote states one of the families set as it says."""
    for c in found:
        low = c.evidence.text.lower()
        if not c.agents or not any_in(rules.gate, low):
            continue
        if all(rules.vaccine.search(a) for a in c.agents):
            c.requirement = _vaccine(rules, c.agents, low, c.requirement)
        elif rules.transfusion.search(low) and all(rules.transfusion_agent.search(a) for a in c.agents):
            c.requirement = "excluded"
        elif rules.no_washout.match(low) or rules.stable.search(low):
            c.requirement = "allowed"
    found = conditional(rules.conditional, found)  # "If a subject received X, they must ...", "X can be used"
    found = allowance(rules.allowance, ctx, found)  # the later entries of an inline exception list
    return outer_rule(rules.allowance, ctx, found)  # a permission quoted inside a criterion admits its own only


def _vaccine(rules: RereadRules, agents: list[str], low: str, requirement: Requirement) -> Requirement:
    """The requirement of a criterion of vaccines only: a live vaccine is excluded when typed required, or allowed
    beside a non-live one; the other vaccines of a permission are allowed."""
    if "live vaccine" in agents:
        if requirement == "required" or (requirement == "allowed" and rules.non_live.search(low)):
            return "excluded"
        return requirement
    return "allowed" if requirement == "excluded" and rules.permit.search(low) else requirement
