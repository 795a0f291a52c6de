"""Lab criteria: every analyte mention takes the first threshold that follows it; further thresholds in the same
stretch become extra criteria when a population is attached to them (otherwise restatements in another unit).
Exclusion items are negated into the effective rule. Items that only ask for "adequate organ / marrow / liver /
renal function" give one number-less lab."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from extractor.models import Comparator, Criterion, Lab
from extractor.rules._common import ItemContext, negate
from extractor.rules._labs_values import Threshold, analyte_index, condition_in, gate_words, thresholds
from extractor.rules._labs_words import word_starts

__all__ = ["lab_criteria", "organ_function"]

_WNL = re.compile(
    r"[\s:(),-]{0,5}(?:(?:\([a-z]+\)|levels?|values?|concentrations?|is|are|be|must|should|count)[\s:,-]+){0,4}"
    r"(?:within\s+(?:the\s+)?(?:(?:institutional|normal|laboratory|local|reference|upper)\s+){0,3}"
    r"(?:normal\s+)?(?:limits?|ranges?|values?)|\bwnl\b|normal\b)"
)
# "and/or" is read as "and", "/", "or" (one reading only, so a long run cannot backtrack exponentially)
_CONNECTOR = re.compile(r"(?:[\s/,()\[\]&:+\-]|and\b|or\b|levels?\b|values?\b|serum\b)*+")
_COND_CUE = re.compile(
    r"[\s,;(\[]*(?:\)?\s*(?:is\s+|are\s+)?(?:can|may|will)\s+be\s+(?:allowed|permitted|acceptable|accepted|eligible)\s+)?"
    r"(?:or\s+)?\b(?:for|in|if|with|among|when|where|patients|subjects|participants)\b"
)
_NOT_ANALYTE_AFTER = re.compile(
    r"[\s-]*(?:infusions?|transfusions?|rich|derived|inhibitors?|aggregation|antibod|depleting|products?|"
    r"subsets?|function\s+(?:test|assay)|disorders?|dysfunction)"
)
_UNIT_AHEAD = re.compile(r"[^;.]{0,40}?\d[\d.,\s]*m[lL]\s*/\s*min")
_ORGAN = re.compile(
    r"\b(?:adequate|sufficient|normal|acceptable|satisfactory|good|inadequate|insufficient|abnormal|poor|impaired)\s+"
    r"(?P<what>(?:[a-z-]+[\s,/]+){0,7}?)(?:organ|marrow|hematologic(?:al)?|haematologic(?:al)?|hepatic|liver|renal|"
    r"kidney|end[\s-]organ|bone\s+marrow)\s+(?:(?:and|or)\s+(?:[a-z-]+\s+){1,2})?(?:function(?:s|ing)?|reserve)\b"
)
_ORGAN_KINDS = (
    ("marrow_function", re.compile(r"marrow|hematolog|haematolog")),
    ("liver_function", re.compile(r"hepatic|liver")),
    ("renal_function", re.compile(r"renal|kidney")),
    ("organ_function", re.compile(r"organ")),
)

_ENTITY = re.compile(r"&(?:amp;)*(gt|lt|ge|le);")
_ENTITIES = {"gt": ">", "lt": "<", "ge": "≥", "le": "≤"}
_REQUIREMENT = re.compile(
    r"\b(?:must(?!\s+not)|should(?!\s+not)|required|requires?|eligible|allowed|permitted|acceptable|"
    r"may\s+(?:be\s+)?(?:enrolled|included|eligible|participate|enroll))\b"
)
_UNLESS = re.compile(r"\b(?:unless|except|but\s+not|excluding)\b")
_SENTENCE = re.compile(r"\.\s+[A-Z]")


@dataclass
class _Mention:
    start: int
    end: int
    analytes: list[str]
    bound: str | None
    cells: bool
    percent: bool
    units: dict[str, frozenset[str]]
    unit_required: bool = False


def _mentions(ctx: ItemContext, hits: AbstractSet[str]) -> list[_Mention]:
    index, needs_unit = analyte_index()
    clean = ctx.clean
    found: list[_Mention] = []
    skip_to = 0
    for start, word in word_starts(ctx.lower, hits):
        if start < skip_to:
            continue
        cands = index.get(word, [])
        if word.endswith("s") and word[:-1] in index:
            cands = cands + index[word[:-1]]
        hit = next(((m, a) for rx, a in cands if (m := rx.match(clean, start)) is not None), None)
        if hit is None:
            continue
        m, a = hit
        if m.group(0) in needs_unit and not _UNIT_AHEAD.match(clean, m.end()):
            continue
        if _NOT_ANALYTE_AFTER.match(ctx.lower, m.end()):
            continue
        skip_to = m.end()
        if found and _CONNECTOR.fullmatch(clean, found[-1].end, m.start()):
            last = found[-1]
            last.end = m.end()
            last.analytes.extend(x for x in a.names if x not in last.analytes)
            last.units.update(dict.fromkeys(a.names, a.units))
            last.cells = last.cells or a.cells
            last.bound = last.bound or a.bound
            continue
        units = dict.fromkeys(a.names, a.units)
        needs = m.group(0).lower() in a.unit_required
        found.append(_Mention(m.start(), m.end(), list(a.names), a.bound, a.cells, a.percent, units, needs))
    return found


def lab_criteria(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    hits = words & gate_words()
    if not hits:
        return []
    mentions = _mentions(ctx, hits)
    if not mentions:
        return []
    text = ctx.lower
    if "&" in text:
        text = _ENTITY.sub(lambda e: _ENTITIES[e.group(1)] + " " * (len(e.group(0)) - 1), text)
    out: list[Criterion] = []
    seen: dict[str, str] = {}
    consumed_until = 0
    prev_end = 0
    for i, mention in enumerate(mentions):
        win_end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        ths = thresholds(text, mention.end, win_end, mention.cells)
        ths = [t for t in ths if (t.explicit or t.unit or t.uln is not None) and (t.unit != "%" or mention.percent)]
        if mention.unit_required:
            ths = [t for t in ths if t.unit or t.uln is not None or (t.value or 0) >= 1000]
        if not ths or not _near(text[mention.end : ths[0].start]):
            wnl = _WNL.match(text, mention.end, win_end)
            if wnl and not re.search(r"\d", text[mention.end : wnl.end()]):
                upper = mention.bound == "upper"
                for analyte in mention.analytes:
                    out.append(
                        ctx.make(
                            Lab,
                            mention.start,
                            wnl.end(),
                            analyte=analyte,
                            op="<=" if upper else None,
                            uln_multiple=1.0 if upper else None,
                        )
                    )
            prev_end = win_end
            continue
        primary = ths[0]
        if not primary.explicit:
            op: Comparator | None = ">=" if mention.bound == "lower" else "<=" if mention.bound == "upper" else None
            if op is None or ctx.is_exclusion:
                prev_end = win_end
                continue
            primary.op = op
        # a population named just before the mention ("with bone marrow involvement: ANC >= 500")
        cond: str | None = None
        before = condition_in(text, max(prev_end, consumed_until), mention.start)
        if before is not None and re.fullmatch(
            r"[\s:,;)-]*(?:(?!and\b|or\b)[a-z/]+\s+){0,6}", text[before[1] : mention.start]
        ):
            cond = before[0]
            consumed_until = mention.start
        nxt = ths[1].start if len(ths) > 1 else win_end
        restated = i + 1 < len(mentions) and not set(mentions[i + 1].analytes).isdisjoint(mention.analytes)
        if (
            cond is None
            and not restated
            and not any(t.explicit for t in ths[1:])
            and _COND_CUE.match(text, primary.end, nxt)
        ):
            after = condition_in(text, primary.end, min(nxt, primary.end + 90))
            if after is not None and not text[after[1] : nxt].rstrip().endswith(":"):
                cond = after[0]
                consumed_until = after[1]
        ev_end = primary.end
        out.extend(_lab(ctx, mention, primary, cond=cond, span=(mention.start, ev_end), seen=seen))
        for j in range(1, len(ths)):
            t = ths[j]
            if not t.explicit:
                continue
            nxt = ths[j + 1].start if j + 1 < len(ths) else win_end
            stop = _SENTENCE.search(ctx.clean, t.end, min(nxt, t.end + 80))
            found = None
            if _COND_CUE.match(text, t.end, nxt):
                found = condition_in(text, t.end, stop.start() if stop else min(nxt, t.end + 80))
            if found is None:
                lo = max(ths[j - 1].end, consumed_until)
                for b in _SENTENCE.finditer(ctx.clean, lo, t.start):
                    lo = b.start() + 1
                found = condition_in(text, lo, t.start)
            if found is None:
                continue
            consumed_until = max(consumed_until, found[1])
            span = (mention.start, max(t.end, found[1]))
            out.extend(_lab(ctx, mention, t, cond=found[0], span=span, seen=seen))
        prev_end = ths[-1].end
    return out


def _near(gap: str) -> bool:
    """Whether a threshold after ``gap`` still belongs to the analyte before it."""
    if re.search(r";[^;]*[a-z]", gap):
        return False
    return len(gap) <= 70 or (len(gap) <= 130 and gap.lstrip().startswith(("(", "[")))


def _states_requirement(text: str, start: int, end: int) -> bool:
    """An exclusion clause that states what is required ("... are eligible if CD4 > 350") is already the rule."""
    lo = max(text.rfind(c, 0, start) for c in ".;:") + 1
    stops = [i for i in (text.find(". ", end), text.find(";", end)) if i >= 0]
    hi = min(stops) if stops else len(text)
    req = _REQUIREMENT.search(text, lo, hi)
    if req is None:
        return False
    a, b = (req.end(), start) if req.start() < start else (end, req.start())
    return _UNLESS.search(text, a, b) is None


def _lab(
    ctx: ItemContext, mention: _Mention, t: Threshold, *, cond: str | None, span: tuple[int, int], seen: dict[str, str]
) -> list[Lab]:
    op = t.op
    if op is not None and ctx.is_exclusion and not _states_requirement(ctx.lower, mention.start, t.start):
        op = negate(op)
    fields: dict[str, Any] = {"op": op, "condition": cond}
    if t.uln is not None:
        fields["uln_multiple"] = t.uln
    elif not t.lln:
        fields["value"] = t.value
        fields["unit"] = t.unit
    out = []
    direction = op[0] if op else ""
    analytes = mention.analytes
    if len(analytes) > 1 and t.unit:
        fit = [a for a in analytes if not mention.units.get(a) or t.unit in mention.units[a]]
        analytes = fit or analytes
    for a in analytes:
        key = f"{a}|{direction}|{t.value}|{t.uln}|{cond}"
        if key in seen:
            continue  # the same threshold restated
        seen[key] = direction
        # a later, opposite-direction threshold on the same analyte is a condition ("for subjects with ... > 1.5")
        if direction in "<>" and direction and seen.get(a, direction) != direction:
            continue
        seen.setdefault(a, direction)
        out.append(ctx.make(Lab, span[0], span[1], analyte=a, **fields))
    return out


def organ_function(ctx: ItemContext) -> list[Criterion]:
    m = _ORGAN.search(ctx.lower)
    if m is None:
        return []
    span = ctx.lower[m.start() : m.end()]
    kinds = [name for name, rx in _ORGAN_KINDS if rx.search(span)]
    analyte = kinds[0] if len(kinds) == 1 else "organ_function"
    return [ctx.make(Lab, m.start(), m.end(), analyte=analyte)]
