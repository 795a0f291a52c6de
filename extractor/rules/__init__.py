"""Deterministic rules backend: pattern families over segmented items -> typed criteria.

Each family module (``her2``, ``performance``, ``labs``, ``general``, ``therapy``, ``disease``) exposes
``extract(ctx) -> list[Criterion]`` for one item. An item no family types becomes an ``other`` criterion with its
verbatim text, so nothing is dropped. A family that raises on an item is a bug, but it must not lose the item:
the item falls back to ``other`` and the error is counted in ``rules_errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from extractor.models import Criterion, Item, Other, Segmentation
from extractor.rules import disease, general, her2, labs, performance, therapy
from extractor.rules._common import ItemContext

__all__ = ["FAMILIES", "extract_item", "extract_segmentation"]

log = logging.getLogger("extractor.rules")

Family = Callable[[ItemContext], list[Criterion]]
FAMILIES: tuple[Family, ...] = (
    her2.extract,
    performance.extract,
    labs.extract,
    general.extract,
    therapy.extract,
    disease.extract,
)


def extract_item(item: Item, source: str) -> list[Criterion]:
    """Typed criteria for one item; ``other`` when no family fits."""
    ctx = ItemContext(item=item, source=source)
    found: list[Criterion] = []
    for family in FAMILIES:
        try:
            found.extend(family(ctx))
        except Exception:  # a rule bug must not lose the item
            log.exception("rule family %s failed on item %d", family.__module__, item.index)
    if not found:
        found.append(ctx.make(Other))
    return found


def extract_segmentation(seg: Segmentation) -> list[Criterion]:
    """Typed criteria for every item of a segmentation, in source order."""
    out: list[Criterion] = []
    for item in seg.items:
        out.extend(extract_item(item, seg.text))
    return out
