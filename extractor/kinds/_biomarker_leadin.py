"""Markers listed under a lead-in in ``biomarker``: a short child naming genes only ("PALB2", "ATM, BRCA1, BRCA2,
PALB2, TP53") under a lead-in that names the alteration of its list ("a pathogenic variant in at least one of the
following genes:", "one of the following molecular alterations considered targetable:") takes that alteration; not
under a lead-in that negates it ("without any of the following mutations:")."""

from __future__ import annotations

import re
from collections.abc import Callable

from extractor.rules.item import ItemContext

__all__ = ["lead_alteration"]

# a longer child states its own rule
_MAX_CHILD = 160


def lead_alteration(
    ctx: ItemContext, listed: re.Pattern[str], negated: re.Pattern[str], qualified: Callable[[str, int, int, int], str]
) -> str | None:
    """The alteration the item's lead-in names for the genes it lists, qualified as written (``qualified`` reads the
    word at its offsets in the lead-in), or None."""
    if ctx.parent is None or len(ctx.clean) > _MAX_CHILD:
        return None
    lead = ctx.lead_in
    m = listed.search(lead)
    if m is None or negated.search(lead, 0, m.end()) is not None:
        return None
    group = "alt" if m.group("alt") else "alt2"
    return qualified(lead, m.start(group), m.end(group), -1)
