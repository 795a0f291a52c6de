"""Rule family `labs`: laboratory thresholds (``lab``) and cardiac function / history (``cardiac``).

Labs: every analyte mention (synonyms in ``analytes.yaml``) takes the first threshold that follows it (comparator,
number, unit from ``units.yaml`` or a multiple of the ULN); further thresholds in the same stretch become extra
criteria when a population (``lab_conditions.yaml``: Gilbert's, liver metastases...) is attached to them, and are
otherwise read as restatements in another unit. Exclusion items are negated into the effective rule. Items that
only ask for "adequate organ / marrow / liver / renal function" give one number-less lab.

Cardiac: LVEF (percent or institutional LLN), QTc maximum, NYHA class limit and named cardiac conditions
(``cardiac_conditions.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache
from typing import Any

from extractor.models import Cardiac, Comparator, Criterion, Lab
from extractor.rules._common import ItemContext, comparator_pattern, negate
from extractor.vocab import load

__all__ = ["extract", "item_words", "word_starts"]

# --- structural patterns -------------------------------------------------------------------------------------

#: Numbers as labs write them: "1.5", "1,5", "1,500", "100 000".
_LNUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.,]\d+)?|[.,]\d+)"
#: Comparator signs with the spaces escapes leave behind ("\>=" -> " >=", "=\<" -> "= <", ">/=").
_SYMBOLS = r"(?:>\s*/?\s*=|=\s*/?\s*>|<\s*/?\s*=|=\s*/?\s*<|[≥≧⩾≤≦⩽]|>|<|=)"
_SYMBOL_OPS: dict[str, Comparator] = {
    ">=": ">=",
    "=>": ">=",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    ">": ">",
    "<": "<",
    "=": "=",
}
_POST = r"(?:or\s+(?:more|greater|higher|above|over|less|lower|below|fewer)|and\s+(?:above|higher|over|greater))"
_POST_OPS: dict[str, Comparator] = {
    "more": ">=",
    "greater": ">=",
    "higher": ">=",
    "above": ">=",
    "over": ">=",
    "less": "<=",
    "lower": "<=",
    "below": "<=",
    "fewer": "<=",
}
_ULN = (
    r"(?:(?:the\s+)?(?:(?:institutional|institution'?s?|laboratory|lab|local|site|normal|reference)\s+)*"
    r"(?:i?uln|upper\s+limits?\s+(?:of\s+)?(?:the\s+)?(?:institutional\s+)?(?:normal|norm)(?:\s+(?:range|values?|limits?))?"
    r"|upper\s+normal\s+limits?|normal\s+upper\s+limits?|upper\s+limits?\s+of\s+(?:the\s+)?reference\s+range"
    r"|upper\s+limits?(?!\s+of)))"
)
_LLN = (
    r"(?:(?:the\s+)?(?:(?:institutional|laboratory|local|normal)\s+)*"
    r"(?:\blln\b|lower\s+limits?\s+of\s+(?:the\s+)?(?:institutional\s+)?normal(?:\s+range)?|lower\s+normal\s+limits?))"
)
_TIME_AFTER = re.compile(r"\s*(?:-\s*)?(?:days?|weeks?|wks?|months?|years?|hours?|hrs?|h|cycles?|doses?)(?![a-z])")
_WNL = re.compile(
    r"[\s:(),-]{0,5}(?:(?:\([a-z]+\)|levels?|values?|concentrations?|is|are|be|must|should|count)[\s:,-]+){0,4}"
    r"(?:within\s+(?:the\s+)?(?:(?:institutional|normal|laboratory|local|reference|upper)\s+){0,3}"
    r"(?:normal\s+)?(?:limits?|ranges?|values?)|\bwnl\b|normal\b)"
)
_CONNECTOR = re.compile(r"(?:[\s/,()\[\]&:+\-]|and/or\b|and\b|or\b|levels?\b|values?\b|serum\b|and\s+/\s+or\b)*")
_NEG_CUE = re.compile(r"(?:without|\bno\b|\bnot\b|absence\s+of|non-?)\s*(?:[a-z'’]+\s+){0,4}$")
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


@dataclass(frozen=True)
class _Analyte:
    names: tuple[str, ...]
    bound: str | None
    cells: bool
    percent: bool
    units: frozenset[str] = frozenset()
    unit_required: frozenset[str] = frozenset()


@dataclass
class _Threshold:
    start: int
    end: int
    op: Comparator | None
    value: float | None
    unit: str | None
    uln: float | None
    lln: bool
    explicit: bool  # a comparator was written


def _phrase(name: str) -> str:
    parts = []
    for word in name.split():
        parts.append(r"[\s-]?".join(re.escape(p) for p in word.split("-")))
    return r"\s+".join(parts)


_WORD = re.compile(r"[A-Za-z0-9]+")


@cache
def _analytes() -> tuple[dict[str, list[tuple[re.Pattern[str], _Analyte]]], frozenset[str]]:
    """First word (lower case) -> candidate phrase patterns, longest first; abbreviations that need a unit."""
    table: dict[str, dict[str, Any]] = load("analytes")
    index: dict[str, list[tuple[int, re.Pattern[str], _Analyte]]] = {}
    needs_unit: set[str] = set()
    for key, spec in table.items():
        a = _Analyte(
            tuple(key.split(",")),
            spec.get("bound"),
            bool(spec.get("cells")),
            bool(spec.get("percent")),
            frozenset(spec.get("units", [])),
            frozenset(n.lower() for n in spec.get("unit_required", [])),
        )
        phrases = [(n, re.compile(_phrase(n) + r"s?(?![\w-])", re.IGNORECASE)) for n in spec.get("names", [])]
        phrases += [(n, re.compile(re.escape(n) + r"(?![\w-])")) for n in spec.get("abbrev", [])]
        needs_unit.update(spec.get("needs_unit", []))
        for name, rx in phrases:
            first = _WORD.match(name.lower().lstrip())
            if first is not None:
                index.setdefault(first.group(0), []).append((len(name), rx, a))
    ordered = {k: [(rx, a) for _, rx, a in sorted(v, key=lambda p: -p[0])] for k, v in index.items()}
    return ordered, frozenset(needs_unit)


def _unit_alternation(table: dict[str, list[str]], prefix: str) -> tuple[str, dict[str, str]]:
    alts, names = [], {}
    for i, (canon, spellings) in enumerate(table.items()):
        names[f"{prefix}{i}"] = canon
        alts.append(f"(?P<{prefix}{i}>" + "|".join(spellings) + ")")
    return "(?:" + "|".join(alts) + ")", names


@cache
def _body_rx() -> tuple[re.Pattern[str], dict[str, str]]:
    """Number + unit / ULN multiple (+ a trailing "or more"), matched at a number."""
    units: dict[str, Any] = load("units")
    counts, count_names = _unit_alternation(units["counts"], "d")
    others, other_names = _unit_alternation(units["units"], "u")
    sup = "".join(units.get("superscripts", {}))
    mult = rf"[x×*]\s*10\s*(?:\\?\^|\*\*?|e|')?\s*\(?(?P<{{g}}>\d{{{{1,2}}}}|[{sup}]{{{{1,2}}}})\)?"
    count_unit = (
        rf"(?:(?P<mult>{mult.format(g='exp')})\s*)?(?:cells?\s*)?(?:/|per\s+)\s*{counts}"
        rf"|(?P<mult_only>{mult.format(g='exp2')})(?:\s*cells?)?"
    )
    rx = re.compile(
        rf"(?P<num>{_LNUM})\s*(?:(?P<uln>(?:(?:[x×*]|times|-?\s*fold)(?:\s+of)?)?\s*{_ULN})|(?P<unit>{count_unit}|{others}))?"
        rf"(?:\s*\)?\s*(?P<post>{_POST}))?",
    )
    return rx, {**count_names, **other_names}


_ANCHOR = re.compile(
    r"(?<![\w.^])(?:\d|[.,]\d)|\b(?:i?uln|upper\s+(?:limits?|normal)|normal\s+upper|lln|lower\s+(?:limits?|normal))\b"
)
_GRADE_BEFORE = re.compile(r"\b(?:grade|grades|g)\s*[<>=≤≥]*\s*$")
_ENTITY = re.compile(r"&(?:amp;)*(gt|lt|ge|le);")
_ENTITIES = {"gt": ">", "lt": "<", "ge": "≥", "le": "≤"}
_REQUIREMENT = re.compile(
    r"\b(?:must(?!\s+not)|should(?!\s+not)|required|requires?|eligible|allowed|permitted|acceptable|"
    r"may\s+(?:be\s+)?(?:enrolled|included|eligible|participate|enroll))\b"
)
_UNLESS = re.compile(r"\b(?:unless|except|but\s+not|excluding)\b")
_SENTENCE = re.compile(r"\.\s+[A-Z]")
_RANGE_AFTER = re.compile(r"\s*(?:to|-|–)\s*\d")
_ULN_AT = re.compile(rf"{_ULN}|(?P<lln>{_LLN})")
_FILLER = frozenset(
    [
        "a",
        "the",
        "value",
        "values",
        "level",
        "levels",
        "of",
        "institutional",
        "laboratory",
        "local",
        "normal",
        "is",
        "be",
        "must",
        "should",
        ":",
        "(",
        ")",
        "count",
        "to",
    ]
)
_SYM_TAIL = re.compile(r"[<>=≥≤≧≦⩾⩽/ ]+$")


@cache
def _word_comparators() -> tuple[tuple[str, Comparator], ...]:
    table: dict[Comparator, list[str]] = load("comparators")
    pairs: list[tuple[str, Comparator]] = [
        (phrase.lower(), op)
        for op, phrases in table.items()
        for phrase in phrases
        if phrase[0].isalpha() and phrase != "of"
    ]
    pairs += [
        ("within", "<="),
        ("not exceed", "<="),
        ("not to exceed", "<="),
        ("not exceeding", "<="),
        ("must not exceed", "<="),
        ("less than/equal to", "<="),
        ("greater than/equal to", ">="),
    ]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def _cmp_before(text: str, start: int, anchor: int) -> Comparator | None:
    """The comparator written just before ``anchor`` (symbols or words), if any."""
    words = text[max(start, anchor - 50) : anchor].replace("(", " ( ").replace(")", " ) ").split()
    keep_to = len(words)
    while keep_to and words[keep_to - 1] in _FILLER:
        keep_to -= 1
    if keep_to < len(words) and keep_to and words[keep_to - 1] in ("to", "of") and keep_to == len(words):
        keep_to -= 1
    tail = " ".join(words[:keep_to])
    if not tail:
        return None
    if tail[-1] in "<>=≥≤≧≦⩾⩽/":
        sym = _SYM_TAIL.search(tail)
        key = sym.group(0).replace(" ", "").replace("/", "") if sym else ""
        return _SYMBOL_OPS.get(key[-2:]) or _SYMBOL_OPS.get(key[-1:])
    for phrase, op in _word_comparators():
        if tail.endswith(phrase) and (len(tail) == len(phrase) or tail[-len(phrase) - 1] == " "):
            return op
    return None


@cache
def _conditions() -> re.Pattern[str]:
    table: dict[str, list[str]] = load("lab_conditions")
    alts = []
    for i, (_canon, pats) in enumerate(table.items()):
        alts.append(f"(?P<c{i}>" + "|".join(pats) + ")")
    return re.compile("|".join(alts))


@cache
def _condition_names() -> tuple[str, ...]:
    return tuple(load("lab_conditions"))


def _number(text: str) -> float | None:
    t = text.strip()
    grouped = re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+", t)
    t = t.replace(",", "").replace(" ", "") if grouped else t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


def _unit(m: re.Match[str], names: dict[str, str], cells: bool) -> str | None:
    if not m.group("unit"):
        return None
    exp = m.group("exp") or m.group("exp2")
    if exp:
        sup: dict[str, str] = load("units").get("superscripts", {})
        exp = "".join(sup.get(c, c) for c in exp)
    denom = next((names[k] for k, v in m.groupdict().items() if v and k[0] == "d" and k[1:].isdigit()), None)
    if denom is not None:
        return f"x10^{exp}/{denom}" if exp else f"/{denom}"
    if m.group("mult_only"):
        return f"x10^{exp}/L" if exp in ("9", "12") else f"x10^{exp}"
    unit = next((names[k] for k, v in m.groupdict().items() if v and k[0] == "u" and k[1:].isdigit()), None)
    if unit == "g/L" and cells:
        return "x10^9/L"
    return unit


def _thresholds(text: str, start: int, end: int, cells: bool) -> list[_Threshold]:
    body, names = _body_rx()
    out: list[_Threshold] = []
    pos = start
    for a in _ANCHOR.finditer(text, start, end):
        if a.start() < pos:
            continue
        op = _cmp_before(text, pos, a.start())
        if not a.group(0)[0].isdigit() and a.group(0)[0] not in ".,":
            u = _ULN_AT.match(text, a.start())
            if op is None or u is None:
                continue
            pos = u.end()
            lln = u.group("lln") is not None
            out.append(_Threshold(a.start(), u.end(), op, None, None, None if lln else 1.0, lln, True))
            continue
        m = body.match(text, a.start(), end)
        if m is None or _GRADE_BEFORE.search(text, max(0, a.start() - 14), a.start()):
            continue
        pos = m.end()
        post = m.group("post")
        if post:
            op = _POST_OPS.get(post.split()[-1], op)
        num = m.group("num")
        if not m.group("unit") and (_TIME_AFTER.match(text, m.end("num")) or _RANGE_AFTER.match(text, m.end("num"))):
            continue
        value = _number(num)
        if value is None:
            continue
        if m.group("uln"):
            out.append(_Threshold(a.start(), m.end(), op, None, None, value, False, op is not None))
            continue
        unit = _unit(m, names, cells)
        if unit in ("/mm3", "/uL") and re.fullmatch(r"\d{1,3}\.\d{3}", num.strip()):
            value = float(num.replace(".", ""))  # "100.000/mm3": a European thousands separator
        out.append(_Threshold(a.start(), m.end(), op, value, unit, None, False, op is not None))
    return out


def _condition_in(text: str, start: int, end: int) -> tuple[str, int] | None:
    """A population named in ``text[start:end]`` (not negated): canonical name and end offset."""
    if end <= start:
        return None
    for m in _conditions().finditer(text, start, end):
        before = text[max(start, m.start() - 30) : m.start()]
        if _NEG_CUE.search(before):
            continue
        idx = next(i for i, v in enumerate(m.groups()) if v)
        return _condition_names()[idx], m.end()
    return None


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


@cache
def _gate_words() -> frozenset[str]:
    index, _ = _analytes()
    return frozenset(index) | frozenset(k + "s" for k in index)


def word_starts(low: str, words: AbstractSet[str]) -> list[tuple[int, str]]:
    """Offsets of the whole-word occurrences of ``words`` in ``low``."""
    out = []
    n = len(low)
    for w in words:
        i = low.find(w)
        while i >= 0:
            j = i + len(w)
            if (i == 0 or not low[i - 1].isalnum()) and (j == n or not low[j].isalnum()):
                out.append((i, w))
            i = low.find(w, j)
    out.sort()
    return out


def _mentions(ctx: ItemContext, hits: AbstractSet[str]) -> list[_Mention]:
    index, needs_unit = _analytes()
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


def _labs(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    hits = words & _gate_words()
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
        ths = _thresholds(text, mention.end, win_end, mention.cells)
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
        before = _condition_in(text, max(prev_end, consumed_until), mention.start)
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
            after = _condition_in(text, primary.end, min(nxt, primary.end + 90))
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
                found = _condition_in(text, t.end, stop.start() if stop else min(nxt, t.end + 80))
            if found is None:
                lo = max(ths[j - 1].end, consumed_until)
                for b in _SENTENCE.finditer(ctx.clean, lo, t.start):
                    lo = b.start() + 1
                found = _condition_in(text, lo, t.start)
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
    ctx: ItemContext, mention: _Mention, t: _Threshold, *, cond: str | None, span: tuple[int, int], seen: dict[str, str]
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


def _organ(ctx: ItemContext) -> list[Criterion]:
    m = _ORGAN.search(ctx.lower)
    if m is None:
        return []
    span = ctx.lower[m.start() : m.end()]
    kinds = [name for name, rx in _ORGAN_KINDS if rx.search(span)]
    analyte = kinds[0] if len(kinds) == 1 else "organ_function"
    return [ctx.make(Lab, m.start(), m.end(), analyte=analyte)]


# --- cardiac ------------------------------------------------------------------------------------------------

_LVEF = re.compile(
    r"(?i:left\s+ventricular\s+ejection\s+fraction|left\s+ventricle\s+ejection\s+fraction|ejection\s+fraction)|"
    r"LVEF|LV\s?EF|\bEF\b|(?i:\blvef\b)"
)
_LVEF_LLN = re.compile(
    rf"{_LLN}|lower\s+limit\s+of\s+(?:the\s+)?(?:institutional|normal|laboratory)|within\s+(?:the\s+)?(?:institutional\s+)?"
    r"normal\s+(?:limits?|range)|\bnormal\b"
)
_DECLINE = re.compile(r"decreas|declin|drop|reduc|fall|change|points|absolute|relative|from\s+baseline")
_PCT = re.compile(
    rf"(?P<cmp>{_SYMBOLS}|{{words}}|\bwithin\b)?[\s:]*(?:(?P<num>\d{{2}}(?:[.,]\d+)?)\s*(?P<pct>%|percent)?|0?[.,](?P<frac>\d{{2}})\b)"
    rf"(?:\s*(?P<post>or\s+(?:greater|more|higher|above)))?"
)
_QTC = re.compile(
    r"(?i:\bqt\s*c\s*[fb]?\b|\bqtc[fb]?\b|\bqtc\s*\(?[fb]\)?|corrected\s+qt\b|qt\s+interval\s+corrected|"
    r"\bqt\s+interval\b|fridericia|\bqt\b)"
)
_MS = re.compile(rf"(?P<cmp>{_SYMBOLS}|{{words}})?[\s:]*(?P<num>[3-6]\d{{2}})\s*(?:ms|msec|milliseconds?|millisec)?\b")
_CARDIAC_FUNCTION = re.compile(
    r"\b(?:adequate|sufficient|normal|acceptable|satisfactory|good|inadequate|insufficient|abnormal|poor|impaired)\s+"
    r"(?:[a-z-]+[\s,/]+){0,4}?(?:cardiac|heart|cardiovascular)\s+function\b"
)
_NYHA = re.compile(r"(?i:\bnyha\b|new\s+york\s+heart\s+association)")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_CLASS = re.compile(r"(?<![a-z])(iv|iii|ii|i|[1-4])(?:(?<=\d)[ab])?(?![a-z\d])")
_CLASS_BEFORE = re.compile(
    r"(?:class(?:es)?|grade)\s+((?:iv|iii|ii|i|[1-4])(?:\s*(?:-|/|or|to|and|,)\s*(?:iv|iii|ii|i|[1-4]))*)\b"
)
_DRUG_AFTER = re.compile(r"\s*(?:drugs?|medications?|agents?|therap|treatment|prophyla)")
_NEGATED_ITEM = re.compile(r"\b(?:no|not|without|absence\s+of|none\s+of|free\s+of)\b")
_QTC_WORDS = frozenset(["qt", "qtc", "qtcf", "qtcb", "fridericia", "fredericia", "bazett"])
_LVEF_WORDS = frozenset(["lvef", "ejection", "ef", "lv"])
_NYHA_WORDS = frozenset(["nyha", "york"])
_FUNCTION_WORDS = frozenset(["cardiac", "heart", "cardiovascular"])


@cache
def _compiled_cardiac() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = comparator_pattern()
    pct = re.compile(_PCT.pattern.replace("{words}", words))
    ms = re.compile(_MS.pattern.replace("{words}", words))
    return pct, ms


@cache
def _cardiac_conditions() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """Trigger word -> (condition, pattern) pairs to try around it."""
    table: dict[str, dict[str, list[str]]] = load("cardiac_conditions")
    index: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for name, spec in table.items():
        rx = re.compile("|".join(f"(?:{p})" for p in spec["patterns"]))
        for word in spec["triggers"]:
            index.setdefault(word, []).append((name, rx))
    return index


@cache
def _condition_words() -> frozenset[str]:
    return frozenset(_cardiac_conditions())


@cache
def _cardiac_gate() -> frozenset[str]:
    return _condition_words() | _QTC_WORDS | _LVEF_WORDS | _NYHA_WORDS | _FUNCTION_WORDS


def _find_conditions(text: str, words: frozenset[str]) -> list[tuple[int, int, str]]:
    """Cardiac conditions named in ``text``: (start, end, name), leftmost-longest, non-overlapping."""
    hits = words & _condition_words()
    if not hits:
        return []
    index = _cardiac_conditions()
    found: set[tuple[int, int, str]] = set()
    for pos, word in word_starts(text, hits):
        lo, hi = max(0, pos - 40), min(len(text), pos + len(word) + 60)
        for name, rx in index[word]:
            for m in rx.finditer(text, lo, hi):
                if m.start() <= pos < m.end() or m.start() == pos:
                    found.add((m.start(), m.end(), name))
    out: list[tuple[int, int, str]] = []
    for start, end, name in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if out and start < out[-1][1]:
            continue
        out.append((start, end, name))
    return out


def _lvef(ctx: ItemContext) -> list[Criterion]:
    pct, _ms = _compiled_cardiac()
    text = ctx.lower
    for m in _LVEF.finditer(ctx.clean):
        end = min(len(text), m.end() + 120)
        semi = text.find(";", m.end(), end)
        end = semi if semi >= 0 else end
        fields: dict[str, Any] = {}
        ev_end = m.end()
        for p in pct.finditer(text, m.end(), end):
            if not (p.group("pct") or p.group("frac") or p.group("cmp") or p.group("post")):
                continue
            if _DECLINE.search(text, m.end(), p.start()):
                break
            num = p.group("num")
            value = float(num.replace(",", ".")) if num else float(p.group("frac"))
            if not 15 <= value <= 80:
                continue
            fields["lvef_min_percent"] = value
            ev_end = p.end()
            break
        ln = _LVEF_LLN.search(text, m.end(), min(end, m.end() + 80))
        if ln is not None and not _DECLINE.search(text, m.end(), ln.start()):
            fields["lvef_lln"] = True
            ev_end = max(ev_end, ln.end())
        if fields:
            return [ctx.make(Cardiac, m.start(), ev_end, **fields)]
    return []


def _qtc(ctx: ItemContext) -> list[Criterion]:
    text = ctx.lower
    _pct, ms = _compiled_cardiac()
    for m in _QTC.finditer(text):
        end = min(len(text), m.end() + 100)
        for q in ms.finditer(text, m.end(), end):
            if not q.group("cmp") and not re.match(r"\s*(?:ms|msec|millisec)", text[q.end("num") :]):
                continue
            return [ctx.make(Cardiac, m.start(), q.end(), qtc_max_ms=float(q.group("num")))]
    return []


def _nyha(text: str, excluded: bool) -> tuple[int | None, int, int]:
    m = _NYHA.search(text)
    if m is None:
        return None, 0, 0
    window = text[m.end() : m.end() + 60]
    if not _CLASS.search(window[:45]):
        before = list(_CLASS_BEFORE.finditer(text, max(0, m.start() - 80), m.start()))
        if before:
            b = before[-1]
            window = text[max(0, b.start() - 4) : b.start()] + " " + b.group(1) + " " + window[:25]
    cut = re.search(r"[;.]\s|\b(?:heart\s+failure|chf|and\s+(?!iv|iii|ii)[a-z])", window)
    if cut is not None and cut.start() > 0 and _CLASS.search(window[: cut.start()]):
        window = window[: cut.start()]
    classes = [(_ROMAN[c.group(1)], c.start()) for c in _CLASS.finditer(window)]
    if not classes:
        return None, 0, 0
    values = [c for c, _ in classes]
    first_pos = classes[0][1]
    head = window[:first_pos]
    tail = window[classes[-1][1] :]
    ge = bool(re.search(r">=|≥|=\s*>|greater|higher|above|worse|more|or\s+over", tail + head))
    gt = bool(re.search(r"(?<![<=])>(?!\s*=)", head))
    le = bool(re.search(r"<=|≤|=\s*<|less|lower|better|below", tail + head))
    lt = bool(re.search(r"(?<![>=])<(?!\s*=)", head))
    end = m.end() + classes[-1][1] + 4
    if excluded:
        lowest = min(values) + (1 if gt else 0)
        return max(lowest - 1, 0), m.start(), end
    if lt:
        return max(max(values) - 1, 0), m.start(), end
    if ge and not le:
        return None, 0, 0
    return max(values), m.start(), end


def _history(ctx: ItemContext, words: frozenset[str], *, has_qtc: bool) -> list[Criterion]:
    text = ctx.lower
    conditions: list[str] = []
    first, last = -1, -1
    for start, end, name in _find_conditions(text, words):
        if name in ("arrhythmia", "angina") and _DRUG_AFTER.match(text, end):
            continue
        if name == "qtc prolongation" and has_qtc:
            continue
        if name not in conditions:
            conditions.append(name)
        first = start if first < 0 else first
        last = end
    prefix = text[: text.find("nyha")] if "nyha" in text else text[: max(text.find("new york"), 0)]
    excluded = ctx.is_exclusion or bool(_NEGATED_ITEM.search(prefix))
    nyha, ns, ne = _nyha(text, excluded) if ("nyha" in text or "new york" in text) else (None, 0, 0)
    if not conditions and nyha is None:
        return []
    if nyha is not None:
        first = ns if first < 0 else min(first, ns)
        last = max(last, ne)
    # the whole item, or in a long item the stretch from the first to the last condition named
    span = (first, last) if len(text) > 300 and 0 <= first < last else (None, None)
    return [ctx.make(Cardiac, span[0], span[1], nyha_max=nyha, conditions=conditions)]


def _cardiac(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
    if _cardiac_gate().isdisjoint(words):
        return []
    qtc = _qtc(ctx) if not _QTC_WORDS.isdisjoint(words) else []
    out = _lvef(ctx) if not _LVEF_WORDS.isdisjoint(words) else []
    out.extend(qtc)
    out.extend(_history(ctx, words, has_qtc=bool(qtc)))
    if not out and "function" in words:
        m = _CARDIAC_FUNCTION.search(ctx.lower)
        if m is not None:
            out.append(ctx.make(Cardiac, m.start(), m.end()))
    return out


_last_words: tuple[str, frozenset[str]] = ("", frozenset())


def item_words(ctx: ItemContext) -> frozenset[str]:
    """The lower-case words of the item (cached for the last item, shared by the ``labs`` and ``general`` gates)."""
    global _last_words  # noqa: PLW0603 - a one-slot cache, swapped atomically
    low = ctx.lower
    last = _last_words
    if last[0] is low:
        return last[1]
    words = frozenset(_WORD.findall(low))
    _last_words = (low, words)
    return words


def extract(ctx: ItemContext) -> list[Criterion]:
    """Typed ``lab`` and ``cardiac`` criteria of one item."""
    words = item_words(ctx)
    labs = _labs(ctx, words)
    if not labs and ("function" in words or "functions" in words or "reserve" in words):
        labs = _organ(ctx)
    return labs + _cardiac(ctx, words)
