"""Rule family ``her2``: HER2 status, hormone receptors and other biomarkers.

Vocabularies (names, synonyms, guideline names, alteration words) live in ``vocab/biomarkers.yaml``.

* ``her2``: a HER2/ERBB2 name with a status ("HER2-positive", "HER2+", "HER2-low", "ultralow", "HER2 amplification",
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
* ``hormone_receptor``: ER / PR / HR / AR with positive, negative, low, known or any; "ER+/PR-", "ER and/or PR
  positive", ">= 1% of tumour cells" -> ``min_percent``; "ER <= 10%" -> negative; triple-negative / TNBC -> ER, PR
  negative plus ``her2`` negative (not in exclusion items: "not triple-negative" has no single status). Receptors
  without their own status take the linked one's ("ER or PR (...) positive"). One criterion per status. Exclusion
  items flip positive <-> negative unless the clause allows it.
* ``biomarker``: any other marker named with an alteration or status (mutation, fusion, amplification,
  expression, high, positive, wild-type, negative) or a threshold ("PD-L1 TPS >= 50%"); one criterion per marker.
  Rule for ``requirement``: the item states the marker *present* ("EGFR mutation", "MSI-H") or *absent*
  ("EGFR wild-type", "no known EGFR mutation", "BRAF V600E-negative"); present in an inclusion item -> required,
  absent in an inclusion item -> excluded, and the reverse in an exclusion item, except that an exclusion item
  saying "must not have X" restates the rule (-> excluded). A clause that says the marker is "allowed",
  "permitted", "not excluded", "regardless of", "irrespective of", "known or unknown", "positive or negative"
  -> allowed. A marker naming a cohort ("the ctDNA positive cohort") is not a requirement of the item.
  Marker names used as therapy ("EGFR TKI", "anti-PD-L1", "KRAS G12C inhibitor", "targeting KRAS") are skipped.
  ``alteration``: the variant as written ("G12C", "V600E", "exon 19 deletion") else the alteration word
  ("mutation", "fusion", "high", "expression"); absent-marker statements use "mutation" unless a variant is named.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Literal

from extractor.models import HER2, Biomarker, Criterion, HormoneReceptor
from extractor.models.criteria import Requirement
from extractor.rules._common import ItemContext, parse_number
from extractor.rules.performance import cmp_regex, normalise_op, sentence_bounds
from extractor.vocab import load

__all__ = ["extract"]

_MAX_MENTIONS = 60  # pathological items (thousands of names) stay linear

HER2Status = Literal["positive", "negative", "low", "ultralow", "any"]
HRStatus = Literal["positive", "negative", "low", "any", "known"]
Receptor = Literal["ER", "PR", "HR", "AR"]
IHC = Literal["0", "1+", "2+", "3+"]


def _alt(phrases: list[str]) -> str:
    """Regex alternation of phrases: longest first, spaces/hyphens interchangeable, case-sensitive when the phrase
    has an upper-case letter."""
    out = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
        out.append(esc if p != p.lower() else f"(?i:{esc})")
    return "|".join(out)


@cache
def _vocab() -> dict[str, object]:
    data: dict[str, object] = load("biomarkers")
    return data


# --------------------------------------------------------------------------------------------------------- HER2


@cache
def _her2_re() -> re.Pattern[str]:
    names: list[str] = _vocab()["her2_names"]  # type: ignore[assignment]
    return re.compile(rf"(?<![A-Za-z0-9-])(?:{_alt(names)})(?![A-Za-z0-9])(?![-\s]?/?neu\b)")


_PAREN = re.compile(r"\s*(?:\((?:[^()]{0,30})\)|\[[^\]]{0,20}\])")
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
_ANTI_BEFORE = re.compile(r"(?:anti|targeting|directed\s+against)[\s-]*(?:\w+[\s/-]+)?$", re.IGNORECASE)

_IHC_SCORE_OR_ISH = re.compile(r"(?<![A-Za-z\d.])[0-3]\s*\+|\b(?:ISH|FISH|CISH|SISH)\b|in situ hybridi", re.I)
_IHC_CTX = re.compile(r"\bihc\b|immunohisto|\bscore|staining|expression|\bher2\b|\berbb2\b", re.IGNORECASE)
_IHC_RANGE = re.compile(r"(?<![\d.])([0-3])\s*\+?\s*(?:-|–|to)\s*([1-3])\s*(?:\+|plus\b)")
_LEAN_CMP = (
    r"(?:[<>≤≥≦≧⩾⩽]\s*=?|=\s*[<>]|=>|&[lg]t;\s*=?|(?:greater|more|less|fewer|higher|lower)\s+than"
    r"(?:\s+or\s+equal(?:\s+to)?)?|(?:equal\s+to\s+or\s+)?(?:greater|more|less)\s+than|at\s+least|"
    r"(?:no|not)\s+(?:less|more|greater)\s+than|exceeding|above|below|over|under)"
)
_IHC_LESS = re.compile(rf"(?:{_LEAN_CMP})\s*(?:\(\s*[<≤]\s*\)\s*)?([1-3])\s*(?:\+|plus\b)")
_IHC_ONE = re.compile(r"(?:(?<![A-Za-z\d.])|(?<=IHC)|(?<=ihc))([0-3])\s*(?:\+|plus\b)(?!\d)")
_IHC_LISTED = re.compile(
    r"(?<![\d.,])([0-3])(?:\s*\+)?\s*(?:,|\bor\b|\band\b|/)\s*(?=(?:ihc\s*)?[0-3]\s*(?:\+|plus\b))", re.I
)
_IHC_ZERO = re.compile(r"(?:\bihc|\bscore|\bof|\bis|\bas)\s*(?:score\s*)?(?:of\s*)?(0)(?![\d.,%])(?:\s*\+)?", re.I)
_ISH_WORD = r"(?:ish|fish|cish|sish|ddish|in[\s-]situ\s+hybridi[sz]ation|ngs)"
_ISH_RATIO = re.compile(
    rf"(?:ratio|cep\s*17|amplification)[^.;]{{0,40}}?(?P<cmp>{_LEAN_CMP})\s*(?P<v>\d(?:[.,]\d+)?)(?!\s*(?:%|x\b))",
    re.IGNORECASE,
)
_ISH_COPY = re.compile(
    rf"(?:copy\s+numbers?|gene\s+cop(?:y|ies)|copies)[^.;]{{0,40}}?(?P<cmp>{_LEAN_CMP})\s*(?P<v>\d{{1,2}}(?:[.,]\d+)?)"
    rf"|(?P<cmp2>{_LEAN_CMP})\s*(?P<v2>\d{{1,2}}(?:[.,]\d+)?)\s*(?:signals?|copies|her2\s+signals?)\s*(?:/|per)\s*"
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
    table: dict[str, list[str]] = _vocab()["guidelines"]  # type: ignore[assignment]
    groups = []
    for i, (_name, phrases) in enumerate(table.items()):
        groups.append(f"(?P<g{i}>{_alt(phrases)})")
    return re.compile(r"\b(?:" + "|".join(groups) + r")\b", re.IGNORECASE)


_YEAR = re.compile(r"\b(20[0-3]\d)\b")


def _guideline(text: str) -> str | None:
    m = _guideline_re().search(text)
    if not m:
        return None
    table: dict[str, list[str]] = _vocab()["guidelines"]  # type: ignore[assignment]
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


_FLIP: dict[str, str] = {"positive": "negative", "negative": "positive"}


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


def _her2(ctx: ItemContext) -> list[Criterion]:
    clean = ctx.clean
    statuses: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    therapy_only = False
    negated = False
    restated = False
    for m in itertools.islice(_her2_re().finditer(clean), _MAX_MENTIONS):
        name = m.group(0)
        if name.lower() == "her 2" and not name.startswith("H"):
            continue
        if name.lower() == "neu" and not re.search(
            r"her[\s-]?2|c-?erb", clean[max(0, m.start() - 12) : m.start()], re.I
        ):
            continue
        end = m.end()
        p = _PAREN.match(clean, end)
        if p and not re.search(r"[+-]|positive|negative", p.group(0), re.I):
            end = p.end()
        if _THERAPY_AFTER.match(clean, end) or _ANTI_BEFORE.search(clean, max(0, m.start() - 25), m.start()):
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
                restated = restated or (ctx.is_exclusion and bool(_MUST_NOT.search(before)))
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
    flip = ctx.is_exclusion and not _ALLOWED.search(text) and not restated
    if flip and _tn_re().search(clean):
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
        eff = _FLIP.get(st_name, st_name) if flip else st_name
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


# --------------------------------------------------------------------------------------------- hormone receptors


@cache
def _hr_re() -> re.Pattern[str]:
    table: dict[str, list[str]] = _vocab()["hormone_receptors"]  # type: ignore[assignment]
    groups = [f"(?P<{name}>{_alt(phrases)})" for name, phrases in table.items()]
    return re.compile(r"(?<![A-Za-z0-9-])(?:" + "|".join(groups) + r")(?![A-Za-z0-9])")


@cache
def _tn_re() -> re.Pattern[str]:
    phrases: list[str] = _vocab()["triple_negative"]  # type: ignore[assignment]
    return re.compile(rf"(?<![A-Za-z])(?:{_alt(phrases)})(?![A-Za-z])")


_HR_STATUS = re.compile(
    r"""(?:\s*\((?:[^()]{0,12})\))?[\s:-]*(?:\(\s*)?(?:status\s*(?:is\s+|of\s+|:\s*)?)?
    (?:(?:is|are|must\s+be)\s+(?:considered\s+)?)?(?:
      (?P<any>any\b|positive\s+or\s+negative|negative\s+or\s+positive|\+\s*or\s*-)
    | (?P<low>low\b|weakly\s+positive)
    | (?P<negative>negative|negativity|neg\b|poor|-(?![a-z0-9])|−|\(-\))
    | (?P<positive>positive|pos\b|positivity|rich|expressing|\+|\(\+\))
    | (?P<known>known|status\s+known)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_HR_PCT = re.compile(
    rf"(?:\s*\(?\s*|[^.;]{{0,40}}?)(?P<cmp>{cmp_regex()})\s*(?P<v>\d{{1,3}}(?:[.,]\d+)?)\s*(?:%|percent)"
)
_HR_CONNECT = re.compile(r"[\s()\[\]]*(?:(?:and/or|and|or|/|,|&|\+\s*/?)[\s()\[\]]*)?$")
_HR_THERAPY = re.compile(
    r"[\s-]*(?:\(\w+\)\s*)?(?:degrader|modulator|antagonist|agonist|inhibitor|signaling|signalling|blocker|targeted|"
    r"directed|pathway|therapy|down-?regulator|ligand)",
    re.IGNORECASE,
)
_HR_NEG_BEFORE = re.compile(r"(?:not\s+express|lack\s+of|absence\s+of|negative\s+for)\s*(?:\w+\s+){0,2}$", re.I)
_HR_ANY_BEFORE = re.compile(r"\b(?:any|regardless\s+of|irrespective\s+of|independent\s+of)\s+(?:\w+\s+){0,2}$", re.I)
_HR_POS_BEFORE = re.compile(r"\b(?:expression\s+of|positive\s+for|positivity\s+for|expressing)\s+(?:the\s+)?$", re.I)
_HR_KNOWN_BEFORE = re.compile(r"\b(?:known|documented|available)\s+(?:\w+[\s,/]+){0,4}$", re.I)
_RESPONSE = re.compile(r"\b(?:CR|SD|PD|ORR|response|RECIST|hazard|heart\s+rate|bpm)\b", re.IGNORECASE)
_SELECTIVE = re.compile(r"selective\s*$|\bhormone\s*$", re.I)


def _hormone(ctx: ItemContext) -> tuple[list[Criterion], bool]:
    """Hormone-receptor criteria and whether the item names triple-negative disease."""
    clean = ctx.clean
    mentions: list[tuple[Receptor, int, int, str | None, float | None]] = []
    for m in itertools.islice(_hr_re().finditer(clean), _MAX_MENTIONS):
        rec: Receptor = m.lastgroup  # type: ignore[assignment]
        sym = m.group(0)
        if _HR_THERAPY.match(clean, m.end()) or _SELECTIVE.search(clean, max(0, m.start() - 12), m.start()):
            continue
        if sym in ("PR", "HR") and _RESPONSE.search(clean, max(0, m.start() - 30), min(len(clean), m.end() + 30)):
            continue
        st = _HR_STATUS.match(clean, m.end())
        status: str | None = st.lastgroup if st else None
        end = st.end() if st else m.end()
        if status == "negative" and st and st.group(0).strip() in ("-", "−") and sym.isupper() and len(sym) <= 3:
            # "ER-" must be followed by a separator, another receptor or HER2, not by a word ("ER-alpha")
            nxt = clean[st.end() : st.end() + 1]
            if nxt.isalpha() and not re.match(r"(?:PR|PgR|HER|ER|HR)", clean[st.end() : st.end() + 3]):
                status = None
        pct: float | None = None
        pm = _HR_PCT.match(clean, end)
        if pm and pm.end() - end < 60:
            op = normalise_op(pm.group("cmp"))
            v = parse_number(pm.group("v"))
            if v is not None and v <= 100 and op is not None:
                if op in (">=", ">") and status in (None, "positive"):
                    status, pct = "positive", v
                elif op in ("<", "<=") and status in (None, "negative"):
                    status = "negative"
        before = clean[max(0, m.start() - 40) : m.start()]
        if status is None:
            if _HR_NEG_BEFORE.search(before):
                status = "negative"
            elif _HR_ANY_BEFORE.search(before):
                status = "any"
            elif _HR_KNOWN_BEFORE.search(before):
                status = "known"
            elif _HR_POS_BEFORE.search(before):
                status = "positive"
        if status == "positive" and re.search(r"\b(?:not|non)[\s-]*$", before, re.I):
            status = "negative"
        mentions.append((rec, m.start(), end, status, pct))
    # receptors without a status take the next linked receptor's status ("ER and/or PR positive")
    resolved: list[tuple[Receptor, int, int, str, float | None]] = []
    for i, (rec, s, e, own_status, own_pct) in enumerate(mentions):
        status, pct = own_status, own_pct
        if status is None:
            j = i
            while j + 1 < len(mentions) and _HR_CONNECT.match(clean[mentions[j][2] : mentions[j + 1][1]]):
                j += 1
                if mentions[j][3] is not None:
                    status, pct = mentions[j][3], mentions[j][4] if pct is None else pct
                    break
        if status is None and resolved and resolved[-1][0] != rec and _HR_CONNECT.match(clean[resolved[-1][2] : s]):
            status = resolved[-1][3]
        if status is not None:
            resolved.append((rec, s, e, status, pct))
    tn = list(_tn_re().finditer(clean))
    tn_ok = bool(tn) and clean[sentence_bounds(clean, tn[0].start(), tn[0].end())[0] :].count(",") < 4
    named_hr = [r for r in resolved if r[0] == "HR"]
    if named_hr:
        resolved = named_hr + [r for r in resolved if r[0] == "AR"]
    by_status: dict[str, list[tuple[Receptor, int, int, str, float | None]]] = {}
    for r in resolved:
        by_status.setdefault(r[3], []).append(r)
    if tn_ok and "negative" not in by_status and not ctx.is_exclusion:
        by_status["negative"] = [("ER", tn[0].start(), tn[0].end(), "negative", None)]
        by_status["negative"].append(("PR", tn[0].start(), tn[0].end(), "negative", None))
    if ctx.is_exclusion and tn:
        return [], False
    pos, neg = by_status.get("positive", []), by_status.get("negative", [])
    if pos and neg and not tn_ok and {r[0] for r in pos} & {r[0] for r in neg}:
        # "HR+/HER2- or HR-/HER2+": the same receptor both ways -> any status
        by_status["any"] = by_status.get("any", []) + [(r[0], r[1], r[2], "any", None) for r in pos + neg]
        del by_status["positive"], by_status["negative"]
    out: list[Criterion] = []
    for status, rs in by_status.items():
        recs: list[Receptor] = []
        for r in rs:
            if r[0] not in recs:
                recs.append(r[0])
        if status == "negative" and tn_ok and recs == ["ER"]:
            recs.append("PR")
        pcts = [r[4] for r in rs if r[4] is not None]
        start = min(r[1] for r in rs)
        end = max(r[2] for r in rs)
        s, e = sentence_bounds(clean, start, end)
        flip = ctx.is_exclusion and not _ALLOWED.search(clean, s, e)
        eff = _FLIP.get(status, status) if flip else status
        out.append(
            ctx.make(
                HormoneReceptor,
                s,
                e,
                receptors=recs,
                status=eff,
                min_percent=(pcts[0] if pcts and eff == "positive" and not flip else None),
            )
        )
    return out, tn_ok and not ctx.is_exclusion


# -------------------------------------------------------------------------------------------------- biomarkers


def _literal_alt(phrases: list[str]) -> str:
    """Alternation whose branches start with a literal (lets ``re`` skip positions fast)."""
    alts = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for p in alts)


_TOKEN = re.compile(r"(?:[A-Z](?:[A-Z0-9]|-[A-Za-z0-9])|Ki)[A-Za-z0-9α]*(?:[-*:./][A-Za-z0-9]+)*")


@cache
def _marker_res() -> tuple[dict[str, str], re.Pattern[str], tuple[str, ...]]:
    """Symbol lookup (token as written or normalised -> symbol), the multi-word / lower-case name regex and its
    gate words."""
    table: dict[str, list[str]] = _vocab()["markers"]  # type: ignore[assignment]
    canon: dict[str, str] = {}
    named: list[str] = []
    for sym, syns in table.items():
        for syn in [sym, *syns]:
            canon[_norm(syn)] = sym
            if " " in syn or syn == syn.lower():
                named.append(syn.lower())
            else:
                canon[syn] = canon[syn.upper()] = sym
    tail = r"(?![a-z0-9]|-(?:targeted|directed|like)|[\s-]*2\b)"
    gate: tuple[str, ...] = tuple(_vocab()["name_gate"])  # type: ignore[arg-type]
    return canon, re.compile(f"(?:{_literal_alt(named)}){tail}"), gate


_GLUED_VARIANT = re.compile(r"[A-Z]\d{2,4}[A-Z]?")


def _lookup(exact: dict[str, str], clean: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """Markers named by the token ``clean[start:end]`` (with a lower-case prefix such as c-, g-, d-)."""
    non = start >= 4 and clean[start - 4 : start].lower() == "non-"
    if start > 0 and not non:
        prev = clean[start - 1]
        if prev.isalnum() or prev == "-":
            for back in (1, 2):
                b = start - back
                cand = clean[b:end]
                if b >= 0 and cand in exact and (b == 0 or not clean[b - 1].isalnum()):
                    return [(b, end, exact[cand])]
            return []
    tok = clean[start:end]
    sym = exact.get(tok)
    if sym:
        return [(start, end, sym)]
    if len(tok) <= 24 and any(c.isdigit() for c in tok):
        # a variant glued to the gene: "BRAFV600E", "KRASG12C"
        for cut in range(len(tok) - 2, 2, -1):
            if tok[:cut] in exact and _GLUED_VARIANT.fullmatch(tok, cut):
                return [(start, start + cut, exact[tok[:cut]])]
    if "-" not in tok and "/" not in tok:
        return []
    if "/" not in tok:
        if len(tok) > 40:
            return []
        # longest hyphen-joined prefix that names a marker: "PD-L1-positive", "EGFR-activating"
        parts = tok.split("-")
        for k in range(len(parts) - 1, 0, -1):
            head = "-".join(parts[:k])
            if head in exact:
                return [(start, start + len(head), exact[head])]
        return []
    out: list[tuple[int, int, str]] = []
    pos = start
    for k, part in enumerate(re.split(r"([/-])", tok)):
        if part and part not in ("/", "-"):
            sym = exact.get(part)
            if sym:
                out.append((pos, pos + len(part), sym))
            elif k == 0:
                break
        pos += len(part)
    return out


def _marker_mentions(ctx: ItemContext) -> list[tuple[int, int, str]]:
    """(start, end, symbol) of marker names in the item, in order."""
    canon, named, gate = _marker_res()
    clean = ctx.clean
    found: list[tuple[int, int, str]] = []
    for m in _TOKEN.finditer(clean):
        found.extend(_lookup(canon, clean, m.start(), m.end()))
    low = ctx.lower
    if any(w in low for w in gate):
        for m in named.finditer(low):
            if m.start() > 0 and (low[m.start() - 1].isalnum() or low[m.start() - 1] == "-"):
                continue
            sym = canon.get(_norm(m.group(0)))
            if sym and not any(a <= m.start() < b for a, b, _ in found):
                found.append((m.start(), m.end(), sym))
        found.sort()
    return found


def _norm(s: str) -> str:
    return re.sub(r"[\s-]+", " ", s.lower()).strip()


@cache
def _word_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    v = _vocab()
    alts: list[str] = v["alterations"]  # type: ignore[assignment]
    wild: list[str] = v["wild_type"]  # type: ignore[assignment]
    ther: list[str] = v["therapy_words"]  # type: ignore[assignment]
    alt_re = re.compile(rf"\b(?:{_alt(alts)})\b", re.IGNORECASE)
    wild_re = re.compile(rf"(?:\b|-)(?:{_alt(wild)})\b", re.IGNORECASE)
    ther_re = re.compile(rf"[\s/-]*(?:\(\w+\)\s*)?(?:{_alt(ther)})\b", re.IGNORECASE)
    return alt_re, wild_re, ther_re


_VARIANT = re.compile(
    r"[\s-]*(?:\(?p\.)?(?P<var>[A-Z]\d{1,4}(?:[A-Z]|X|_[A-Z]\d+\w*|fs|del|ins\w*)?(?:/[A-Z]\d{1,4}[A-Z]?)*)\b"
    r"|[\s-]*(?P<exon>exon\s*\d{1,2}(?:\s*(?:skipping|deletions?|insertions?|mutations?|alterations?))?)"
    r"|[\s-]*(?P<itd>ITD|V600E?|V600[EK]?/?[EK]?)",
)
_ALLOWED = re.compile(
    r"\b(?:allowed|permitted|not\s+excluded|regardless|irrespective|known\s+or\s+unknown|unknown\s+or\s+known|"
    r"negative\s+or\s+positive|positive\s+or\s+negative|any\s+(?:\S+\s+)?status|"
    r"may\s+(?:also\s+)?(?:be\s+)?(?:enroll|participate|be\s+included)|are\s+eligible\s+regardless|independent\s+of)\b",
    re.IGNORECASE,
)
_THRESH = re.compile(
    rf"(?:(?:tps|cps|tc|ic|tumou?r\s+proportion\s+score|combined\s+positive\s+score|score|expression|level|"
    rf"burden|tmb|vaf)\s*(?:\(\w+\)\s*)?(?:of\s+)?)?(?:{_LEAN_CMP})\s*\d+(?:[.,]\d+)?\s*(?:%|mut(?:ations)?\s*/\s*mb|"
    rf"muts?/mb|/mb|mutations\s+per\s+megabase)?",
    re.IGNORECASE,
)
_LAB_AFTER = re.compile(r"\s*(?:\(\w+\)\s*)?(?:of\s+)?(?:[<>≤≥=]|&[lg]t;|ml/min|\d)", re.IGNORECASE)


_MUTATION_LIKE = re.compile(r"mutat|variant|alter|aberr|insert|exon|deletion|pathogenic|deleterious|carrier|[A-Z]\d")
_SYMBOLISH = re.compile(r"[A-Z0-9/-]{2,12}")
_CONNECT_TOKEN = re.compile(r"\[s\s*\]|\(s\)|\(\w+\)|[A-Za-z0-9/-]+|\S")
_CONNECT_WORDS = frozenset(
    [
        "s",
        "in",
        "of",
        "or",
        "and",
        "and/or",
        "at",
        "the",
        "following",
        "gene",
        "genes",
        "any",
        "one",
        ":",
        ",",
        "/",
        "(",
    ]
)


def _connect_only(between: str) -> bool:
    """True when ``between`` holds only list glue and other marker symbols ("in any of the following genes: EGFR,")."""
    if len(between) > 150:
        return False
    for tok in _CONNECT_TOKEN.findall(between):
        if tok not in _CONNECT_WORDS and not _SYMBOLISH.fullmatch(tok) and not tok.startswith(("[", "(")):
            return False
    return True


_NEG_NEAR = re.compile(r"\b(?:no|not|negative\s+for)\b(?:(?!\bwith\b)[^.;:,]){0,40}$", re.IGNORECASE)
_NEG_FAR = re.compile(
    r"\b(?:without|absence\s+of|absent|lack\s+of|lacking|must\s+not\s+(?:have|harbou?r|carry)|"
    r"does\s+not\s+(?:have|harbou?r)|do\s+not\s+(?:have|harbou?r)|no\s+known|no\s+documented|not\s+harbou?r\w*|"
    r"no\s+evidence\s+of)\b",
    re.IGNORECASE,
)


_NON_PREFIX = re.compile(r"\bnon[\s-]*[a-z]?$", re.IGNORECASE)
_MUST_NOT = re.compile(r"\b(?:must|should|shall|may|can)\s*not\b|\bcannot\b", re.IGNORECASE)
_ABBREV = re.compile(r"\b(?:i\.e|e\.g|vs|etc|approx)\.", re.IGNORECASE)


def _negated_far(pre: str) -> bool:
    """A negation word ("without", "absence of", "no known") earlier in the same clause, at most 150 chars back."""
    window = _ABBREV.sub(lambda m: m.group(0).replace(".", " "), pre[-170:])
    last = None
    for m in _NEG_FAR.finditer(window):
        last = m
    return last is not None and len(window) - last.end() <= 150 and not re.search(r"[.;:]", window[last.end() :])


_PLURAL = re.compile(
    r"(mutation|variant|alteration|aberration|fusion|rearrangement|amplification|deletion|"
    r"insertion|carrier)s\b"
)


_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and/or|or|and)?|and/or|or|and|/)\s*")


