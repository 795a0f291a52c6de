"""Kind ``age``: age limits in years.

Reads "age >= 18", "aged 18-70", "18 years of age or older", "at least 18 years old", "under the age of 18": values
after an "age" anchor, or values ending in "years" that say "of age"/"old" or open the item ("Adults >= 18
years"); a complementary second bound close by joins ("at least 18 years of age and less than or equal to age
75"). Without "age" or "years": "older than 18", "65-80 aged"; a registry header "Minimum Age: 18 Years Maximum Age:
99 Years". A later sentence opening with an age gives another criterion ("Age 30 or older if ... . Age 50 or older if
..."). Skipped: conditional ages ("for patients > 16 years of age", "if >= 65 years old"), other people's ages,
menopause definitions (a menopause word shortly before the age, a definition word between) and creatinine-by-age
tables. Exclusion "age < 18" -> min 18; exclusion ranges are not typed unless negated ("outside the age range of
18-60" -> 18, 60) or from birth ("Children (Age 0-17)" -> min 18). Patterns: ``age.yaml``. :func:`find_age`
also tells ``sex`` where the first age phrase ends ("ages 18-70, female").
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.models.criteria import Comparator, CriterionBase
from extractor.rules.grammar import (
    any_in,
    negate,
    op_of,
    parse_number,
    sentence_bounds,
    value_start_pattern,
)
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

__all__ = ["KIND", "Age", "Rules", "extract", "find_age"]


class Age(CriterionBase):
    """Age limits in years."""

    kind: Literal["age"] = "age"
    min_years: float | None = Field(default=None, description="Minimum age in years (>= 18 -> 18).")
    max_years: float | None = Field(default=None, description="Maximum age in years.")


class Rules(RuleFile):
    """``age.yaml``."""

    keys: tuple[str, ...]
    unanchored_keys: tuple[str, ...]
    skip_keys: tuple[str, ...]
    menopause_definition: Pattern
    menopause_age: Pattern
    menopause_sentence: Pattern
    subgroup_after: Pattern
    wide_signs: dict[str, str]
    skip_item_keys: tuple[str, ...]
    skip_item: Pattern
    age_number_words: tuple[str, ...]
    value: Pattern
    start_words: tuple[str, ...]
    anchor: Pattern
    anchor_skip: Pattern
    anchor_fill: Pattern
    bare_value: Pattern
    cmp_before_anchor: Pattern
    lower_before_anchor: Pattern
    year_hit: Pattern
    before_year: Pattern
    years_after: Pattern
    years_word: Pattern
    of_age: Pattern
    head: Pattern
    duration_after: Pattern
    negated_range: Pattern
    condition_before: Pattern
    condition_kept: Pattern
    condition_after: Pattern
    other_person: Pattern
    proxy_keys: tuple[str, ...]
    proxy_consent: Pattern
    bound_gap: Pattern
    unanchored: Pattern
    unit_after: Pattern
    aged_after: Pattern
    limit_before_anchor: Pattern
    lead_in_age: Pattern
    lead_in_not_age: Pattern
    lead_in_item: Pattern
    excluded_keys: tuple[str, ...]
    excluded_after: Pattern
    months_value: Pattern
    months_not_before: Pattern


RULES = load_rules("age", Rules)

# how far (characters) the rules look: before an anchor, back for another person, to a second bound; from
# "years" back to its number, and from that number back to where its value may start
_ANCHOR_BACK = 30
_PERSON_BACK = 45
_SECOND_BOUND = 40
_YEARS_BACK = 12
_VALUE_BACK = 45
_NEGATED_BACK = 45  # characters before an excluded range ("not between the ages of")
#: how far before an age a menopause word is looked for; how far into its sentence a later age may start
_MENOPAUSE_BACK = 250
_LATER_OPENING = 30

Bounds = tuple[float | None, float | None]


def _plausible(low: str, m: re.Match[str], age_lead: bool = False) -> bool:
    """A match not anchored on "age" must say "years of age/old" or open the item ("Adults >= 18 years"); under an
    "Age:" lead-in saying "years" is enough ("- BRCA1 carriers: 25-40 years")."""
    if m.group("cmpa"):
        return True
    ym = RULES.years_after.match(low, m.end())
    text = m.group(0) + (ym.group(0) if ym else "")
    if not RULES.years_word.search(text):
        return False
    if age_lead or RULES.of_age.search(text):
        return True
    after = low[m.end() + (len(ym.group(0)) if ym else 0) :]
    return bool(RULES.head.match(low, 0, m.start())) and not RULES.duration_after.match(after)


def _age_value(v: str) -> float | None:
    n = parse_number(v)
    return n if n is not None and 0 < n <= 120 else None


def _outside(before: str | None, after: str | None) -> bool:
    """Signs that put an excluded range's ends outside it: "< 18 and > 62"."""
    return bool(before and after) and op_of(before or "") in ("<", "<=") and op_of(after or "") in (">", ">=")


