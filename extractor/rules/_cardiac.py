"""Cardiac criteria: LVEF (percent or institutional LLN), QTc maximum, NYHA class limit and named cardiac
conditions (``cardiac_conditions.yaml``)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from extractor.models import Cardiac, Criterion
from extractor.rules._common import ItemContext, comparator_pattern
from extractor.rules._labs_values import LLN, SYMBOLS
from extractor.rules._labs_words import word_starts
from extractor.vocab import load

__all__ = ["cardiac"]

_LVEF = re.compile(
    r"(?i:left\s+ventricular\s+ejection\s+fraction|left\s+ventricle\s+ejection\s+fraction|ejection\s+fraction)|"
    r"LVEF|LV\s?EF|\bEF\b|(?i:\blvef\b)"
)
_LVEF_LLN = re.compile(
    rf"{LLN}|lower\s+limit\s+of\s+(?:the\s+)?(?:institutional|normal|laboratory)|within\s+(?:the\s+)?(?:institutional\s+)?"
    r"normal\s+(?:limits?|range)|\bnormal\b"
)
_DIGIT = re.compile(r"\d")
_LLN_WORD = re.compile(r"lln|lower|normal")  # every alternative of _LVEF_LLN holds one of these
_DECLINE = re.compile(r"decreas|declin|drop|reduc|fall|change|points|absolute|relative|from\s+baseline")
_PCT = re.compile(
    rf"(?P<cmp>{SYMBOLS}|{{words}}|\bwithin\b)?[\s:]*(?:(?P<num>\d{{2}}(?:[.,]\d+)?)\s*(?P<pct>%|percent)?|0?[.,](?P<frac>\d{{2}})\b)"
    rf"(?:\s*(?P<post>or\s+(?:greater|more|higher|above)))?"
)
_QTC = re.compile(
    r"(?i:\bqt\s*c\s*[fb]?\b|\bqtc[fb]?\b|\bqtc\s*\(?[fb]\)?|corrected\s+qt\b|qt\s+interval\s+corrected|"
    r"\bqt\s+interval\b|fridericia|\bqt\b)"
)
_MS = re.compile(rf"(?P<cmp>{SYMBOLS}|{{words}})?[\s:]*(?P<num>[3-6]\d{{2}})\s*(?:ms|msec|milliseconds?|millisec)?\b")
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
        # skip the window scans that cannot match (no digit; no normal-limit word): an item can repeat "LVEF"
        for p in pct.finditer(text, m.end(), end) if _DIGIT.search(text, m.end(), end) else ():
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
        near = text[m.end() : min(end, m.end() + 80)]
        ln = _LVEF_LLN.search(text, m.end(), min(end, m.end() + 80)) if _LLN_WORD.search(near) else None
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
        for q in ms.finditer(text, m.end(), end) if _DIGIT.search(text, m.end(), end) else ():
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


def cardiac(ctx: ItemContext, words: frozenset[str]) -> list[Criterion]:
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
