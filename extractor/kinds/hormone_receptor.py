"""Kind ``hormone_receptor``: oestrogen / progesterone / androgen receptor status.

Reads ER / PR / HR / AR names (``vocab/biomarkers.yaml``) with positive, negative, low, known or any ("ER+/PR-",
"ER and/or PR positive", "known ER, PR status"); ">= 1% of tumour cells" -> ``min_percent``, "ER <= 10%" ->
negative, also before the name in a defining sentence ("greater than or equal to 1% ER or PgR staining ...
positive"); triple-negative / TNBC in an inclusion item -> ER, PR negative (the ``her2`` kind gives its HER2-).
Rules (patterns in ``hormone_receptor.yaml``): receptors without their own status take the linked one's ("ER or PR
(...) positive"); therapy names ("selective estrogen receptor degrader") and PR / HR meaning a response or a rate
are skipped; the same receptor both positive and negative -> ``any``; one criterion per status. Exclusion items
flip positive <-> negative unless the clause allows it; an exclusion item naming triple-negative gives nothing
("not triple-negative" has no single receptor status). Negation ("negative for ER", "not ER-positive") and
permission ("regardless of ER status" -> any; "... are allowed") are the context pass's, read with this kind's own
cues (``context:`` in ``hormone_receptor.yaml``). Statuses an inclusion item names as alternatives ("TNBC, HR+/HER2-
or HR-/HER2+") give one criterion each; an HR status whose ER / PR are stated with it names ER / PR.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.kinds._subgroup import subgroup_allowance, subgroup_status
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import op_of, parse_number, sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Biomarkers

__all__ = ["KIND", "HormoneReceptor", "Rules", "extract"]

Receptor = Literal["ER", "PR", "HR", "AR"]


class HormoneReceptor(CriterionBase):
    """Oestrogen / progesterone receptor status."""

    kind: Literal["hormone_receptor"] = "hormone_receptor"
    receptors: list[Receptor] = Field(description="Receptors named: ER, PR, HR (hormone receptor, ER and/or PR), AR.")
    status: Literal["positive", "negative", "low", "any", "known"] = Field(
        description="Status required: positive, negative, low, any, or known (status must be known)."
    )
    min_percent: float | None = Field(default=None, description="Minimum % of stained cells, e.g. 1 or 10.")


@cache
def _vocab() -> Biomarkers:
    vocab = vocabulary(Biomarkers)
    return vocab


class Rules(RuleFile):
    """``hormone_receptor.yaml``: gates, and the name and status patterns."""

    gate: tuple[str, ...]
    symbol: Pattern
    symbol_letter: str
    receptor: Pattern
    triple_negative: Pattern
    triple_negative_entry_before: Pattern
    triple_negative_entry_after: Pattern
    ambiguous: tuple[str, ...]
    ambiguous_context: Pattern
    therapy_after: Pattern
    therapy_before: Pattern
    status_after: Pattern
    dash_next_receptor: Pattern
    percent: Pattern
    percent_range: Pattern
    percent_before: Pattern
    subgroup_allowance: Pattern
    subgroup_if: Pattern
    subgroup_verb: Pattern
    subgroup_subject: Pattern
    subgroup_modal: Pattern
    clause_start: Pattern
    low_percent_max: float
    any_before: Pattern
    known_before: Pattern
    positive_before: Pattern
    connect: Pattern
    either_sign: Pattern

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """The shared pieces of ``vocab/biomarkers.yaml``, and ``{{receptors}}``: a group per receptor (ER, PR, HR,
        AR) of its names."""
        vocab = _vocab()
        groups = [f"(?P<{name}>{vocab.alternation(phrases)})" for name, phrases in vocab.hormone_receptors.items()]
        return {**vocab.pieces(), "receptors": "|".join(groups)}


RULES = load_rules("hormone_receptor", Rules)

KIND_NAME = "hormone_receptor"
MAX_MENTIONS = 60  # pathological items (thousands of names) stay linear
_FLIP = {"positive": "negative", "negative": "positive"}

# (receptor, start, end, status, min_percent)
Mention = tuple[Receptor, int, int, str | None, float | None]
Resolved = tuple[Receptor, int, int, str, float | None]


def _gate(low: str, clean: str) -> bool:
    """A receptor / triple-negative word, or a stand-alone ER / PR / HR / AR / PgR (cheap checks first)."""
    for word in RULES.gate:
        if word in low:
            return True
    if RULES.symbol_letter not in clean:  # most items the triggers send ("prior", "are") hold no capital R
        return False
    for m in RULES.symbol.finditer(clean):
        i = m.start()
        if i == 0 or not clean[i - 1].isalpha():
            return True
    return False


def _mentions(ctx: ItemContext) -> list[Mention]:
    """Every receptor name with the status stated next to it (None when there is none)."""
    clean = ctx.clean
    mentions: list[Mention] = []
    for m in itertools.islice(RULES.receptor.finditer(clean), MAX_MENTIONS):
        rec: Receptor = m.lastgroup  # type: ignore[assignment]
        sym = m.group(0)
        if mentions and mentions[-1][0] == rec and m.start() < mentions[-1][2]:
            continue  # the symbol in "estrogen receptor (ER)-low": inside the name's own status phrase
        if RULES.therapy_after.match(clean, m.end()) or RULES.therapy_before.search(
            clean, max(0, m.start() - 12), m.start()
        ):
            continue
        if sym in RULES.ambiguous and RULES.ambiguous_context.search(
            clean, max(0, m.start() - 30), min(len(clean), m.end() + 30)
        ):
            continue
        st = RULES.status_after.match(clean, m.end())
        status: str | None = st.lastgroup if st else None
        end = st.end() if st else m.end()
        if status == "negative" and st and st.group(0).strip() in ("-", "−") and sym.isupper() and len(sym) <= 3:
            # "ER-" must be followed by a separator, another receptor or HER2, not by a word ("ER-alpha")
            nxt = clean[st.end() : st.end() + 1]
            if nxt.isalpha() and not RULES.dash_next_receptor.match(clean[st.end() : st.end() + 3]):
                status = None
        pct: float | None = None
        pm = RULES.percent.match(clean, end)
        rm = RULES.percent_range.match(clean, end) if pm is None and "%" in clean[end : end + 60] else None
        if rm is not None and status in (None, "low", "positive"):
            # "ER and PgR 1-10%", "ER-low+ expression in 1% to 10% cells": low, from the lower bound
            lo, hi = parse_number(rm.group("lo")), parse_number(rm.group("hi"))
            if lo is not None and hi is not None and 1 <= lo < hi <= RULES.low_percent_max:
                status, pct = "low", lo
        if pm and pm.end() - end < 60:
            op = op_of(pm.group("cmp"))
            v = parse_number(pm.group("v"))
            if v is not None and v <= 100 and op is not None:
                if op in (">=", ">") and status in (None, "positive"):
                    status, pct = "positive", v
                elif op in ("<", "<=") and status in (None, "negative"):
                    status = "negative"
        before = clean[max(0, m.start() - 40) : m.start()]
        if status is None and pct is None and "%" in clean[max(0, m.start() - 60) : m.start()]:
            status, pct = _percent_before(clean, m.start())
        negated = status in (None, "positive") and ctx.context.has("negated", m.start(), m.end(), kind=KIND_NAME)
        if status is None:
            if negated:
                status = "negative"
            elif RULES.any_before.search(before) or _permitted_forward(ctx, m.start(), m.end()):
                status = "any"
            elif RULES.known_before.search(before) and not _status_next(clean, end):
                status = "known"
            elif RULES.positive_before.search(before):
                status = "positive"
        if status == "positive" and negated:
            status = "negative"
        if status is not None and subgroup_status(RULES, ctx, m.start()):
            continue
        mentions.append((rec, m.start(), end, status, pct))
    return mentions


def _percent_before(clean: str, start: int) -> tuple[str | None, float | None]:
    """A percentage of stained cells just before the name ("greater than or equal to 1% ER", ">10% staining for
    ER"): positive with its minimum, or negative for an upper limit."""
    pm = RULES.percent_before.search(clean, max(0, start - 60), start)
    v = parse_number(pm.group("v")) if pm else None
    op = op_of(pm.group("cmp")) if pm else None
    if v is None or v > 100 or op is None:
        return None, None
    if op in (">=", ">"):
        return "positive", v
    return ("negative", None) if op in ("<", "<=") else (None, None)


def _status_next(clean: str, end: int) -> bool:
    """The next receptor, joined to this one, states a status this one takes: "documented ER and/or PR-positive"
    is positive, not known."""
    for _hop in range(3):  # "estrogen receptor (ER) and/or progesterone receptor (PR)-positive"
        nxt = RULES.receptor.search(clean, end, end + 60)
        if nxt is None or not RULES.connect.match(clean[end : nxt.start()]):
            return False
        st = RULES.status_after.match(clean, nxt.end())
        if st is not None:
            return st.lastgroup != "known"
        end = nxt.end()
    return False


def _permitted_forward(ctx: ItemContext, start: int, end: int) -> bool:
    """A permission cue reading forward over the name: "regardless of ER status" (any status)."""
    return any(
        m.scope_start >= m.cue_end and m.covers(start, end) for m in ctx.context.cues("permitted", kind=KIND_NAME)
    )


def _resolve(clean: str, mentions: list[Mention]) -> list[Resolved]:
    """Receptors without a status take the next linked receptor's status ("ER and/or PR positive")."""
    resolved: list[Resolved] = []
    for i, (rec, s, e, own_status, own_pct) in enumerate(mentions):
        status, pct = own_status, own_pct
        if status is None:
            j = i
            while j + 1 < len(mentions) and RULES.connect.match(clean[mentions[j][2] : mentions[j + 1][1]]):
                j += 1
                if mentions[j][3] is not None:
                    status, pct = mentions[j][3], mentions[j][4] if pct is None else pct
                    break
        if status is None and resolved and resolved[-1][0] != rec and RULES.connect.match(clean[resolved[-1][2] : s]):
            status = resolved[-1][3]
        if status is not None:
            resolved.append((rec, s, e, status, pct))
    return resolved


def _depth(clean: str, start: int, at: int) -> int:
    """Brackets open at ``at``, counted from ``start``."""
    between = clean[start:at]
    return max(0, between.count("(") + between.count("[") - between.count(")") - between.count("]"))


def _alternatives(
    ctx: ItemContext, resolved: list[Resolved], tn: list[re.Match[str]], own: set[int]
) -> list[HormoneReceptor]:
    """Receptor statuses an inclusion item names as alternatives, one criterion each: "TNBC, HR+/HER2-negative or
    HR-/HER2+" -> ER, PR negative; HR positive; HR negative. Taken when the item names a receptor both positive
    and negative, or a triple-negative phrase beside another status; receptors in a row with one status ("ER
    and/or PR positive") are one alternative. Empty when the item is no such list."""
    marks: list[Resolved] = list(resolved)
    for m in tn:
        marks.append(("ER", m.start(), m.end(), "negative", None))
        marks.append(("PR", m.start(), m.end(), "negative", None))
    if len(marks) < 2:
        return []
    marks.sort(key=lambda r: r[1])
    # alternatives stand at one level: "HR+ (ER+/PR+, ER+/PR- or ER-/PR+)" defines one status in its parenthesis
    clean = ctx.clean
    depth = [_depth(clean, marks[0][1], r[1]) for r in marks]
    inner = [r for r, d in zip(marks, depth, strict=True) if d > min(depth)]
    marks = [r for r, d in zip(marks, depth, strict=True) if d == min(depth)]
    groups: list[list[Resolved]] = []
    # a triple-negative phrase is its own alternative: "TNBC, HR+ or HR-" keeps ER, PR negative beside HR negative
    tn_at = {m.start() for m in tn}
    for r in marks:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and last[3] == r[3]
            and last[1] <= r[1] <= last[2] + 40
            and (last[1] in tn_at) == (r[1] in tn_at)
        ):
            groups[-1].append(r)
        else:
            groups.append([r])
    if len(groups) < 2:
        return []
    for g, h in itertools.pairwise(groups):
        if (
            {g[0][3], h[0][3]} == {"positive", "negative"}
            and {r[0] for r in g} == {r[0] for r in h}
            and RULES.either_sign.fullmatch(clean, g[-1][2], h[0][1])
        ):
            return []  # "ER+ or ER-", "HR+/-": either status, read as any below
    found = {g[0][3] for g in groups}
    tn_beside = bool(tn) and len(found) >= 2
    if not ({"positive", "negative"} <= found or tn_beside):
        return []
    s0, e0 = sentence_bounds(clean, marks[0][1], marks[-1][2])
    out: list[HormoneReceptor] = []
    for i, g in enumerate(groups):
        start = s0 if i == 0 else g[0][1]
        end = groups[i + 1][0][1] if i + 1 < len(groups) else e0
        recs: list[Receptor] = []
        for r in g:
            if r[0] not in recs:
                recs.append(r[0])
        if "HR" in recs and len(recs) > 1:
            stated = [r[0] for r in g if r[1] in own]
            recs = [x for x in recs if x != "HR"] if stated else ["HR"]
        pcts = [r[4] for r in g if r[4] is not None]
        if recs == ["HR"]:
            # "HR-low+ (defined as ER-low+ expression in 1% to 10% cells)": the receptors its parenthesis defines
            # with a percentage
            defined = [r for r in inner if g[-1][2] <= r[1] < end and r[3] == g[0][3] and r[0] in ("ER", "PR")]
            if any(r[4] is not None for r in defined):
                recs = list(dict.fromkeys(r[0] for r in defined))
                pcts = [r[4] for r in defined if r[4] is not None] or pcts
        status = g[0][3]
        out.append(
            ctx.make(
                HormoneReceptor,
                start,
                max(end, g[-1][2]),
                receptors=recs,
                status=status,
                min_percent=pcts[0] if pcts and status in ("positive", "low") else None,
            )
        )
    return out


