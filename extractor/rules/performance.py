"""Rule family ``performance``: performance status, age, sex and life expectancy.

* ``performance_status``: ECOG (also Zubrod), Karnofsky/KPS, WHO, Lansky; one criterion per scale named.
  Values after the scale ("ECOG 0-1", "PS of 0, 1 or 2", "KPS >= 70%", "zero or one", "2 or less") or before it
  ("performance status <= 1 on the ECOG scale"); an unnamed "performance status 0-2" is ECOG when the numbers
  are 0-5 and Karnofsky when they are 10-100. Strict comparators step by the scale unit ("ECOG < 2" -> max 1,
  "KPS > 70" -> min 80). ECOG/WHO get ``min=0`` when only a maximum is stated. Exclusion items are turned
  into the effective rule: "ECOG >= 2" -> max 1, "KPS < 70" -> min 70.
* ``age``: "age >= 18", "aged 18-70", "18 years of age or older", "at least 18 years old", "under the age of 18";
  conditional ages ("for patients > 16 years of age", "if >= 65 years old"), menopause definitions and
  creatinine-by-age tables are skipped. Exclusion "age < 18" -> min 18; exclusion ranges are not typed.
* ``sex``: only when the item restricts who may enrol ("Female", "Men and women >= 18 years", "ages 18-70,
  female"); "women of childbearing potential must ..." is not a sex criterion. A bare exclusion "Male patients"
  gives the other sex.
* ``life_expectancy``: "life expectancy >= 12 weeks" -> 2.77 months (weeks x 12/52), years x 12, days x 12/365.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from extractor.models import Age, Comparator, Criterion, LifeExpectancy, PerformanceStatus, Sex
from extractor.rules._common import ItemContext, comparator_pattern, negate, op_of, parse_number
from extractor.vocab import load

__all__ = ["cmp_regex", "extract", "normalise_op", "sentence_bounds"]

Scale = Literal["ECOG", "Karnofsky", "WHO", "Lansky"]

_WORD_NUMS = r"\b(?:zero|one|two|three|four|five)\b"


@cache
def cmp_regex() -> str:
    """Comparator alternation including split escapes ("= <", "> =") and HTML entities."""
    return r"(?:&[lg]t;\s*=?|[<>≤≥]\s*or\s+equal(?:\s+to)?|[<>]\s+=(?!\s*[<>])|=\s+[<>]|" + comparator_pattern() + ")"


def normalise_op(phrase: str) -> Comparator | None:
    """Canonical operator of a matched comparator phrase (handles "= <", "&lt;", "> or equal to")."""
    p = phrase.lower().replace("&lt;", "<").replace("&gt;", ">").strip()
    if re.fullmatch(r"[<>≤≥]\s*or\s+equal(?:\s+to)?", p):
        return ">=" if p[0] in ">≥" else "<="
    if re.fullmatch(r"[<>=\s/]+", p):
        p = p.replace(" ", "")
    return op_of(p)


_SENT_END = re.compile(r"(?:\.(?=\s+[A-Z(\[]|\s*$)|;|\s\d{1,2}\s?\.\s(?=[A-Z]))")


def sentence_bounds(clean: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence / semicolon clause around ``clean[start:end]`` (looks back at most 800 chars)."""
    s = max(0, start - 800)
    for m in _SENT_END.finditer(clean, s, start):
        s = m.end()
    m2 = _SENT_END.search(clean, end)
    e = m2.start() + (1 if m2.group(0) == "." else 0) if m2 else len(clean)
    while s < e and clean[s] in " :*-•,":
        s += 1
    if e <= s:
        return 0, len(clean)
    return s, e


# ---------------------------------------------------------------------------------------------------- patterns


def _phrase_alt(phrases: list[str]) -> str:
    alts = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"[\s-]+") for p in alts)


@cache
def _scale_re() -> re.Pattern[str]:
    data: dict[str, dict[str, list[str]]] = load("scales")
    groups = [rf"(?P<{name}>{_phrase_alt(phrases)})" for name, phrases in data["scales"].items()]
    generic = _phrase_alt(load("scales")["generic"])
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
    vre = _ps_value_re()
    pos = start
    while pos < end:
        fm = _FILL_OK.match(low, pos, end)
        if fm is None:
            return None
        found: re.Match[str] | None = None
        for st in _start_re().finditer(low, pos, min(end, fm.end() + 12)):
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


