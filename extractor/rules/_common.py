"""Shared helpers of the rule families: the per-item context, numbers and comparators.

Rules match against ``ctx.clean`` / ``ctx.lower``: the item text with markdown escapes and line breaks turned
into spaces, *same length* as the verbatim text, so a match's offsets are offsets into the item and evidence stays
verbatim (``ctx.evidence(m.start(), m.end())``). One exception bounds what the patterns see: a whitespace run
longer than ``MAX_SPACE_RUN`` is cut to that length, and ``ctx.evidence`` maps offsets after it back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from extractor.ground import make_evidence
from extractor.models import Comparator, CriterionBase, Evidence, Item
from extractor.segment import clean_text
from extractor.vocab import load

__all__ = [
    "MAX_SPACE_RUN",
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

#: Longest whitespace run the rules see (the longest in the 1,344-trial corpus is 19). The patterns' many
#: ``\s*`` next to optional parts read a run of n spaces in up to n**3 steps; cut, a hostile run costs nothing.
MAX_SPACE_RUN = 24
_LONG_SPACE = re.compile(rf"\s{{{MAX_SPACE_RUN + 1},}}")


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
    # where ``clean`` resumes after each cut whitespace run, and how many characters were cut up to there
    _cut_at: list[int] = field(init=False, default_factory=list, repr=False)
    _cut_total: list[int] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        clean = clean_text(self.item.text)
        if _LONG_SPACE.search(clean):
            parts: list[str] = []
            prev = cut = 0
            for m in _LONG_SPACE.finditer(clean):
                keep = m.start() + MAX_SPACE_RUN
                parts.append(clean[prev:keep])
                self._cut_at.append(keep - cut)
                cut += m.end() - keep
                self._cut_total.append(cut)
                prev = m.end()
            parts.append(clean[prev:])
            clean = "".join(parts)
        self.clean = clean
        self.lower = safe_lower(clean)

    def _to_item(self, offset: int) -> int:
        """Offset into ``item.text`` of an offset into ``clean``."""
        k = bisect_right(self._cut_at, offset)
        return offset + self._cut_total[k - 1] if k else offset

    @property
    def polarity(self) -> str:
        return self.item.polarity

    @property
    def is_exclusion(self) -> bool:
        return self.item.polarity == "exclusion"

    def evidence(self, start: int | None = None, end: int | None = None) -> Evidence:
        """Verbatim evidence for ``item.text[start:end]`` (whole item by default), offsets into the source."""
        s = 0 if start is None else self._to_item(start)
        e = len(self.item.text) if end is None else self._to_item(end)
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
    """Regex alternation of every comparator phrase (symbols and words), longest first.

    The word phrases share one ``\\b...\\b`` around their group, so each alternative opens with a literal the
    engine can reject on its first character (ten times faster on text without a comparator); a symbol and a word
    never start at the same character, so the two groups cannot compete.
    """
    symbols: list[str] = []
    words: list[str] = []
    for phrase, _op in _comparators():
        if phrase == "of" and not include_of:
            continue
        (words if phrase[0].isalpha() else symbols).append(re.escape(phrase))
    return "(?:" + "|".join(symbols) + r"|\b(?:" + "|".join(words) + r")\b)"


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
