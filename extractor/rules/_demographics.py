"""Age, sex and life expectancy (kinds ``age``, ``sex``, ``life_expectancy``).

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

from extractor.models import Age, Comparator, Criterion, LifeExpectancy, Sex
from extractor.rules._common import ItemContext, negate, parse_number
from extractor.rules._performance_common import cmp_regex, normalise_op, phrase_alt, sentence_bounds, start_re
from extractor.vocab import load

__all__ = ["extract_age", "extract_life_expectancy", "extract_sex"]

# ---------------------------------------------------------------------------------------------------------- age

_AGE_N = r"(?:\d{1,3}(?:\.\d)?|eighteen|twenty-one|twenty|sixteen|twelve|thirty|sixty)"
_YRS = r"(?:years?|yrs?|y/?o)\b(?:\s*(?:of\s+age|old|of\s+life|of\s+age\s+or\s+older))?"


@cache
def _age_re() -> re.Pattern[str]:
    cmp = cmp_regex()
    up = r"(?:or|and)\s+(?:older|over|above|greater|more|higher|up)\b|\+"
    down = r"(?:or|and)\s+(?:younger|under|below|less)\b"
    # spaces around optional parts are read possessively: overlapping "\s*" read a run of spaces in cubic time
    second = (
        rf"(?:\s*+{_YRS})?\s*+(?:,|and|but|to|or)?\s*+(?P<cmp2>{cmp})\s*+(?P<v2>{_AGE_N})"
        r"(?!\s*(?:months?|weeks?|days?))"
    )
    return re.compile(
        rf"""(?:
          (?P<between>between|from)\s+(?:the\s+ages?\s+of\s+)?(?P<ba>{_AGE_N})\s*+(?:{_YRS})?\s*+(?:and|to|-)\s*(?P<bb>{_AGE_N})
        | (?P<cmpa>{cmp})\s*(?:the\s+)?age\s+of\s+(?P<va>{_AGE_N})
        | (?:{cmp}\s*)?(?P<ra>{_AGE_N})\s*+(?:{_YRS})?\s*+(?:-|–|to|through|and)\s*+(?:{cmp}\s*+)?
          (?P<rb>{_AGE_N})(?!\s*(?:months?|weeks?|days?))
        | (?P<pv>{_AGE_N})\s*+(?:{_YRS})?\s*+(?:(?P<up>{up})|(?P<down>{down}))
        | (?P<cmp>{cmp})\s*(?P<cv>{_AGE_N})(?!\s*(?:months?|weeks?|days?|%|mg|ml|x|\.\d))(?:{second})?
        | (?P<sv>{_AGE_N})\s*{_YRS}
        )""",
        re.VERBOSE,
    )


_AGE_ANCHOR = re.compile(r"\b(?:age[ds]?|ages\s+of)\b\s*[:=]?")
_YEARS_AFTER = re.compile(rf"\s*{_YRS}")
_AGE_KEYS = ("age", "year", "yr", "y/o", " yo")
_AGE_SKIP_KEYS = ("menopaus", "amenorr", "fsh", "since the age", "maximum serum creat", "(male)", "mg/dl (")
# (creatinine-by-age tables) only the first "creat" of a sentence is tried: one that fails to find a unit fails for
# every later one, and retrying each re-read the sentence
_AGE_SKIP_ITEM = re.compile(r"\bmale\s+\d|(?<![^.])(?>[^.]*?creat\w*+)[^.]*?(?:mg/dl|µmol|umol)")
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
    r"\W*+(?:(?:male|female|men|women|adults?|patients?|participants?|subjects?|and|or|must|be|is|are|\()\s*+)*$"
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
    return bool(_HEAD.match(low, 0, m.start())) and not _DURATION_AFTER.match(after)


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


def extract_age(ctx: ItemContext) -> tuple[list[Criterion], int | None]:
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
            for st in start_re().finditer(low, max(0, digit - 45), min(len(low), digit + 9)):
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
    alls = phrase_alt(data["sex_all"])
    single = phrase_alt(list(words))
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


def extract_sex(ctx: ItemContext, age_end: int | None) -> list[Criterion]:
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


def extract_life_expectancy(ctx: ItemContext) -> list[Criterion]:
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
