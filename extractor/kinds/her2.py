"""Kind ``her2``: HER2 (ERBB2) status the trial requires or excludes, with IHC / ISH details.

Reads a HER2/ERBB2 name (``vocab/biomarkers.yaml``) with a status ("HER2-positive", "HER2+", "HER2-low",
"ultralow", "ERBB2 amplification", "positive for HER2"), IHC / ISH details in an item naming HER2 or in a nested
item under a lead-in line naming HER2, and triple-negative disease (-> negative, unless the item has its own HER2
rule). Rules (patterns in ``her2.yaml``): without a status word the IHC / ISH details state one (3+ or ISH+ ->
positive; 1+/2+ -> low; 0/1+ and ISH- -> negative); positive and negative both named, or "known HER2 status" ->
``any``; therapy names ("anti-HER2", "HER2-targeted") and HER2 mutations are not a status. Exclusion items state
the effective rule (positive <-> negative, details of the excluded category dropped) unless the clause allows or
restates ("must not have HER2-positive disease"); the HER2- of a triple-negative definition in an exclusion item
and the HER2 qualifier of an excluded therapy are not rules. Negation ("not HER2-positive"), permission ("regardless
of HER2 status" -> any; "... is allowed") and the restating "must not" are the context pass's, read with this
kind's own cues (``context:`` in ``her2.yaml``). Statuses an inclusion item names as alternatives ("HER2+ ... OR
triple-negative ... OR HR+/HER2-negative") give one criterion each, with the details of their own stretch of text.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Literal, cast

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.kinds._subgroup import subgroup_allowance, subgroup_status
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in, op_of, parse_number, phrase_alt, sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Biomarkers

__all__ = ["HER2", "KIND", "Rules", "extract"]


class HER2(CriterionBase):
    """HER2 (ERBB2) status the trial requires or excludes."""

    kind: Literal["her2"] = "her2"
    status: Literal["positive", "negative", "low", "ultralow", "any"] = Field(
        description="HER2 category the text names: positive (IHC 3+ or ISH amplified), negative, low "
        "(IHC 1+ or 2+/ISH-), ultralow, or any."
    )
    ihc_scores: list[Literal["0", "1+", "2+", "3+"]] = Field(
        default_factory=list, description='IHC scores the text lists, e.g. ["3+"] or ["1+", "2+"].'
    )
    ish_ratio_min: float | None = Field(
        default=None, description="Minimum HER2/CEP17 ISH ratio, e.g. 2.0 for 'ISH ratio >= 2.0'."
    )
    ish_copy_number_min: float | None = Field(
        default=None, description="Minimum average HER2 gene copy number per cell, e.g. 6.0."
    )
    ish_status: Literal["positive", "negative"] | None = Field(
        default=None, description="ISH result named without numbers: 'ISH+'/'amplified' or 'ISH-'."
    )
    logic: Literal["or", "and"] | None = Field(
        default=None, description="How the IHC and ISH conditions combine ('and/or' counts as or)."
    )
    guideline: str | None = Field(default=None, description="Guideline named, e.g. 'ASCO/CAP 2018'.")


@cache
def _vocab() -> Biomarkers:
    vocab = vocabulary(Biomarkers)
    return vocab


class Rules(RuleFile):
    """``her2.yaml``: gates, and the name / status / IHC / ISH patterns."""

    name_gate: tuple[str, ...]
    nested_gate: tuple[str, ...]
    her2_name: Pattern
    triple_negative: Pattern
    triple_negative_entry_before: Pattern
    triple_negative_entry_after: Pattern
    guideline: Pattern
    neu_before: Pattern
    paren: Pattern
    paren_status: Pattern
    therapy_after: Pattern
    anti_before: Pattern
    status_after: Pattern
    status_before: Pattern
    any_before: Pattern
    any_after: Pattern
    excluded_therapy: Pattern
    score_or_ish: Pattern
    lead_in: Pattern
    ihc_context: Pattern
    ihc_range: Pattern
    ihc_compared: Pattern
    ihc_one: Pattern
    ihc_listed: Pattern
    ihc_zero: Pattern
    ihc_plus: Pattern
    ish_words: tuple[str, ...]
    ish_ratio: Pattern
    ish_copy: Pattern
    ish_positive: Pattern
    ish_negative: Pattern
    ish_copy_gate: Pattern
    ish_gate: Pattern
    logic_or: Pattern
    or_word: Pattern
    logic_and: Pattern
    score_list_or: Pattern
    score_slash_ish: Pattern
    expressed_or_amplified: Pattern
    alternative_separator: Pattern
    alternative_tail: Pattern
    not_alternative: Pattern
    guideline_gate: Pattern
    not_eligible_sentence: Pattern
    subgroup_allowance: Pattern
    subgroup_if: Pattern
    subgroup_verb: Pattern
    subgroup_subject: Pattern
    subgroup_modal: Pattern
    clause_start: Pattern
    cap_named: Pattern
    year: Pattern

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """The shared pieces of ``vocab/biomarkers.yaml``, and ``{{guidelines}}``: a group ``g<i>`` per guideline."""
        vocab = _vocab()
        groups = [f"(?P<g{i}>{phrase_alt(p)})" for i, p in enumerate(vocab.guidelines.values())]
        return {**vocab.pieces(), "guidelines": "|".join(groups)}


RULES = load_rules("her2", Rules)

KIND_NAME = "her2"
MAX_MENTIONS = 60  # pathological items (thousands of names) stay linear
IHC = Literal["0", "1+", "2+", "3+"]
_IHC_ORDER: list[IHC] = ["0", "1+", "2+", "3+"]
_STATUS = {"pos": "positive", "neg": "negative", "low": "low", "ultra": "ultralow", "any": "any"}
_FLIP = {"positive": "negative", "negative": "positive"}


def _guideline(text: str) -> str | None:
    m = RULES.guideline.search(text)
    if not m:
        return None
    name = list(_vocab().guidelines)[int((m.lastgroup or "g0")[1:])]
    if name == "ASCO" and RULES.cap_named.search(text):
        name = "ASCO/CAP"
    year = RULES.year.search(text, m.end(), m.end() + 60) or RULES.year.search(text, max(0, m.start() - 10), m.start())
    return f"{name} {year.group(1)}" if year else name


def _ihc_scores(text: str) -> list[IHC]:
    found: set[int] = set()
    if RULES.ihc_plus.search(text):
        for m in RULES.ihc_range.finditer(text):
            a, b = int(m.group(1)), int(m.group(2))
            found.update(range(min(a, b), max(a, b) + 1))
        strict: set[int] = set()  # where the bound of a strict comparison stands ("< 2+" does not list 2+)
        for m in RULES.ihc_compared.finditer(text):
            op = op_of(text[m.start() : m.start(1)].split("(", 1)[0].strip())
            v = int(m.group(1))
            if op in ("<", ">"):
                strict.add(m.start(1))
            if op in ("<", "<="):
                found.update(range(0, v + (op == "<=")))
            elif op in (">", ">="):
                found.update(range(v + (op == ">"), 4))
        for rx in (RULES.ihc_one, RULES.ihc_listed):
            for m in rx.finditer(text):
                if m.start(1) not in strict:
                    found.add(int(m.group(1)))
    for m in RULES.ihc_zero.finditer(text):
        found.add(int(m.group(1)))
    return [_IHC_ORDER[i] for i in sorted(found) if 0 <= i <= 3]


def _logic(text: str, ihc_at: int, ish_start: int, last_at: int) -> Literal["or", "and"] | None:
    """How the IHC and ISH conditions combine, from the words between them ("IHC 2+/ISH- or IHC 1+" -> or)."""
    if "or" in text and not RULES.score_slash_ish.fullmatch(text, last_at, max(last_at, ish_start)):
        # "IHC 1+ or 2+ and ISH-": the "or" of a score list joins no IHC and ISH condition (but "0, 1+ or 2+/ISH-"
        # reads 0 or 1+ or 2+ with ISH-)
        text = RULES.score_list_or.sub(lambda m: m.group(1) + " " * len(m.group(2)), text)
    lo, hi = sorted((ihc_at, ish_start))
    between = text[lo:hi].lower()
    if RULES.logic_or.search(between) or RULES.or_word.search(text[lo : max(hi, last_at)].lower()):
        return "or"
    if RULES.logic_and.search(between):
        return "and"
    return "or" if RULES.or_word.search(text.lower()) else None


Details = tuple[str, list[IHC], float | None, float | None, Literal["positive", "negative"] | None, int | None]


def _details(text: str) -> Details:
    """IHC scores, ISH ratio / copy number / result (and where the ISH condition starts) of a HER2 clause; with the
    clause, its HER2 names blanked (scores are read there)."""
    blanked = RULES.her2_name.sub(lambda m: " " * len(m.group(0)), text)
    scores = _ihc_scores(blanked) if RULES.ihc_context.search(text) else []
    ratio = copy = None
    ish_at: int | None = None
    ratio_negative: int | None = None
    rm = RULES.ish_ratio.search(text)
    if rm:
        v = parse_number(rm.group("v"))
        op = op_of(rm.group("cmp"))
        if v is not None and 1.0 <= v <= 3.0 and op in (">=", ">"):
            ratio, ish_at = v, rm.start()
        elif v is not None and 1.0 <= v <= 3.0 and op in ("<", "<="):
            ratio_negative = rm.start()
    cm = RULES.ish_copy.search(text) if RULES.ish_copy_gate.search(text) else None
    if cm:
        v = parse_number(cm.group("v") or cm.group("v2") or "")
        op = op_of(cm.group("cmp") or cm.group("cmp2") or "")
        if v is not None and 2.0 <= v <= 12.0 and op in (">=", ">"):
            copy = v
            ish_at = cm.start() if ish_at is None else min(ish_at, cm.start())
    ish_status: Literal["positive", "negative"] | None = None
    ish = RULES.ish_gate.search(text) is not None
    neg_m = RULES.ish_negative.search(text) if ish else None
    pos_m = RULES.ish_positive.search(text) if ish else None
    if ratio is None and copy is None:
        if pos_m and not (neg_m and neg_m.start() <= pos_m.start() < neg_m.end()):
            ish_status, ish_at = "positive", pos_m.start()
        elif neg_m:
            ish_status, ish_at = "negative", neg_m.start()
    if pos_m and neg_m and ratio is None and copy is None and neg_m.start() < pos_m.start():
        ish_status, ish_at = "negative", neg_m.start()
    if ish_status is None and ratio is None and ratio_negative is not None:
        ish_status, ish_at = "negative", ratio_negative
    return blanked, scores, ratio, copy, ish_status, ish_at


def _positive_details(scores: list[IHC], ratio: float | None, copy: float | None, ish: str | None) -> bool:
    """The IHC / ISH details define HER2-positive (IHC 3+, an ISH ratio or copy number minimum, or ISH+)."""
    return "3+" in scores or ratio is not None or copy is not None or ish == "positive"


def _alternatives(ctx: ItemContext, named: list[tuple[int, str]], s0: int, e0: int) -> list[HER2]:
    """HER2 statuses an inclusion item names as alternatives, one criterion each with the details of its own
    stretch of text: "HER2+ ... OR triple-negative ... OR HR+/HER2-negative", "TNBC, HR+/HER2-negative or HER2-low,
    HR-/HER2+". Taken when both HER2-positive and HER2-negative / low are named (otherwise one ``any``), or a
    triple-negative phrase stands beside a HER2 status; a name restating the status before it (inside its
    parenthesis, or with no list separator between) is the same alternative. Empty when the item is no such list."""
    clean = ctx.clean
    marks = [(a, st) for a, st in named if s0 <= a < e0]
    tn_at: set[int] = set()
    if "triple" in ctx.lower or "tnbc" in ctx.lower:
        for m in RULES.triple_negative.finditer(clean, s0, e0):
            if subgroup_status(RULES, ctx, m.start()):
                continue
            marks.append((m.start(), "negative"))
            tn_at.add(m.start())
    if len(marks) < 2:
        return []
    marks.sort()
    kept = [marks[0]]
    for a, st in marks[1:]:
        between = clean[kept[-1][0] : a]
        if st == kept[-1][1] and (
            between.count("(") > between.count(")") or not RULES.alternative_separator.search(between)
        ):
            continue
        kept.append((a, st))
    found = {st for _, st in kept}
    tn_beside = any(a in tn_at for a, _ in kept) and len(kept) >= 2
    if len(kept) < 2 or not (("positive" in found and found & {"negative", "low", "ultralow"}) or tn_beside):
        return []
    out: list[HER2] = []
    for i, (a, st) in enumerate(kept):
        start = s0 if i == 0 else a
        end = kept[i + 1][0] if i + 1 < len(kept) else e0
        tail = RULES.alternative_tail.search(clean, start, end)
        if tail and tail.start() > a:
            end = tail.start()
        seg = clean[start:end]
        blanked, scores, ratio, copy, ish_status, ish_at = _details(seg)
        logic: Literal["or", "and"] | None = None
        if scores and (ratio is not None or copy is not None or ish_status is not None) and ish_at is not None:
            found_at = [blanked.find(sc) for sc in scores if blanked.find(sc) >= 0]
            logic = _logic(blanked, min(found_at, default=0), ish_at, max(found_at, default=0))
        if st in ("low", "ultralow") and ish_status == "positive":
            # HER2-low is ISH-negative by definition: an amplification after it belongs to HER2-positive
            ish_status, logic = None, None
        guideline = _guideline(seg) if RULES.guideline_gate.search(seg) else None
        status = cast(Literal["positive", "negative", "low", "ultralow", "any"], st)
        out.append(
            ctx.make(
                HER2,
                start,
                end,
                status=status,
                ihc_scores=scores,
                ish_ratio_min=ratio,
                ish_copy_number_min=copy,
                ish_status=ish_status,
                logic=logic,
                guideline=guideline,
            )
        )
    return out


def _permitted_forward(ctx: ItemContext, start: int, end: int) -> bool:
    """A permission cue reading forward over the name: "regardless of HER2 status" (any status)."""
    return any(
        m.scope_start >= m.cue_end and m.covers(start, end) for m in ctx.context.cues("permitted", kind=KIND_NAME)
    )


def _parent_names_her2(ctx: ItemContext) -> bool:
    """A nested item whose lead-in line (the last line ending in ':' just above it) names HER2."""
    if ctx.item.depth == 0 or not RULES.score_or_ish.search(ctx.clean):
        return False
    before = ctx.source[max(0, ctx.item.start - 600) : ctx.item.start]
    lines = [ln for ln in before.splitlines() if ln.strip()]
    for ln in reversed(lines[-6:]):
        if RULES.lead_in.search(ln):
            return bool(RULES.her2_name.search(ln))
    return False


def _triple_negative(ctx: ItemContext) -> list[HER2]:
    """Triple-negative disease in an inclusion item: HER2-negative (unless the receptor clause is a long list)."""
    if ctx.is_exclusion or ("triple" not in ctx.lower and "tnbc" not in ctx.lower):
        return []
    m = RULES.triple_negative.search(ctx.clean)
    if not m:
        return []
    s, e = sentence_bounds(ctx.clean, m.start(), m.end())
    if ctx.clean[s:e].count(",") >= 4 and not _list_entry(ctx.clean, m.start(), m.end()):
        return []
    if subgroup_allowance(RULES, ctx, s) or subgroup_status(RULES, ctx, m.start()):
        return []
    return [ctx.make(HER2, s, e, status="negative", guideline=_item_guideline(ctx, ctx.clean[s:e]))]


def _item_guideline(ctx: ItemContext, text: str) -> str | None:
    """The guideline named in ``text``, else anywhere in the item ("... Cut-off values for positive/negative staining
    should follow current ASCO/CAP guidelines" in a later sentence)."""
    if not RULES.guideline_gate.search(ctx.clean):
        return None
    return (_guideline(text) if RULES.guideline_gate.search(text) else None) or _guideline(ctx.clean)


def _before_not_eligible(clean: str, s0: int, e0: int) -> int:
    """The end of the details: before a later sentence that says who is not eligible."""
    first_end = sentence_bounds(clean, s0, s0)[1]
    m = RULES.not_eligible_sentence.search(clean, first_end, e0)
    if m is None:
        return e0
    cut = sentence_bounds(clean, m.start(), m.end())[0]
    return cut if cut >= first_end else e0


def _list_entry(clean: str, start: int, end: int) -> bool:
    """The triple-negative phrase at ``clean[start:end]`` is an entry of a list of cancers."""
    return bool(
        RULES.triple_negative_entry_before.search(clean, max(0, start - 14), start)
        and RULES.triple_negative_entry_after.match(clean, end)
    )


def extract(ctx: ItemContext) -> list[HER2]:
    """The HER2 criteria of one item."""
    low = ctx.lower
    her: list[HER2] = []
    if any_in(RULES.name_gate, low) or (ctx.item.depth > 0 and any_in(RULES.nested_gate, low)):
        her = _her2_status(ctx)
    return her or _triple_negative(ctx)


def _her2_status(ctx: ItemContext) -> list[HER2]:
    clean = ctx.clean
    statuses: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    therapy_only = False
    negated = False
    restated = False
    negated_positive: int | None = None  # where a negated "HER2-positive" gave the negative status
    named: list[tuple[int, str]] = []  # (start, status) of each name stated with its own status
    context = ctx.context
    for m in itertools.islice(RULES.her2_name.finditer(clean), MAX_MENTIONS):
        name = m.group(0)
        if name.lower() == "her 2" and not name.startswith("H"):
            continue
        if name.lower() == "neu" and not RULES.neu_before.search(clean[max(0, m.start() - 12) : m.start()]):
            continue
        end = m.end()
        p = RULES.paren.match(clean, end)
        if p and not RULES.paren_status.search(p.group(0)):
            end = p.end()
        if RULES.therapy_after.match(clean, end) or RULES.anti_before.search(clean, max(0, m.start() - 25), m.start()):
            therapy_only = True
            continue
        st = RULES.status_after.match(clean, end)
        before = clean[max(0, m.start() - 40) : m.start()]
        kind: str | None = None
        if (
            RULES.any_after.match(clean, end)
            or _permitted_forward(ctx, m.start(), m.end())
            or (not st and RULES.any_before.search(before))
        ):
            kind = "any"
        elif st:
            kind = st.lastgroup
            if kind == "pos" and context.has("negated", m.start(), m.end(), kind=KIND_NAME):
                kind = "neg"
                if "negative" not in statuses and negated_positive is None:
                    negated_positive = m.start()
                restated = restated or (
                    ctx.is_exclusion and context.has("required", m.start(), m.end(), kind=KIND_NAME)
                )
        else:
            bm = RULES.status_before.search(before)
            if bm:
                kind = bm.lastgroup
        if kind is None:
            if context.has("negated", m.start(), m.end(), kind=KIND_NAME):
                negated = True
            spans.append((m.start(), m.end()))
            continue
        if ctx.is_exclusion and RULES.excluded_therapy.search(
            clean, sentence_bounds(clean, m.start(), m.end())[0], m.start()
        ):
            continue
        if subgroup_status(RULES, ctx, m.start()):
            continue
        statuses.setdefault(_STATUS[kind], m.start())
        spans.append((m.start(), (st.end() if st else m.end())))
        if kind != "any" and not (st and RULES.not_alternative.search(st.group(0))):
            named.append((m.start(), _STATUS[kind]))
    if not spans:
        if not _parent_names_her2(ctx):
            return []
        # a child of "HER2 positivity is defined as any of the following:" -> details only, whole item
        spans = [(0, 0)]
    low = ctx.lower
    # Details: scores and ISH results in the sentences that name HER2.
    s0, e0 = sentence_bounds(clean, spans[0][0], spans[-1][1])
    if not ctx.is_exclusion and "any" not in statuses:
        alternatives = _alternatives(ctx, named, s0, e0)
        if alternatives:
            return alternatives
    if not statuses:
        # no status word: only IHC / ISH details can state one
        e0 = len(clean) if e0 < len(clean) and "ihc" in low[e0:] else e0
    if statuses and not ctx.is_exclusion and ("eligib" in low or "exclud" in low):
        e0 = _before_not_eligible(clean, s0, e0)
    text = clean[s0:e0]
    blanked, scores, ratio, copy, ish_status, ish_at = _details(text)
    from_negated = negated_positive is not None and statuses.get("negative") == negated_positive
    if from_negated and _positive_details(scores, ratio, copy, ish_status):
        # "was never HER2-positive (IHC 3+ or IHC 2+/ISH+)": the details define the negated positive status
        scores, ratio, copy, ish_status, ish_at = [], None, None, None, None
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
    if subgroup_allowance(RULES, ctx, s0):
        return []
    status_set = set(statuses)
    if status_set & {"low", "ultralow"}:
        status_set.discard("negative")
    flip = ctx.is_exclusion and not restated and not ctx.context.has("permitted", s0, e0, kind=KIND_NAME)
    if flip and RULES.triple_negative.search(clean):
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
    elif not scores and ish_status == "positive" and RULES.expressed_or_amplified.search(text):
        logic = "or"  # "HER2 overexpressed/amplified": overexpression (IHC) or amplification (ISH)
    guideline = _item_guideline(ctx, text)
    out: list[HER2] = []
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
        if st_name in ("low", "ultralow") and own_ish == "positive":
            # HER2-low is ISH-negative by definition: an amplification named beside it belongs to HER2-positive
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
    return _split_low_zero(out)


def _split_low_zero(out: list[HER2]) -> list[HER2]:
    """A lone HER2-low criterion listing IHC 0 names two statuses ("IHC 1+ or 2+/ISH- (HER2-low) or IHC 0"): low
    keeps its 1+ / 2+ and ISH details, and IHC 0 is a HER2-negative criterion of its own."""
    if len(out) != 1 or out[0].status != "low" or "0" not in out[0].ihc_scores or len(out[0].ihc_scores) < 2:
        return out
    low = out[0]
    zero = low.model_copy(
        update={"status": "negative", "ihc_scores": ["0"], "ish_status": None, "ish_ratio_min": None, "logic": None}
    )
    return [low.model_copy(update={"ihc_scores": [sc for sc in low.ihc_scores if sc != "0"]}), zero]


KIND = KindSpec(
    HER2,
    extract=extract,
    rule_file=Rules,
    core=True,
    compare={
        "guideline": Compare("tokens"),
    },
)
