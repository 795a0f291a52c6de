"""A marker named again in ``biomarker``: another cohort's variant makes another criterion ("Cohort A: KRAS G12C ...;
Cohort B: KRAS G12D ...")."""

from __future__ import annotations

__all__ = ["new_variant"]


def new_variant(made: list[tuple[int, str | None, bool]], s: int, variant: str | None) -> bool:
    """A marker named again with a variant none of its criteria has, in another sentence, after criteria that named
    variants, states another cohort's requirement; ``made`` holds (sentence start, variant, wild-type) of each
    criterion the marker made."""
    return bool(variant) and all(v and v != variant and ms != s for ms, v, _w in made)