def extract(ctx: ItemContext) -> list[HormoneReceptor]:
    """The hormone-receptor criteria of one item."""
    clean = ctx.clean
    if not _gate(ctx.lower, clean):
        return []
    mentions = _mentions(ctx)
    resolved = _resolve(clean, mentions)
    tn = [m for m in RULES.triple_negative.finditer(clean) if not subgroup_status(RULES, ctx, m.start())]
    if ctx.is_exclusion and tn:
        return []
    # ER / PR stated with their own status or percentage ("HR+ (ER+ and/or PR+)", "HR+ defined as ER >= 10%")
    own = {m[1] for m in mentions if m[3] is not None and m[0] in ("ER", "PR")}
    if not ctx.is_exclusion:
        alternatives = _alternatives(ctx, resolved, tn, own)
        if alternatives:
            return alternatives
    tn_ok = bool(tn) and (
        # commas of its own sentence (a later sentence's list is not the receptor clause)
        clean.count(",", *sentence_bounds(clean, tn[0].start(), tn[0].end())) < 4
        # an entry of a list of cancers, however long ("melanoma, NSCLC, HNSCC, TNBC, cervical cancer")
        or bool(
            RULES.triple_negative_entry_before.search(clean, max(0, tn[0].start() - 14), tn[0].start())
            and RULES.triple_negative_entry_after.match(clean, tn[0].end())
        )
    )
    named_hr = [r for r in resolved if r[0] == "HR"]
    span_only: list[Resolved] = []
    er_pr = [r for r in resolved if r[0] in ("ER", "PR")]
    stated = (
        bool(named_hr)
        and any(r[1] in own for r in er_pr)
        and len(er_pr) == sum(m[0] in ("ER", "PR") for m in mentions)
        and all(r[3] == named_hr[0][3] for r in er_pr)
    )
    if named_hr and not stated:
        # "hormone receptor (e.g. ER and PR) status known", "HR+ (ER+/PR+, ER+/PR- or ER-/PR+)": HR
        resolved = named_hr + [r for r in resolved if r[0] == "AR"]
    elif named_hr:
        # the receptors the item states for the HR status; the HR name stays inside the evidence
        span_only = named_hr
        resolved = [r for r in resolved if r[0] != "HR"]
    by_status: dict[str, list[Resolved]] = {}
    for r in resolved:
        by_status.setdefault(r[3], []).append(r)
    if tn_ok and "negative" not in by_status and not ctx.is_exclusion:
        by_status["negative"] = [
            ("ER", tn[0].start(), tn[0].end(), "negative", None),
            ("PR", tn[0].start(), tn[0].end(), "negative", None),
        ]
    low_rs, pos_rs = by_status.get("low", []), by_status.get("positive", [])
    if low_rs and pos_rs and "weakly" in ctx.lower and {r[0] for r in pos_rs} <= {r[0] for r in low_rs}:
        # "weakly ER or PR positive disease, defined as ER and/or PR between 1-4%": one low status
        del by_status["positive"]
    pos, neg = by_status.get("positive", []), by_status.get("negative", [])
    if pos and neg and not tn_ok and {r[0] for r in pos} & {r[0] for r in neg}:
        # "HR+/HER2- or HR-/HER2+": the same receptor both ways -> any status
        by_status["any"] = by_status.get("any", []) + [(r[0], r[1], r[2], "any", None) for r in pos + neg]
        del by_status["positive"], by_status["negative"]
    out: list[HormoneReceptor] = []
    for status, rs in by_status.items():
        recs: list[Receptor] = []
        for r in rs:
            if r[0] not in recs:
                recs.append(r[0])
        if status == "negative" and tn_ok and recs == ["ER"]:
            recs.append("PR")
        pcts = [r[4] for r in rs if r[4] is not None]
        around = rs + [r for r in span_only if r[3] == status]
        s, e = sentence_bounds(clean, min(r[1] for r in around), max(r[2] for r in around))
        if subgroup_allowance(RULES, ctx, s):
            continue
        flip = ctx.is_exclusion and not ctx.context.has("permitted", s, e, kind=KIND_NAME)
        eff = _FLIP.get(status, status) if flip else status
        out.append(
            ctx.make(
                HormoneReceptor,
                s,
                e,
                receptors=recs,
                status=eff,
                min_percent=(pcts[0] if pcts and eff in ("positive", "low") and not flip else None),
            )
        )
    return out


KIND = KindSpec(HormoneReceptor, extract=extract, rule_file=Rules, core=False)
