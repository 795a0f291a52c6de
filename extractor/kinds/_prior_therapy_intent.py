"""Planned and about-to-start therapy of the ``prior_therapy`` kind (issue 11, round 18): a pass after the
extractor that adds what its cues leave out (GUIDE, third round: planned or concurrent therapy is ``prior_therapy``
with the requirement the item states; ``within_weeks`` only when a time is written).

- A therapy the patient is about to receive ("must be initiating palliative systemic therapy", "will be starting on
  ICIs", "planning to commence HER2-directed therapy", "elected to undergo interstitial brachytherapy", "patients
  who will undergo curative pancreatectomy"): required in an inclusion item. A bare "Undergoing X" or "patients
  undergoing X" is read in an exclusion only (current therapy, excluded).
- A planned therapy an exclusion names ("Planned administration of growth factors within 7 days", "A plan to
  administer any experimental immunotherapy", "Planned receipt of alemtuzumab", "Planned adjuvant radiotherapy"):
  excluded. A negation before the cue ("does not plan to ...", "must not be planning to ...") turns it; an
  upper-case cohort label ("PATIENTS WHO ARE SCHEDULED TO UNDERGO HCT: ...") is no cue.

A cue written as a time anchor ("within 6 months of planned start of docirbrutinib") is none. Sentences a criterion
of the item already reads are left alone. Patterns: ``intent`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules
from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_ongoing import OngoingRules
from extractor.kinds._prior_therapy_qualifiers import qualify
from extractor.kinds._prior_therapy_setting import SettingRules, setting_of
from extractor.kinds._prior_therapy_types import quoted
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["IntentRules", "intent"]

C = TypeVar("C", bound=CriterionBase)


class IntentRules(BaseModel):
    """``intent`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    cue: Pattern
    anchor: Pattern
    negated: Pattern
    window: Pattern


class _Parent(Protocol):
    @property
    def intent(self) -> IntentRules: ...
    @property
    def ongoing(self) -> OngoingRules: ...
    @property
    def clauses(self) -> ClauseRules: ...
    @property
    def agents(self) -> AgentRules: ...
    @property
    def setting(self) -> SettingRules: ...


def intent(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` with the planned and about-to-start therapies of the item's unread sentences."""
    r = rules.intent
    lower = ctx.lower
    if not any_in(r.gate, lower) or rules.ongoing.skip.search(lower):
        return out
    found = [a for a in qualify(rules.agents.qualifiers, lower, find_agents(lower)) if not a.neg]
    have = {n for c in out for n in getattr(c, "agents", ())}
    add: list[C] = []
    for s, e in split_sentences(ctx.clean, rules.clauses):
        read = ctx.evidence(s, e)
        if quoted(out, read):
            continue
        for m in r.cue.finditer(lower, s, e):
            if r.anchor.search(lower, max(s, m.start() - 30), m.start()) or ctx.clean[m.start() : m.end()].isupper():
                continue  # "within 6 months of planned start of X": a time anchor; an upper-case cohort label
            if m.group("bare") is not None and not ctx.is_exclusion:
                continue  # an inclusion's "Undergoing X": the cohort the trial studies, not a therapy rule
            g = "span" if m.group("span") is not None else "lead"
            a, b = m.span(g)
            names: list[str] = []
            for ag in found:
                if a <= ag.start and ag.end <= b:
                    names.extend(n for n in ag.qualified or (ag.name,) if n not in names and n not in have)
            if not names:
                continue
            have.update(names)
            neg = r.negated.search(lower, max(s, m.start() - 25), m.start()) is not None
            req = "excluded" if ctx.is_exclusion != neg else "required"
            fields: dict[str, Any] = {"agents": names, "requirement": req}
            setting = setting_of(rules.setting, lower, s, e, a)
            if setting is not None:
                fields["setting"] = setting
            w = r.window.match(lower, b, e)
            if w is not None:
                fields["within_weeks"] = weeks_of(float(w.group("n")), w.group("unit"))
            add.append(ctx.make(model, s, e, **fields))
    return [*out, *add] if add else out