def _performance(ctx: ItemContext) -> list[Criterion]:
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
    for i, m in enumerate(mentions):
        kind = m.lastgroup or "generic"
        if kind == "generic" and named:
            prev_end = m.end()
            continue  # the generic words belong to a named scale's phrase
        scale: Scale | None = None if kind == "generic" else kind  # type: ignore[assignment]
        nxt = len(low)
        for m2 in mentions[i + 1 :]:
            if m2.lastgroup not in (kind, "generic"):
                nxt = m2.start()
                break
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


# ---------------------------------------------------------------------------------------------------------- age

_AGE_N = r"(?:\d{1,3}(?:\.\d)?|eighteen|twenty-one|twenty|sixteen|twelve|thirty|sixty)"
_YRS = r"(?:years?|yrs?|y/?o)\b(?:\s*(?:of\s+age|old|of\s+life|of\s+age\s+or\s+older))?"


@cache
def _age_re() -> re.Pattern[str]:
    cmp = cmp_regex()
    up = r"(?:or|and)\s+(?:older|over|above|greater|more|higher|up)\b|\+"
    down = r"(?:or|and)\s+(?:younger|under|below|less)\b"
    second = (
        rf"(?:\s*{_YRS})?\s*(?:,|and|but|to|or)?\s*(?P<cmp2>{cmp})\s*(?P<v2>{_AGE_N})(?!\s*(?:months?|weeks?|days?))"
    )
    return re.compile(
        rf"""(?:
          (?P<between>between|from)\s+(?:the\s+ages?\s+of\s+)?(?P<ba>{_AGE_N})\s*(?:{_YRS})?\s*(?:and|to|-)\s*(?P<bb>{_AGE_N})
        | (?P<cmpa>{cmp})\s*(?:the\s+)?age\s+of\s+(?P<va>{_AGE_N})
        | (?:{cmp}\s*)?(?P<ra>{_AGE_N})\s*(?:{_YRS})?\s*(?:-|–|to|through|and)\s*(?:{cmp}\s*)?
          (?P<rb>{_AGE_N})(?!\s*(?:months?|weeks?|days?))
        | (?P<pv>{_AGE_N})\s*(?:{_YRS})?\s*(?:(?P<up>{up})|(?P<down>{down}))
        | (?P<cmp>{cmp})\s*(?P<cv>{_AGE_N})(?!\s*(?:months?|weeks?|days?|%|mg|ml|x|\.\d))(?:{second})?
        | (?P<sv>{_AGE_N})\s*{_YRS}
        )""",
        re.VERBOSE,
    )


_AGE_ANCHOR = re.compile(r"\b(?:age[ds]?|ages\s+of)\b\s*[:=]?")
_YEARS_AFTER = re.compile(rf"\s*{_YRS}")
_AGE_KEYS = ("age", "year", "yr", "y/o", " yo")
_AGE_SKIP_KEYS = ("menopaus", "amenorr", "fsh", "since the age", "maximum serum creat", "(male)", "mg/dl (")
_AGE_SKIP_ITEM = re.compile(r"\bmale\s+\d|creat\w*\b[^.]*(?:mg/dl|µmol|umol)")
_COND_BEFORE = re.compile(r"\b(?:for|if|in|when|among|whose|unless|except)\s+(?:\w+\s+){0,2}(?:\(\s*)?$")
_COND_AFTER = re.compile(
    r"\s*(?:\)\s*)?(?::|,?\s*(?:must|should)\s+(?:have|be)\s+(?:an?\s+)?(?:karnofsky|lansky|zubrod|ecog|kps|"
    r"performance|creatinine)|\s*(?:mg|ml|µmol|umol)|[;:,]?\s*(?:maximum\s+)?(?:serum\s+)?(?:creat\w*\s+)?"
    r"\d+(?:\.\d+)?\s*(?:mg|µmol|umol|\(?male))"
)
_OTHER_PERSON = re.compile(
    r"\b(?:death|died|sudden|relatives?|family|siblings?|parents?|offspring|diagnosed|onset|caregivers?)\b"
    r"[^.;:]{0,25}$"
)
_HEAD = re.compile(
    r"\W*(?:(?:male|female|men|women|adults?|patients?|participants?|subjects?|and|or|must|be|is|are|\()\s*)*$"
)
_AGE_FILL = re.compile(
    r"(?:\s|[:=(),\[]|\b(?:is|of|the|will|be|must|from|range|participants|patients|subjects|limit)\b)*"
)
_ANCHOR_SKIP = re.compile(
    r"(?:\b(?:since|before|after|at|by|until|reach|reached|onset|for|diagnosed|diagnosis)\s+(?:the\s+)?|-|"
    r"gestational\s+|\bthan\s+(?:the\s+)?predicted\s+for\s+|for\s+)$"
)
_BARE_AGE = re.compile(rf"({_AGE_N})(?!\s*(?:months?|weeks?|days?|%|mg|\.\d|\d|[-–]))")
_CMP_BEFORE_AGE = re.compile(rf"({cmp_regex()})\s+(?:the\s+)?$")