def _skip_list(ctx: ItemContext, pos: int, end: int) -> int:
    """Skip "[, or] <marker>" runs after a marker, so "ALK, ROS1 or RET fusion" reaches "fusion"."""
    canon, named, _gate = _marker_res()
    clean = ctx.clean
    while True:
        m = _LIST_SEP.match(clean, pos, end)
        if not m:
            return pos
        mk = _TOKEN.match(clean, m.end(), end)
        if mk and _lookup(canon, clean, mk.start(), mk.end()):
            nxt = mk.end()
        else:
            nm = named.match(ctx.lower, m.end(), end)
            if not nm:
                return pos
            nxt = nm.end()
        p = _PAREN.match(clean, nxt, end)
        pos = p.end() if p else nxt
        var = _VARIANT.match(clean, pos, end)
        if var:
            pos = var.end()


def _alteration_after(clean: str, pos: int, end: int) -> str | None:
    alt_re, _w, _t = _word_res()
    window = clean[pos : min(end, pos + 45)]
    close = re.match(r"\s*\)", window)
    if close:
        window = window[close.end() :]
    am = alt_re.search(window)
    if am is None or re.search(r"[.;:,()]|\b(?:and|or|but|who|which|that|with|in|of|for)\b", window[: am.start()]):
        return None
    return am.group(0).lower()


