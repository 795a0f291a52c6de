"""Carried labs of ``lab``: an item that opens with a threshold for a population and names no analyte before it
continues the analyte the item just before it ended on (a table row split by the layout: "AST/ALT <= 2.5 x ULN OR" /
"<= 5 x ULN with liver metastases"; "Total bilirubin <= 1.5 x ULN." / "If hepatic involvement, or Gilbert's disease:
<= 3 x ULN"; a flattened table whose "<=" became a bullet: "* 5 x ULN, if liver metastases are present ...").

The criterion quotes this item's clause (the value and its population); the analyte comes from the previous item,
which must end on that analyte's own threshold. A value with no population is left alone: the split is then a layout
this module does not read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from extractor.kinds._lab_populations import condition_in, further_conditions
from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention, Threshold, thresholds
from extractor.models.criteria import CriterionBase
from extractor.rules.item import ItemContext

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["carried"]

L = TypeVar("L", bound=CriterionBase)

#: what may stand before the carried value: bullet marks and spaces, or a population ending in ":" ("If hepatic
#: involvement by lymphoma, or Gilbert's disease:")
_OPENING = re.compile(r"[\s*\-•.·]*")
_POPULATION_LEAD = re.compile(r"[\s*\-•]*(?:if|for|in|with)\b[^:;.]{3,120}:\s*")
#: how a carried value starts (a cheap test before the previous item is read)
_VALUE_START = re.compile(r"[<>≤≥=\\&\d]|(?:greater|less|more|at\s+least|not|no|up\s+to|maximum|minimum)\b")
#: how far the value's number may stand from the opening (a comparator written in words: "greater than or equal to")
_GAP = 32
#: a population in brackets just after the value ("5 x ULN (liver metastases present)")
_BRACKET = re.compile(r"\s*[(\[]")
#: how far after the value its population may start
_REACH = 90


def _previous_mention(ctx: ItemContext, mentions_of: Callable[[ItemContext], list[Mention]]) -> Mention | None:
    """The analyte the previous item (same section) ends on, when its own threshold follows it there."""
    prev = ctx.prev
    if prev is None or prev.polarity != ctx.item.polarity:
        return None
    pctx = ItemContext(item=prev, source=ctx.source)
    found = mentions_of(pctx)
    if not found:
        return None
    last = found[-1]
    if RULES.anchor.search(pctx.lower, last.end) is None:
        return None  # a name with no value of its own: not a row whose exception this item states
    return last


def _populations(ctx: ItemContext, text: str, start: int, end: int, words: tuple[str, ...]) -> list[str]:
    """Every population named in ``text[start:end]``, in order, once each."""
    out: list[str] = []
    while (found := condition_in(ctx, text, start, end, words)) is not None:
        if found[0] not in out:
            out.append(found[0])
        start = found[1]
    return out


def _fits(mention: Mention, t: Threshold, op: str) -> list[str]:
    """The analytes of ``mention`` the carried threshold can bound: its direction agrees with theirs and its unit (a
    ULN multiple, or a unit they are measured in) is theirs."""
    out = []
    for a in mention.analytes:
        bound = mention.bounds.get(a)
        if (bound == "upper" and op[0] != "<") or (bound == "lower" and op[0] != ">"):
            continue
        if t.uln is not None and bound == "lower":
            continue
        units = mention.units.get(a)
        if t.unit and units and t.unit not in units:
            continue
        out.append(a)
    return out


def carried(
    ctx: ItemContext,
    labs: Sequence[L],
    mentions_of: Callable[[ItemContext], list[Mention]],
    make: Callable[[Mention, Threshold, str, tuple[int, int]], list[L]],
) -> list[L]:
    """``labs`` with the carried threshold of an item opening with one (see the module); a lab of this item that took
    the carried population from just before its own name ("... liver metastases are present Bilirubin <= 1.5 x ULN")
    loses it. ``mentions_of``: an item's analyte mentions; ``make(mention, threshold, condition, span)`` builds the
    criteria."""
    text = ctx.lower
    lead = _POPULATION_LEAD.match(text)
    opening = lead.end() if lead else _OPENING.match(text).end()  # type: ignore[union-attr]
    if _VALUE_START.match(text, opening) is None:
        return list(labs)
    mentions = mentions_of(ctx)
    limit = mentions[0].start if mentions else len(text)
    if opening >= limit:
        return list(labs)
    prev = _previous_mention(ctx, mentions_of)
    if prev is None:
        return list(labs)
    probe = replace(prev, start=opening, end=opening, unit_required=False)
    ths = thresholds(text, probe, min(limit, opening + 40), first_only=True)
    if not ths or ths[0].start - opening > _GAP:
        return list(labs)
    t = ths[0]
    cond_words = tuple(w for w in RULES.condition_words if w in text)
    if not cond_words:
        return list(labs)
    if lead is not None:  # every population the lead names ("If hepatic involvement, or Gilbert's disease:")
        names, first, last = _populations(ctx, text, 0, opening, cond_words), 0, t.end
    elif _BRACKET.match(text, t.end, limit) and (close := text.find(")", t.end, min(limit, t.end + _REACH))) > 0:
        names, first, last = _populations(ctx, text, t.end, close, cond_words), opening, close + 1
    elif RULES.condition_cue.match(text, t.end, limit):
        found = condition_in(ctx, text, t.end, min(limit, t.end + _REACH), cond_words)
        names = [found[0], *(n for n, _ in further_conditions(text, found[1]))] if found else []
        first, last = opening, found[1] if found else t.end
    else:
        return list(labs)
    if not names:
        return list(labs)
    op = t.op or ("<=" if prev.bound == "upper" else ">=" if prev.bound == "lower" else None)
    if op is None or t.lln:
        return list(labs)
    t.op = op
    fit = _fits(prev, t, op)
    if not fit:
        return list(labs)
    sub = replace(probe, analytes=fit)
    span = (first, max(last, t.end))
    new: list[L] = []
    for name in names:
        new.extend(make(sub, t, name, span))
    # a lab of this item named after the carried clause does not take its population, nor quote it
    own = {a: m.start for m in mentions for a in m.analytes}
    kept: list[L] = []
    for lab in labs:
        analyte = getattr(lab, "analyte", "")
        if getattr(lab, "condition", None) in names and own.get(analyte, -1) >= limit:
            start = max(lab.evidence.start - ctx.item.start, own[analyte])
            fields = lab.model_dump(exclude={"evidence", "polarity", "cohort", "item", "backend", "kind"})
            fields["condition"] = None
            kept.append(ctx.make(type(lab), start, lab.evidence.end - ctx.item.start, **fields))
        else:
            kept.append(lab)
    return new + kept
