"""Kind ``bmi``: body-mass index limits.

Reads a BMI mention ("BMI", "body mass index (BMI)") followed closely by one limit or a chain of limits
("≥ 18.0 and ≤ 32.0 kg/m2", "> 16.0 and < 35.0", "of ≤40") or a range ("18.5-45 kg/m2", "within the range of
18.0 to 30.0", "between 18 and 30"). One criterion per mention. Exclusion items state the rule a patient must
meet: exclusion "BMI > 40" -> ``max`` 40. A limit read as a percentile for age sets ``percentile``. The evidence
runs from the mention to the last value, its unit and the qualifiers that restrict it ("at screening", "for
patients aged 10-19 years", "(assessed at ...)").
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import negate, op_of, parse_number, sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

__all__ = ["BMI", "KIND"]


class BMI(CriterionBase):
    """Body-mass index limits, in kg/m2 (or BMI-for-age percentiles)."""

    kind: Literal["bmi"] = "bmi"
    min: float | None = Field(default=None, description="Lowest BMI allowed (BMI >= 18.5 -> 18.5).")
    max: float | None = Field(default=None, description="Highest BMI allowed (exclusion 'BMI > 40' -> 40).")
    percentile: bool | None = Field(
        default=None, description="True when the limits are BMI-for-age percentiles, not kg/m2."
    )


class Rules(RuleFile):
    """``bmi.yaml``: how a BMI mention, its limits and ranges are written."""

    mention: Pattern
    limit: Pattern
    range: Pattern
    link: Pattern
    unit: Pattern
    qualifier: Pattern
    percentile: Pattern
    lead_max: int = Field(ge=0, description="Characters allowed between the mention and its first limit.")


def _rules() -> Rules:
    return load_rules("bmi", Rules)


def _bound(op: str, value: float, exclusion: bool) -> tuple[str, float] | None:
    cmp = op_of(op)
    if cmp == "=" and op.strip() == "=":
        cmp = ">="  # a lone "=" is a sign lost from the text ("BMI = 27 kg/m2", exclusion "BMI=40"): read as >=
    if cmp is None or cmp == "=":
        return None
    if exclusion:
        cmp = negate(cmp)
    return ("min" if cmp in (">=", ">") else "max"), value


def extract(ctx: ItemContext) -> list[BMI]:
    """The BMI criteria of one item."""
    rules = _rules()
    low = ctx.lower
    out: list[BMI] = []
    mentions = list(rules.mention.finditer(low))
    for k, m in enumerate(mentions):
        _, clause_end = sentence_bounds(ctx.clean, m.start(), m.end())
        stop = min(clause_end, mentions[k + 1].start() if k + 1 < len(mentions) else len(low))
        fields: dict[str, float] = {}
        end = m.end()
        rng = rules.range.search(low, m.end(), stop)
        if rng and rng.start() - m.end() <= rules.lead_max:
            lo, hi = parse_number(rng.group("lo")), parse_number(rng.group("hi"))
            if lo is not None and hi is not None and lo < hi and not ctx.is_exclusion:
                fields, end = {"min": lo, "max": hi}, rng.end()
        if not fields:
            pos, first = m.end(), True
            while (lim := rules.limit.search(low, pos, stop)) is not None:
                gap = low[pos : lim.start()]
                if (first and len(gap) > rules.lead_max) or (not first and not rules.link.fullmatch(gap)):
                    break
                value = parse_number(lim.group("value"))
                bound = _bound(lim.group("op"), value, ctx.is_exclusion) if value is not None else None
                if bound is None or bound[0] in fields:  # a second lower (or upper) limit is another fact
                    break
                fields[bound[0]] = bound[1]
                pos, end, first = lim.end(), lim.end(), False
        if not fields:
            continue
        unit = rules.unit.match(low, end, stop)
        if unit:
            end = unit.end()
        qualifier = rules.qualifier.match(low, end, stop)
        if qualifier:
            end = qualifier.end()
        is_pct = rules.percentile.search(low, m.start(), min(stop, end + 30)) is not None
        out.append(ctx.make(BMI, m.start(), end, percentile=True if is_pct else None, **fields))
    return out


KIND = KindSpec(BMI, extract=extract, rule_file=Rules)
