"""The rules backend's engine: segmented items -> typed criteria, one trigger pass and the kinds it selects.

For each item the engine builds an :class:`~extractor.rules.item.ItemContext`, runs the trigger pass
(:mod:`extractor.rules.triggers`) and then, in registry order, the extractor of every kind the item mentions. An
item no kind types becomes an ``other`` criterion with its verbatim text, so nothing is dropped. A kind extractor
that raises on an item is a bug, but it must not lose the item: the error is logged and the item goes on.
"""

from __future__ import annotations

import logging

from extractor.kinds import ORDER, REGISTRY, Criterion
from extractor.kinds.other import Other
from extractor.models.segmentation import Item, Segmentation
from extractor.rules.item import ItemContext
from extractor.rules.triggers import lead_kinds, registry_index

__all__ = ["extract_item", "extract_segmentation"]

log = logging.getLogger("extractor.rules")


_POSITION: dict[str, int] = {name: i for i, name in enumerate(ORDER)}


def extract_item(item: Item, source: str, parent: Item | None = None, prev: Item | None = None) -> list[Criterion]:
    """Typed criteria for one item (``parent``: the item it is nested under, if any; ``prev``: the item just before
    it in the text); ``other`` when no kind fits."""
    ctx = ItemContext(item=item, source=source, parent=parent, prev=prev)
    ctx.kinds = registry_index().kinds(ctx.lower)
    if parent is not None:  # a lead-in may run a kind on children that only name things ("Dulaglutide")
        ctx.kinds |= lead_kinds(ctx.lead_in)
    found: list[Criterion] = []
    for name in sorted(ctx.kinds, key=_POSITION.__getitem__):  # registry order; only the kinds it mentions
        extract = REGISTRY[name].extract
        if extract is None:
            continue
        try:
            found.extend(extract(ctx))
        except Exception:  # a rule bug must not lose the item
            log.exception("kind %s failed on item %d", name, item.index)
    if not found:
        found.append(ctx.make(Other))
    return found


def extract_segmentation(seg: Segmentation) -> list[Criterion]:
    """Typed criteria for every item of a segmentation, in source order."""
    out: list[Criterion] = []
    items = seg.items
    for i, item in enumerate(items):
        parent = items[item.parent] if item.parent is not None and 0 <= item.parent < len(items) else None
        out.extend(extract_item(item, seg.text, parent, items[i - 1] if i else None))
    return out
