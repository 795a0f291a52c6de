"""Shared helpers of the ``her2`` family: vocabulary, phrase alternations and clause patterns."""

from __future__ import annotations

import re
from functools import cache

from extractor.vocab import load

__all__ = [
    "ALLOWED",
    "ANTI_BEFORE",
    "FLIP",
    "LEAN_CMP",
    "MAX_MENTIONS",
    "MUST_NOT",
    "PAREN",
    "alt_regex",
    "biomarker_vocab",
    "tn_re",
]

MAX_MENTIONS = 60  # pathological items (thousands of names) stay linear


def alt_regex(phrases: list[str]) -> str:
    """Regex alternation of phrases: longest first, spaces/hyphens interchangeable, case-sensitive when the phrase
    has an upper-case letter."""
    out = []
    for p in sorted(set(phrases), key=len, reverse=True):
        esc = re.escape(p).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
        out.append(esc if p != p.lower() else f"(?i:{esc})")
    return "|".join(out)


@cache
def biomarker_vocab() -> dict[str, object]:
    data: dict[str, object] = load("biomarkers")
    return data


PAREN = re.compile(r"\s*(?:\((?:[^()]{0,30})\)|\[[^\]]{0,20}\])")
ANTI_BEFORE = re.compile(r"(?:anti|targeting|directed\s+against)[\s-]*(?:\w+[\s/-]+)?$", re.IGNORECASE)
LEAN_CMP = (
    r"(?:[<>≤≥≦≧⩾⩽]\s*=?|=\s*[<>]|=>|&[lg]t;\s*=?|(?:greater|more|less|fewer|higher|lower)\s+than"
    r"(?:\s+or\s+equal(?:\s+to)?)?|(?:equal\s+to\s+or\s+)?(?:greater|more|less)\s+than|at\s+least|"
    r"(?:no|not)\s+(?:less|more|greater)\s+than|exceeding|above|below|over|under)"
)
ALLOWED = re.compile(
    r"\b(?:allowed|permitted|not\s+excluded|regardless|irrespective|known\s+or\s+unknown|unknown\s+or\s+known|"
    r"negative\s+or\s+positive|positive\s+or\s+negative|any\s+(?:\S+\s+)?status|"
    r"may\s+(?:also\s+)?(?:be\s+)?(?:enroll|participate|be\s+included)|are\s+eligible\s+regardless|independent\s+of)\b",
    re.IGNORECASE,
)
MUST_NOT = re.compile(r"\b(?:must|should|shall|may|can)\s*not\b|\bcannot\b", re.IGNORECASE)

FLIP: dict[str, str] = {"positive": "negative", "negative": "positive"}


@cache
def tn_re() -> re.Pattern[str]:
    phrases: list[str] = biomarker_vocab()["triple_negative"]  # type: ignore[assignment]
    return re.compile(rf"(?<![A-Za-z])(?:{alt_regex(phrases)})(?![A-Za-z])")
