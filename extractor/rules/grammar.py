"""The one grammar every kind reads with: numbers, comparators, phrases, clauses, durations, units.

Kind modules build their patterns from these pieces (in their ``<kind>.yaml`` through the ``{{macro}}`` names of
:data:`MACROS`, or in code through the functions below) instead of writing their own. Everything here is compiled
once and cached; nothing reads the item.

* numbers: :data:`NUM` (digits, "1,500", decimal comma), :func:`number_pattern` (digits or number words),
  :func:`parse_number`;
* comparators: one table (``vocab/comparators.yaml``), :func:`comparator_pattern` (words and symbols, optionally the
  split / escaped forms "= <", "&lt;", "> or equal to"), :func:`op_of` (any matched form -> canonical operator),
  :func:`negate` (the rule an exclusion states);
* phrases: :func:`phrase_alt`, the one phrase-list -> regex compiler;
* clauses: :func:`sentence_bounds`, the one sentence / clause splitter the kinds use;
* durations: one unit table (:data:`TIME_UNIT`, :data:`WEEKS_PER`, :data:`MONTHS_PER`, :func:`unit_key`),
  :func:`duration_pattern`, :func:`to_weeks`, :func:`to_months`;
* units: lab units are normalised by ``vocab/units.yaml`` and compared as pint quantities (``extractor.units``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.models.criteria import Comparator
from extractor.vocab import load

__all__ = [
    "MACROS",
    "MONTHS_PER",
    "NUM",
    "TIME_UNIT",
    "WEEKS_PER",
    "WORD_END",
    "any_in",
    "comparator_pattern",
    "duration_pattern",
    "expand_macros",
    "negate",
    "number_pattern",
    "op_of",
    "parse_number",
    "phrase_alt",
    "safe_lower",
    "sentence_bounds",
    "sentence_spans",
    "to_months",
    "to_weeks",
    "unit_key",
]

# ---------------------------------------------------------------------------------------------------- numbers

#: A decimal number, with "," or "." decimal separator, optional thousands separators ("1,500").
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d+)?)"

_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def safe_lower(text: str) -> str:
    """Lower-case without changing the string's length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def parse_number(text: str) -> float | None:
    """Parse "1.5", "1,5", "1,500", "100 000" or a number word ("five") into a float."""
    t = text.strip().lower().replace("\u00a0", " ")
    words: dict[str, int] = load("numbers")
    if t in words:
        return float(words[t])
    t = t.replace(" ", "")
    t = t.replace(",", "") if _THOUSANDS.fullmatch(t) else t.replace(",", ".")
    try:
        return float(t)
    except ValueError:
        return None


@cache
def number_pattern() -> str:
    """Regex alternation for a number in digits or words (longest words first)."""
    words: dict[str, int] = load("numbers")
    alts = sorted(words, key=len, reverse=True)
    return "(?:" + NUM + "|" + "|".join(re.escape(w) for w in alts) + ")"


# ------------------------------------------------------------------------------------------------ comparators


@cache
def _comparators() -> dict[str, Comparator]:
    table: dict[str, list[str]] = load("comparators")
    pairs = [(phrase.lower(), op) for op, phrases in table.items() for phrase in phrases]
    return dict(sorted(pairs, key=lambda p: len(p[0]), reverse=True))  # type: ignore[arg-type]


#: Comparator forms the table cannot list as phrases: HTML entities, a sign split from its "=" ("> =", "= <"),
#: and "< or equal to".
_SPLIT_FORMS = r"&[lg]t;\s*=?|[<>≤≥]\s*or\s+equal(?:\s+to)?|[<>]\s+=(?!\s*[<>])|=\s+[<>]"
_OR_EQUAL = re.compile(r"[<>≤≥]\s*or\s+equal(?:\s+to)?")
_SIGNS_ONLY = re.compile(r"[<>=\s/]+")