_DURATION_AFTER = re.compile(r"\s*(?:from|since|after|prior|before|ago|post|follow|of\s+(?!age)|duration)")
_YEAR_HIT = re.compile(r"y(?:ears?|rs?|/?o)\b")


@cache
def _start_re() -> re.Pattern[str]:
    """Where an age value can start: a digit, a comparator sign or the first word of a comparator phrase."""
    table: dict[str, list[str]] = load("comparators")
    firsts = {p.split()[0].lower() for ps in table.values() for p in ps if p[0].isalpha()}
    firsts |= {"between", "from", "eighteen", "twenty", "sixteen", "twelve", "thirty", "sixty"}
    firsts |= {"zero", "one", "two", "three", "four", "five"}
    words = "|".join(sorted(firsts, key=len, reverse=True))
    return re.compile(rf"[<>≤≥≦≧=&⩾⩽]|\b(?:{words})\b|(?<![\d.])\d")


_BEFORE_YEAR = re.compile(r"(?:\d|eighteen|twenty|sixteen|twelve|thirty|sixty)\s*$")


def _age_plausible(low: str, m: re.Match[str]) -> bool:
    """A match not anchored on "age" must say "years of age/old" or open the item ("Adults >= 18 years")."""
    if m.group("cmpa"):
        return True
    ym = _YEARS_AFTER.match(low, m.end())
    text = m.group(0) + (ym.group(0) if ym else "")
    if not re.search(r"\b(?:years?|yrs?|y/?o)\b", text):
        return False
    if re.search(r"of age|old|\by/?o\b", text):
        return True
    after = low[m.end() + (len(ym.group(0)) if ym else 0) :]
    return bool(_HEAD.match(low[: m.start()])) and not _DURATION_AFTER.match(after)


def _age_value(v: str) -> float | None:
    n = parse_number(v)
    return n if n is not None and 0 < n <= 120 else None


def _age_bounds(m: re.Match[str], exclusion: bool) -> tuple[float | None, float | None] | None:
    if m.group("between") or m.group("ra"):
        a = _age_value(m.group("ba") or m.group("ra"))
        b = _age_value(m.group("bb") or m.group("rb"))
        if a is None or b is None or a >= b or exclusion:
            return None
        return a, b
    pairs: list[tuple[Comparator, float]] = []
    if m.group("cmpa"):
        op, v = normalise_op(m.group("cmpa")), _age_value(m.group("va"))
        if op and v is not None:
            pairs.append((op, v))
    elif m.group("pv"):
        v = _age_value(m.group("pv"))
        if v is not None:
            pairs.append((">=" if m.group("up") else "<=", v))
    elif m.group("cmp"):
        op, v = normalise_op(m.group("cmp")), _age_value(m.group("cv"))
        if op and v is not None:
            pairs.append((op, v))
        if m.group("cmp2"):
            op2, v2 = normalise_op(m.group("cmp2")), _age_value(m.group("v2"))
            if op2 and v2 is not None:
                pairs.append((op2, v2))
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


