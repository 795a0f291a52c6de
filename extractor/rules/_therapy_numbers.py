"""Numbers of the ``therapy`` family: quantities with a time unit, washout windows, minimum durations and
line limits, read with fast number / comparator patterns (numbers first, then anchored look-back / look-ahead)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.models import Comparator
from extractor.rules._common import negate, op_of, parse_number
from extractor.rules._therapy_agents import _trie_regex
from extractor.vocab import load


@cache
def _cmp_trie() -> str:
    table: dict[str, list[str]] = load("comparators")
    return "(?:" + _trie_regex([p for phrases in table.values() for p in phrases if p != "of"]) + ")"


_NUMW = r"(?:\d+(?:[.,]\d+)?|" + _trie_regex(list(load("numbers"))) + ")"
_CMP = _cmp_trie()
_UNIT = r"(?P<unit>days?|d|weeks?|wks?|w|months?|mos?|mths?|years?|yrs?)"

# Numbers are found first (cheap), then the words around them are read with anchored look-back / look-ahead.
_NUMTOK = re.compile(rf"(?<![\w.,/-])(?P<n>{_NUMW})(?![\w.,]\d|[a-z])")
_TIME_AFTER = re.compile(rf"\)?\s*(?:\(\s*{_NUMW}\s*\)\s*)?[\s-]?{_UNIT}\b")
_CMP_TAIL = re.compile(rf"(?<![a-z])(?P<cmp>{_CMP})\s*\(?$")
_PRE_TAIL = re.compile(
    r"(?P<pre>\bwithin(?:\s+(?:the\s+)?(?:last|past|previous|preceding|prior))?|\bin\s+the\s+(?:last|past|previous|"
    r"preceding|prior)|\bduring\s+the\s+(?:last|past|previous|preceding)|\bwash[\s-]?out(?:\s+period)?\s+of)"
    rf"\s*(?:{_CMP})?\s*\(?$"
)
_DUR_TAIL = re.compile(
    rf"(?:\bfor|\bduration\s+of|\blasting|\b(?:time|duration|period)\s+(?:is|was|of|must\s+be|should\s+be))\s+"
    rf"(?:{_CMP}\s*)?\(?$"
)
_WPOST = re.compile(
    rf"(?:\s*\([^)]{{0,40}}\))?\s*(?:or\s+{_NUMW}\s+half[\s-]lives\s*(?:\([^)]*\)\s*)?,?\s*"
    r"(?:whichever\s+is\s+(?:shorter|longer)\s*,?\s*)?)?(?P<post>prior|before|of\b|preceding|from|since|after|ago|"
    r"wash[\s-]?out|window|must\s+(?:have\s+)?(?:elapsed|passed)|have\s+(?:elapsed|passed)|has\s+(?:elapsed|passed)|"
    r"elapsed)?"
)
_DUR_OF = re.compile(
    r"\s+(?:of|on)\s+(?!(?:the\s+)?(?:last|completion|completing|start|starting|first\s+dose|initiation|end|"
    r"discontinu|diagnosis|registration|enrol|randomi|study|surgery|cycle|day|age\b))"
)
_AGE_AFTER = re.compile(r"\s*(?:of\s+age|old|or\s+older|of\s+life)\b")
_WINDOW_OF = re.compile(
    r"\s*(?:after|from|since|of)?\s*(?:the\s+)?(?:(?:last|final)\s+(?:dose|administration|cycle|treatment)\s+(?:of|with)\s+|"
    r"(?:completion|end|discontinuation)\s+of\s+)?(?:(?:a|an|any|prior|previous|the|other)\s+){0,3}"
)
_WASH_BEFORE = re.compile(r"wash[\s-]?out|elapsed|interval")
_GAP_POST = re.compile(r"since|elapsed|passed|ago|wash|from|after")
_AFTER_DURATION = re.compile(r"\s*(?:after|following|prior|before|since|from|post)\b")
_LINE_UNIT = r"(?<![a-z])(?:lines?|regimens?)\b"
_LINES_AFTER = re.compile(
    rf"(?:\s*(?:-|–|to|or)\s*(?P<n2>{_NUMW}))?(?P<post>\s+or\s+(?:more|fewer|less|greater|higher))?\s*\+?\s+"
    rf"(?:(?P<prior>(?:prior|previous)\s+(?:[a-z0-9/()+-]+\s+){{0,4}}?(?:{_LINE_UNIT}|therap(?:y|ies)\b|"
    rf"treatments?\b|chemotherap(?:y|ies)\b|agents?\b|(?:anti-?cancer|systemic)\s+\w+))"
    rf"|(?:[a-z0-9/()+-]+\s+){{0,3}}?{_LINE_UNIT})"
)
_TIME_WORD = re.compile(r"\b(?:days?|weeks?|months?|years?|cycles?|doses?|hours?|mg|courses?)\b")
_WEEKS_PER = {"d": 1 / 7, "w": 1.0, "m": 4.345, "y": 52.14}
_MONTHS_PER = {"d": 1 / 30.44, "w": 1 / 4.345, "m": 1.0, "y": 12.0}


def _unit_key(unit: str) -> str:
    u = unit.lower()
    if u.startswith("mo") or u.startswith("mth"):
        return "m"
    return u[0]


def _num(text: str | None) -> float | None:
    if not text:
        return None
    return parse_number(text.replace("–", "-"))


@dataclass
class _Window:
    start: int
    end: int
    weeks: float
    gap: bool  # "at least N weeks since": the rule is "not within N weeks"


@dataclass
class _Qty:
    start: int
    end: int
    n: float
    unit: str
    cmp: str | None
    pre: str | None
    post: str
    dur: bool
    unit_end: int


def _tokens(lower: str, s: int, e: int) -> list[tuple[int, int, float]]:
    out = []
    for m in _NUMTOK.finditer(lower, s, e):
        n = _num(m.group("n"))
        if n is not None:
            out.append((m.start(), m.end(), n))
    return out


def _quantities(lower: str, s: int, e: int, toks: list[tuple[int, int, float]]) -> list[_Qty]:
    out: list[_Qty] = []
    for ns, ne, n in toks:
        u = _TIME_AFTER.match(lower, ne, e)
        if not u or _AGE_AFTER.match(lower, u.end()):
            continue
        back = max(s, ns - 45)
        c = _CMP_TAIL.search(lower, back, ns)
        p = _PRE_TAIL.search(lower, back, ns)
        d = _DUR_TAIL.search(lower, back, ns)
        post = _WPOST.match(lower, u.end(), e)
        start = min(x.start() for x in (c, p, d, u) if x is not None) if (c or p or d) else ns
        end = post.end() if post and post.group("post") else u.end()
        out.append(
            _Qty(
                start,
                end,
                n,
                u.group("unit"),
                c.group("cmp") if c else None,
                p.group("pre") if p else None,
                (post.group("post") or "") if post else "",
                bool(d),
                u.end(),
            )
        )
    return out


def _windows(lower: str, s: int, qtys: list[_Qty]) -> list[_Window]:
    out: list[_Window] = []
    for q in qtys:
        pre, cmp, post = q.pre, q.cmp, q.post
        if q.n > 1000 or (q.dur and not pre and post not in ("prior", "before", "preceding")):
            continue
        before = lower[max(s, q.start - 25) : q.start]
        washout = "wash" in (pre or "") or "wash" in post or bool(_WASH_BEFORE.search(before))
        paren_for = lower[max(s, q.start - 2) : q.start].strip().endswith("(") and lower.startswith(" for ", q.unit_end)
        if not (pre or cmp or post or washout or paren_for):  # "(6 weeks for nitrosoureas)" restates a window
            continue
        if not pre and post.startswith("of") and not washout and (not cmp or _DUR_OF.match(lower, q.unit_end)):
            continue  # "6 months of therapy", "at least 3 years of first-line treatment": a duration
        if post.startswith("after") and not cmp:
            continue  # "4 weeks after the last dose" (contraception, follow-up)
        op = op_of(cmp) if cmp else None
        gap = op in (">=", ">") or (op is None and not pre and bool(_GAP_POST.search(post)))
        gap = gap or (washout and op not in ("<", "<="))
        weeks = round(q.n * _WEEKS_PER[_unit_key(q.unit)], 2)
        if paren_for and not (pre or cmp or post) and out:
            gap = out[-1].gap  # "> 4 weeks (6 weeks for nitrosoureas)": same kind of window as the one it restates
        out.append(_Window(q.start, q.end, weeks, gap))
    return out


def _duration(lower: str, qtys: list[_Qty], windows: list[_Window], e: int) -> float | None:
    for q in qtys:
        if any(w.start < q.end and q.start < w.end for w in windows):
            continue
        unit_end = q.unit_end
        if q.dur or (q.cmp and _DUR_OF.match(lower, unit_end, e)):
            if _AFTER_DURATION.match(lower, unit_end, e):
                continue
            return round(q.n * _MONTHS_PER[_unit_key(q.unit)], 2)
    return None


@dataclass
class _LineInfo:
    lo: int | None
    hi: int | None
    start: int
    end: int
    negated_at: list[int]  # starts of limits read through a negation right before them


def _lines(lower: str, s: int, e: int, toks: list[tuple[int, int, float]], exclusion: bool) -> _LineInfo | None:
    """Line limits of the sentence, combining statements ("at least 1 ... no more than 3")."""
    found = _line_statements(lower, s, e, toks, exclusion)
    if not found:
        return None
    los = [x[0] for x in found if x[0] is not None]
    his = [x[1] for x in found if x[1] is not None]
    return _LineInfo(
        min(los) if los else None,
        max(his) if his else None,
        found[0][2],
        found[-1][3],
        [x[2] for x in found if x[4]],
    )


_NEG_TAIL = re.compile(r"\b(?:not|no|never)\b(?:\s+\w+){0,3}\s*$")


def _line_statements(
    lower: str, s: int, e: int, toks: list[tuple[int, int, float]], exclusion: bool
) -> list[tuple[int | None, int | None, int, int, bool]]:
    out: list[tuple[int | None, int | None, int, int, bool]] = []
    skip_to = -1
    for ns, ne, n1 in toks:
        if ns < skip_to:
            continue
        m = _LINES_AFTER.match(lower, ne, e)
        if not m:
            continue
        skip_to = m.end()
        words = lower[m.end("n2") if m.group("n2") else ne : m.end()]
        if _TIME_WORD.search(words):
            continue
        n2 = _num(m.group("n2"))
        if n1 > 20 or (n2 is not None and n2 > 20):
            continue
        c = _CMP_TAIL.search(lower, max(s, ns - 30), ns)
        op: Comparator | None = op_of(c.group("cmp")) if c else None
        post = (m.group("post") or "").strip()
        if "more" in post or "greater" in post or "higher" in post:
            op = ">="
        elif post:
            op = "<="
        st = c.start() if c else ns
        negated = bool(_NEG_TAIL.search(lower, max(s, st - 25), st))
        lo: float | None
        hi: float | None
        if n2 is not None and op is None:
            lo, hi = min(n1, n2), max(n1, n2)
        else:
            if exclusion and op is None and not negated:
                continue  # a bare count in an exclusion ("count as single lines") states no limit
            if exclusion != negated:
                op = negate(op) if op else "<"
            lo = hi = None
            if op in (None, ">="):
                lo = n1
            elif op == ">":
                lo = n1 + 1
            elif op == "<=":
                hi = n1
            elif op == "<":
                hi = n1 - 1
            elif op == "=":
                lo = hi = n1
        out.append((int(lo) if lo is not None else None, int(hi) if hi is not None else None, st, m.end(), negated))
    return out
