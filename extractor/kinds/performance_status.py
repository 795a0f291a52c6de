"""Kind ``performance_status``: performance status range.

Reads ECOG (also Zubrod), Karnofsky/KPS, WHO and Lansky; one criterion per scale named. Values after the scale
("ECOG 0-1", "PS of 0, 1 or 2", "KPS >= 70%", "zero or one", "2 or less") or before it ("performance status <= 1
on the ECOG scale"); an unnamed "performance status 0-2" is ECOG, Karnofsky when the numbers are 10-100. Strict
comparators step by the scale unit ("ECOG < 2" -> max 1, "KPS > 70" -> min 80); ECOG/WHO get ``min=0`` when only a
maximum is stated; exclusion items give the effective rule ("ECOG >= 2" -> max 1, "KPS < 70" -> min 70). Scale
names: ``vocab/scales.yaml``; patterns and scale bounds: ``performance_status.yaml``.
"""

from __future__ import annotations

import re
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import (
    op_of,
    parse_number,
    phrase_alt,
    sentence_bounds,
    value_start_pattern,
)
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Scales

__all__ = ["KIND", "PerformanceStatus", "Rules", "extract"]

Scale = Literal["ECOG", "Karnofsky", "WHO", "Lansky"]


class PerformanceStatus(CriterionBase):
    """Performance status range."""

    kind: Literal["performance_status"] = "performance_status"
    scale: Scale = Field(description="Scale named in the text.")
    min: int | None = Field(default=None, description="Lowest allowed score (ECOG 0-1 -> 0).")
    max: int | None = Field(default=None, description="Highest allowed score (ECOG 0-1 -> 1; KPS >= 70 -> None).")


class ScaleBounds(BaseModel):
    """Score range of one scale, its step, the worst score an exclusion runs to, and its direction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: int
    max: int
    step: int = Field(ge=1)
    exclusion_top: int
    higher_better: bool


def _scale_groups() -> str:
    """One named group per scale of ``vocab/scales.yaml`` plus ``generic`` (the unnamed words)."""
    vocab = vocabulary(Scales)
    groups = [f"(?P<{name}>{phrase_alt(phrases)})" for name, phrases in vocab.scales.items()]
    return "|".join([*groups, f"(?P<generic>{phrase_alt(vocab.generic)})"])


def _scale_first() -> str:
    """A character class of every scale phrase's first letter (the mention scan tests it first, cheaply)."""
    vocab = vocabulary(Scales)
    phrases = [*(p for ps in vocab.scales.values() for p in ps), *vocab.generic]
    return "[" + re.escape("".join(sorted({p.strip().lower()[0] for p in phrases if p.strip()}))) + "]"


class Rules(RuleFile):
    """``performance_status.yaml``."""

    mention: Pattern
    number_words: tuple[str, ...]
    post_lower: tuple[str, ...]
    post_higher: tuple[str, ...]
    post_better: tuple[str, ...]
    post_worse: tuple[str, ...]
    value: Pattern
    start_words: tuple[str, ...]
    value_number: Pattern
    any_number: Pattern
    value_fill: Pattern
    bad_fill: Pattern
    bridge: Pattern
    look_before: int = Field(ge=1)
    look_after: int = Field(ge=1)
    scales: dict[Scale, ScaleBounds]
    unnamed_scale: Scale
    unnamed_percent_scale: Scale
    unnamed_percent_from: int

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        return {"scale_groups": _scale_groups(), "scale_first": _scale_first()}


RULES = load_rules("performance_status", Rules)


def _num(text: str) -> int | None:
    m = RULES.value_number.search(text)
    if not m:
        return None
    v = parse_number(m.group(0))
    return None if v is None else int(v)


def _ps_range(m: re.Match[str], scale: Scale) -> tuple[int | None, int | None] | None:
    """(lo, hi) stated by a value match, on ``scale``."""
    bounds = RULES.scales[scale]
    if m.group("pv"):
        v = _num(m.group("pv"))
        post = m.group("post")
        if v is None:
            return None
        if post in RULES.post_better:
            return (v, None) if bounds.higher_better else (None, v)
        if post in RULES.post_worse:
            return (None, v) if bounds.higher_better else (v, None)
        return (None, v) if post in RULES.post_lower else (v, None)
    if m.group("ra"):
        a, b = _num(m.group("ra")), _num(m.group("rb"))
        if a is None or b is None:
            return None
        return (min(a, b), max(a, b))
    if m.group("list"):
        nums = (parse_number(t.group(0)) for t in RULES.value_number.finditer(m.group("list")))
        vals = [v for v in nums if v is not None]
        if not vals:
            return None
        return (int(min(vals)), int(max(vals)))
    if m.group("cmp"):
        v = _num(m.group("cv"))
        op = op_of(m.group("cmp"))
        if v is None or op is None:
            return None
        step = bounds.step
        return {">=": (v, None), ">": (v + step, None), "<=": (None, v), "<": (None, v - step), "=": (v, v)}[op]
    v = _num(m.group("sv"))
    if v is None:
        return None
    return (v, None) if bounds.higher_better else (v, v)


