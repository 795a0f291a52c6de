"""Names and scope read beside a condition of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): "chronic"
kept where it is part of a disease's name ("chronic pancreatitis", "chronic bronchitis"; not "acute or chronic
pancreatitis", where it is a status word) and a transplant the patient has had ("has had an allogeneic tissue/solid
organ transplant": scope history, GUIDE.md) or any condition the patient has had ("not have had radiation
pneumonitis"), and the part of a name blanked for the scope reading."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules, _Found

__all__ = ["chronic_kept", "had_condition", "had_transplant", "name_blank"]


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


def name_blank(rules: Rules, low: str, found: _Found) -> tuple[int, int]:
    """The part of a name ``found`` in ``low`` that the scope reading blanks: all of it, but a leading word the
    current cue reads as a scope word stays ("acute respiratory illness": current, GUIDE.md; not "acute kidney
    injury", which the cue leaves out)."""
    m = rules.current_cue.match(low, found.start, found.end)
    if m is None or not any(n.startswith(m.group(0) + " ") for n in found.names):
        return found.start, found.end
    return m.end(), found.end
