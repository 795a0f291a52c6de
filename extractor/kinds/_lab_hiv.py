"""A CD4 limit in an item that names HIV holds for people with HIV ("Patients with HIV who have controlled infection
(undetectable viral load and CD4 count above 350 ...) are permitted"): ``condition`` "hiv" when the limit has no
population of its own, wherever in the item HIV is named (the `conditions` find it only next to the limit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.kinds.lab import Lab
    from extractor.rules.item import ItemContext

__all__ = ["hiv_population"]


def hiv_population(ctx: ItemContext, labs: list[Lab]) -> list[Lab]:
    """``labs`` with the CD4 limits that have no condition given "hiv" when the item names HIV."""
    if not any(lab.analyte in RULES.hiv_analytes and lab.condition is None for lab in labs):
        return labs
    if RULES.hiv_population.search(ctx.lower) is None:
        return labs
    return [
        lab.model_copy(update={"condition": RULES.hiv_condition})
        if lab.analyte in RULES.hiv_analytes and lab.condition is None
        else lab
        for lab in labs
    ]
