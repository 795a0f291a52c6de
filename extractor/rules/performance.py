"""Rule family ``performance``: performance status, age, sex and life expectancy.

The work is split by kind: ``_performance_scale`` (``performance_status``) and ``_demographics``
(``age``, ``sex``, ``life_expectancy``); each module documents its rules. ``_performance_common`` holds the
comparator and clause helpers, re-exported here (``cmp_regex``, ``normalise_op``, ``sentence_bounds``).
"""

from __future__ import annotations

from extractor.models import Criterion
from extractor.rules._common import ItemContext
from extractor.rules._demographics import extract_age, extract_life_expectancy, extract_sex
from extractor.rules._performance_common import cmp_regex, normalise_op, sentence_bounds
from extractor.rules._performance_scale import extract_performance_status

__all__ = ["cmp_regex", "extract", "normalise_op", "sentence_bounds"]

_PS_KEYS = ("ecog", "karnofsky", "kps", "zubrod", "lansky", "performance", "ps")


def extract(ctx: ItemContext) -> list[Criterion]:
    """Performance status, age, sex and life-expectancy criteria of one item."""
    low = ctx.lower
    out: list[Criterion] = []
    if any(k in low for k in _PS_KEYS):
        out.extend(extract_performance_status(ctx))
    ages, age_end = extract_age(ctx)
    out.extend(ages)
    out.extend(extract_sex(ctx, age_end))
    out.extend(extract_life_expectancy(ctx))
    return out
