"""Marker names with a lower-case prefix in ``biomarker``: "dMMR", "gBRCA", "c-MET", and a prefixed name that opens a
slash-joined token ("dMMR/MSI-H", "dMMR/MSI-High"): the prefixed name, then the names after the slash."""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["prefixed"]

Mention = tuple[int, int, str]


def prefixed(
    exact: Mapping[str, str], clean: str, start: int, end: int, rest: Callable[[str], tuple[Mention, ...]]
) -> list[Mention]:
    """Markers named by ``clean[start:end]`` read with the one or two characters before it (a prefix such as d-, g-,
    c-), or []; ``rest`` reads the names of a token after a slash (offsets into that token)."""
    slash = clean.find("/", start, end)
    for back in (1, 2):
        b = start - back
        if b < 0 or (b > 0 and clean[b - 1].isalnum()):
            continue
        if clean[b:end] in exact:
            return [(b, end, exact[clean[b:end]])]
        if slash > 0 and clean[b:slash] in exact:
            after = slash + 1
            tail = [(after + s, after + e, n) for s, e, n in rest(clean[after:end])]
            return [(b, slash, exact[clean[b:slash]]), *tail]
    return []
