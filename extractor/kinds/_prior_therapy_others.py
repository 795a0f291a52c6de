"""An entry the sentence reading drops before "or other <class>", re-read from the quote (issue 11, round 29; GUIDE:
`agents` holds the classes and drugs the text names).

"Requirement for systemic corticosteroids (> 10 mg daily prednisone equivalent) or other immunosuppressive
medications", "requiring ongoing treatment with steroids (...) or other immunosuppressive medications", "systemic
treatment with either corticosteroids > 10 mg daily prednisone equivalent or any other form of immunosuppressive
therapy": the entry written before "or (any) other (form of)" is named with the class after it (the sentence
reading keeps only the class in about 14 non-gold corpus trials). Only a dose or a parenthesis may stand between the
entry and "or other"; a drug written as a dose unit ("10 mg prednisone equivalent", "a dose equivalent to 10 mg/day of
prednisone") is no entry.

Patterns: ``requalified.other_gap`` / ``other_dose`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify
from extractor.rules.drugs import find_agents
from extractor.rules.ruledata import Pattern

__all__ = ["OtherRules", "other_entries"]

_PARENS = re.compile(r"\([^()]*\)")


class OtherRules(BaseModel):
    """``requalified.others``: the words allowed between an entry and "or other" (parentheses removed), a dose unit
    after a drug, a dose phrase before it."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gap: Pattern
    dose: Pattern
    dose_of: Pattern


def other_entries(rules: OtherRules, quals: QualifierRules, low: str, agents: list[str]) -> list[str]:
    """``agents`` with the entry written before each "or other <agent>" of ``low`` put before that agent."""
    read = qualify(quals, low, find_agents(low))
    out = list(agents)
    for i, b in enumerate(read):
        names = b.qualified or (b.name,)
        at = next((out.index(n) for n in names if n in out), None)
        if at is None or "other" not in low[max(0, b.start - 30) : b.start]:
            continue
        for a in reversed(read[max(0, i - 3) : i]):
            if rules.dose.match(low, a.end) or rules.dose_of.search(low, max(0, a.start - 40), a.start):
                continue  # "> 10 mg daily prednisone equivalent", "a dose equivalent to 10 mg of prednisone"
            between = low[a.end : b.start]
            for _ in range(2):
                between = _PARENS.sub(" ", between)
            if ")" in between:
                continue  # a drug inside the entry's parenthesis ("steroids (> 10 mg/day of prednisone)")
            if rules.gap.fullmatch(between) is None:
                break
            own = a.qualified or (a.name,)
            if not any(n in out for n in own) and not any(a.name in n for n in out):
                out[at:at] = list(own)
            break
    return out