@cache
def comparator_pattern(include_of: bool = False, split_forms: bool = False) -> str:
    """Regex alternation of every comparator phrase (symbols and words), longest first.

    The word phrases share one ``\\b...\\b`` around their group, so each alternative opens with a literal the
    engine can reject on its first character; a symbol and a word never start at the same character. ``of`` (as
    in "a minimum of") counts only with ``include_of``; ``split_forms`` adds "= <", "&lt;", "> or equal to".
    """
    symbols: list[str] = []
    words: list[str] = []
    for phrase in _comparators():
        if phrase == "of" and not include_of:
            continue
        (words if phrase[0].isalpha() else symbols).append(re.escape(phrase))
    core = "(?:" + "|".join(symbols) + r"|\b(?:" + "|".join(words) + r")\b)"
    return f"(?:{_SPLIT_FORMS}|{core})" if split_forms else core


def op_of(phrase: str) -> Comparator | None:
    """Canonical operator of any matched comparator form ("no less than", "= <", "&lt;", "≥ or equal to")."""
    p = " ".join(phrase.lower().split())
    table = _comparators()
    if p in table:
        return table[p]
    p = p.replace("&lt;", "<").replace("&gt;", ">").strip()
    if _OR_EQUAL.fullmatch(p):
        return ">=" if p[0] in ">≥" else "<="
    if _SIGNS_ONLY.fullmatch(p):
        p = p.replace(" ", "")
    return table.get(p)


_NEGATION: dict[str, Comparator] = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "=": "="}


def negate(op: Comparator) -> Comparator:
    """The comparator a patient must meet when ``op`` is stated as an exclusion ("ANC < 1.5" -> ">=")."""
    return _NEGATION[op]


# ---------------------------------------------------------------------------------------------------- phrases


_SEP = re.compile(r"[\s-]+")


def phrase_alt(
    phrases: Iterable[str],
    *,
    space: str = r"[\s-]+",
    hyphen: str = r"\-",
    keep_case: bool = False,
) -> str:
    """The one phrase-list -> regex compiler: a trie of the phrases (one pass, the longest phrase wins).

    Inside a phrase, a run of spaces matches ``space`` and a run holding a hyphen matches ``hyphen`` (both
    regexes). ``keep_case``: a phrase with an upper-case letter matches case-sensitively ("ER", "AR"), the others
    in any case; without it every phrase is lower-cased and the pattern is meant for lower-cased text. A phrase
    ending in ``$`` matches only where no letter or digit follows ("ca$": "Ca", not "cancer").
    """
    cased: list[list[str]] = []
    plain: list[list[str]] = []
    for phrase in phrases:
        p = phrase.strip() if keep_case else phrase.strip().lower()
        if not p:
            continue
        tokens: list[str] = []
        whole = len(p) > 1 and p.endswith("$")
        p = p[:-1] if whole else p
        pos = 0
        for m in _SEP.finditer(p):
            tokens.extend(map(_escape, p[pos : m.start()]))
            tokens.append(hyphen if "-" in m.group() else space)
            pos = m.end()
        tokens.extend(map(_escape, p[pos:]))
        if whole:
            tokens.append(WORD_END)
        (cased if keep_case and p != p.lower() else plain).append(tokens)
    parts = []
    if cased:
        parts.append(_trie(cased))
    if plain:
        parts.append(f"(?i:{_trie(plain)})" if keep_case else _trie(plain))
    return "|".join(parts)


_escape = cache(re.escape)
"""``re.escape`` of one character, memoised: the phrase compiler escapes every character of thousands of phrases."""

WORD_END = "(?![A-Za-z0-9])"
"""The trie token of a phrase's ``$``: tried after every longer branch, so the longest phrase still wins."""


