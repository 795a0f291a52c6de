"""HER2 status with IHC / ISH details (kind ``her2``).

``her2``: a HER2/ERBB2 name with a status ("HER2-positive", "HER2+", "HER2-low", "ultralow", "HER2 amplification",
"ERBB2 overexpression", "positive for HER2"), or IHC / ISH details in an item naming HER2 ("HER2 expression of 3+
by IHC and/or amplification >= 2.0 by ISH"), or IHC / ISH details in a nested item whose lead-in line names HER2
("HER2 positivity is defined as:" / "IHC 3+"). IHC scores, ISH ratio / copy-number minimums, ISH status without
numbers, and/or logic and the guideline (ASCO/CAP + year) are filled in. Without a status word the status comes
from the IHC/ISH details (3+ or ISH+ -> positive; 1+/2+ -> low; 0/1+ and ISH- -> negative). Both positive and
negative named ("HER2-positive or -negative", "known HER2 status") -> ``any``. Therapy names ("anti-HER2",
"HER2-targeted", "HER2-directed") and HER2 *mutations* (a biomarker, ``ERBB2``) are not HER2 status.
Exclusion items state the effective rule: exclusion "HER2-positive" -> ``negative`` (and vice versa); the
IHC/ISH details of the excluded category are then dropped. Not flipped: an exclusion clause that *allows*
("... is allowed provided lesions are HER2 1+ or 2+") or restates ("must not have HER2-positive disease"), and
the HER2- of a triple-negative definition in an exclusion item. A HER2 qualifier of an excluded therapy
("prior therapy for HER2-positive disease") is not a HER2 rule.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Literal

from extractor.models import HER2, Criterion
from extractor.rules._common import ItemContext, parse_number
from extractor.rules._her2_common import (
    ALLOWED,
    ANTI_BEFORE,
    FLIP,
    LEAN_CMP,
    MAX_MENTIONS,
    MUST_NOT,
    PAREN,
    alt_regex,
    biomarker_vocab,
    tn_re,
)
from extractor.rules._performance_common import normalise_op, sentence_bounds

__all__ = ["extract_her2"]

HER2Status = Literal["positive", "negative", "low", "ultralow", "any"]
IHC = Literal["0", "1+", "2+", "3+"]


@cache
def _her2_re() -> re.Pattern[str]:
    names: list[str] = biomarker_vocab()["her2_names"]  # type: ignore[assignment]
    return re.compile(rf"(?<![A-Za-z0-9-])(?:{alt_regex(names)})(?![A-Za-z0-9])(?![-\s]?/?neu\b)")


_HER2_STATUS = re.compile(
    r"""[\s:/-]*(?:\(\s*)?(?:status\s*(?:is\s+|of\s+|:\s*|=\s*)?)?
    (?:(?:is|are|was|must\s+be|should\s+be|to\s+be)\s+(?:either\s+)?)?(?:
      (?P<ultra>ultra[\s-]?low)
    | (?P<low>low(?:[\s-]expressing)?\b)
    | (?P<neg>negative|neg\b|non[\s-]?amplified|not\s+amplified|non[\s-]?overexpress\w*|0\s*-\s*1\+|\(-\)|−(?!\d)|
        -(?![\w])(?!\s*(?:or|and|/)\s*\w+[\s-](?:targeted|directed|primed|targeting)))
    | (?P<pos>positive|pos\b|positivity|\+(?![\w])|\(\+\)|over[\s-]?express\w*|amplif\w*|enriched|expressing|
        gene\s+amplif\w*)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_HER2_BEFORE = re.compile(
    r"(?:(?P<pos>positive|overexpression|over-expression|amplification|amplified)|(?P<neg>negative(?:\s+expression)?))"
    r"\s+(?:for|of)\s+(?:the\s+)?(?:[\w/]+,?\s+(?:and\s+|or\s+)?){0,4}$",
    re.IGNORECASE,
)
_HER2_ANY = re.compile(
    r"(?:\b(?:known|any|regardless\s+of|irrespective\s+of|independent\s+of)\s+(?:[\w,/\[\]()-]+\s+){0,6}?$)",
    re.IGNORECASE,
)
_HER2_ANY_AFTER = re.compile(
    r"[\s-]*(?:\(\s*)?(?:status\s+)?(?:positive\s*(?:,|or)\s*negative|negative\s*(?:,|or)\s*positive|\+\s*or\s*-|any\b|"
    r"(?:status\s+)?(?:is\s+|must\s+be\s+)?known|status\s+(?:positive|negative)\s+or)",
    re.IGNORECASE,
)
_THERAPY_AFTER = re.compile(
    r"[\s-]*(?:\(\w+\)\s*)?(?:targeted|directed|targeting|therapy|therapies|inhibitor|tki|antibod|adc|agent|"
    r"blockade|based|primed|specific|treatment|drug|vaccine|car\b|bispecific|mutat|mutant|exon|insertion|"
    r"kinase|dimeri|tyrosine|pathway|signal|receptor\s+tyrosine|testing|test\b|status\s+(?:testing|determin))",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"\b(?:no|not|never|without|non)\b[\s-]*(?:\w+\s+){0,2}$", re.IGNORECASE)
_EXCL_CONTEXT = re.compile(
    r"\b(?:therapy|therapies|treatment|treated|prior|received|use\s+of|regimen|agents?|drugs?|conjugate)\b", re.I
)

_IHC_SCORE_OR_ISH = re.compile(r"(?<![A-Za-z\d.])[0-3]\s*\+|\b(?:ISH|FISH|CISH|SISH)\b|in situ hybridi", re.I)
_IHC_CTX = re.compile(r"\bihc\b|immunohisto|\bscore|staining|expression|\bher2\b|\berbb2\b", re.IGNORECASE)
_IHC_RANGE = re.compile(r"(?<![\d.])([0-3])\s*\+?\s*(?:-|–|to)\s*([1-3])\s*(?:\+|plus\b)")
_IHC_LESS = re.compile(rf"(?:{LEAN_CMP})\s*(?:\(\s*[<≤]\s*\)\s*)?([1-3])\s*(?:\+|plus\b)")
_IHC_ONE = re.compile(r"(?:(?<![A-Za-z\d.])|(?<=IHC)|(?<=ihc))([0-3])\s*(?:\+|plus\b)(?!\d)")
_IHC_LISTED = re.compile(
    r"(?<![\d.,])([0-3])(?:\s*\+)?\s*(?:,|\bor\b|\band\b|/)\s*(?=(?:ihc\s*)?[0-3]\s*(?:\+|plus\b))", re.I
)
_IHC_ZERO = re.compile(r"(?:\bihc|\bscore|\bof|\bis|\bas)\s*(?:score\s*)?(?:of\s*)?(0)(?![\d.,%])(?:\s*\+)?", re.I)
_ISH_WORD = r"(?:ish|fish|cish|sish|ddish|in[\s-]situ\s+hybridi[sz]ation|ngs)"
_ISH_RATIO = re.compile(
    rf"(?:ratio|cep\s*17|amplification)[^.;]{{0,40}}?(?P<cmp>{LEAN_CMP})\s*(?P<v>\d(?:[.,]\d+)?)(?!\s*(?:%|x\b))",
    re.IGNORECASE,
)
_ISH_COPY = re.compile(
    rf"(?:copy\s+numbers?|gene\s+cop(?:y|ies)|copies)[^.;]{{0,40}}?(?P<cmp>{LEAN_CMP})\s*(?P<v>\d{{1,2}}(?:[.,]\d+)?)"
    rf"|(?P<cmp2>{LEAN_CMP})\s*(?P<v2>\d{{1,2}}(?:[.,]\d+)?)\s*(?:signals?|copies|her2\s+signals?)\s*(?:/|per)\s*"
    r"(?:cell|nucle)",
    re.IGNORECASE,
)
_ISH_POS = re.compile(
    rf"{_ISH_WORD}[\s:/()-]*(?:\w+[\s/-]+){{0,2}}?(?:positive|\+(?!\w)|amplified|amplification)"
    rf"|(?:positive|amplified|amplification)\s+(?:by|on|per|with|via|using)\s+(?:\w+[\s-]+){{0,3}}?{_ISH_WORD}"
    r"|\b(?:her2|erbb2)[\s-]+(?:gene\s+)?amplif"
    rf"|\bpositive\s+(?:\w+\s+)?{_ISH_WORD}\b",
    re.IGNORECASE,
)
_ISH_NEG = re.compile(
    rf"{_ISH_WORD}[\s:/()-]*(?:\w+[\s/-]+){{0,4}}?(?:negative|-(?![\w])|non[\s-]?amplified|not\s+amplified)"
    rf"|(?:negative|non[\s-]?amplified|not\s+amplified)\s+(?:by|on|per|with|via|using)\s+(?:\w+[\s-]+){{0,3}}?"
    rf"{_ISH_WORD}|not\s+(?:\w+\s+)?amplified",
    re.IGNORECASE,
)


@cache
def _guideline_re() -> re.Pattern[str]:
    table: dict[str, list[str]] = biomarker_vocab()["guidelines"]  # type: ignore[assignment]
    groups = []
    for i, (_name, phrases) in enumerate(table.items()):
        groups.append(f"(?P<g{i}>{alt_regex(phrases)})")
    return re.compile(r"\b(?:" + "|".join(groups) + r")\b", re.IGNORECASE)


_YEAR = re.compile(r"\b(20[0-3]\d)\b")


def _guideline(text: str) -> str | None:
    m = _guideline_re().search(text)
    if not m:
        return None
    table: dict[str, list[str]] = biomarker_vocab()["guidelines"]  # type: ignore[assignment]
    name = list(table)[int((m.lastgroup or "g0")[1:])]
    if name == "ASCO" and re.search(r"college\s+of\s+american\s+pathologists|\bcap\b", text, re.IGNORECASE):
        name = "ASCO/CAP"
    year = _YEAR.search(text, m.end(), m.end() + 60) or _YEAR.search(text, max(0, m.start() - 10), m.start())
    return f"{name} {year.group(1)}" if year else name


def _ihc_scores(text: str) -> list[IHC]:
    found: set[int] = set()
    for m in _IHC_RANGE.finditer(text):
        a, b = int(m.group(1)), int(m.group(2))
        found.update(range(min(a, b), max(a, b) + 1))
    for m in _IHC_LESS.finditer(text):
        op = normalise_op(text[m.start() : m.start(1)].split("(", 1)[0].strip())
        v = int(m.group(1))
        if op in ("<", "<="):
            found.update(range(0, v + (op == "<=")))
        elif op in (">", ">="):
            found.update(range(v + (op == ">"), 4))
    for rx in (_IHC_ONE, _IHC_LISTED, _IHC_ZERO):
        for m in rx.finditer(text):
            found.add(int(m.group(1)))
    order: list[IHC] = ["0", "1+", "2+", "3+"]
    return [order[i] for i in sorted(found) if 0 <= i <= 3]


def _logic(text: str, ihc_at: int, ish_start: int, last_at: int) -> Literal["or", "and"] | None:
    """How the IHC and ISH conditions combine, from the words between them ("IHC 2+/ISH- or IHC 1+" -> or)."""
    lo, hi = sorted((ihc_at, ish_start))
    between = text[lo:hi].lower()
    if re.search(r"\bor\b|and/or", between) or re.search(r"\bor\b", text[lo : max(hi, last_at)].lower()):
        return "or"
    if re.search(r"\band\b|\bwith\b|\bplus\b|/", between):
        return "and"
    return "or" if re.search(r"\bor\b", text.lower()) else None


_LEAD_IN = re.compile(r":\s*$")


def _parent_names_her2(ctx: ItemContext) -> bool:
    """A nested item whose lead-in line (the last line ending in ':' just above it) names HER2."""
    if ctx.item.depth == 0 or not _IHC_SCORE_OR_ISH.search(ctx.clean):
        return False
    before = ctx.source[max(0, ctx.item.start - 600) : ctx.item.start]
    lines = [ln for ln in before.splitlines() if ln.strip()]
    for ln in reversed(lines[-6:]):
        if _LEAD_IN.search(ln):
            return bool(_her2_re().search(ln))
    return False


def extract_her2(ctx: ItemContext) -> list[Criterion]:
    clean = ctx.clean
    statuses: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    therapy_only = False
    negated = False
    restated = False
    for m in itertools.islice(_her2_re().finditer(clean), MAX_MENTIONS):
        name = m.group(0)
        if name.lower() == "her 2" and not name.startswith("H"):
            continue
        if name.lower() == "neu" and not re.search(
            r"her[\s-]?2|c-?erb", clean[max(0, m.start() - 12) : m.start()], re.I
        ):
            continue
        end = m.end()
        p = PAREN.match(clean, end)
        if p and not re.search(r"[+-]|positive|negative", p.group(0), re.I):
            end = p.end()
        if _THERAPY_AFTER.match(clean, end) or ANTI_BEFORE.search(clean, max(0, m.start() - 25), m.start()):
            therapy_only = True
            continue
        st = _HER2_STATUS.match(clean, end)
        before = clean[max(0, m.start() - 40) : m.start()]
        kind: str | None = None
        if _HER2_ANY_AFTER.match(clean, end) or (_HER2_ANY.search(before) and not st):
            kind = "any"
        elif st:
            kind = st.lastgroup
            if kind == "pos" and _NEGATED.search(before):
                kind = "neg"
                restated = restated or (ctx.is_exclusion and bool(MUST_NOT.search(before)))
        else:
            bm = _HER2_BEFORE.search(before)
            if bm:
                kind = bm.lastgroup
        if kind is None:
            if _NEGATED.search(before):
                negated = True
            spans.append((m.start(), m.end()))
            continue
        if ctx.is_exclusion and _EXCL_CONTEXT.search(clean, sentence_bounds(clean, m.start(), m.end())[0], m.start()):
            continue
        status = {"pos": "positive", "neg": "negative", "low": "low", "ultra": "ultralow", "any": "any"}[kind]
        statuses.setdefault(status, m.start())
        spans.append((m.start(), (st.end() if st else m.end())))
    if not spans:
        if not _parent_names_her2(ctx):
            return []
        # a child of "HER2 positivity is defined as any of the following:" -> details only, whole item
        spans = [(0, 0)]
    low = ctx.lower
    # Details: scores and ISH results in the sentences that name HER2.
    s0, e0 = sentence_bounds(clean, spans[0][0], spans[-1][1])
    if not statuses:
        # no status word: only IHC / ISH details can state one
        e0 = len(clean) if e0 < len(clean) and "ihc" in low[e0:] else e0
    text = clean[s0:e0]
    blanked = _her2_re().sub(lambda m: " " * len(m.group(0)), text)
    scores = _ihc_scores(blanked) if _IHC_CTX.search(text) else []
    ratio = copy = None
    ish_at: int | None = None
    ratio_negative: int | None = None
    rm = _ISH_RATIO.search(text)
    if rm:
        v = parse_number(rm.group("v"))
        op = normalise_op(rm.group("cmp"))
        if v is not None and 1.0 <= v <= 3.0 and op in (">=", ">"):
            ratio, ish_at = v, rm.start()
        elif v is not None and 1.0 <= v <= 3.0 and op in ("<", "<="):
            ratio_negative = rm.start()
    cm = _ISH_COPY.search(text)
    if cm:
        v = parse_number(cm.group("v") or cm.group("v2") or "")
        op = normalise_op(cm.group("cmp") or cm.group("cmp2") or "")
        if v is not None and 2.0 <= v <= 12.0 and op in (">=", ">"):
            copy = v
            ish_at = cm.start() if ish_at is None else min(ish_at, cm.start())
    ish_status: Literal["positive", "negative"] | None = None
    neg_m = _ISH_NEG.search(text)
    pos_m = _ISH_POS.search(text)
    if ratio is None and copy is None:
        if pos_m and not (neg_m and neg_m.start() <= pos_m.start() < neg_m.end()):
            ish_status, ish_at = "positive", pos_m.start()
        elif neg_m:
            ish_status, ish_at = "negative", neg_m.start()
    if pos_m and neg_m and ratio is None and copy is None and neg_m.start() < pos_m.start():
        ish_status, ish_at = "negative", neg_m.start()
    if ish_status is None and ratio is None and ratio_negative is not None:
        ish_status, ish_at = "negative", ratio_negative
    if not statuses:
        ish_pos = bool(ratio or copy or ish_status == "positive")
        if scores == ["3+"] or (set(scores) <= {"2+", "3+"} and ish_pos):
            statuses["positive"] = spans[0][0]
        elif scores and set(scores) <= {"1+", "2+"} and ish_status != "positive":
            statuses["low"] = spans[0][0]
        elif scores and set(scores) <= {"0", "1+", "2+"} and ("0" in scores or ish_status == "negative"):
            statuses["negative"] = spans[0][0]
        elif scores:
            statuses["any"] = spans[0][0]
        elif ish_status == "negative":
            statuses["negative"] = spans[0][0]
        else:
            return []
        if negated and "positive" in statuses:
            statuses = {"negative": statuses["positive"]}
            scores, ratio, copy, ish_status = [], None, None, None
    if therapy_only and not statuses:
        return []
    status_set = set(statuses)
    if status_set & {"low", "ultralow"}:
        status_set.discard("negative")
    flip = ctx.is_exclusion and not ALLOWED.search(text) and not restated
    if flip and tn_re().search(clean):
        # "triple-negative (ER-/PR-/HER2-) or HER2+" excluded: the HER2- of the TNBC definition is not a rule
        status_set.discard("negative")
        if not status_set:
            return []
    if {"positive", "negative"} <= status_set or "any" in status_set:
        final: list[str] = ["any"]
    else:
        final = sorted(status_set, key=lambda s: statuses[s])
    logic: Literal["or", "and"] | None = None
    if scores and (ratio is not None or copy is not None or ish_status is not None) and ish_at is not None:
        found_at = [blanked.find(sc) for sc in scores if blanked.find(sc) >= 0]
        first = min(found_at, default=0)
        logic = _logic(blanked, first, ish_at, max(found_at, default=0))
    guideline = _guideline(text) if re.search(r"asco|american society|toga", text, re.I) else None
    out: list[Criterion] = []
    starts = sorted(statuses[f] for f in final if f in statuses)
    for st_name in final:
        eff = FLIP.get(st_name, st_name) if flip else st_name
        detailed = not flip
        own_scores, own_ish, own_logic = scores, ish_status, logic
        if len(final) > 1 and st_name in statuses:
            # "HER2-low (IHC 1+ or 2+/ISH-) or HER2-ultralow (IHC 0 ...)": each status keeps the details after it
            a, b = statuses[st_name] - s0, min((x for x in starts if x > statuses[st_name]), default=len(clean)) - s0
            own_scores = _ihc_scores(blanked[max(0, a) : max(0, b)]) or scores
            if ish_at is not None and not a <= ish_at < b:
                own_ish, own_logic = None, None
        out.append(
            ctx.make(
                HER2,
                s0,
                e0,
                status=eff,
                ihc_scores=own_scores if detailed else [],
                ish_ratio_min=ratio if detailed else None,
                ish_copy_number_min=copy if detailed else None,
                ish_status=own_ish if detailed else None,
                logic=own_logic if detailed else None,
                guideline=guideline,
            )
        )
    return out
