"""Therapies named only as context, and washout lengths, in the ``prior_therapy`` kind (issue 11, round 14).

A precision read of a fixed-seed sample of the kind's corpus output found therapies typed where the item names them
only to define or qualify something else:

- a menopause or childbearing-status definition ("amenorrhea for 12 months in the absence of chemotherapy,
  tamoxifen ...", "ovarian failure ... who have received whole pelvic radiation", "must discontinue HRT to allow
  confirmation of post-menopausal status"): GUIDE, second round: menopause definitions are ``other``;
- the treatment that makes brain metastases eligible ("unless adequately treated with radiotherapy and/or surgery
  (including radiosurgery) and stable for at least 4 weeks", "stable 2 weeks after gamma knife therapy"): the
  ``brain_metastases`` criterion's treated / stable conditions, not a rule on the therapy;
- recovery from the effects of earlier treatment ("patients who received chemotherapy must have recovered from the
  acute effects of chemotherapy"): GUIDE, comorbidity round: the comorbidity "toxicity of prior therapy".

Such criteria are dropped. A therapy named in an opening condition ("If prior anti-CD19 therapy has been administered,
CD19-positivity has to be re-established", "If the participant has had previous radiation to the target lesion(s),
there must be evidence of progression") is admitted under that condition: ``allowed``, not ``required`` (GUIDE, third
round: "allowed when it admits it"). A washout written as its own length ("the washout period ... is 14 days",
"allows washout for 2 days", "a period of 2 weeks has passed since completion") is the time since the treatment:
``within_weeks``, not an exposure length (GUIDE, third round), when the criterion has no window yet. Patterns:
``context_only`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_fields import FieldRules, refine
from extractor.kinds._prior_therapy_labexcept import LabExceptionRules, lab_exception
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.grammar import any_in, parse_number
from extractor.rules.ruledata import Pattern

if TYPE_CHECKING:
    from extractor.kinds.prior_therapy import Rules

__all__ = ["ContextOnlyRules", "contextual"]


class ContextOnlyRules(BaseModel):
    """``context_only``: cheap gates (substrings of the lower-case quote) and the patterns they open."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    definition_gate: tuple[str, ...]
    definition: Pattern
    brain_gate: tuple[str, ...]
    brain_stable: Pattern
    brain_agent: Pattern
    alone_dropped: frozenset[str]  # classes kept only beside other agents ("local therapy (e.g., surgery, SRS)")
    recovery_gate: tuple[str, ...]
    recovery: Pattern
    recovery_keep: Pattern
    conditional: Pattern
    conditional_not: Pattern
    washout_gate: tuple[str, ...]
    washout: Pattern
    fields: FieldRules
    lab_exception: LabExceptionRules


C = TypeVar("C", bound=Therapy)


def contextual(rules: ContextOnlyRules, found: list[C]) -> list[C]:
    """``found`` without the criteria stated only as context; a washout length moved to ``within_weeks``."""
    out: list[C] = []
    for c in found:
        low = c.evidence.text.lower()
        if any_in(rules.definition_gate, low) and rules.definition.search(low):
            continue
        if c.agents and all(a in rules.alone_dropped for a in c.agents):
            continue
        if lab_exception(rules.lab_exception, c, low):
            continue  # anticoagulation named only as a coagulation lab's exception (``_prior_therapy_labexcept``)
        if (
            c.agents
            and any_in(rules.brain_gate, low)
            and all(rules.brain_agent.search(a) for a in c.agents)
            and rules.brain_stable.search(low)
        ):
            continue  # only the local treatment of the brain metastases: a steroid washout beside it stays
        if (
            c.requirement != "allowed"
            and c.within_weeks is None
            and not any(rules.recovery_keep.search(a) for a in c.agents)
            and any_in(rules.recovery_gate, low)
            and rules.recovery.search(low)
        ):
            continue
        if c.requirement == "required" and rules.conditional.search(low) and not rules.conditional_not.search(low):
            c.requirement = "allowed"  # "If prior X has been administered, <condition>": X is admitted, not demanded
        refine(rules.fields, c, low)  # a conditional history; a therapy before surgery (``_prior_therapy_fields``)
        if c.within_weeks is None and any_in(rules.washout_gate, low):  # a window written stays
            m = rules.washout.search(low)
            n = parse_number(m.group("n")) if m is not None else None
            if m is not None and n is not None:
                c.within_weeks = weeks_of(n, m.group("unit"))
                c.min_duration_months = None
        out.append(c)
    return out


def skipped(rules: Rules, lower: str, s: int, e: int) -> bool:
    """Whether the sentence is about something else (contraception, allergy, another malignancy): a skip word not
    inside a ``skip_keep`` phrase ("prior chemotherapy for this malignancy")."""
    for m in rules.skip_sentence.rx.finditer(lower, s, e):
        k = rules.skip_keep.search(lower, max(s, m.start() - 60), m.end())
        if k is None or k.end() <= m.start():
            return True
    return False
