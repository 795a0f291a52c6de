"""A second analyte name that restates the first ("creatinine clearance glomerular filtration rate (GFR) >= 50",
"creatinine clearance (glomerular filtration rate)"): one test written with two names gives one lab, the first
name's, not one lab per name (``restated_name`` / ``restated_analyte`` in ``lab.yaml``)."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention

__all__ = ["restated"]


def restated(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` with the restating analyte dropped from each mention whose names restate one test."""
    drop = RULES.restated_analyte
    for m in mentions:
        if drop not in m.analytes[1:] or RULES.restated_name.search(text, m.start, m.end) is None:
            continue
        m.analytes.remove(drop)
        m.units.pop(drop, None)
        m.bounds.pop(drop, None)
    return mentions
