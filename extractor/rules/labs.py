"""Rule family `labs` (being written; returns nothing yet)."""

from __future__ import annotations

from extractor.models import Criterion
from extractor.rules._common import ItemContext


def extract(ctx: ItemContext) -> list[Criterion]:
    """Typed criteria this family finds in one item."""
    return []