def _excluded_range(m: re.Match[str], a: float, b: float) -> Bounds | None:
    """An excluded range: negated ("outside the age range of 18-60") it is who may enrol; from birth ("Children (Age
    0-17)") it leaves the next year as the minimum; otherwise (a subgroup) it is not typed."""
    if RULES.negated_range.search(m.string, max(0, m.start() - _NEGATED_BACK), m.start()):
        return a, b
    if a == 0 and b.is_integer():
        return b + 1, None
    return None


def _bounds(m: re.Match[str], exclusion: bool) -> Bounds | None:
    if m.group("between") or m.group("ra"):
        first = m.group("ba") or m.group("ra")
        # a range may start at birth ("0 to 55 years", "between 0-21 years of age"; non-gold corpus: 5 trials)
        a = 0.0 if parse_number(first) == 0 else _age_value(first)
        b = _age_value(m.group("bb") or m.group("rb"))
        if a is None or b is None or a >= b:
            return None
        if exclusion:
            if _outside(m.group("rca"), m.group("rcb")):
                return a, b  # "< 18 and > 62 years of age" excluded: who may enrol lies between
            return _excluded_range(m, a, b)
        return a, b
    pairs: list[tuple[Comparator, float]] = []

    def add(op: Comparator | None, value: str) -> None:
        v = _age_value(value)
        if op and v is not None:
            pairs.append((op, v))

    if m.group("cmpa"):
        add(op_of(m.group("cmpa")), m.group("va"))
    elif m.group("cmp") and not m.group("cmp2") and op_of(m.group("cmp")) == "=":
        # a lone "=" is a sign lost from the text ("Adults = 18 years of age"); not in a menopause definition
        if not exclusion and "menopaus" not in m.string:
            add(">=", m.group("cv"))
    elif m.group("pv"):
        add(">=" if m.group("up") else "<=", m.group("pv"))
    elif m.group("cmp"):
        add(op_of(m.group("cmp")), m.group("cv"))
        if m.group("cmp2"):
            add(op_of(m.group("cmp2")), m.group("v2"))
    elif m.group("sv"):
        v = _age_value(m.group("sv"))
        if v is None or exclusion:
            return None
        pairs.append((">=", v))
    lo: float | None = None
    hi: float | None = None
    for op, v in pairs:
        eff = negate(op) if exclusion else op
        if eff in (">=", ">"):
            lo = v
        elif eff in ("<=", "<"):
            hi = v
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo >= hi:
        return None
    return lo, hi


Candidate = tuple[int, int, bool, Bounds | None]  # start, end, anchored on "age of", bounds


