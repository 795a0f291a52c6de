"""Lab values: analyte names, units, threshold parsing (comparator, number, unit or ULN multiple) and the
populations (``lab_conditions.yaml``) a threshold applies to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from extractor.models import Comparator
from extractor.rules._labs_words import WORD
from extractor.vocab import load

__all__ = ["LLN", "SYMBOLS", "Threshold", "analyte_index", "condition_in", "gate_words", "thresholds"]

# --- structural patterns -------------------------------------------------------------------------------------

#: Numbers as labs write them: "1.5", "1,5", "1,500", "100 000".
_LNUM = r"(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d{1,3}(?: \d{3})+(?![\d.,])|\d+(?:[.,]\d+)?|[.,]\d+)"
#: Comparator signs with the spaces escapes leave behind ("\>=" -> " >=", "=\<" -> "= <", ">/=").
SYMBOLS = r"(?:>\s*/?\s*=|=\s*/?\s*>|<\s*/?\s*=|=\s*/?\s*<|[≥≧⩾≤≦⩽]|>|<|=)"
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
LLN = (
    r"(?:(?:the\s+)?(?:(?:institutional|laboratory|local|normal)\s+)*"
    r"(?:\blln\b|lower\s+limits?\s+of\s+(?:the\s+)?(?:institutional\s+)?normal(?:\s+range)?|lower\s+normal\s+limits?))"
)
_TIME_AFTER = re.compile(r"\s*(?:-\s*)?(?:days?|weeks?|wks?|months?|years?|hours?|hrs?|h|cycles?|doses?)(?![a-z])")
_NEG_CUE = re.compile(r"(?:without|\bno\b|\bnot\b|absence\s+of|non-?)\s*(?:[a-z'’]+\s+){0,4}$")


@dataclass(frozen=True)
class _Analyte:
    names: tuple[str, ...]
    bound: str | None
    cells: bool
    percent: bool
    units: frozenset[str] = frozenset()
    unit_required: frozenset[str] = frozenset()


@dataclass
class Threshold:
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


@cache
def analyte_index() -> tuple[dict[str, list[tuple[re.Pattern[str], _Analyte]]], frozenset[str]]:
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
            first = WORD.match(name.lower().lstrip())
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
_RANGE_AFTER = re.compile(r"\s*(?:to|-|–)\s*\d")
_ULN_AT = re.compile(rf"{_ULN}|(?P<lln>{LLN})")
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


def thresholds(text: str, start: int, end: int, cells: bool) -> list[Threshold]:
    body, names = _body_rx()
    out: list[Threshold] = []
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
            out.append(Threshold(a.start(), u.end(), op, None, None, None if lln else 1.0, lln, True))
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
            out.append(Threshold(a.start(), m.end(), op, None, None, value, False, op is not None))
            continue
        unit = _unit(m, names, cells)
        if unit in ("/mm3", "/uL") and re.fullmatch(r"\d{1,3}\.\d{3}", num.strip()):
            value = float(num.replace(".", ""))  # "100.000/mm3": a European thousands separator
        out.append(Threshold(a.start(), m.end(), op, value, unit, None, False, op is not None))
    return out


def condition_in(text: str, start: int, end: int) -> tuple[str, int] | None:
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
def gate_words() -> frozenset[str]:
    index, _ = analyte_index()
    return frozenset(index) | frozenset(k + "s" for k in index)
