"""Transitional: the old shared helpers, now re-exported from ``item`` and ``grammar`` (to be removed)."""

from __future__ import annotations

from extractor.rules.grammar import NUM, comparator_pattern, negate, number_pattern, op_of, parse_number, safe_lower
from extractor.rules.item import MAX_SPACE_RUN, ItemContext

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
