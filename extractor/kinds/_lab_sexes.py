"""Thresholds given per sex ("Hemoglobin < 11.5 g/dL for females and < 12.5 g/dL for men", "hematocrit > 48 %
(women) and > 53 % (men)", "creatinine clearance male < 120 ml/min, female < 105 ml/min"): the lab read from the
first value takes the first sex as its condition, and a copy takes the second value and sex (one criterion per sex)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.kinds.lab import Lab
    from extractor.rules.item import ItemContext

__all__ = ["per_sex"]


def _sex(word: str) -> str:
    return "female" if RULES.sex_female.match(word) else "male"


def _sign(cmp: str | None) -> str | None:
    """The comparator's direction ("<" / ">" / "=") without escapes, or None when absent."""
    if cmp is None:
        return None
    c = cmp.strip("\\").replace("≤", "<").replace("≥", ">")
    return "<" if "<" in c else ">" if ">" in c else "="


def _pairs(text: str) -> list[tuple[re.Match[str], tuple[str, str], tuple[float, float], bool]]:
    """Each per-sex pair: the match, the two sexes, the two values, whether the comparators agree."""
    out = []
    for m in RULES.sex_pair.finditer(text):
        if m.group("v1") is not None:
            sexes = (m.group("s1") or m.group("s1b"), m.group("s2") or m.group("s2b"))
            values = (float(m.group("v1")), float(m.group("v2")))
            c1, c2 = _sign(m.group("c1")), _sign(m.group("c2"))
        else:
            sexes = (m.group("s3"), m.group("s4"))
            values = (float(m.group("v3")), float(m.group("v4")))
            c1, c2 = _sign(m.group("c3")), _sign(m.group("c4"))
        one, two = _sex(sexes[0]), _sex(sexes[1])
        if one != two and values[0] != values[1]:
            out.append((m, (one, two), values, c2 is None or c1 == c2))
    return out


def per_sex(ctx: ItemContext, labs: list[Lab]) -> list[Lab]:
    """``labs`` with each per-sex pair read as one lab per sex (the first value's lab gets its sex as condition)."""
    if not labs:
        return labs
    out = list(labs)
    base = ctx.item.start
    for m, (one, two), (v1, v2), agree in _pairs(ctx.lower):
        if not agree:
            continue
        for i, lab in enumerate(out):
            ev = lab.evidence
            if lab.value != v1 or lab.condition is not None or ev.start - base > m.start():
                continue
            start = min(ev.start - base, m.start())
            end = max(ev.end - base, m.end())
            first = ctx.make(type(lab), start, end, **lab.model_dump(include=_FIELDS), condition=one)
            second = first.model_copy(update={"value": v2, "condition": two})
            out[i : i + 1] = [first, second]
            break
    return out


_FIELDS = {"analyte", "op", "value", "unit", "uln_multiple"}