def _anchored(low: str, exclusion: bool) -> list[Candidate]:
    """Values right after an "age" anchor ("age >= 18", "aged 18-70", "age: 18")."""
    out: list[Candidate] = []
    for a in RULES.anchor.finditer(low):
        back = max(0, a.start() - _ANCHOR_BACK)
        pre = low[back : a.start()]
        if RULES.anchor_skip.search(pre):
            continue
        f = RULES.anchor_fill.match(low, a.end())
        pos = f.end() if f else a.end()
        lim = RULES.limit_before_anchor.search(pre)
        if lim is not None:
            # a registry header: "Minimum Age: 18 Years", "Maximum Age: 99 Years"
            lb = RULES.bare_value.match(low, pos)
            v = _age_value(lb.group(1)) if lb else None
            if lb is not None and v is not None and not exclusion:
                out.append((a.start(), lb.end(), False, (v, None) if lim.group(1).startswith("min") else (None, v)))
            continue
        m = RULES.value.match(low, pos)
        if m:
            bounds_m = _bounds(m, exclusion)
            low_m = RULES.lower_before_anchor.search(pre) if bounds_m and bounds_m[0] is None else None
            v_low = _age_value(low_m.group(1)) if low_m and not exclusion else None
            if bounds_m and bounds_m[1] is not None and v_low is not None and v_low < bounds_m[1]:
                # "18 <= age <= 75": the lower bound stands before the anchor
                out.append((low_m.start() + back, m.end(), False, (v_low, bounds_m[1])))  # type: ignore[union-attr]
                continue
            out.append((m.start(), m.end(), bool(m.group("cmpa")), bounds_m))
            continue
        bare = RULES.bare_value.match(low, pos)
        if bare is None:
            continue
        v = _age_value(bare.group(1))
        pm = RULES.cmp_before_anchor.search(pre)
        op = op_of(pm.group(1)) if pm else (">=" if not exclusion else None)
        if v is None or op is None:
            continue
        eff = negate(op) if exclusion and pm else op
        bounds: Bounds | None = None
        if eff in (">=", ">"):
            bounds = (v, None)
        elif eff in ("<=", "<"):
            bounds = (None, v)
        out.append((pm.start() + back if pm else a.start(), bare.end(), bool(pm), bounds))
    return out


def _before_years(low: str, exclusion: bool, age_lead: bool = False) -> list[Candidate]:
    """Values that end in "years" ("18 years of age or older", ">= 18 yrs old")."""
    out: list[Candidate] = []
    starts = value_start_pattern(RULES.start_words)
    for hit in RULES.year_hit.finditer(low):
        b = RULES.before_year.search(low, max(0, hit.start() - _YEARS_BACK), hit.start())
        if b is None:
            continue
        digit = b.start()
        for st in starts.finditer(low, max(0, digit - _VALUE_BACK), min(len(low), digit + 9)):
            if st.start() > digit:
                break
            m = RULES.value.match(low, st.start())
            if m is None or m.end() <= digit:
                continue
            if _plausible(low, m, age_lead):
                out.append((m.start(), m.end(), bool(m.group("cmpa")), _bounds(m, exclusion)))
            break
    return out


def _unanchored(low: str, exclusion: bool) -> list[Candidate]:
    """Values with neither "age" nor "years": "older than 18", "any patient >= 18 who ...", "65-80 aged"."""
    out: list[Candidate] = []
    for u in RULES.unanchored.finditer(low):
        m = RULES.value.match(low, u.end())
        if m is None or not (m.group("cmp") or m.group("ra")) or RULES.unit_after.match(low, m.end()):
            continue
        if m.group("ra") and not RULES.aged_after.match(low, m.end()):
            continue
        out.append((m.start(), m.end(), False, _bounds(m, exclusion)))
    return out


