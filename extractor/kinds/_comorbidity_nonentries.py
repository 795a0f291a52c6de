"""Conditions named only as a circumstance of another rule are no entries: what a short steroid course prevents or
treats ("corticosteroids for prophylaxis (e.g., contrast dye allergy) or for treatment of non-autoimmune
conditions (e.g., delayed-type hypersensitivity)"). The rule is ``comorbidity.yaml``'s ``not_entry``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["not_entries"]


def not_entries(rules: Rules, low: str) -> list[tuple[int, int]]:
    """The spans of ``low`` whose conditions are no entries (empty without their cue words)."""
    if "autoimmune" not in low and "prophyla" not in low and "prevent" not in low:
        return []
    return [(m.start(), m.end()) for m in rules.not_entry.finditer(low)]