def _biomarkers(ctx: ItemContext) -> list[Criterion]:
    clean = ctx.clean
    mentions = _marker_mentions(ctx)
    if not mentions:
        return []
    alt_re, wild_re, ther_re = _word_res()
    mutation_only: list[str] = _vocab()["mutation_only"]  # type: ignore[assignment]
    out: list[Criterion] = []
    seen: set[str] = set()
    tries: dict[str, int] = {}
    for m_start, m_end, sym in mentions[:_MAX_MENTIONS]:
        if sym in seen or tries.get(sym, 0) >= 4:
            continue
        tries[sym] = tries.get(sym, 0) + 1
        end = m_end
        p = _PAREN.match(clean, end)
        if p and len(p.group(0)) < 20 and not re.search(r"[<>≥≤=]|\d+\s*%", p.group(0)):
            end = p.end()
        var = _VARIANT.match(clean, end)
        vend = var.end() if var else end
        if ther_re.match(clean, vend) or _ANTI_BEFORE.search(clean, max(0, m_start - 25), m_start):
            continue
        if sym == "EGFR" and re.match(
            r"\s*(?:\(\w+\)\s*)?(?:of\s+)?(?:[<>≤≥=]|&[lg]t;)?\s*\d+\s*(?:ml|$|\b)", clean[end : end + 25], re.I
        ):
            continue
        s, e = sentence_bounds(clean, m_start, vend)
        clause = clean[s:e]
        rel = m_start - s
        variant = (var.group("var") or var.group("exon") or var.group("itd")) if var else None
        alteration: str | None = variant.strip() if variant else None
        if alteration is None:
            alteration = _alteration_after(clean, vend, e)
        if alteration is None:
            lend = _skip_list(ctx, vend, e)
            if lend > vend:
                alteration = _alteration_after(clean, lend, e)
        name_low = clean[m_start:m_end].lower()
        suffix = re.match(r"[\s-]*(?:h|high)\b", clean[m_end : m_end + 6], re.IGNORECASE)
        if alteration is None and (suffix or name_low.endswith(("-h", "-high", " high"))):
            alteration = "high"
        if alteration is None and sym == "MMR" and name_low.startswith("d"):
            alteration = "deficient"
        if alteration is None:
            before_alt = None
            for bm in alt_re.finditer(clause, 0, rel):
                before_alt = bm
            if before_alt is not None and _connect_only(clause[before_alt.end() : rel]):
                alteration = before_alt.group(0).lower()
        wm = wild_re.match(clean, vend)
        if wm is None:
            after = clean[vend : min(e, vend + 45)]
            wm2 = wild_re.search(after)
            if wm2 and not re.search(r"[.;:,]|\b(?:and|or|but|who|in|of)\b", after[: wm2.start()]):
                wm = wm2
        seg_end = min(len(clause), rel + 120)
        thr = _THRESH.search(clause, rel, seg_end) if _DIGIT.search(clause, rel, seg_end) else None
        threshold = None
        if (
            thr
            and thr.start() < rel + 80
            and re.search(r"%|/\s*mb|megabase|tps|cps|score|\b(?:tc|ic)\b", thr.group(0), re.I)
        ):
            threshold = thr.group(0).strip()
        absent = wm is not None
        if _norm(name_low) in ("mss", "microsatellite stable", "pmmr", "mismatch repair proficient"):
            absent, alteration = True, ("high" if sym == "MSI" else "deficient")
        if alteration is None and not absent and threshold is None:
            continue
        if _COHORT_LABEL.match(clean, vend) or _COHORT_LABEL.search(clean[vend : vend + 30]):
            continue
        if sym in mutation_only and not (alteration and _MUTATION_LIKE.search(alteration)):
            continue
        pre = clean[s:m_start]
        restated = False
        if _NON_PREFIX.search(pre[-6:]):
            absent = True
        elif _NEG_NEAR.search(pre[-60:]) or _negated_far(pre):
            absent = not absent if wm is None else absent
            # an exclusion item saying "must not have X" restates the rule: X is excluded, not required
            restated = ctx.is_exclusion and bool(_MUST_NOT.search(pre))
        if alteration in (None, "negative") and absent:
            alteration = "positive" if sym in _status_markers() else "mutation"
        if alteration in ("positivity",):
            alteration = "positive"
        if alteration:
            alteration = _PLURAL.sub(r"\1", alteration)
        requirement: Requirement
        if _ALLOWED.search(clause):
            requirement = "allowed"
        else:
            requirement = "required" if (not absent) != ctx.is_exclusion else "excluded"
            if restated:
                requirement = "excluded"
        seen.add(sym)
        out.append(
            ctx.make(Biomarker, s, e, marker=sym, alteration=alteration, requirement=requirement, threshold=threshold)
        )
    return out