def _months(low: str, exclusion: bool) -> list[Candidate]:
    """Ages in months ("\\>= 6 months old", "ages 6 months to 39 years"), in years rounded to 2 decimals."""
    out: list[Candidate] = []
    for m in RULES.months_value.finditer(low):
        if RULES.months_not_before.search(low, max(0, m.start() - 60), m.start()):
            continue
        if m.group("ra"):
            lo, hi = round(int(m.group("ra")) / 12, 2), _age_value(m.group("rb"))
            ok = not exclusion and hi is not None and 0 < lo < hi
            out.append((m.start(), m.end(), False, (lo, hi) if ok else None))
            continue
        op = m.group("acmp") or m.group("cmp")
        value = round(int(m.group("av") or m.group("mv")) / 12, 2)
        eff: Comparator | None = op_of(op) if op else (">=" if m.group("up") and not exclusion else None)
        if eff == "=":
            eff = None if exclusion else ">="  # a lone "=" is a sign lost from the text ("aged = 6 months")
            op = None
        if eff is None or value <= 0:
            continue
        eff = negate(eff) if exclusion and op else eff
        bounds: Bounds = (value, None) if eff in (">=", ">") else (None, value)
        out.append((m.start(), m.end(), False, bounds))
    return out


def _candidates(low: str, exclusion: bool, age_lead: bool) -> list[Candidate]:
    cands = _months(low, exclusion) if "month" in low else []
    cands.extend(_anchored(low, exclusion))
    if "y" in low:
        cands.extend(_before_years(low, exclusion, age_lead))
    if any_in(RULES.unanchored_keys, low):
        cands.extend(_unanchored(low, exclusion))
    cands.sort(key=lambda c: c[0])
    return cands


def _excluded_readings(low: str, cands: list[Candidate], age_lead: bool) -> list[Candidate]:
    """In an inclusion item, an age its own clause excludes ("in participants < 18 years of age, children are
    excluded", "children (patients < 18 years of age) are excluded") is read as an exclusion, and is no
    condition on whom the item speaks of."""
    flipped: dict[tuple[int, int], Bounds | None] | None = None
    out: list[Candidate] = []
    for start, stop, exempt, bounds in cands:
        ym = RULES.years_after.match(low, stop)
        if RULES.excluded_after.match(low, ym.end() if ym else stop):
            if flipped is None:
                flipped = {(c[0], c[1]): c[3] for c in _candidates(low, True, age_lead)}
            if (start, stop) in flipped:
                out.append((start, stop, True, flipped[(start, stop)]))
                continue
        out.append((start, stop, exempt, bounds))
    return out


def _menopause_age(ctx: ItemContext, low: str, start: int, stop: int) -> bool:
    """The age at ``start`` defines menopause or childbearing potential ("postmenopausal status defined as: ... age
    >= 60", "not of childbearing potential: oophorectomy, or age 45 or older and postmenopausal") or is the age at
    menopause ("menopause < age 40"), not an enrolment limit ("postmenopausal women aged >= 18")."""
    mp = low.rfind("menopaus", max(0, start - _MENOPAUSE_BACK), start)
    if mp >= 0:
        window = low[mp:start]
        if RULES.menopause_definition.search(window) or RULES.menopause_age.match(window):
            return True
    s, e = sentence_bounds(ctx.clean, start, stop)
    return "menopaus" in low[s:e] and bool(RULES.menopause_sentence.search(low, s, e))


Found = list[tuple[Age, int]]  # each age criterion of an item and the offset just past its age phrase

#: the last item read and what :func:`find_age` found in it: ``sex`` asks about the item ``age`` has just read
_LAST: list[tuple[ItemContext, Found]] = []


def _find_all(ctx: ItemContext) -> Found:
    last = _LAST[0] if _LAST else None
    if last is not None and last[0] is ctx:
        return last[1]
    found = _find_age(ctx)
    _LAST[:] = [(ctx, found)]
    return found


def find_age(ctx: ItemContext) -> tuple[Age | None, int | None]:
    """The item's first age criterion and the offset just past its age phrase (``None, None`` when none)."""
    found = _find_all(ctx)
    return found[0] if found else (None, None)


def _proxy_age(low: str, clean: str, start: int, stop: int) -> bool:
    """An age in a sentence about assent or a guardian's consent that says who signs: in brackets ("consent from the
    subject (aged >= 18) or parent/guardian") or after the assent / guardian word ("parents or guardians complete the
    questionnaires, even for subjects >= 18 years old"); an age before it and outside brackets is the subject's
    ("subjects aged 7 to 17 willing to sign assent")."""
    s, e = sentence_bounds(clean, start, stop)
    if RULES.proxy_consent.search(low, s, start) is not None:
        return True
    return low.rfind("(", s, start) > low.rfind(")", s, start) and RULES.proxy_consent.search(low, s, e) is not None


