"""Drugs that gloss a disease's severity in the ``prior_therapy`` kind (issue 11, round 9).

"Active autoimmune disease that has required systemic treatment in the past 2 years (i.e. with use of disease
modifying agents, corticosteroids or immunosuppressive drugs)": the drugs say which disease is meant (a comorbidity),
not a rule on the patient's therapy, so they are no agents (tune errors: spurious; about 57 non-gold corpus trials).
The replacement-therapy permission after it stays. Pattern: ``disease_gloss`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["unglossed"]


def unglossed(gloss: Pattern, lower: str, agents: list[Agent]) -> list[Agent]:
    """The agents outside a disease's treatment gloss."""
    if not agents or "systemic treatment" not in lower:
        return agents
    spans = [(m.start("gloss"), m.end("gloss")) for m in gloss.finditer(lower)]
    if not spans:
        return agents
    return [a for a in agents if not any(s <= a.start < e for s, e in spans)]
