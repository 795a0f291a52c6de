"""Shared helpers of the rule families: the per-item context, numbers and comparators.

Rules match against ``ctx.clean`` / ``ctx.lower``: the item text with markdown escapes and line breaks turned
into spaces, *same length* as the verbatim text, so a match's offsets are offsets into the item and evidence stays
verbatim (``ctx.evidence(m.start(), m.end())``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from extractor.ground import make_evidence
from extractor.models import Comparator, CriterionBase, Evidence, Item
from extractor.segment import clean_text
from extractor.vocab import load

__all__ = [
    "NUM",
    "ItemContext",
    "comparator_pattern",
    "negate",
    "number_pattern",
    "op_of",
    "parse_number",
    "safe_lower",
]

C = TypeVar("C", bound=CriterionBase)

#: A decimal number, with "," or "." decimal separator, optional thousands separators ("1,500").
NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d+)?)"


def safe_lower(text: str) -> str:
    """Lower-case without changing the string's length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


@dataclass
class ItemContext:
    """One segmented item as the rule families see it."""

    item: Item
    source: str
    clean: str = field(init=False)
    lower: str = field(init=False)

    def __post_init__(self) -> None:
        self.clean = clean_text(self.item.text)
        self.lower = safe_lower(self.clean)

    @property
    def polarity(self) -> str:
        return self.item.polarity

    @property
    def is_exclusion(self) -> bool:
        return self.item.polarity == "exclusion"

    def evidence(self, start: int | None = None, end: int | None = None) -> Evidence:
        """Verbatim evidence for ``item.text[start:end]`` (whole item by default), offsets into the source."""
        s = 0 if start is None else start
        e = len(self.item.text) if end is None else end
        return make_evidence(self.source, self.item.start + s, self.item.start + e)

    def make(self, cls: type[C], start: int | None = None, end: int | None = None, **fields: Any) -> C:
        """Build a criterion of ``cls`` with this item's polarity, cohort, index and evidence."""
        return cls(
            polarity=self.item.polarity,
            cohort=self.item.cohort,
            item=self.item.index,
            backend="rules",
            evidence=self.evidence(start, end),
            **fields,
        )


def parse_number(text: str) -> float | None:
    """Parse "1.5", "1,5", "1,500", "100 000" or a number word ("five") into a float."""
    t = text.strip().lower().replace("\u00a0", " ")
    words: dict[str, int] = load("numbers")
    if t in words:
        return float(words[t])
    t = t.replace(" ", "")
    t = t.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", t) else t.replace(",", ".")
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


@cache
def _comparators() -> list[tuple[str, str]]:
    table: dict[str, list[str]] = load("comparators")
    pairs = [(phrase.lower(), op) for op, phrases in table.items() for phrase in phrases]
    return sorted(pairs, key=lambda p: len(p[0]), reverse=True)


@cache
def comparator_pattern(include_of: bool = False) -> str:
    """Regex alternation of every comparator phrase (symbols and words), longest first."""
    alts = []
    for phrase, _op in _comparators():
        if phrase == "of" and not include_of:
            continue
        esc = re.escape(phrase)
        alts.append(rf"\b{esc}\b" if phrase[0].isalpha() else esc)
    return "(?:" + "|".join(alts) + ")"


def op_of(phrase: str) -> Comparator | None:
    """Canonical operator for a comparator phrase (``"no less than"`` -> ``">="``)."""
    p = " ".join(phrase.lower().split())
    for candidate, op in _comparators():
        if p == candidate:
            return op  # type: ignore[return-value]
    return None


_NEGATION: dict[str, Comparator] = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "=": "="}


def negate(op: Comparator) -> Comparator:
    """The comparator a patient must meet when ``op`` is stated as an exclusion ("ANC < 1.5" -> ">=")."""
    return _NEGATION[op]
