"""One item as the kind extractors see it: its clean text, the kinds it mentions, its context, and evidence.

Rules match against ``ctx.clean`` / ``ctx.lower``: the item text with markdown escapes and line breaks turned
into spaces, *same length* as the verbatim text, so a match's offsets are offsets into the item and evidence stays
verbatim (``ctx.evidence(m.start(), m.end())``). One exception bounds what the patterns see: a whitespace run
longer than ``MAX_SPACE_RUN`` is cut to that length, and ``ctx.evidence`` maps offsets after it back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, TypeVar

from extractor.ground import make_evidence, trimmed_span
from extractor.models.criteria import CriterionBase, Evidence
from extractor.models.segmentation import Item
from extractor.rules.context import ContextResult, apply_context
from extractor.rules.grammar import safe_lower
from extractor.segment import clean_text

__all__ = ["MAX_SPACE_RUN", "WORD", "ItemContext"]

C = TypeVar("C", bound=CriterionBase)

#: Longest whitespace run the rules see (the longest in the 1,344-trial corpus is 19). The patterns' many
#: ``\s*`` next to optional parts read a run of n spaces in up to n**3 steps; cut, a hostile run costs nothing.
MAX_SPACE_RUN = 24
_LONG_SPACE = re.compile(rf"\s{{{MAX_SPACE_RUN + 1},}}")
_SPACES = " " * (MAX_SPACE_RUN + 1)

#: A word of the item: letters and digits.
WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass
class ItemContext:
    """One segmented item as the rule families see it."""

    item: Item
    source: str
    #: the enclosing item of a nested bullet ("The following are allowed:" above "- palliative radiotherapy")
    parent: Item | None = field(default=None, repr=False)
    #: the item just before it in the text (a table row's value may continue the analyte named there); never evidence
    prev: Item | None = field(default=None, repr=False)
    clean: str = field(init=False)
    lower: str = field(init=False)
    #: the kinds whose triggers the item mentions (set by the engine's trigger pass)
    kinds: frozenset[str] = field(default=frozenset(), repr=False)
    # where ``clean`` resumes after each cut whitespace run, and how many characters were cut up to there
    _cut_at: list[int] = field(init=False, default_factory=list, repr=False)
    _cut_total: list[int] = field(init=False, default_factory=list, repr=False)
    # the lazily computed views below (plain attributes: functools.cached_property takes a lock on each first use)
    _context: ContextResult | None = field(init=False, default=None, repr=False)
    _lead_in: str | None = field(init=False, default=None, repr=False)
    _words: frozenset[str] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        clean = clean_text(self.item.text)
        # Only a space is both whitespace and printable: a printable text without 25 spaces in a row has no long run
        # (two C scans, cheaper than the regex search on the ~all items that have none).
        if (not clean.isprintable() or _SPACES in clean) and _LONG_SPACE.search(clean):
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
        if not self._cut_at:
            return offset
        k = bisect_right(self._cut_at, offset)
        return offset + self._cut_total[k - 1] if k else offset

    def _span(self, start: int | None, end: int | None) -> tuple[int, int]:
        """Source offsets of ``clean[start:end]`` (the whole item by default)."""
        base = self.item.start
        return (
            base if start is None else base + self._to_item(start),
            base + len(self.item.text) if end is None else base + self._to_item(end),
        )

    @property
    def polarity(self) -> str:
        return self.item.polarity

    @property
    def is_exclusion(self) -> bool:
        return self.item.polarity == "exclusion"

    def evidence(self, start: int | None = None, end: int | None = None) -> Evidence:
        """Verbatim evidence for ``item.text[start:end]`` (whole item by default), offsets into the source."""
        return make_evidence(self.source, *self._span(start, end))

    def make(self, cls: type[C], start: int | None = None, end: int | None = None, **fields: Any) -> C:
        """Build a criterion of ``cls`` with this item's polarity, cohort, index and evidence."""
        source = self.source
        s, e = trimmed_span(source, *self._span(start, end))
        item = self.item
        # the evidence goes in as data: one validation builds it with the criterion (a third cheaper than two)
        return cls(
            polarity=item.polarity,
            cohort=item.cohort,
            item=item.index,
            backend="rules",
            evidence={"text": source[s:e], "start": s, "end": e},
            **fields,
        )

    @property
    def context(self) -> ContextResult:
        """The context pass over this item (cues and their scopes), computed on first use."""
        if self._context is None:
            self._context = apply_context(self.lower, self.clean)
        return self._context

    @property
    def lead_in(self) -> str:
        """The enclosing item's text, lower-cased (markdown escapes and line breaks as spaces); "" at top level.

        Read it for what a lead-in says of its children ("... are allowed:", "except:", "Age:"); offsets into it
        are not offsets into this item, so it never gives evidence."""
        if self._lead_in is None:
            self._lead_in = safe_lower(clean_text(self.parent.text)) if self.parent is not None else ""
        return self._lead_in

    @property
    def words(self) -> frozenset[str]:
        """The item's lower-case words (letters and digits), computed on first use."""
        if self._words is None:
            self._words = frozenset(WORD.findall(self.lower))
        return self._words