def _age(ctx: ItemContext) -> tuple[list[Criterion], int | None]:
    """Age criterion of the item and the offset just past the age phrase (for "ages 18-70, female")."""
    low = ctx.lower
    if not any(k in low for k in _AGE_KEYS) or any(k in low for k in _AGE_SKIP_KEYS):
        return [], None
    if ("creat" in low or "male" in low) and _AGE_SKIP_ITEM.search(low):
        return [], None
    are = _age_re()
    cands: list[tuple[int, int, bool, tuple[float | None, float | None] | None]] = []
    for a in _AGE_ANCHOR.finditer(low):
        pre = low[max(0, a.start() - 30) : a.start()]
        if _ANCHOR_SKIP.search(pre):
            continue
        f = _AGE_FILL.match(low, a.end())
        pos = f.end() if f else a.end()
        m = are.match(low, pos)
        if m:
            cands.append((m.start(), m.end(), bool(m.group("cmpa")), _age_bounds(m, ctx.is_exclusion)))
            continue
        bare = _BARE_AGE.match(low, pos)
        if bare is None:
            continue
        v = _age_value(bare.group(1))
        pm = _CMP_BEFORE_AGE.search(pre)
        op = normalise_op(pm.group(1)) if pm else (">=" if not ctx.is_exclusion else None)
        if v is None or op is None:
            continue
        eff = negate(op) if ctx.is_exclusion and pm else op
        bounds: tuple[float | None, float | None] | None = None
        if eff in (">=", ">"):
            bounds = (v, None)
        elif eff in ("<=", "<"):
            bounds = (None, v)
        cands.append((pm.start() + max(0, a.start() - 30) if pm else a.start(), bare.end(), bool(pm), bounds))
    if "y" in low:
        for hit in _YEAR_HIT.finditer(low):
            b = _BEFORE_YEAR.search(low, max(0, hit.start() - 12), hit.start())
            if b is None:
                continue
            digit = b.start()
            for st in _start_re().finditer(low, max(0, digit - 45), min(len(low), digit + 9)):
                if st.start() > digit:
                    break
                m = are.match(low, st.start())
                if m is None or m.end() <= digit:
                    continue
                if _age_plausible(low, m):
                    cands.append((m.start(), m.end(), bool(m.group("cmpa")), _age_bounds(m, ctx.is_exclusion)))
                break
    cands.sort(key=lambda c: c[0])
    for start, stop, exempt, bounds in cands:
        if bounds is None:
            continue
        cond = _COND_BEFORE.search(low, max(0, start - 30), start)
        if (
            cond
            and not exempt
            and not re.search(r"(?:excluded|eligible)\s*$", low[max(0, cond.start() - 15) : cond.start()])
        ):
            continue
        if _OTHER_PERSON.search(low, max(0, start - 45), start):
            continue
        ym = _YEARS_AFTER.match(low, stop)
        end = ym.end() if ym else stop
        if _COND_AFTER.match(low, end):
            continue
        lo, hi = bounds
        # "at least 18 years of age and less than or equal to age 75": a second, complementary bound close by
        for start2, stop2, _ex2, b2 in cands:
            if b2 is None or start2 < end or start2 > end + 40 or low[end:start2].count(",") > 1:
                continue
            if lo is not None and hi is None and b2[0] is None and b2[1] is not None and b2[1] > lo:
                hi, end = b2[1], stop2
            elif hi is not None and lo is None and b2[1] is None and b2[0] is not None and b2[0] < hi:
                lo, end = b2[0], stop2
            break
        s, e = sentence_bounds(ctx.clean, start, end)
        return [ctx.make(Age, s, e, min_years=lo, max_years=hi)], end
    return [], None


# ---------------------------------------------------------------------------------------------------------- sex


