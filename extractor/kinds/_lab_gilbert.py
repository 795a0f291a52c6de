"""Gilbert's syndrome allowances of the ``lab`` kind without a number of their own ("total bilirubin <= 1.5 x ULN,
except patients with known Gilbert's syndrome", "... unless Gilbert syndrome", "mild bilirubin elevations will be
accepted in the setting of known Gilbert's syndrome"): the bilirubin lab for those patients, with the condition and
no threshold (the gold guide: an exception is a separate criterion with ``condition``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from extractor.ground import make_evidence
from extractor.kinds._lab_rules import RULES
from extractor.models.criteria import CriterionBase
from extractor.rules import grammar

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["gilbert_direct", "gilbert_exception"]

L = TypeVar("L", bound=CriterionBase)


def _analyte(lab: CriterionBase) -> str:
    return str(getattr(lab, "analyte", ""))


def gilbert_exception(ctx: ItemContext, labs: list[L], cls: type[L]) -> list[L]:
    """``labs`` with the Gilbert's syndrome threshold the item states after its mention (a bilirubin limit restated
    after "except in patients with Gilbert's syndrome, who must have ...", "unless Gilbert's syndrome (if so, ...)")
    taking the condition, or else a number-less bilirubin lab for those patients when the item excepts them from a
    bilirubin limit (or, with no bilirubin limit, accepts their bilirubin elevations)."""
    text, clean = ctx.lower, ctx.clean
    g = RULES.gilbert_before.search(text)
    if g is None:
        return labs
    s_lo, s_hi = grammar.sentence_bounds(clean, g.start(), g.end())
    clause_lo = s_lo
    if (opened := text.rfind("(", s_lo, g.start())) > text.rfind(")", s_lo, g.start()):
        clause_lo = opened + 1  # the note in brackets ("(except patients with Gilbert's syndrome)")
    aligned = len(clean) == len(ctx.item.text)
    base = ctx.item.start
    conditioned = any(getattr(lab, "condition", None) == RULES.gilbert_condition for lab in labs)
    if aligned:
        # a threshold for those patients stated after the mention in its sentence ("(patients with Gilbert's syndrome
        # may have total bilirubin up to 3 x ULN)"), or a bilirubin limit restated there, quotes the clause from the
        # mention on
        # (also when a direct-bilirubin limit holds the condition already: "... if the total bilirubin is <= 3 x ULN or
        # direct bilirubin <= 1.5 x ULN")
        restated = _restated(labs, base, (clause_lo, g.start(), g.end()), RULES.gilbert_restated_reach)
        mentions = list(RULES.gilbert_before.finditer(text)) if conditioned else [g]
        out = []
        for lab in labs:
            at = lab.evidence.start - base
            lo = None
            if id(lab) in restated:
                lo = clause_lo
            elif getattr(lab, "condition", None) == RULES.gilbert_condition:
                lo = _clause_before(clean, text, mentions, at)
            if lo is None:
                out.append(lab)
                continue
            end = max(lab.evidence.end, base + g.end()) if id(lab) in restated else lab.evidence.end
            ev = make_evidence(ctx.source, base + min(lo, at), end)
            out.append(lab.model_copy(update={"condition": RULES.gilbert_condition, "evidence": ev}))
        if conditioned or restated:
            return out
    elif conditioned:
        return labs
    bili = [
        lab
        for lab in labs
        if _analyte(lab) in RULES.gilbert_analytes
        and getattr(lab, "condition", None) is None
        and getattr(lab, "op", None) is not None
        and lab.evidence.start - base < g.start()
    ]
    fields: dict[str, Any] = {}
    if bili and aligned:
        # an allowance in a sentence of its own after the limit ("Bilirubin <= 1.5 x ULN. This will not apply to
        # patients with Gilbert's syndrome"); one inside the limit's clause ("..., except for Gilbert's") is part of
        # that criterion
        lab = next((x for x in reversed(bili) if _analyte(x) == RULES.gilbert_analytes[0]), bili[-1])
        if s_lo < lab.evidence.end - base or g.start() - (lab.evidence.end - base) > RULES.gilbert_exception_reach:
            return labs
        analyte = _analyte(lab)
    elif bili or RULES.gilbert_bilirubin.search(text, s_lo, s_hi) is None:
        return labs
    else:
        analyte = RULES.gilbert_analytes[0]
    # the sentence names direct bilirubin after the mention ("... and normal direct bilirubin are eligible": within
    # normal limits)
    if (b := RULES.gilbert_direct.search(text, g.end(), s_hi)) is not None:
        analyte = RULES.gilbert_analytes[1]
        if b.group("normal"):
            fields = {"op": "<=", "uln_multiple": 1.0}
    # the allowance is the mention's sentence ("Note: patients with hyperbilirubinemia (e.g., Gilbert syndrome) will
    # be eligible ...")
    window = text[s_lo:s_hi]
    if not RULES.gilbert_exception_cue.search(window) or RULES.gilbert_exception_not.search(window):
        return labs
    return [*labs, ctx.make(cls, s_lo, s_hi, analyte=analyte, condition=RULES.gilbert_condition, **fields)]


def _clause_before(clean: str, text: str, mentions: list[re.Match[str]], at: int) -> int | None:
    """The start of the clause (its sentence, or the bracket it opens in) of the last Gilbert's mention before ``at``
    in the same sentence, within ``gilbert_restated_reach`` characters; none without one."""
    g = next((m for m in reversed(mentions) if m.end() <= at <= m.end() + RULES.gilbert_restated_reach), None)
    if g is None:
        return None
    s_lo, s_hi = grammar.sentence_bounds(clean, g.start(), g.end())
    if at >= s_hi:
        return None
    opened = text.rfind("(", s_lo, g.start())
    return opened + 1 if opened > text.rfind(")", s_lo, g.start()) else s_lo


def _restated(labs: list[L], base: int, at: tuple[int, int, int], reach: int) -> set[int]:
    """The bilirubin labs (ids) that restate, after or around the Gilbert's mention at ``g_start:g_end`` (starting
    within ``reach`` after it) or before it in its clause (from ``clause_lo``: "or total bilirubin <= 3 x ULN with
    direct bilirubin WNL in patients with Gilbert's"), an analyte the item gave its first threshold for before the
    mention. ``at``: ``(clause_lo, g_start, g_end)``."""
    clause_lo, g_start, g_end = at
    out: set[int] = set()
    for analyte in RULES.gilbert_analytes:
        same = sorted(
            (
                lab
                for lab in labs
                if _analyte(lab) == analyte
                and getattr(lab, "condition", None) is None
                and getattr(lab, "op", None) is not None
            ),
            key=lambda lab: lab.evidence.start,
        )
        if len(same) < 2 or same[0].evidence.start - base >= g_start:
            continue
        out.update(
            id(lab)
            for lab in same[1:]
            if (lab.evidence.start - base <= g_end + reach and lab.evidence.end - base >= g_end)
            or clause_lo <= lab.evidence.start - base < g_start
        )
    return out


def gilbert_direct(ctx: ItemContext, labs: list[L]) -> list[L]:
    """A direct-bilirubin limit that follows a Gilbert's mention in its sentence ("patients with Gilbert's syndrome
    with a total bilirubin <= 2 x ULN and direct bilirubin within normal limits", "unless due to Gilbert's syndrome
    and direct bilirubin is within normal limits") holds for those patients: it takes the condition, and its
    evidence reaches back to the mention."""
    text, base = ctx.lower, ctx.item.start
    if len(ctx.clean) != len(ctx.item.text):
        return labs  # a long space run was cut: item and clean offsets differ
    out = []
    for lab in labs:
        at = lab.evidence.start - base
        g = None
        if _analyte(lab) == RULES.direct_bilirubin and getattr(lab, "condition", None) is None:
            g = next(iter(RULES.gilbert_before.finditer(text, max(0, at - RULES.gilbert_reach), at)), None)
        if g is None or RULES.sentence_break.search(ctx.clean, g.start(), at):
            out.append(lab)
            continue
        start = grammar.clause_span(ctx.clean, g.start(), g.end())[0]
        out.append(
            lab.model_copy(
                update={
                    "condition": RULES.gilbert_condition,
                    "evidence": make_evidence(ctx.source, base + min(start, at), lab.evidence.end),
                }
            )
        )
    return out
