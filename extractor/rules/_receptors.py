"""Hormone receptors ER / PR / HR / AR (kind ``hormone_receptor``).

``hormone_receptor``: ER / PR / HR / AR with positive, negative, low, known or any; "ER+/PR-", "ER and/or PR
positive", ">= 1% of tumour cells" -> ``min_percent``; "ER <= 10%" -> negative; triple-negative / TNBC -> ER, PR
negative plus ``her2`` negative (not in exclusion items: "not triple-negative" has no single status). Receptors
without their own status take the linked one's ("ER or PR (...) positive"). One criterion per status. Exclusion
items flip positive <-> negative unless the clause allows it.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Literal

from extractor.models import Criterion, HormoneReceptor
from extractor.rules._common import ItemContext, parse_number
from extractor.rules._her2_common import ALLOWED, FLIP, MAX_MENTIONS, alt_regex, biomarker_vocab, tn_re
from extractor.rules._performance_common import cmp_regex, normalise_op, sentence_bounds

__all__ = ["extract_hormone_receptors"]

HRStatus = Literal["positive", "negative", "low", "any", "known"]
Receptor = Literal["ER", "PR", "HR", "AR"]


@cache
def _hr_re() -> re.Pattern[str]:
    table: dict[str, list[str]] = biomarker_vocab()["hormone_receptors"]  # type: ignore[assignment]
    groups = [f"(?P<{name}>{alt_regex(phrases)})" for name, phrases in table.items()]
    return re.compile(r"(?<![A-Za-z0-9-])(?:" + "|".join(groups) + r")(?![A-Za-z0-9])")


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


def extract_hormone_receptors(ctx: ItemContext) -> tuple[list[Criterion], bool]:
    """Hormone-receptor criteria and whether the item names triple-negative disease."""
    clean = ctx.clean
    mentions: list[tuple[Receptor, int, int, str | None, float | None]] = []
    for m in itertools.islice(_hr_re().finditer(clean), MAX_MENTIONS):
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
    tn = list(tn_re().finditer(clean))
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
        flip = ctx.is_exclusion and not ALLOWED.search(clean, s, e)
        eff = FLIP.get(status, status) if flip else status
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