@cache
def _sex_res() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[str, str]]:
    data = load("scales")
    words: dict[str, str] = {w.lower(): sex for sex, ws in data["sex"].items() for w in ws}
    alls = _phrase_alt(data["sex_all"])
    single = _phrase_alt(list(words))
    pair = rf"(?:{single})\s*(?:or|and|/|&)\s*(?:{single})"
    phrase = rf"(?P<all>{alls}|{pair})|(?P<one>{single})"
    lead = (
        r"^\W*(?:(?:the\s+)?(?:patients?|participants?|subjects?|individuals?)\s+(?:must\s+be|is|are|should\s+be)\s+"
        r"(?:an?\s+)?|be\s+an?\s+|sex\s*:\s*|gender\s*:\s*|biologically\s+born\s+|this\s+study\s+will\s+enroll\s+|"
        r"(?:patients?|participants?|subjects?)\s*\(\s*)?(?:(?:healthy|adult)\s+)?"
    )
    tail = (
        r"(?:\s+(?:patients?|participants?|subjects?|adults?|volunteers?|individuals?|sex|gender))?(?:\s+only)?"
        r"(?=\s*(?:$|[.,;)]|\(?\s*(?:aged?|ages|between|\d|≥|>|=|at\s+least|older|over|who\s+(?:are|is)\s+(?:at\s+least|"
        r"\d|≥|>|aged?|older|over))|of\s+(?:any\s+)?age|and\s+(?:≥|>|\d|aged?)|"
        r"must\s+be\s+(?:at\s+least|\d|≥|>|=|greater|older|over|aged?)|"
        r"with\s+(?!(?:[^.]*\b(?:eligible|allowed|permitted)\s+if|[^.]*\b(?:must|should|will)\b))))"
    )
    head = re.compile(lead + "(?:" + phrase + ")" + tail)
    anywhere = re.compile(
        r"\b(?:" + alls + r")\b(?!\s+(?:of\s+(?:childbearing|child-bearing|reproductive)|who|must|"
        r"partners?|participants?\s+of))"
    )
    after_age = re.compile(r"\s*[,;]?\s*(?:and\s+)?(?:" + phrase + r")\s*(?:$|[.;,])")
    return head, anywhere, after_age, words


_SEX_KEYS = ("male", "women", "woman", " men", " man", "sex", "gender", "girls", "boys", "ladies")
_SEX_NOT = re.compile(
    r"childbearing|child-bearing|reproductive|contracep|pregnan|sperm|lactat|breast-?\s?feed|nursing|steril|vasectom|"
    r"oophorectom|hysterectom|amenorr|menopaus|ovarian\s+suppression"
)
_SEX_KILL = ("creatinine", "mg/dl", "qtc", "msec")
_OPPOSITE: dict[str, Literal["female", "male"]] = {"female": "male", "male": "female"}


def _sex(ctx: ItemContext, age_end: int | None) -> list[Criterion]:
    low = ctx.lower
    if not low.startswith(("men", "man")) and not any(k in low for k in _SEX_KEYS):
        return []
    if any(k in low for k in _SEX_KILL):
        return []
    head, anywhere, after_age, words = _sex_res()
    if ctx.is_exclusion:
        m = re.fullmatch(r"\W*((?:fe)?males?|(?:wo)?m[ae]n)(?:\s+(?:patients?|participants?|subjects?))?\W*", low)
        if m and m.group(1) in words:
            s, e = m.span(1)
            return [ctx.make(Sex, sentence_bounds(ctx.clean, s, e)[0], None, sex=_OPPOSITE[words[m.group(1)]])]
        return []
    found: re.Match[str] | None = None
    if age_end is not None:
        am = after_age.match(low, age_end)
        if am:
            found = am
    if found is None:
        found = head.match(low)
        if found is not None and _SEX_NOT.search(low, 0, sentence_bounds(ctx.clean, 0, found.end())[1]):
            found = None
    if found is None and not _SEX_NOT.search(low):
        found = anywhere.search(low)
        if found is not None:
            s, e = found.span()
            sb = sentence_bounds(ctx.clean, s, e)
            return [ctx.make(Sex, sb[0], sb[1], sex="all")]
    if found is None:
        return []
    if "all" in (found.groupdict() or {}) and found.group("all"):
        sex: Literal["female", "male", "all"] = "all"
        s, e = found.span("all")
    else:
        w = found.group("one")
        sex = words.get(w, "all")  # type: ignore[assignment]
        s, e = found.span("one")
    sb = sentence_bounds(ctx.clean, s, e)
    return [ctx.make(Sex, sb[0], sb[1], sex=sex)]