_DIGIT = re.compile(r"\d")
_COHORT_LABEL = re.compile(r"^[\s-]*(?:\w+[\s-]+)?(?:cohort|arm|group|stratum|subgroup)\b", re.IGNORECASE)


@cache
def _status_markers() -> frozenset[str]:
    """Markers whose absence is a status ("PD-L1 negative"), not a missing mutation."""
    names: list[str] = _vocab()["status_markers"]  # type: ignore[assignment]
    return frozenset(names)


# ------------------------------------------------------------------------------------------------------ family

_HER2_KEYS = ("her2", "her-2", "her 2", "erbb", "neu", "epidermal grow")


_HR_SYMBOL = re.compile(r"(?:ER|PR|HR|AR|PgR)(?![A-Za-z0-9])")


def _hr_symbol(clean: str) -> bool:
    """A stand-alone ER / PR / HR / AR / PgR in the item (fast: the pattern starts with literals)."""
    return any(m.start() == 0 or not clean[m.start() - 1].isalpha() for m in _HR_SYMBOL.finditer(clean))


def extract(ctx: ItemContext) -> list[Criterion]:
    """HER2, hormone-receptor and biomarker criteria of one item."""
    low = ctx.lower
    out: list[Criterion] = []
    tn = False
    if "receptor" in low or "triple" in low or "tnbc" in low or _hr_symbol(ctx.clean):
        hr, tn = _hormone(ctx)
        out.extend(hr)
    her: list[Criterion] = []
    if any(k in low for k in _HER2_KEYS) or (
        ctx.item.depth > 0 and ("ihc" in low or "immunohisto" in low or "ish" in low or "in situ" in low)
    ):
        her = _her2(ctx)
    if tn and not any(isinstance(c, HER2) for c in her):
        m = _tn_re().search(ctx.clean)
        if m:
            s, e = sentence_bounds(ctx.clean, m.start(), m.end())
            her.append(ctx.make(HER2, s, e, status="negative"))
    out.extend(her)
    out.extend(_biomarkers(ctx))
    return out