def _trie(token_lists: list[list[str]]) -> str:
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for tokens in token_lists:
        node = root
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        if len(node) == 1:  # one way on (most nodes of a long phrase): no alternation to sort
            tok, child = next(iter(node.items()))
            return tok + emit(child) if tok else ""
        alts = [
            tok + emit(child)
            for tok, child in sorted(node.items(), key=lambda kv: (kv[0] == WORD_END, len(kv[0]) == 1, kv[0]))
            if tok
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# ---------------------------------------------------------------------------------------------------- clauses

_LEAD = " :*-•,"
# a full stop after a drug code ("BI 765179.", "MRX-2843.", "ZEN003694.") ends a sentence whatever after_number
_CODE_END = "|".join(f"(?<=[A-Z]{sep}[0-9]{{{n}}}\\.)" for sep in ("", "-", " ") for n in range(3, 8))


class Sentences(BaseModel):
    """Options of the one sentence splitter (:func:`sentence_bounds`, :func:`sentence_spans`); the defaults are the
    shared reading, and a kind's rule file may hold its own (``extra="forbid"``: a misspelt option fails at load).

    ``starts``: the characters (a regex class body) that may open a sentence after a full stop;
    ``after_number=False``: a full stop right after a digit ends none; ``not_after``: nor one right after these
    (any case: "e.g", " vs"); ``space_run``: a run of at least this many spaces before a sentence opener ends a
    sentence too; ``markers=False``: inline number markers ("... 2. Next") end none; ``lead``: the characters
    skipped at a sentence start.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    starts: str = r"A-Z(\["
    after_number: bool = True
    not_after: tuple[str, ...] = ()
    space_run: int = Field(default=0, ge=0)
    markers: bool = True
    lead: str = _LEAD

    def end_pattern(self) -> re.Pattern[str]:
        """Where a sentence or clause ends, under these options."""
        return _sentence_end(self.starts, self.after_number, self.not_after, self.space_run, self.markers)


SENTENCES = Sentences()
"""The shared reading of the splitter."""


@cache
def _sentence_end(
    starts: str, after_number: bool, not_after: tuple[str, ...], space_run: int, markers: bool
) -> re.Pattern[str]:
    """The sentence-end pattern for a set of :class:`Sentences` options."""
    guards = "" if after_number else f"(?:(?<![0-9]\\.)|{_CODE_END})"
    guards += "".join(f"(?<!(?i:{re.escape(w)})\\.)" for w in not_after)
    # every alternative opens with a literal (the look-behinds follow it), so the engine skips other characters fast
    # a full stop before an "o" sub-bullet ends one too; a character entity ("&gt;", "Fridericia&#39;s") does not
    entity = r"(?<!&[lg]t;)(?<!&amp;)(?<!&#\d\d;)(?<!&#\d{3};)(?<!&#\d{4};)"
    alts = [rf"\.{guards}(?=\s+[{starts}]|\s+o\s+[A-Z]|\s*$)", ";" + entity]
    if markers:
        alts.append(r"\s\d{1,2}\s?\.\s(?=[A-Z])")
    if space_run:
        alts.append(" " * (space_run - 1) + f" +(?=[{starts}])")
    return re.compile("(?:" + "|".join(alts) + ")")


#: the last forward search per (pattern, text): (from, match); see :func:`_next_end`
_LAST_END: dict[tuple[re.Pattern[str], str], tuple[int, re.Match[str] | None]] = {}


def _next_end(rx: re.Pattern[str], clean: str, pos: int) -> re.Match[str] | None:
    """``rx.search(clean, pos)``, reusing the last search over the same text when it still answers (a match at or
    after ``pos`` found from an earlier position is also the first from ``pos``). Criteria of one item ask in text
    order, so a long item without sentence ends is scanned once, not once per criterion."""
    key = (rx, clean)
    last = _LAST_END.get(key)
    if last is not None and last[0] <= pos and (last[1] is None or last[1].start() >= pos):
        return last[1]
    m = rx.search(clean, pos)
    if len(_LAST_END) >= 32:
        _LAST_END.clear()
    _LAST_END[key] = (pos, m)
    return m


def sentence_bounds(clean: str, start: int, end: int, options: Sentences = SENTENCES) -> tuple[int, int]:
    """Bounds of the sentence / semicolon clause around ``clean[start:end]`` (looks back at most 800 chars).

    The one splitter: a sentence ends at a full stop before a capital (or the end), a semicolon (not the one of an
    HTML entity such as ``&lt;``), or an inline number marker ("... 2. Next"); leading list punctuation is skipped.
    ``options`` change that reading (:class:`Sentences`).
    """
    rx = options.end_pattern()
    s = max(0, start - 800)
    for m in rx.finditer(clean, s, start):
        s = m.end()
    m2 = _next_end(rx, clean, end)
    e = m2.start() + (1 if m2.group(0) == "." else 0) if m2 else len(clean)
    lead = options.lead
    while s < e and clean[s] in lead:
        s += 1
    if e <= s:
        return 0, len(clean)
    return s, e


def sentence_spans(clean: str, options: Sentences = SENTENCES) -> list[tuple[int, int]]:
    """Every sentence of ``clean``, in order: the text between the sentence ends :func:`sentence_bounds` reads with
    the same options (one pass, no look-back limit), ``lead`` characters skipped, empty ones left out."""
    lead = options.lead
    if ";" not in clean and "." not in clean and not (options.space_run and " " * options.space_run in clean):
        spans = [(0, len(clean))]
    else:
        spans = []
        pos = 0
        for m in options.end_pattern().finditer(clean):
            spans.append((pos, m.start() + (1 if m.group(0) == "." else 0)))
            pos = m.end()
        spans.append((pos, len(clean)))
    out = []
    for s, e in spans:
        rest = clean[s:e].lstrip(lead)  # one C call for the lead characters, not a test per character
        if rest.strip().strip(lead):
            out.append((e - len(rest), e))
    return out


# -------------------------------------------------------------------------------------------------- durations

#: The one time-unit table: per unit key, its spellings and its length in weeks. A month is 4.345 weeks and a year
#: 52.14 (the gold convention: washouts in weeks, "days / 7, months x 4.345"); months are weeks / 4.345.
_TIME_UNITS: dict[str, tuple[tuple[str, ...], float]] = {
    "d": (("days", "day", "d"), 1 / 7),
    "w": (("weeks", "week", "wks", "wk", "w"), 1.0),
    "m": (("months", "month", "mos", "mo", "mths", "mth"), 4.345),
    "y": (("years", "year", "yrs", "yr"), 52.14),
}
_UNIT_KEYS = {spelling: key for key, (spellings, _) in _TIME_UNITS.items() for spelling in spellings}

#: Weeks / months per unit key (``d``, ``w``, ``m``, ``y``; see :func:`unit_key`), from the one table.
WEEKS_PER: dict[str, float] = {key: weeks for key, (_, weeks) in _TIME_UNITS.items()}
MONTHS_PER: dict[str, float] = {key: weeks / WEEKS_PER["m"] for key, weeks in WEEKS_PER.items()}

#: A time unit, any spelling of the table; group ``unit`` (bare: follow it with a word end).
TIME_UNIT = f"(?P<unit>{phrase_alt(_UNIT_KEYS)})"


def unit_key(unit: str) -> str:
    """The key of a time unit spelling ("mths" -> "m", "Weeks" -> "w", "d" -> "d")."""
    return _UNIT_KEYS[unit.lower()]


@cache
def duration_pattern() -> str:
    """A duration: a number (digits or words) and a time unit (:data:`TIME_UNIT`); groups ``n`` and ``unit``."""
    return rf"(?P<n>{number_pattern()})\s*(?:-\s*)?{TIME_UNIT}(?![a-z])"


def to_weeks(n: float, unit: str) -> float:
    """A duration in weeks ("3 months" -> 13.035)."""
    return n * WEEKS_PER[unit_key(unit)]


def to_months(n: float, unit: str) -> float:
    """A duration in months ("12 weeks" -> 2.76)."""
    return n * MONTHS_PER[unit_key(unit)]


# ----------------------------------------------------------------------------------------------------- macros


@cache
def MACROS() -> dict[str, str]:  # noqa: N802 - a constant, computed once
    """Named grammar pieces a rule file's patterns may use as ``{{name}}``."""
    return {
        "num": NUM,
        "number": number_pattern(),
        "cmp": comparator_pattern(),
        "cmp_of": comparator_pattern(include_of=True),
        "cmp_any": comparator_pattern(split_forms=True),
        "duration": duration_pattern(),
        "time_unit": TIME_UNIT,
        "uln": f"(?:{ULN})",
        "lln": f"(?:{LLN})",
        "uln_times": f"(?:{ULN_TIMES})",
    }


_MACRO = re.compile(r"\{\{(\w+)\}\}")


def expand_macros(pattern: str, terms: dict[str, str] | None = None) -> str:
    """Replace ``{{name}}`` by a grammar piece (:func:`MACROS`) or by a term list of the same rule file.

    An unknown name raises ``KeyError`` naming it.
    """
    macros = MACROS()

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if terms is not None and name in terms:
            return f"(?:{terms[name]})"
        if name in macros:
            return macros[name]
        raise KeyError(f"unknown macro {{{{{name}}}}}")

    return _MACRO.sub(sub, pattern)


# --- words (added for lab, cardiac)


def word_starts(low: str, words: Iterable[str]) -> list[tuple[int, str]]:
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


# --- numbers (added for prior_therapy)
# Fast number reading for lower-cased text: number tokens are found first (cheap), then the words around them are
# read with anchored look-back (cmp_tail) / look-ahead patterns. Inside a number word or comparator phrase a
# space / hyphen run matches any run of them or none. Functions, compiled on first use (the vocabularies cannot
# load while this module imports).

_GAP = r"[\s\-]*"
_GLUED_UNIT = r"(?:hours?|days?|weeks?|months?|years?)\b"


@cache
def num_or_word() -> str:
    """A number in digits (no thousands separators) or in words ("twenty-one", "a single")."""
    return r"(?:\d+(?:[.,]\d+)?|" + phrase_alt(load("numbers"), space=_GAP, hyphen=_GAP) + ")"


@cache
def cmp_phrase() -> str:
    """Every comparator phrase of the table except "of", as one alternation (no word boundaries)."""
    table: dict[str, list[str]] = load("comparators")
    return "(?:" + phrase_alt([p for ps in table.values() for p in ps if p != "of"], space=_GAP, hyphen=_GAP) + ")"


@cache
def number_token() -> re.Pattern[str]:
    """A stand-alone number token in lower-cased text; group ``n`` (read it with :func:`number_value`). A time unit
    written on it ("4weeks", "28days") does not join it to a word."""
    return re.compile(rf"(?<![\w.,/-])(?P<n>{num_or_word()})(?![\w.,]\d|(?!{_GLUED_UNIT})[a-z])")


@cache
def cmp_tail() -> re.Pattern[str]:
    """A comparator right before a position (``.search(text, back, pos)``), an escaped "=\\<" too; group ``cmp``."""
    return re.compile(rf"(?<![a-z])(?P<cmp>=\s+[<>](?!\s*=)|{cmp_phrase()})\s*\(?$")


def number_value(text: str | None) -> float | None:
    """:func:`parse_number` of a matched number (en dash read as a hyphen); ``None`` for no text."""
    if not text:
        return None
    return parse_number(text.replace("–", "-"))


# --- value starts (added for performance_status, age, sex, life_expectancy)


@cache
def value_start_pattern(words: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Where a compared value can start: a comparator sign (or the "&" of "&lt;"), the first word of a word
    comparator ("at" of "at least", "of"), one of ``words`` (whole words), or a digit not inside a number.

    Scanning these starts and trying an anchored value pattern at each is much cheaper than searching with it.
    """
    phrases = _comparators()
    signs = sorted({p[0] for p in phrases if not p[0].isalpha()} | {"&"})
    firsts = {p.split()[0] for p in phrases if p[0].isalpha()} | {w.lower() for w in words}
    return re.compile("[" + re.escape("".join(signs)) + r"]|\b(?:" + phrase_alt(firsts) + r")\b|(?<![\d.])\d")


# --- limits of normal: ULN / LLN and ULN multiples (added for lab, cardiac); rule files name them {{uln}}, {{lln}},
# {{uln_times}} (MACROS)

#: The upper limit of normal as labs write it ("ULN", "institutional upper limit of normal", "upper normal limit").
ULN = (
    r"(?:(?:the\s+)?(?:(?:institutional|institution'?s?|laboratory|lab|local|site|normal|reference)\s+)*"
    r"(?:i?uln|upper\s+limits?\s+(?:of\s+)?(?:the\s+)?(?:institutional\s+)?(?:normal|norm)(?:\s+(?:range|values?|limits?))?"
    r"|upper\s+normal\s+limits?|normal\s+upper\s+limits?|upper\s+limits?\s+of\s+(?:the\s+)?reference\s+range"
    r"|upper\s+limits?(?!\s+of)))"
)

#: The lower limit of normal ("LLN", "lower limit of the institutional normal range", "lower normal limit").
LLN = (
    r"(?:(?:the\s+)?(?:(?:institutional|laboratory|local|normal)\s+)*"
    r"(?:\blln\b|lower\s+limits?\s+of\s+(?:the\s+)?(?:institutional\s+)?normal(?:\s+range)?|lower\s+normal\s+limits?))"
)

#: What joins a multiple to the ULN it multiplies, optional: "2.5 x ULN", "3 times", "1.5-fold of", "2.5 ULN".
ULN_TIMES = r"(?:(?:[x×*]|times|-?\s*fold)(?:\s+of)?)?\s*"


# --- evidence clauses (added for lab)

#: Words a clause does not end on ("ANC >= 1.5 and", "INR <= 1.5 (or"), and the characters trimmed with them.
_TAIL_WORDS = frozenset(
    {
        "and",
        "or",
        "and/or",
        "nor",
        "but",
        "plus",
        "including",
        "than",
        "less",
        "greater",
        "at",
        "least",
        "most",
        "up",
        "to",
    }
)
_TAIL_CHARS = " \t\n,;:([{/-\u2013\u2014<>=\u2264\u2265\\"


def trim_tail(text: str, start: int, end: int) -> int:
    """``end`` moved back over trailing connectors ("and", "or", ",", "(", "--") of ``text[start:end]``."""
    while end > start:
        end = start + len(text[start:end].rstrip(_TAIL_CHARS))
        word_start = max(text.rfind(" ", start, end), text.rfind("(", start, end)) + 1
        if text[max(start, word_start) : end].lower() not in _TAIL_WORDS:
            break
        end = max(start, word_start)
    return end


def close_bracket(text: str, start: int, end: int, hi: int) -> int:
    """After the ``)`` that closes the bracket ``text[start:end]`` leaves open, not past ``hi``; else ``end``."""
    depth = text.count("(", start, end) - text.count(")", start, end)
    for i in range(end, hi):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return end


def clause_span(
    clean: str, start: int, end: int, lo: int = 0, hi: int | None = None, *, lead_max: int = 100
) -> tuple[int, int]:
    """The clause that states the fact found at ``clean[start:end]`` (the gold guide's evidence span): on to the end
    of its sentence (:func:`sentence_bounds`; not past ``hi``, trailing connectors trimmed), and back to the
    sentence start when only a short lead-in without numbers stands there, none of it before ``lo`` ("Has albumin
    ...", "Adequate renal function with a creatinine clearance ..."; after a heading label "Hematologic:" or
    "--")."""
    hi = len(clean) if hi is None else min(hi, len(clean))
    s, e = sentence_bounds(clean, start, end)
    new_end = max(end, trim_tail(clean, end, min(e, hi)))
    new_start = start
    if lo <= s < start:
        dashes = clean.rfind("--", s, start)
        lead_at = max(s, clean.rfind(":", s, start) + 1, dashes + 2 if dashes >= 0 else s)
        while lead_at < start and clean[lead_at] in _LEAD:
            lead_at += 1
        lead = clean[lead_at:start]
        if len(lead) <= lead_max and not any(c.isdigit() for c in lead):
            new_start = lead_at
    return new_start, new_end


def any_in(words: Iterable[str], text: str) -> bool:
    """Whether one of ``words`` is a substring of ``text``: a cheap gate (a plain loop costs half of ``any()`` over
    a generator, and these gates run on every item a kind reads)."""
    for w in words:  # noqa: SIM110
        if w in text:
            return True
    return False