# ----------------------------------------------------------------------------------------------- life expectancy


@cache
def _life_re() -> re.Pattern[str]:
    anchor = (
        r"life[\s-]*expectancy|(?:expected|estimated|anticipated|predicted|projected)\s+(?:patients?'?s?\s+|overall\s+)?"
        r"survival"
        r"(?:\s+time)?|survival\s+(?:expectancy|time|prognosis)|expected\s+to\s+(?:live|survive)|prognosis"
    )
    cmp = cmp_regex()
    num = r"(?:\d{1,3}(?:[.,]\d)?|one|two|three|four|five|six|eight|nine|ten|twelve|sixteen|twenty)"
    unit = r"(?P<unit>weeks?|wks?|months?|mos?|mths?|years?|yrs?|days?)\b"
    return re.compile(
        rf"\b(?:{anchor})\b(?P<fill>[^\d.;<>≤≥≦≧=&]{{0,45}}?)(?:(?P<cmp>{cmp})\s*)?(?P<v>{num})\s*(?:-\s*)?{unit}"
        rf"(?P<post>\s*(?:or|and)\s+(?:more|longer|greater|above|over))?"
    )


@cache
def _life_first_re() -> re.Pattern[str]:
    """Value first: "a minimum of 3 months life expectancy", "at least a 6-month or greater life expectancy"."""
    num = r"(?:\d{1,3}(?:[.,]\d)?|one|two|three|four|five|six|eight|nine|ten|twelve|sixteen|twenty)"
    unit = r"(?P<unit>weeks?|wks?|months?|mos?|mths?|years?|yrs?|days?)\b"
    return re.compile(
        rf"(?:(?P<cmp>{cmp_regex()})\s*)?(?:an?\s+)?\b(?P<v>{num})[\s-]*{unit}(?:\s*(?:or|and)\s+(?:more|longer|greater))?"
        r"(?P<fill>\s+(?:of\s+)?(?:anticipated\s+|estimated\s+|expected\s+|predicted\s+)?)life[\s-]*expectancy"
    )


_LIFE_KEYS = ("expectancy", "survival", "expected to", "prognosis")
_LIFE_NOT_BEFORE = re.compile(r"malignan|cancer that|associated with|affect|shorten|limit|poor\s*$|other")


def _life(ctx: ItemContext) -> list[Criterion]:
    low = ctx.lower
    if not any(k in low for k in _LIFE_KEYS):
        return []
    matches = list(_life_re().finditer(low))
    if not matches and "expectancy" in low:
        matches = list(_life_first_re().finditer(low))
    for m in matches:
        if _LIFE_NOT_BEFORE.search(low[max(0, m.start() - 40) : m.start()]):
            continue
        fill = m.group("fill")
        if re.search(r"\b(?:after|since|from|within|following)\b", fill):
            continue
        v = parse_number(m.group("v"))
        if v is None:
            continue
        op: Comparator | None = normalise_op(m.group("cmp")) if m.group("cmp") else ">="
        if op is None:
            continue
        if ctx.is_exclusion:
            op = negate(op)
        if op not in (">=", ">"):
            continue
        unit = m.group("unit")
        if unit.startswith("w"):
            months = round(v * 12 / 52, 2)
        elif unit.startswith("y"):
            months = v * 12
        elif unit.startswith("d"):
            months = round(v * 12 / 365, 2)
        else:
            months = v
        s, e = sentence_bounds(ctx.clean, m.start(), m.end())
        return [ctx.make(LifeExpectancy, s, e, min_months=months)]
    return []


# ------------------------------------------------------------------------------------------------------- family


_PS_KEYS = ("ecog", "karnofsky", "kps", "zubrod", "lansky", "performance", "ps")


def extract(ctx: ItemContext) -> list[Criterion]:
    """Performance status, age, sex and life-expectancy criteria of one item."""
    low = ctx.lower
    out: list[Criterion] = []
    if any(k in low for k in _PS_KEYS):
        out.extend(_performance(ctx))
    ages, age_end = _age(ctx)
    out.extend(ages)
    out.extend(_sex(ctx, age_end))
    out.extend(_life(ctx))
    return out
