"""Performance status scales (kind ``performance_status``).

``performance_status``: ECOG (also Zubrod), Karnofsky/KPS, WHO, Lansky; one criterion per scale named.
Values after the scale ("ECOG 0-1", "PS of 0, 1 or 2", "KPS >= 70%", "zero or one", "2 or less") or before it
("performance status <= 1 on the ECOG scale"); an unnamed "performance status 0-2" is ECOG when the numbers
are 0-5 and Karnofsky when they are 10-100. Strict comparators step by the scale unit ("ECOG < 2" -> max 1,
"KPS > 70" -> min 80). ECOG/WHO get ``min=0`` when only a maximum is stated. Exclusion items are turned
into the effective rule: "ECOG >= 2" -> max 1, "KPS < 70" -> min 70.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from extractor.models import Criterion, PerformanceStatus
from extractor.rules._common import ItemContext, parse_number
from extractor.rules._performance_common import cmp_regex, normalise_op, phrase_alt, sentence_bounds, start_re
from extractor.vocab import load

__all__ = ["Scale", "extract_performance_status"]

Scale = Literal["ECOG", "Karnofsky", "WHO", "Lansky"]

_WORD_NUMS = r"\b(?:zero|one|two|three|four|five)\b"


@cache
def _scale_re() -> re.Pattern[str]:
    data: dict[str, dict[str, list[str]]] = load("scales")
    groups = [rf"(?P<{name}>{phrase_alt(phrases)})" for name, phrases in data["scales"].items()]
    generic = phrase_alt(load("scales")["generic"])
    return re.compile(r"\b(?:" + "|".join(groups) + rf"|(?P<generic>{generic}))\b(?!-acrin)")


_N = rf"(?:\d{{1,3}}|{_WORD_NUMS})(?:\s*\(\d\))?(?:\s*%)?"


@cache
def _ps_value_re() -> re.Pattern[str]:
    cmp = cmp_regex()
    post_lo = r"less|lower|below|under|fewer|better"
    post_hi = r"more|higher|greater|above|over|worse"
    not_unit = r"(?!\s*(?:years?|yrs?|days?|weeks?|months?|hours?|mg|x\b|\+)|\.\d|\d)"
    return re.compile(
        rf"""(?:
        (?P<pv>{_N})\s*(?:or|and)\s+(?P<post>{post_lo}|{post_hi})\b
        |(?P<ra>{_N})\s*(?:-|–|—|to|through|thru)\s*(?:{cmp}\s*)?(?P<rb>{_N}){not_unit}
        |(?P<list>{_N}(?:\s*(?:,\s*or|,\s*and|,|/|\bor\b|\band\b)\s*{_N})+)
        |(?P<cmp>{cmp})\s*(?:\(\s*{cmp}\s*\)\s*)?(?:to\s+)?(?P<cv>{_N}){not_unit}
        |(?P<sv>{_N}){not_unit}
        )""",
        re.VERBOSE,
    )


_NUM_IN = re.compile(rf"\d{{1,3}}|{_WORD_NUMS}")
_ANY_N = re.compile(r"\d|zero|one|two|three|four|five")  # what every value (``_N``) holds
_FILL_OK = re.compile(r"[^\d.;<>≤≥≦≧=&]{0,60}")
_SCALE_BOUNDS: dict[Scale, tuple[int, int, int]] = {  # min, max, step
    "ECOG": (0, 5, 1),
    "WHO": (0, 5, 1),
    "Karnofsky": (0, 100, 10),
    "Lansky": (0, 100, 10),
}


def _num(text: str) -> int | None:
    m = _NUM_IN.search(text)
    if not m:
        return None
    v = parse_number(m.group(0))
    return None if v is None else int(v)


def _ps_range(m: re.Match[str], scale: Scale) -> tuple[int | None, int | None] | None:
    """(lo, hi) stated by a value match, on ``scale``."""
    step = _SCALE_BOUNDS[scale][2]
    higher_better = scale in ("Karnofsky", "Lansky")
    if m.group("pv"):
        v = _num(m.group("pv"))
        post = m.group("post")
        if v is None:
            return None
        if post == "better":
            return (v, None) if higher_better else (None, v)
        if post == "worse":
            return (None, v) if higher_better else (v, None)
        return (None, v) if post in ("less", "lower", "below", "under", "fewer") else (v, None)
    if m.group("ra"):
        a, b = _num(m.group("ra")), _num(m.group("rb"))
        if a is None or b is None:
            return None
        return (min(a, b), max(a, b))
    if m.group("list"):
        vals = [v for v in (parse_number(t) for t in _NUM_IN.findall(m.group("list"))) if v is not None]
        if not vals:
            return None
        return (int(min(vals)), int(max(vals)))
    if m.group("cmp"):
        v = _num(m.group("cv"))
        op = normalise_op(m.group("cmp"))
        if v is None or op is None:
            return None
        return {">=": (v, None), ">": (v + step, None), "<=": (None, v), "<": (None, v - step), "=": (v, v)}[op]
    v = _num(m.group("sv"))
    if v is None:
        return None
    return (v, None) if higher_better else (v, v)


def _valid(scale: Scale, lo: int | None, hi: int | None) -> bool:
    smin, smax, step = _SCALE_BOUNDS[scale]
    for v in (lo, hi):
        if v is not None and not (smin <= v <= smax and (step == 1 or v % 10 == 0)):
            return False
    return lo is not None or hi is not None


def _effective(scale: Scale, lo: int | None, hi: int | None, exclusion: bool) -> tuple[int | None, int | None] | None:
    """The allowed range a patient must be in; exclusion ranges are complemented on the scale."""
    smin, _smax, step = _SCALE_BOUNDS[scale]
    higher_better = scale in ("Karnofsky", "Lansky")
    if exclusion:
        top = 100 if higher_better else 4
        lo_open = lo is None or lo <= smin
        hi_open = hi is None or hi >= top
        if lo_open and hi_open:
            return None
        if higher_better:
            if hi is not None and not hi_open:
                return (hi + step, None)
            return (None, lo - step) if lo else None
        if lo_open and hi is not None:
            return (hi + step, None)
        if lo is None:
            return None
        lo, hi = smin, lo - step
    if not higher_better and lo is None:
        lo = smin
    if lo is None and hi is None:
        return None
    return lo, hi


_BRIDGE = re.compile(
    r"(?:\b(?:on|by|per|using|according\s+to|in|based\s+on|as\s+defined\s+by|as\s+per)\s+|\(\s*(?:per\s+)?)"
    r"(?:the\s+|an?\s+)?(?:\(\s*)?$"
)
_BAD_FILL = re.compile(r"appendix|section|table|version|page|\bv\s*$|age|years?|criteria\s+\d")


def _value_after(low: str, start: int, end: int) -> re.Match[str] | None:
    """First performance value after a scale mention, skipping "(Appendix 1)" and age parentheticals."""
    if not _ANY_N.search(low, start, end):
        return None  # every value holds a number: no need to walk the window (an item can repeat "ECOG")
    vre = _ps_value_re()
    pos = start
    while pos < end:
        fm = _FILL_OK.match(low, pos, end)
        if fm is None:
            return None
        found: re.Match[str] | None = None
        for st in start_re().finditer(low, pos, min(end, fm.end() + 12)):
            if st.start() > fm.end():
                break
            found = vre.match(low, st.start(), end)
            if found:
                break
        if found is None:
            pos = fm.end() + 1
            continue
        if not _BAD_FILL.search(low, max(start, found.start() - 12), found.start()):
            return found
        pos = found.end() + 1
    return None


def _infer_scale(lo: int | None, hi: int | None) -> Scale:
    vals = [v for v in (lo, hi) if v is not None]
    return "Karnofsky" if vals and max(vals) >= 10 else "ECOG"


def _next_other_scale(mentions: list[re.Match[str]], end: int) -> list[int]:
    """For each mention, where the next mention of another named scale starts (``end`` when none): one backward
    pass, so an item repeating a scale name thousands of times stays linear."""
    ahead: dict[str, int] = {}  # named scale -> start of its nearest mention after the current one
    out = [end] * len(mentions)
    for i in range(len(mentions) - 1, -1, -1):
        kind = mentions[i].lastgroup or "generic"
        out[i] = min((s for k, s in ahead.items() if k != kind), default=end)
        if kind != "generic":
            ahead[kind] = mentions[i].start()
    return out


def extract_performance_status(ctx: ItemContext) -> list[Criterion]:
    low = ctx.lower
    mentions = list(_scale_re().finditer(low))
    if not mentions:
        return []
    named = any(m.lastgroup != "generic" for m in mentions)
    vre = _ps_value_re()
    found: dict[Scale, tuple[int, int, int | None, int | None]] = {}
    order: list[Scale] = []
    pending: list[tuple[Scale | None, int, int]] = []
    prev_end = 0
    next_other = _next_other_scale(mentions, len(low))
    for i, m in enumerate(mentions):
        kind = m.lastgroup or "generic"
        if kind == "generic" and named:
            prev_end = m.end()
            continue  # the generic words belong to a named scale's phrase
        scale: Scale | None = None if kind == "generic" else kind  # type: ignore[assignment]
        nxt = next_other[i]
        value: re.Match[str] | None = None
        # value before the scale: "performance status of <= 1 on the ECOG scale"
        before = low[max(prev_end, m.start() - 50) : m.start()]
        bm = _BRIDGE.search(before)
        if bm:
            head = before[: bm.start()].rstrip()
            for vm in vre.finditer(head):
                if vm.end() == len(head):
                    value = vm
            if value is not None:
                # value positions are relative to `before`; rebuild a match on the full string
                off = max(prev_end, m.start() - 50)
                value = vre.match(low, off + value.start(), off + value.end())
        if value is None:
            value = _value_after(low, m.end(), min(nxt, m.end() + 90))
        prev_end = m.end()
        if value is None:
            pending.append((scale, m.start(), m.end()))
            continue
        targets = [*pending, (scale, m.start(), m.end())]
        pending = []
        for named_scale, s0, _e0 in targets:
            rng = _ps_range(value, named_scale or "ECOG")
            if rng is None:
                continue
            sc: Scale = named_scale or _infer_scale(*rng)
            if sc != (named_scale or "ECOG"):
                rng = _ps_range(value, sc)
            if rng is None or not _valid(sc, *rng):
                continue
            eff = _effective(sc, rng[0], rng[1], ctx.is_exclusion)
            if eff is None or sc in found:
                continue
            found[sc] = (min(s0, value.start()), max(value.end(), s0), eff[0], eff[1])
            order.append(sc)
    out: list[Criterion] = []
    for sc in order:
        s0, e0, lo, hi = found[sc]
        s, e = sentence_bounds(ctx.clean, s0, e0)
        out.append(ctx.make(PerformanceStatus, s, e, scale=sc, min=lo, max=hi))
    return out
