"""Rows of a paediatric creatinine table ("Age 13 to < 16 years; 1.5 mg/dL (male); 1.4 mg/dL (female)" under "a
serum creatinine based on age/sex as follows:"): each age band's maximum serum creatinine, with the band (and the
sex, when the sexes' limits differ) as the criterion's population. Inclusion items only."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.models.criteria import CriterionBase
from extractor.rules import grammar

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["age_table", "is_age_table"]

L = TypeVar("L", bound=CriterionBase)
_ANALYTE = "creatinine"


def is_age_table(ctx: ItemContext) -> bool:
    """Whether the item or its lead-in names a creatinine table by age."""
    lead = ctx.lead_in
    return not ctx.is_exclusion and (
        ("creatin" in ctx.lower and RULES.age_table_cue.search(ctx.lower) is not None)
        or ("creatin" in lead and RULES.age_table_cue.search(lead) is not None)
    )


def _values(text: str, lo: int, hi: int) -> tuple[list[tuple[str | None, float]], int]:
    """The (sex, value) cells between ``lo`` and ``hi`` and where the last ends."""
    cells: list[tuple[str | None, float]] = []
    end = lo
    for m in RULES.age_table_value.finditer(text, lo, hi):
        sex = m.group("sex1") or m.group("sex2")
        value = float(m.group("v1") or m.group("v2") or m.group("v3"))
        if value > RULES.age_table_max:
            continue
        if sex is not None:
            sex = None if " and " in sex else sex.rstrip("s")
        cells.append((sex, value))
        end = m.end()
    return cells, end


def age_table(ctx: ItemContext, labs: list[L], cls: type[L]) -> list[L]:
    """``labs`` with the item's age-band rows read as creatinine maxima (replacing the creatinine labs read from the
    row otherwise, "Maximum Serum Creatinine (mg/dL): = 0.5 mg/dl"); ``labs`` unchanged when no row is found."""
    text = ctx.lower
    bands = list(RULES.age_table_band.finditer(text))
    out: list[L] = []
    for i, b in enumerate(bands):
        hi = bands[i + 1].start() if i + 1 < len(bands) else len(text)
        cells, end = _values(text, b.end(), hi)
        if not cells:
            continue
        band = "age " + re.sub(r"\s+", " ", (b.group("band") or b.group("bare")).strip())
        start, stop = grammar.clause_span(ctx.clean, b.start(), end, b.start(), hi)
        unit = RULES.age_table_unit
        one = len({v for _, v in cells}) == 1
        seen: set[tuple[str | None, float]] = set()
        for sex, value in cells:
            cond = band if one or sex is None else f"{band}, {sex}"
            if (cond, value) in seen:
                continue
            seen.add((cond, value))
            out.append(ctx.make(cls, start, stop, analyte=_ANALYTE, op="<=", value=value, unit=unit, condition=cond))
    if not out:
        return labs
    return [lab for lab in labs if getattr(lab, "analyte", None) != _ANALYTE] + out
