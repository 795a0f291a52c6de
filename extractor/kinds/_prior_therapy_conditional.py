"""Requirements of conditional and permissive prior-therapy statements, re-read from the quote.

A read of 80 prior-therapy criteria whose item admits something found two families the sentence reading types
``required`` or ``excluded`` although the text admits the therapy (GUIDE: a permission is ``allowed``):

- a condition on having had the therapy: "If a participant is receiving anticoagulant therapy, PT or aPTT must be
  within therapeutic range", "If currently on osimertinib, must have tolerated the standard dose": the therapy is
  admitted on a condition, ``allowed`` (about 5 non-gold trials). A consequent that sets a washout ("must have
  completed at least 21 days prior", "should be > 12 months from enrollment") is the effective rule, left as read;
  one the patient must have recovered by ("If a participant has undergone major surgery, the participant must
  have recovered adequately ...", an inclusion typed ``required``; about 16 trials) excludes the unrecovered
  therapy, ``excluded``, as the exclusion items of the same wording are read;
- a permission modal: "Stable background therapies can be used including ...", "X may be continued until C1D1",
  "the use of DOACs may be used per PI discretion" -> ``allowed`` (about 5 non-gold trials), unless the sentence
  negates or excepts before it; vaccines are left to the vaccine re-read.

Patterns: ``reread.conditional`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.models.criteria import Requirement
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["ConditionalRules", "conditional"]


class ConditionalRules(BaseModel):
    """``reread.conditional``: a cheap gate and the patterns of the two families."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    condition: Pattern  # "If (a subject) received / is on ...", at the quote's start
    consequent: Pattern  # where the condition ends: a comma, "then" or a modal
    recovery: Pattern  # a consequent the patient must have recovered by
    washout: Pattern  # a consequent that sets a washout or a required therapy
    may: Pattern  # "can / may (also) be given / used / continued", "can receive"
    blocked: Pattern  # a negation, exception or parenthesis before the modal
    vaccine: Pattern


C = TypeVar("C", bound=Therapy)


def conditional(rules: ConditionalRules, found: list[C]) -> list[C]:
    """``found`` with each criterion whose quote admits its therapy on a condition or by a modal set ``allowed``."""
    for c in found:
        if c.requirement == "allowed" or not c.agents:
            continue
        low = c.evidence.text.lower()
        if not any_in(rules.gate, low) or ". " in low.rstrip(" .)"):
            continue  # one sentence only: a second one may state another rule
        c.requirement = _conditioned(rules, low) or ("allowed" if _permitted(rules, low, c.agents) else c.requirement)
    return found


def _conditioned(rules: ConditionalRules, low: str) -> Requirement | None:
    """The requirement of a quote that opens on having had or being on the therapy: ``excluded`` when the patient
    must have recovered from it (the unrecovered therapy is what the rule excludes), ``allowed`` when the consequent
    sets no washout, else None (read as written)."""
    m = rules.condition.match(low)
    end = rules.consequent.search(low, m.end()) if m is not None else None
    if end is None or ")" in low[: end.start()]:
        return None  # no consequent, or a fragment of a parenthesis ("if treated with mitomycin C) and ...")
    if rules.recovery.search(low, end.start()):
        return "excluded"
    return None if rules.washout.search(low, end.start()) else "allowed"


def _permitted(rules: ConditionalRules, low: str, agents: list[str]) -> bool:
    """Whether the quote's main clause permits the therapy by a modal ("can be used", "may be continued")."""
    m = rules.may.search(low)
    if m is None or any(rules.vaccine.search(a) for a in agents):
        return False
    return rules.blocked.search(low, 0, m.start()) is None and rules.washout.search(low, m.end()) is None
