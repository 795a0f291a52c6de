"""Number-less labs of ``lab``: an analyte named as normal or abnormal ("have normal serum calcium and phosphate
levels", exclusion "clinically significant abnormal serum potassium or sodium level"), and an item that is an
analyte's name alone (a list entry under a lead-in: "Potassium", "Total calcium (corrected for serum albumin)", "A
serum creatinine based on age/gender as follows:")."""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold
from extractor.models.criteria import CriterionBase

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["bare_item", "normal_before"]

L = TypeVar("L", bound=CriterionBase)


def _normal_threshold(mention: Mention, at: int, *, upper: bool) -> Threshold:
    """A "within normal limits" threshold at ``at``: <= 1 x ULN for an analyte not bounded below (both bounds: the
    upper one, as lab.py reads "potassium within normal limits") when ``upper``, else no comparator."""
    up = upper and mention.bound != "lower"
    t = Threshold(at, at, "<=" if up else None, None, None, 1.0 if up else None, False, True)
    t.wnl = True
    return t


@lru_cache(maxsize=8)
def _marks(text: str) -> tuple[bool, list[int], list[int]]:
    """Whether ``text`` names Gilbert's, and where its opening and closing brackets are (once per item, not once per
    mention: a long item with many mentions stays linear)."""
    opens = [i for i, c in enumerate(text) if c == "("]
    closes = [i for i, c in enumerate(text) if c == ")"]
    return "gilbert" in text, opens, closes


def _last_before(positions: list[int], at: int) -> int:
    """The last position before ``at`` (``-1`` if none), as ``str.rfind(c, 0, at)``."""
    i = bisect_left(positions, at)
    return positions[i - 1] if i else -1


def normal_before(ctx: ItemContext, text: str, lo: int, mention: Mention) -> Threshold | None:
    """The threshold of a mention with no number that "normal" / "abnormal" stands just before: "normal" reads as
    "within normal limits" (<= 1 x ULN unless bounded below); an exclusion's abnormality ("abnormal TSH",
    "clinically significant abnormal potassium") names the analyte without a comparator; an inclusion's abnormality or
    an exclusion's "normal" ("... reflected by normal TSH values, will not be excluded") is no limit.
    ``text``: the item's lower-cased text; ``lo``: where the previous mention ended."""
    gilbert, opens, closes = _marks(text)
    if gilbert:
        # the Gilbert's allowance is read by _lab_gilbert.py ("excluded from the requirement of a normal bilirubin";
        # a diagnosis's "normal transaminases")
        return None
    m = RULES.normal_before.search(text, lo, mention.start)
    if m is None or _last_before(opens, m.start()) > _last_before(closes, m.start()):
        return None  # not in a bracket: a definition's feature ("chronic HBV (..., and normal ALT)")
    abnormal = m.group("cs") is not None or m.group("ab") is not None
    if abnormal != ctx.is_exclusion:
        return None  # an inclusion's abnormality, an exclusion's "normal": an allowance or a population, no limit
    return _normal_threshold(mention, mention.end, upper=not abnormal)


def bare_item(ctx: ItemContext, mentions: list[Mention], cls: type[L]) -> list[L]:
    """Number-less labs, one per analyte of the first mention, for an item that names nothing else (brackets, a
    colon, "levels", "as follows", "based on age/gender" aside); under a lead-in asking for values "within normal
    limits" those bounded above get <= 1 x ULN."""
    if not mentions:
        return []
    first = mentions[0]
    if first.unit_required:
        return []  # "anemia", "thrombocytopenia": a lab only with a number
    text = ctx.lower
    rest = text[: first.start] + "@" + text[first.end :]
    if RULES.bare_rest.fullmatch(rest) is None:
        return []
    wnl = RULES.lead_within_normal.search(ctx.lead_in) is not None if ctx.lead_in else False
    out = []
    for a in first.analytes:
        up = wnl and first.bounds.get(a) != "lower"
        if up:
            out.append(ctx.make(cls, analyte=a, op="<=", uln_multiple=1.0))
        else:
            out.append(ctx.make(cls, analyte=a))
    return out
