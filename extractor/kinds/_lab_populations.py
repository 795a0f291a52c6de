"""Populations of the ``lab`` kind: who a threshold applies to ("<= 5 x ULN for patients with liver metastases",
"... or Gilbert's syndrome"), from ``lab.yaml``'s ``conditions``, and another lab's value naming one ("for participants
with creatinine > 1.5 x ULN")."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["condition_in", "further_conditions", "lab_condition", "lab_condition_analyte"]


@cache
def _conditions() -> tuple[re.Pattern[str], tuple[str, ...]]:
    alts = [f"(?P<c{i}>" + "|".join(p.pattern for p in pats) + ")" for i, pats in enumerate(RULES.conditions.values())]
    return re.compile("|".join(alts)), tuple(RULES.conditions)


def _negated(ctx: ItemContext, text: str, lo: int, at: int) -> bool:
    """A negation cue of the context pass just before ``at`` (within ``condition_negation_reach`` characters, not
    before ``lo``, only words between): "without bone marrow involvement", "no liver metastases"."""
    reach = max(lo, at - RULES.condition_negation_reach)
    for cue in ctx.context.cues("negated", kind="lab"):
        forward = cue.scope_start >= cue.cue_end
        if (
            forward
            and reach <= cue.cue_start
            and cue.cue_end <= at
            and RULES.condition_negation_gap.fullmatch(text, cue.cue_end, at)
        ):
            return True
    return False


def condition_in(
    ctx: ItemContext, text: str, start: int, end: int, words: tuple[str, ...], *, last: bool = False
) -> tuple[str, int] | None:
    """The first (``last``: the last) population named in ``text[start:end]`` (not negated): canonical name and end
    offset. ``words``: the ``condition_words`` the item holds (every population names one)."""
    if end <= start or not any(text.find(w, start, end) >= 0 for w in words):
        return None
    rx, names = _conditions()
    found = None
    for m in rx.finditer(text, start, end):
        if not _negated(ctx, text, start, m.start()):
            found = names[next(i for i, v in enumerate(m.groups()) if v)], m.end()
            if not last:
                break
    return found


def further_conditions(text: str, end: int) -> list[tuple[str, int]]:
    """The populations joined to one that ends at ``end`` ("Gilbert's syndrome or liver metastases", "liver
    involvement and/or Gilbert's disease"): canonical names and end offsets, in order."""
    rx, names = _conditions()
    out: list[tuple[str, int]] = []
    while (join := RULES.condition_also.match(text, end)) is not None:
        m = rx.match(text, join.end())
        if m is None:
            break
        out.append((names[next(i for i, v in enumerate(m.groups()) if v)], m.end()))
        end = m.end()
    return out


def lab_condition(m: re.Match[str]) -> str:
    """The population a ``lab_condition`` match names: "creatinine > 1.5 x ULN", "total bilirubin > ULN"."""
    cmp = m.group("cmp")
    op = ">=" if "=" in cmp or "≥" in cmp else ">"
    num = m.group("num")
    if num is None:
        limit = "ULN"
    elif m.group("uln"):
        limit = f"{num} x ULN"
    else:
        limit = f"{num} {m.group('unit').replace(' ', '')}"
    return f"{' '.join(m.group('name').split())} {op} {limit}"


def lab_condition_analyte(m: re.Match[str]) -> str:
    """The analyte a ``lab_condition`` match names ("total bilirubin" -> total_bilirubin)."""
    name = "_".join(m.group("name").split())
    return RULES.condition_analytes.get(name, name)
