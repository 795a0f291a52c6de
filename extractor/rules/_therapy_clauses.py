"""Clauses of the ``therapy`` family: sentence / clause splitting, parentheses, negation and the
allowed / excluded / exception mode of an agent."""

from __future__ import annotations

import re

from extractor.rules._therapy_agents import _Agent, _lex
from extractor.rules._therapy_cues import _Flags
from extractor.rules._therapy_numbers import _LineInfo

_SENT_END = re.compile(r"[;.]|   +")
_SENT_NEXT = re.compile(r"\s*[A-Z(\d]")
_ABBREV = ("e.g", "i.e", " vs", " no", "etc", " al", " dr", "approx")
_EXCEPT_TREATED = re.compile(r"\b(?:previously|treated|received|exposed|pretreated|those\s+who|patients\s+who)\b")
_FOR_TREATMENT = re.compile(r"\s+(?:for|to\s+receive|to\s+undergo)\b")
_PARENS = re.compile(r"\([^)]*\)")
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
