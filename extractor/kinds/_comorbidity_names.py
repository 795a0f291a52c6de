"""Names and scope read beside a condition of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): "chronic"
kept where it is part of a disease's name ("chronic pancreatitis", "chronic bronchitis"; not "acute or chronic
pancreatitis", where it is a status word) and a transplant the patient has had ("has had an allogeneic tissue/solid
organ transplant": scope history, GUIDE.md) or any condition the patient has had ("not have had radiation
pneumonitis")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["chronic_kept", "had_condition", "had_transplant"]


def chronic_kept(rules: Rules, low: str, start: int, names: tuple[str, ...]) -> tuple[str, ...]:
    """``names`` with "chronic" put back on each one whose name keeps it, when "chronic" stands right before
    ``start``."""
    if not any(n in rules.chronic_names for n in names):
        return names
    if rules.chronic_before.search(low, max(0, start - 30), start) is None:
        return names
    return tuple(f"chronic {n}" if n in rules.chronic_names else n for n in names)


def had_transplant(rules: Rules, low: str, start: int, names: tuple[str, ...]) -> bool:
    """Whether a transplant named at ``start`` is one the patient has had ("has had an organ transplant")."""
    if not any("transplant" in n for n in names):
        return False
    return rules.transplant_had.search(low, max(0, start - 40), start) is not None


def had_condition(rules: Rules, low: str, start: int) -> bool:
    """Whether the verb right before a condition named at ``start`` says the patient has had it ("have had")."""
    return rules.condition_had.search(low, max(0, start - 40), start) is not None
