"""Two bounds joined by "or" with opposite comparators ("serum potassium < 3.5 or > 5.1 mEq/L", "platelet count
< 80,000 or > 700,000 cells/mm3"): the value must stay inside the range, so the second bound is a criterion of its
own, as the second bound of a range joined by "and" is."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, thresholds
from extractor.rules.grammar import op_of

__all__ = ["outside"]


def outside(text: str, mention: Mention, first: Threshold, end: int) -> bool:
    """Whether an "or" and a bound of the opposite direction, in the same measure, follow ``first`` (a mention of
    one analyte; a ULN multiple only beside a ULN multiple, a unit only beside the same unit or one of the
    analyte's)."""
    if len(mention.analytes) != 1 or first.op is None or first.op[0] not in "<>" or first.lln:
        return False
    m = RULES.outside_join.match(text, first.end, end)
    if m is None:
        return False
    op = op_of(m.group("cmp").replace("\\", ""))
    if op is None or op[0] not in "<>" or op[0] == first.op[0]:
        return False
    second = next((t for t in thresholds(text, mention, end, first_only=False) if t.start >= m.end() - 1), None)
    if second is None or second.start > m.end() or (second.uln is None) != (first.uln is None):
        return False
    if second.unit is None or second.unit == first.unit:
        return True
    own = mention.units.get(mention.analytes[0], frozenset())
    return first.unit is None and (not own or second.unit in own)
