"""Rule family ``therapy``: prior treatment (drugs, classes, radiotherapy, surgery) -> ``prior_therapy``.

Per sentence of an item: agent mentions (one trie regex compiled from ``vocab/drugs.yaml``), dropped when a
false-friend word precedes them ("hypersensitivity to", "eligible for", "toxicity from"); then requirement
(required / excluded / allowed, effective-rule convention), setting, line limits, minimum duration, washout
window and response. Agents with different washout windows ("chemotherapy within 3 weeks or radiotherapy within
2 weeks") or different requirements ("... except adjuvant endocrine therapy") become separate criteria.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from extractor.models import Comparator, Criterion, PriorTherapy
from extractor.rules._common import ItemContext, negate, op_of, parse_number
from extractor.vocab import load

__all__ = ["extract", "find_agents"]

_SEP = "\x00"
_SEP_RE = re.compile(r"[\s\-]+")


def _key(text: str) -> str:
    """Lookup key of a name: lower case without spaces and hyphens ("T-DM1" -> "tdm1")."""
    return text.lower().replace(" ", "").replace("-", "").replace("\t", "").replace("\n", "")


def _trie_regex(words: list[str]) -> str:
    """Regex matching any of ``words`` (a trie, so one pass; spaces/hyphens match any run of them or none)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = root
        for ch in re.sub(r"[\s\-]+", _SEP, w.strip().lower()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        alts = [(r"[\s\-]*" if ch == _SEP else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return emit(root)


@cache
def _lexicon() -> tuple[
    re.Pattern[str], dict[str, str], list[tuple[str, re.Pattern[str], str]], re.Pattern[str], tuple[str, ...]
]:
    data = load("drugs")
    table: dict[str, str] = {}
    words: list[str] = []
    for generic, spec in data["drugs"].items():
        for alias in [generic, *(spec.get("aliases") or [])]:
            table.setdefault(_key(alias), generic)
            words.append(alias)
    for cls, aliases in data["classes"].items():
        for alias in aliases:
            table.setdefault(_key(alias), cls)
            words.append(alias)
    for cls, aliases in (data.get("negated") or {}).items():
        for alias in aliases:
            table.setdefault(_key(alias), "!" + cls)  # "treatment-naive": the class, negated
            words.append(alias)
    rx = re.compile(r"(?<![a-z0-9-])" + _trie_regex(words) + r"(?![a-z0-9])")
    extra = [
        (re.match(r"[a-z]*", p).group(), re.compile(p), name)  # type: ignore[union-attr]
        for name, pats in (data.get("patterns") or {}).items()
        for p in pats
    ]
    suffixes = tuple(data.get("generic_suffixes") or ())
    srx = re.compile(_trie_regex(list(suffixes)) + r"(?![a-z0-9])")
    return rx, table, extra, srx, suffixes


@dataclass
class _Agent:
    start: int
    end: int
    name: str
    neg: bool = False  # named through a negated phrase ("treatment-naive", "previously untreated")


_LAST: list[tuple[str, list[_Agent]]] = []  # one-entry memo: therapy and disease both look up the same item


def find_agents(lower: str) -> list[_Agent]:
    """Every agent mention in lower-cased text, longest match first, non-overlapping, in order."""
    if _LAST and _LAST[0][0] is lower:
        return list(_LAST[0][1])
    found = _find_agents(lower)
    _LAST[:] = [(lower, found)]
    return list(found)


_COORD = re.compile(r"([a-z0-9][a-z0-9()/-]{1,12})\s*(?:,\s*(?:and/or|or|and)?|and/or|or|and|/)\s*$")


def _coordinated_targets(lower: str, found: list[_Agent], table: dict[str, str]) -> None:
    """'PD-1, PD-L1, or CTLA-4 inhibitors': the class word also applies to the bare targets before it."""
    for a in list(found):
        if not a.name.endswith("inhibitor"):
            continue
        pos = a.start
        for _ in range(4):
            m = _COORD.search(lower, max(0, pos - 30), pos)
            if m is None:
                break
            name = table.get(_key(m.group(1) + " inhibitor"))
            if name is None or any(x.start <= m.start(1) < x.end for x in found):
                break
            found.append(_Agent(m.start(1), m.end(1), name))
            pos = m.start(1)


def _find_agents(lower: str) -> list[_Agent]:
    rx, table, extra, srx, _suffixes = _lexicon()
    found: list[_Agent] = []
    for m in rx.finditer(lower):
        name = table.get(_key(m.group()))
        if name is not None:
            neg = name.startswith("!")
            found.append(_Agent(m.start(), m.end(), name[1:] if neg else name, neg))
    for gate, prx, name in extra:
        if gate not in lower:
            continue
        for m in prx.finditer(lower):
            found = [a for a in found if a.end <= m.start() or a.start >= m.end()]
            found.append(_Agent(m.start(), m.end(), name))
    if "inhibitor" in lower:
        _coordinated_targets(lower, found, table)
    if "prior" in lower or "previous" in lower or "treat" in lower or "receiv" in lower:
        for m in srx.finditer(lower):  # unknown INN-like drug names ("ceralasertib"): suffix, then the word start
            start = m.start()
            while start > 0 and lower[start - 1].isalpha():
                start -= 1
            if m.start() - start < 3 or (start > 0 and lower[start - 1] in "-0123456789"):
                continue
            if all(a.end <= start or a.start >= m.end() for a in found):
                found.append(_Agent(start, m.end(), lower[start : m.end()]))
    found.sort(key=lambda a: a.start)
    return found


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
_EXCEPT_TREATED = re.compile(r"\b(?:previously|treated|received|exposed|pretreated|those\s+who|patients\s+who)\b")
_FOR_TREATMENT = re.compile(r"\s+(?:for|to\s+receive|to\s+undergo)\b")
_WINDOW_OF = re.compile(
    r"\s*(?:after|from|since|of)?\s*(?:the\s+)?(?:(?:last|final)\s+(?:dose|administration|cycle|treatment)\s+(?:of|with)\s+|"
    r"(?:completion|end|discontinuation)\s+of\s+)?(?:(?:a|an|any|prior|previous|the|other)\s+){0,3}"
)
_WASH_BEFORE = re.compile(r"wash[\s-]?out|elapsed|interval")
_GAP_POST = re.compile(r"since|elapsed|passed|ago|wash|from|after")
_PARENS = re.compile(r"\([^)]*\)")
_AFTER_DURATION = re.compile(r"\s*(?:after|following|prior|before|since|from|post)\b")

_LINE_UNIT = r"(?<![a-z])(?:lines?|regimens?)\b"
_LINES_AFTER = re.compile(
    rf"(?:\s*(?:-|–|to|or)\s*(?P<n2>{_NUMW}))?(?P<post>\s+or\s+(?:more|fewer|less|greater|higher))?\s*\+?\s+"
    rf"(?:(?P<prior>(?:prior|previous)\s+(?:[a-z0-9/()+-]+\s+){{0,4}}?(?:{_LINE_UNIT}|therap(?:y|ies)\b|"
    rf"treatments?\b|chemotherap(?:y|ies)\b|agents?\b|(?:anti-?cancer|systemic)\s+\w+))"
    rf"|(?:[a-z0-9/()+-]+\s+){{0,3}}?{_LINE_UNIT})"
)
_TIME_WORD = re.compile(r"\b(?:days?|weeks?|months?|years?|cycles?|doses?|hours?|mg|courses?)\b")

_SENT_END = re.compile(r"[;.]|   +")
_SENT_NEXT = re.compile(r"\s*[A-Z(\d]")
_ABBREV = ("e.g", "i.e", " vs", " no", "etc", " al", " dr", "approx")


def _lex(stems: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Fast alternation of literal phrases (a trie): ``stems`` match as word starts, ``words`` as whole words."""
    alts = []
    if stems:
        alts.append(_trie_regex(list(stems)))
    if words:
        alts.append("(?:" + _trie_regex(list(words)) + ")(?![a-z0-9])")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + ")")


_CUE = _lex(
    stems=(
        "prior",
        "previous",
        "pretreated",
        "pre-treated",
        "heavily",
        "received",
        "receives",
        "receiving",
        "treated",
        "treatment with",
        "treatments with",
        "therapy with",
        "therapies with",
        "exposure",
        "exposed",
        "progress",
        "refractory",
        "resistant",
        "relaps",
        "recurr",
        "fail",
        "intoleran",
        "naive",
        "naïve",
        "history",
        "undergone",
        "underwent",
        "within",
        "washout",
        "wash-out",
        "wash out",
        "since",
        "elapsed",
        "last dose",
        "complet",
        "discontinu",
        "following",
        "before",
        "administered",
        "administration",
        "use of",
        "taken",
        "given",
        "recent",
        "treatment-free",
        "interval",
        "pretreatment",
        "maintenance",
        "continuous",
        "duration",
    ),
    words=("had", "line", "lines", "regimen", "regimens", "after", "ago", "used"),
)
_FALSE_FRIEND = _lex(
    stems=(
        "hypersensitiv",
        "allerg",
        "contraindicat",
        "sensitivity to",
        "candidates for",
        "candidate for",
        "eligible for",
        "eligible to",
        "suitable for",
        "appropriate for",
        "amenable to",
        "planned",
        "planning",
        "plan to",
        "plans to",
        "scheduled",
        "will receiv",
        "will be receiv",
        "to receive ",
        "to be receive",
        "to be treated",
        "to undergo",
        "that undergo",
        "who undergo",
        "undergoing",
        "will undergo",
        "concurrent",
        "concomitant",
        "simultaneous",
        "toxicit",
        "adverse",
        "side effect",
        "complication",
        "due to",
        "related to",
        "attributed",
        "induced by",
        "recovered from",
        "recovery from",
        "recover from",
        "resolution",
        "resolved",
        "unable to",
        "inability",
        "refus",
        "declin",
        "unwilling",
        "willing",
        "requir",
        "need for",
        "need ",
        "needs ",
        "indicated for",
        "indication for",
        "standard of care",
        "physician's choice",
        "physicians choice",
        "investigator's choice",
        "anticipat",
        "expected to",
        "intend",
        "candidate",
        "fit for",
        "access to",
        "option",
        "available",
        "response to",
        "reaction",
        "infusion",
        "mixed with",
        "dose of study",
        "effects of",
        "effect of",
        "prior to ",
        "time of",
        "feasib",
        "provide",
        "consultation",
        "starting",
        "start of",
        "initiation of",
        "initiating",
        "first dose of",
        "in combination with",
        "combined with",
        "explained by",
        "receiving study",
    ),
)
_AFTER_FF = re.compile(
    r"[\s-]*(?:induced|related|associated|pneumonitis|fields?|dermatitis|recall|necrosis|injury|exposure|"
    r"oncolog\w*|damage|port|planning|toxicit\w*|is\s+(?:planned|indicated|required|feasible)|candidates?|naive\s+to|"
    r"infusion|product|manufactur\w*|must\s+be\s+feasible)"
)
_SKIP_SENTENCE = _lex(
    stems=(
        "contracept",
        "pregnan",
        "breastfeed",
        "breast feed",
        "breast-feed",
        "lactat",
        "childbearing",
        "sperm",
        "birth control",
        "abstinen",
        "swallow",
        "grapefruit",
        "hypersensitiv",
        "allergic",
        "allergy",
        "malignanc",
    ),
    words=("willing", "consent"),
)
_BRAIN = re.compile(
    r"(?:brain|cns|cerebral|intracranial|leptomening\w*)\s+(?:\w+\s+){0,2}?(?:metast|lesion|disease)|"
    r"(?:metastas[ie]s|lesions?)\s+(?:to|in|of)\s+(?:the\s+)?(?:brain|cns)"
)
_LOCAL_AGENTS = frozenset({"radiotherapy", "surgery", "major surgery", "minor surgery", "corticosteroid"})

_NEG = _lex(
    stems=("naive", "naïve"),
    words=("no", "not", "never", "without", "none", "nor", "neither", "free of", "free from", "cannot"),
)
_NEG_STRIP = re.compile(
    r"\b(?:no|not)\s+(?:more|less|greater|fewer|longer)\s+than|\bnot\s+exceed\w*|\bwith\s+or\s+without|"
    r"\bwhether\s+or\s+not|\bnot\s+limited\s+to|\bno\s+(?:evidence\s+of\s+)?(?:disease\s+|radiographic\s+)?"
    r"progression|\bwithout\s+(?:evidence\s+of\s+)?(?:disease\s+|radiographic\s+)?progression|"
    r"\bnot\s+(?:have\s+)?progressed|\bfree\s+(?:of|from)\s+(?:disease\s+)?progression|\bno\s+(?:other|alternative|further|available|standard|approved)\b[^.;]*"
    r"(?:option|therap|treatment)|\bnot\s+(?:a\s+)?candidates?|\bno\s+longer|"
    r"\bnot\s+(?:be\s+)?(?:amenable|suitable|eligible|appropriate|fit|considered)\b"
)
_NAIVE_AFTER = re.compile(r"[\s-]*na[iï]ve")
_OK_WORDS = ("allowed", "permitted", "acceptable", "eligible", "permissible")
_ALLOWED = _lex(
    words=(
        *_OK_WORDS,
        "accepted",
        "allowable",
        "is ok",
        "are ok",
        "may be receiving",
        "may receive",
        "may continue",
        "could have received",
        "could have had",
        "may have undergone",
        "may have been treated",
        "may have been previously treated",
        *(
            f"{m} {h}{v}"
            for m in ("may", "can")
            for h in ("", "have ")
            for v in ("received", "had", "be included", "be enrolled", "be eligible", "participate", "enrol", "enter")
        ),
    ),
)
_DISALLOWED = _lex(
    words=(
        *(f"{n} {b}{w}" for n in ("not", "never", "no") for b in ("", "be ") for w in _OK_WORDS),
        *(f"{v} {w}" for v in ("is", "are", "will be") for w in ("excluded", "ineligible")),
        "prohibited",
        "disallowed",
    ),
)
_EXCEPT = _lex(
    words=(
        "except",
        "except for",
        "excluding",
        "other than",
        "with the exception of",
        "apart from",
        "besides",
        "save for",
        "not including",
        "with exception of",
    ),
)
_STARTED = re.compile(r"\b(?:started|initiated|stable\s+dose|been\s+on|been\s+receiving)\b")
_PROGRESSED = re.compile(r"progress\w*\s+(?:on|after|following|during|despite)|refractory|relapsed\s+after|failed")

_SETTING_ANY = re.compile(
    r"\bany\s+(?:line|setting|treatment\s+setting|disease\s+setting)|regardless\s+of\s+(?:the\s+)?setting"
)
_SETTING_MET = re.compile(
    r"\b(?:metastatic|advanced|recurrent|unresectable|incurable|palliative|non[\s-]?curative)\s+(?:or\s+\w+\s+)?"
    r"(?:[\w/()-]+\s+){0,3}?(?:setting|disease|stage)\b|\bfor\s+(?:the\s+treatment\s+of\s+)?(?:their\s+)?"
    r"(?:(?:locally\s+)?advanced|metastatic|recurrent)\b|\b(?:m(?:bc|crpc|hspc|nsclc|crc))\b|"
    r"\b(?:first|second|third|1st|2nd|3rd|later)[\s-]line\b"
)
_MET_WORDS = (
    "metasta",
    "advanced",
    "recurr",
    "unresect",
    "incurable",
    "palliat",
    "curative",
    "line",
    "mbc",
    "mcrpc",
    "mhspc",
    "mnsclc",
    "mcrc",
)
_SETTING_NEO = re.compile(r"neo[\s-]?adjuvant|\(neo\)\s*-?adjuvant|neo/adjuvant|peri[\s-]?operative|pre[\s-]?operative")
_SETTING_ADJ = re.compile(r"(?<![\w)/-])adjuvant|post[\s-]?operative")
_SETTING_EARLY = re.compile(r"\bearly[\s-](?:stage|breast|disease|setting)|\bcurative[\s-](?:intent|setting)")
_RESPONSE = _lex(
    words=(
        *(f"{a}{r}" for a in ("complete ", "complete or partial ", "partial ") for r in ("response", "remission")),
        "stable disease",
        "disease control",
        "controlled disease",
        "responding",
        "responded",
        "responsive",
        "nonprogressive",
        "non-progressive",
        "clinical benefit",
        "objective response",
        "radiologic response",
        "radiological response",
        "free of progression",
        "free of disease progression",
        "free from progression",
        "free from disease progression",
        "not progressed",
        "not have progressed",
        *(
            f"{n} {e}{d}progression"
            for n in ("without", "no")
            for e in ("", "evidence of ")
            for d in ("", "disease ", "radiographic ", "radiological ")
        ),
    ),
)

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
class _Group:
    agents: list[_Agent] = field(default_factory=list)
    window: _Window | None = None
    mode: str = "base"  # base | allowed | exception | excluded
    neg: bool = False  # the clause negates the agents ("no prior ...", "must not have received ...")
    clause: tuple[int, int] = (0, 0)


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


def _setting(lower: str, s: int, e: int) -> str | None:
    seg = lower[s:e]
    if ("any " in seg or "regardless" in seg) and _SETTING_ANY.search(seg):
        return "any"
    met = _SETTING_MET.search(seg) if any(w in seg for w in _MET_WORDS) else None
    adjuvant = "adjuvant" in seg or "operative" in seg
    neo = _SETTING_NEO.search(seg) if adjuvant else None
    adj = _SETTING_ADJ.search(seg) if adjuvant else None
    early = _SETTING_EARLY.search(seg) if "early" in seg or "curative" in seg else None
    hits = [(m.start(), name) for m, name in ((met, "metastatic"), (neo, "neoadjuvant"), (adj, "adjuvant")) if m]
    if neo and adj:
        hits = [(min(neo.start(), adj.start()), "early")] + ([(met.start(), "metastatic")] if met else [])
    if not hits:
        return "early" if early else None
    hits.sort()
    return hits[0][1]


def _sentences(clean: str) -> list[tuple[int, int]]:
    """Sentence spans: cut at ";", at ". " before a capital / digit, and at runs of 3+ spaces before a capital."""
    if ";" not in clean and ". " not in clean and "   " not in clean:
        return [(0, len(clean))] if clean.strip() else []
    out: list[tuple[int, int]] = []
    pos = 0
    for m in _SENT_END.finditer(clean):
        i = m.start()
        c = m.group()
        if c == ".":
            if not clean.startswith(" ", i + 1) or not _SENT_NEXT.match(clean, i + 1):
                continue
            if clean[max(0, i - 4) : i].lower().endswith(_ABBREV) or (i > 0 and clean[i - 1].isdigit()):
                continue
            out.append((pos, i + 1))
        elif c == ";":
            out.append((pos, i))
        else:
            if not _SENT_NEXT.match(clean, m.end()):
                continue
            out.append((pos, i))
        pos = m.end()
    out.append((pos, len(clean)))
    return [(s, e) for s, e in out if clean[s:e].strip()]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " ,;:-–)(":
        s += 1
    while e > s and text[e - 1] in " ,;:-–(":
        e -= 1
    if e > s and text[e - 1] == ")" and text[s:e].count("(") < text[s:e].count(")"):
        e -= 1
    return s, e


def _paren_depth_open(lower: str, s: int, pos: int) -> int:
    """Start of the innermost parenthesis open at ``pos`` (or -1)."""
    depth = 0
    for i in range(pos - 1, s - 1, -1):
        c = lower[i]
        if c == ")":
            depth += 1
        elif c == "(":
            if depth == 0:
                return i
            depth -= 1
    return -1


# Substring prefilters: which optional cue families can occur in the item at all (cheap, not exact).
_FLAG_WORDS: dict[str, tuple[str, ...]] = {
    "brain": ("brain", "cns", "cerebr", "intracran", "leptomen"),
    "modes": (
        "allow",
        "permi",
        "accept",
        "eligib",
        "except",
        "excluding",
        "other than",
        "apart from",
        "besides",
        "save for",
        "not including",
        "with exception of",
        "prohibit",
        "excluded",
        "may ",
        "can ",
        "could ",
        "ok",
    ),
    "digits": (
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "twelve",
        "single",
        "twenty",
    ),
    "response": ("complete", "partial", "stable", "progress", "control", "respon", "benefit"),
    "lines": ("line", "regimen", "prior", "previous"),
    "setting": (
        "metasta",
        "advanced",
        "recurr",
        "unresect",
        "incurable",
        "palliat",
        "curative",
        "adjuvant",
        "operative",
        "early",
        "setting",
        "mbc",
        "mcrpc",
        "mhspc",
        "mnsclc",
        "mcrc",
        "line",
        "regardless",
    ),
}


_FLAG_RX: dict[str, re.Pattern[str]] = {
    name: re.compile(_trie_regex([w for w in words if not w.isdigit()]) + ("|[0-9]" if name == "digits" else ""))
    for name, words in _FLAG_WORDS.items()
}


class _Flags:
    """Which optional cues occur anywhere in the item, computed on first use (sentences skip searches that
    cannot hit)."""

    __slots__ = ("_lower", "_memo")

    def __init__(self, lower: str) -> None:
        self._lower = lower
        self._memo: dict[str, bool] = {}

    def _get(self, name: str) -> bool:
        v = self._memo.get(name)
        if v is None:
            rx = _SKIP_SENTENCE if name == "skip" else _FLAG_RX[name]
            v = bool(rx.search(self._lower))
            self._memo[name] = v
        return v

    @property
    def skip(self) -> bool:
        return self._get("skip")

    @property
    def brain(self) -> bool:
        return self._get("brain")

    @property
    def modes(self) -> bool:
        return self._get("modes")

    @property
    def digits(self) -> bool:
        return self._get("digits")

    @property
    def response(self) -> bool:
        return self._get("response")

    @property
    def lines(self) -> bool:
        return self._get("lines")

    @property
    def setting(self) -> bool:
        return self._get("setting")


def _mode(lower: str, s: int, e: int, a: _Agent, flags: _Flags, exclusion: bool = False) -> str:  # noqa: PLR0917
    """exception (after "except", or in an allowed parenthesis) / allowed / excluded (a not-allowed clause) / base.

    "except previously treated with X" names who is left out: X is excluded in an inclusion item."""
    if not flags.modes:
        return "base"
    po = _paren_depth_open(lower, s, a.start)
    if po >= 0:
        pc = lower.find(")", a.end, e)
        inner = lower[po + 1 : pc if pc >= 0 else e]
        m = _EXCEPT.search(lower, po, a.start)
        if m:
            return "excluded" if not exclusion and _EXCEPT_TREATED.search(lower, m.end(), a.start) else "exception"
        if _DISALLOWED.search(inner):
            return "excluded"
        if _ALLOWED.search(inner):
            return "exception"
    exc = None
    for m in _EXCEPT.finditer(lower, s, a.start):
        exc = m
    if exc is not None and ")" not in lower[exc.end() : a.start]:
        if not exclusion and _EXCEPT_TREATED.search(lower, exc.end(), a.start):
            return "excluded"
        return "exception"
    outside = _PARENS.sub(" ", lower[s:e]) if "(" in lower[s:e] else lower[s:e]
    for m in _DISALLOWED.finditer(outside):  # "not eligible for transplant" is not a prohibition
        if "eligible" not in m.group() or not _FOR_TREATMENT.match(outside, m.end()):
            return "excluded"
    for m in _ALLOWED.finditer(outside):
        if "eligible" not in m.group() or not _FOR_TREATMENT.match(outside, m.end()):
            return "allowed"
    return "base"


def _closed_paren(lower: str, s: int, pos: int, until: int) -> bool:
    """Whether ``pos`` sits in a parenthesis that closes before ``until``."""
    po = _paren_depth_open(lower, s, pos)
    return po >= 0 and lower.find(")", pos, until) >= 0


def _keep(lower: str, s: int, a: _Agent, brain: bool) -> bool:
    if brain and (a.name in _LOCAL_AGENTS or a.neg):
        return False
    ff = None
    for m in _FALSE_FRIEND.finditer(lower, max(s, a.start - 70), a.start):
        ff = m
    between = lower[ff.end() : a.start] if ff is not None else ""
    if ff is not None and ". " not in between and ";" not in between and ")" not in between:
        return False
    return not _AFTER_FF.match(lower, a.end)


_CLAUSE_BREAK = _lex(
    words=(
        "but",
        "however",
        "whereas",
        "although",
        "provided",
        "as long as",
        "unless",
        "if",
        "except",
        "except for",
        "with the exception of",
        "with exception of",
        "excluding",
        "not including",
    )
)


def _clauses(lower: str, s: int, e: int) -> list[tuple[int, int]]:
    """Clause spans of a sentence, cut before contrast / condition words ("..., but no prior X")."""
    out: list[tuple[int, int]] = []
    pos = s
    for m in _CLAUSE_BREAK.finditer(lower, s, e):
        if m.start() > pos:
            out.append((pos, m.start()))
            pos = m.start()
    out.append((pos, e))
    return out


def _negated(lower: str, cs: int, a: _Agent | None, lines: _LineInfo | None) -> bool:
    """Whether the clause negates its agents: a negation before the first agent (not one a line limit consumed)."""
    end = a.start if a is not None else (lines.start if lines else cs)
    prefix = lower[cs:end]
    neg = False
    if _NEG.search(prefix):
        prefix = _NEG_STRIP.sub(lambda m: " " * len(m.group()), prefix)
        for m in _NEG.finditer(prefix):
            if lines is not None and any(0 <= st - (cs + m.end()) <= 25 for st in lines.negated_at):
                continue  # "must not have received more than 3 prior lines": the negation belongs to the limit
            neg = True
    return neg or bool(a is not None and (a.neg or _NAIVE_AFTER.match(lower, a.end)))


def _sentence_criteria(ctx: ItemContext, s: int, e: int, all_agents: list[_Agent], flags: _Flags) -> list[Criterion]:
    lower = ctx.lower
    agents = [a for a in all_agents if a.start >= s and a.end <= e]
    if not agents and not flags.lines:
        return []
    if flags.skip and _SKIP_SENTENCE.search(lower, s, e):
        return []
    brain = flags.brain and bool(_BRAIN.search(lower, s, e))
    clauses = _clauses(lower, s, e) if agents else [(s, e)]
    agents = [a for a in agents if _keep(lower, next((c[0] for c in clauses if c[0] <= a.start < c[1]), s), a, brain)]
    toks = _tokens(lower, s, e) if flags.digits else []
    lines = _lines(lower, s, e, toks, ctx.is_exclusion) if toks and flags.lines else None
    if not agents and lines is None:
        return []
    lead_excl = ctx.is_exclusion and agents and agents[0].start - s <= 30
    if not _CUE.search(lower, s, e) and not lead_excl:
        return []
    qtys = _quantities(lower, s, e, toks) if toks else []
    windows = _windows(lower, s, qtys)
    # group agents by window (first window after the agent, else the last one before), mode and negation
    groups: dict[tuple[int, str, bool], _Group] = {}
    seen: set[object] = set()
    clause_neg: dict[int, bool] = {}
    for a in agents:
        wi = next((i for i, w in enumerate(windows) if w.start >= a.end), -1)
        if wi < 0:  # no window after it: the last one before it that is not shut in a parenthesis
            wi = next(
                (i for i in range(len(windows) - 1, -1, -1) if not _closed_paren(lower, s, windows[i].start, a.start)),
                len(windows) - 1,
            )
        if wi >= 0 and len({w.weeks for w in windows}) == 1:
            wi = 0
        elif len(windows) > 1:  # "7 days after last dose of a biologic agent": the window right before the agent
            wi = next(
                (i for i, w in enumerate(windows) if w.end <= a.start and _WINDOW_OF.fullmatch(lower, w.end, a.start)),
                wi,
            )
        cs, ce = next((c for c in clauses if c[0] <= a.start < c[1]), (s, e))
        mode = _mode(lower, cs, ce, a, flags, ctx.is_exclusion)
        if cs not in clause_neg:
            clause_neg[cs] = _negated(lower, cs, a, lines)
        neg = clause_neg[cs]
        g = groups.setdefault(
            (wi, mode, neg), _Group(window=windows[wi] if wi >= 0 else None, mode=mode, neg=neg, clause=(cs, ce))
        )
        if a.name not in seen or (mode == "exception" and (a.name, mode) not in seen):
            g.agents.append(a)
            seen.add(a.name)
            seen.add((a.name, mode))
    groups = {k: g for k, g in groups.items() if g.agents}
    if not groups:
        neg = _negated(lower, s, None, lines)
        groups[(-1, "base", neg)] = _Group(window=None, mode=_mode(lower, s, e, _Agent(e, e, ""), flags), neg=neg)
    response = True if flags.response and _RESPONSE.search(lower, s, e) else None
    duration = _duration(lower, qtys, windows, e)
    ordered = sorted(groups.values(), key=lambda g: g.agents[0].start if g.agents else s)
    sentence_ok = flags.modes and bool(_ALLOWED.search(lower, s, e))
    by_clause = len(ordered) > 1 and len({g.clause for g in ordered}) == len(ordered)
    out: list[Criterion] = []
    prev_end = s
    for gi, g in enumerate(ordered):
        neg = g.neg
        if neg and g.mode == "base" and (any(x.mode in ("allowed", "exception") for x in ordered) or sentence_ok):
            requirement = "excluded"  # "X is allowed, but no prior Y" (either section)
        elif g.mode == "allowed" and neg:
            requirement = "excluded"  # "No prior radiotherapy is allowed"
        elif g.mode == "exception" and g.window and g.window.start >= g.agents[0].end and g.window.gap:
            requirement = "excluded"  # "(except mitomycin C, requiring a minimum of 6 weeks)": its own washout
        elif g.mode in ("allowed", "exception"):
            requirement = "allowed"
        elif g.mode == "excluded":
            requirement = "excluded"
        else:
            gap = bool(g.window and g.window.gap) and not _STARTED.search(lower, s, e)
            requirement = "excluded" if gap or (neg ^ ctx.is_exclusion) else "required"
        min_l = max_l = None
        if lines is not None and gi == 0:
            min_l, max_l = lines.lo, lines.hi
            if (
                g.mode == "base"
                and not neg
                and min_l is None
                and max_l is not None
                and not (requirement == "required" and _PROGRESSED.search(lower, s, e))
            ):
                requirement = "allowed"  # "no more than 2 prior lines" / exclusion "more than 2 prior lines"
        if len(ordered) == 1:
            cs, ce = s, e
        elif by_clause:
            cs, ce = g.clause
        else:
            cs = prev_end if gi else s
            ce = e if gi == len(ordered) - 1 else max([a.end for a in g.agents] + ([g.window.end] if g.window else []))
            if g.window and g.window.start < cs:
                cs = min(cs, *(a.start for a in g.agents))
            prev_end = ce
        cs, ce = _trim(ctx.clean, cs, ce)
        if ce <= cs:
            cs, ce = s, e
        setting = None if not flags.setting else _setting(lower, cs, ce) if len(ordered) > 1 else _setting(lower, s, e)
        out.append(
            ctx.make(
                PriorTherapy,
                cs,
                ce,
                agents=[a.name for a in g.agents],
                requirement=requirement,
                setting=setting,
                min_lines=min_l,
                max_lines=max_l,
                min_duration_months=duration if gi == 0 else None,
                within_weeks=g.window.weeks
                if g.window and not (g.mode == "exception" and g.window.end <= g.clause[0])
                else None,
                response_required=response if requirement != "excluded" else None,
            )
        )
    return out


_ANY_DIGIT = re.compile(r"\d|\b(?:one|two|three|four|five|six|single)\b")


def extract(ctx: ItemContext) -> list[Criterion]:
    """``prior_therapy`` criteria stated in one item (one per requirement statement)."""
    lower = ctx.lower
    if not lower.strip():
        return []
    agents = find_agents(lower)
    if not agents and not (
        ("line" in lower or "regimen" in lower or "therap" in lower or "treatment" in lower or "agent" in lower)
        and _ANY_DIGIT.search(lower)
    ):
        return []  # without agents only a line limit can be stated, and it needs a number
    if not _CUE.search(lower) and not (ctx.is_exclusion and agents):
        return []
    flags = _Flags(lower)
    out: list[Criterion] = []
    for s, e in _sentences(ctx.clean):
        out.extend(_sentence_criteria(ctx, s, e, agents, flags))
    return out
