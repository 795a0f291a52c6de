"""The histology of an item's one diagnosis when none is named next to it: the first histology mention, not one
inside the name of a cancer that is no diagnosis of the item ("HRAS overexpression (only for HNSCC tumors)" beside
"advanced solid tumors")."""

from __future__ import annotations

__all__ = ["sole_histology"]


def sole_histology(hists: list[tuple[int, int, str]], foreign: list[tuple[int, int]]) -> str | None:
    """The first of ``hists`` not inside a span of ``foreign`` (mentions of cancers that are not diagnoses)."""
    own = [h for h in hists if not any(a <= h[0] and h[1] <= b for a, b in foreign)]
    return own[0][2] if own else None
