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
* durations: :func:`duration_pattern`, :func:`to_weeks`, :func:`to_months`;
* units: lab units are normalised by ``vocab/units.yaml`` and compared as pint quantities (``extractor.units``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from extractor.models.criteria import Comparator
from extractor.vocab import load

__all__ = [
    "MACROS",
    "NUM",
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
    "to_months",
    "to_weeks",
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
    in any case; without it every phrase is lower-cased and the pattern is meant for lower-cased text.
    """
    cased: list[list[str]] = []
    plain: list[list[str]] = []
    for phrase in phrases:
        p = phrase.strip() if keep_case else phrase.strip().lower()
        if not p:
            continue
        tokens: list[str] = []
        pos = 0
        for m in _SEP.finditer(p):
            tokens.extend(re.escape(ch) for ch in p[pos : m.start()])
            tokens.append(hyphen if "-" in m.group() else space)
            pos = m.end()
        tokens.extend(re.escape(ch) for ch in p[pos:])
        (cased if keep_case and p != p.lower() else plain).append(tokens)
    parts = []
    if cased:
        parts.append(_trie(cased))
    if plain:
        parts.append(f"(?i:{_trie(plain)})" if keep_case else _trie(plain))
    return "|".join(parts)


def _trie(token_lists: list[list[str]]) -> str:
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for tokens in token_lists:
        node = root
        for tok in tokens:
            node = node.setdefault(tok, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        alts = [
            tok + emit(child) for tok, child in sorted(node.items(), key=lambda kv: (len(kv[0]) == 1, kv[0])) if tok
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# ---------------------------------------------------------------------------------------------------- clauses

_SENT_END = re.compile(r"(?:\.(?=\s+[A-Z(\[]|\s*$)|;|\s\d{1,2}\s?\.\s(?=[A-Z]))")


def sentence_bounds(clean: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence / semicolon clause around ``clean[start:end]`` (looks back at most 800 chars).

    The one splitter: a sentence ends at a full stop before a capital (or the end), a semicolon, or an inline
    number marker ("... 2. Next"); leading list punctuation is skipped.
    """
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


# -------------------------------------------------------------------------------------------------- durations

_UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "wk": 1.0, "month": 52 / 12, "mo": 52 / 12, "year": 52.0, "yr": 52.0}


@cache
def duration_pattern() -> str:
    """A duration: a number (digits or words) and a time unit; groups ``n`` and ``unit``."""
    return rf"(?P<n>{number_pattern()})\s*(?:-\s*)?(?P<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?)(?![a-z])"


def to_weeks(n: float, unit: str) -> float:
    """A duration in weeks ("3 months" -> 13.0)."""
    u = unit.lower().rstrip("s")
    return n * _UNIT_WEEKS[u]


def to_months(n: float, unit: str) -> float:
    """A duration in months ("12 weeks" -> 2.77)."""
    return to_weeks(n, unit) * 12 / 52


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