def _find_age(ctx: ItemContext) -> Found:
    low = ctx.lower
    lead = ctx.lead_in
    # a child of a menopause or childbearing definition ("Postmenopausal, defined as one of the following:" above
    # "- Age >= 60 years") defines a status, not an age limit
    if lead and RULES.lead_in_not_age.search(lead):
        return []
    age_lead = bool(lead) and bool(RULES.lead_in_age.search(lead))
    if RULES.lead_in_item.fullmatch(low):
        # a bare "Age:" lead-in names the topic its children fill
        return [(ctx.make(Age, 0, len(low)), len(low))]
    if not any_in(RULES.unanchored_keys, low) and not any_in(RULES.keys, low):
        return []
    if any_in(RULES.skip_keys, low):
        return []
    if any_in(RULES.skip_item_keys, low) and RULES.skip_item.search(low):
        return []
    if any_in(RULES.wide_signs, low):
        # full-width comparators ("age＜18"): the same length, so offsets hold
        low = low.translate({ord(k): v for k, v in RULES.wide_signs.items()})
    cands = _candidates(low, ctx.is_exclusion, age_lead)
    if not ctx.is_exclusion and any_in(RULES.excluded_keys, low):
        cands = _excluded_readings(low, cands, age_lead)
    found: Found = []
    proxy = any_in(RULES.proxy_keys, low)
    for start, stop, exempt, bounds in cands:
        if bounds is None or (found and start < found[-1][1]):
            continue
        if found:
            # a later age must open a sentence of its own ("Age 30 or older if ... . Age 50 or older if ..."), not
            # sit in a note that explains the first
            sent = sentence_bounds(ctx.clean, start, stop)[0]
            if sent < found[-1][1] or start - sent > _LATER_OPENING or not RULES.anchor.search(low, sent, stop):
                continue
            ym = RULES.years_after.match(low, stop)
            if RULES.subgroup_after.match(low, ym.end() if ym else stop):
                continue
        if "menopaus" in low and _menopause_age(ctx, low, start, stop):
            continue
        cond = RULES.condition_before.search(low, max(0, start - _ANCHOR_BACK), start)
        if cond and not exempt and not RULES.condition_kept.search(low[max(0, cond.start() - 15) : cond.start()]):
            continue
        if RULES.other_person.search(low, max(0, start - _PERSON_BACK), start):
            continue
        if proxy and _proxy_age(low, ctx.clean, start, stop):
            continue  # "assent (adolescents under age 16) and/or consent (over age 16)": who signs, not who enrols
        ym = RULES.years_after.match(low, stop)
        end = ym.end() if ym else stop
        if RULES.condition_after.match(low, end):
            continue
        lo, hi = bounds
        # "at least 18 years of age and less than or equal to age 75": a second, complementary bound close by
        for start2, stop2, _ex2, b2 in cands:
            if b2 is None or start2 < end or low[end:start2].count(",") > 1:
                continue
            if start2 > end + _SECOND_BOUND and not RULES.bound_gap.fullmatch(low, end, start2):
                continue
            if lo is not None and hi is None and b2[0] is None and b2[1] is not None and b2[1] > lo:
                hi, end = b2[1], stop2
            elif hi is not None and lo is None and b2[1] is None and b2[0] is not None and b2[0] < hi:
                lo, end = b2[0], stop2
            break
        s, e = sentence_bounds(ctx.clean, start, end)
        found.append((ctx.make(Age, s, e, min_years=lo, max_years=hi), end))
    return found


def extract(ctx: ItemContext) -> list[Age]:
    """The age criteria of one item (one per sentence stating an age)."""
    return [age for age, _end in _find_all(ctx)]


KIND = KindSpec(Age, extract=extract, rule_file=Rules, core=True)
