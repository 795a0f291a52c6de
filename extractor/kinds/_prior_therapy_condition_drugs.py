"""A drug class named only as the treatment of the condition an item states.

"Uncontrolled hypertension (BP > 140/90 on antihypertensive medication)", "Hypertension (currently taking
anti-hypertensive medications or resting blood pressure > 140/90)", "adequately controlled blood pressure with or
without antihypertensive medications", "arrhythmia well controlled with antiarrhythmic medication", "ascites from
cirrhosis requiring diuretics": the item's rule is on the condition (a `cardiac` or `comorbidity` criterion), and the
class only says how the condition is treated. Such a class is dropped from a criterion whose quote names its
condition, unless the quote permits or excludes the drug in words of its own ("Use of anti-hypertensive agents to
control hypertension is allowed"). Patterns: ``incidental.condition_drugs`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.ruledata import Pattern

__all__ = ["ConditionDrugRules", "condition_drugs"]


class ConditionDrugRules(BaseModel):
    """``condition_drugs``: per class, the condition it treats; ``keep``: a statement on the drug itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    conditions: dict[str, Pattern]
    keep: Pattern


C = TypeVar("C", bound=Therapy)


def condition_drugs(rules: ConditionDrugRules, found: list[C]) -> list[C]:
    """``found`` without the classes whose quote names only the condition they treat."""
    out: list[C] = []
    for c in found:
        drop = [a for a in c.agents if a in rules.conditions]
        if drop:
            low = c.evidence.text.lower()
            drop = [a for a in drop if rules.conditions[a].search(low)] if not rules.keep.search(low) else []
        if drop:
            kept = [a for a in c.agents if a not in drop]
            if not kept:
                continue
            c.agents[:] = kept
        out.append(c)
    return out