def _valid(scale: Scale, lo: int | None, hi: int | None) -> bool:
    b = RULES.scales[scale]
    for v in (lo, hi):
        if v is not None and not (b.min <= v <= b.max and (v - b.min) % b.step == 0):
            return False
    return lo is not None or hi is not None


def _effective(scale: Scale, lo: int | None, hi: int | None, exclusion: bool) -> tuple[int | None, int | None] | None:
    """The allowed range a patient must be in; exclusion ranges are complemented on the scale."""
    b = RULES.scales[scale]
    if exclusion:
        lo_open = lo is None or lo <= b.min
        hi_open = hi is None or hi >= b.exclusion_top
        if lo_open and hi_open:
            return None
        if b.higher_better:
            if hi is not None and not hi_open:
                return (hi + b.step, None)
            return (None, lo - b.step) if lo else None
        if lo_open and hi is not None:
            return (hi + b.step, None)
        if lo is None:
            return None
        lo, hi = b.min, lo - b.step
    if not b.higher_better and lo is None:
        lo = b.min
    if lo is None and hi is None:
        return None
    return lo, hi


def _value_after(low: str, start: int, end: int) -> re.Match[str] | None:
    """First value after a scale mention, skipping "(Appendix 1)" and age parentheticals."""
    if not RULES.any_number.search(low, start, end):
        return None  # every value holds a number: no need to walk the window (an item can repeat "ECOG")
    vre, starts = RULES.value, value_start_pattern(RULES.start_words)
    pos = start
    while pos < end:
        fm = RULES.value_fill.match(low, pos, end)
        if fm is None:
            return None
        found: re.Match[str] | None = None
        for st in starts.finditer(low, pos, min(end, fm.end() + 12)):
            if st.start() > fm.end():
                break
            found = vre.match(low, st.start(), end)
            if found:
                break
        if found is None:
            pos = fm.end() + 1
            continue
        if not RULES.bad_fill.search(low, max(start, found.start() - 12), found.start()):
            return found
        pos = found.end() + 1
    return None


def _value_before(low: str, begin: int, at: int) -> re.Match[str] | None:
    """A value right before a mention, joined to it by a bridge ("<= 1 on the ECOG scale", "0-2 (per ECOG")."""
    before = low[begin:at]
    bm = RULES.bridge.search(before)
    if not bm:
        return None
    head = before[: bm.start()].rstrip()
    last: re.Match[str] | None = None
    for vm in RULES.value.finditer(head):
        if vm.end() == len(head):
            last = vm
    # the positions are relative to `before`: rebuild the match on the item
    return RULES.value.match(low, begin + last.start(), begin + last.end()) if last else None


def _infer_scale(lo: int | None, hi: int | None) -> Scale:
    vals = [v for v in (lo, hi) if v is not None]
    return RULES.unnamed_percent_scale if vals and max(vals) >= RULES.unnamed_percent_from else RULES.unnamed_scale


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


def extract(ctx: ItemContext) -> list[PerformanceStatus]:
    """The performance status criteria of one item, one per scale."""
    low = ctx.lower
    mentions = list(RULES.mention.finditer(low))
    if not mentions:
        return []
    named = any(m.lastgroup != "generic" for m in mentions)
    found: dict[Scale, tuple[int, int, int | None, int | None]] = {}
    order: list[Scale] = []
    pending: list[tuple[Scale | None, int, int]] = []
    prev_end = 0
    used_end = 0  # where the last value read ends: a value serves one scale ("ECOG <= 2 (Karnofsky >= 60%)")
    next_other = _next_other_scale(mentions, len(low))
    for i, m in enumerate(mentions):
        kind = m.lastgroup or "generic"
        if kind == "generic" and named:
            prev_end = m.end()
            continue  # the generic words belong to a named scale's phrase
        scale = None if kind == "generic" else cast(Scale, kind)
        value = _value_before(low, max(prev_end, used_end, m.start() - RULES.look_before), m.start())
        if value is None:
            value = _value_after(low, m.end(), min(next_other[i], m.end() + RULES.look_after))
        prev_end = m.end()
        if value is None:
            pending.append((scale, m.start(), m.end()))
            continue
        targets = [*pending, (scale, m.start(), m.end())]
        pending = []
        used_end = max(used_end, value.end())
        for named_scale, s0, _e0 in targets:
            rng = _ps_range(value, named_scale or RULES.unnamed_scale)
            if rng is None:
                continue
            sc: Scale = named_scale or _infer_scale(*rng)
            if sc != (named_scale or RULES.unnamed_scale):
                rng = _ps_range(value, sc)
            if rng is None or not _valid(sc, *rng):
                continue
            eff = _effective(sc, rng[0], rng[1], ctx.is_exclusion)
            if eff is None or sc in found:
                continue
            found[sc] = (min(s0, value.start()), max(value.end(), s0), eff[0], eff[1])
            order.append(sc)
    out: list[PerformanceStatus] = []
    for sc in order:
        s0, e0, lo, hi = found[sc]
        s, e = sentence_bounds(ctx.clean, s0, e0)
        out.append(ctx.make(PerformanceStatus, s, e, scale=sc, min=lo, max=hi))
    return out


KIND = KindSpec(PerformanceStatus, extract=extract, rule_file=Rules, core=True)
