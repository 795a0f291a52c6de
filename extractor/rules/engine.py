"""The rules backend's engine: segmented items -> typed criteria, one trigger pass and the kinds it selects.

For each item the engine builds an :class:`~extractor.rules.item.ItemContext`, runs the trigger pass
(:mod:`extractor.rules.triggers`) and then, in registry order, the extractor of every kind the item mentions. An
item no kind types becomes an ``other`` criterion with its verbatim text, so nothing is dropped. A kind extractor
that raises on an item is a bug, but it must not lose the item: the error is logged and the item goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from extractor.kinds import REGISTRY, Criterion
from extractor.kinds.other import Other
from extractor.models.segmentation import Item, Segmentation
from extractor.rules.item import ItemContext
from extractor.rules.triggers import registry_index

__all__ = ["extract_item", "extract_segmentation"]

log = logging.getLogger("extractor.rules")

Family = Callable[[ItemContext], list[Criterion]]


def _legacy() -> tuple[Family, ...]:
    """Transitional: rule families not yet split into kind modules."""
    from extractor.rules import _legacy_families

    return _legacy_families.FAMILIES


def extract_item(item: Item, source: str) -> list[Criterion]:
    """Typed criteria for one item; ``other`` when no kind fits."""
    ctx = ItemContext(item=item, source=source)
    ctx.kinds = registry_index().kinds(ctx.lower)
    found: list[Criterion] = []
    for name, spec in REGISTRY.items():
        if spec.extract is not None and name in ctx.kinds:
            try:
                found.extend(spec.extract(ctx))
            except Exception:  # a rule bug must not lose the item
                log.exception("kind %s failed on item %d", name, item.index)
    for family in _legacy():
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
