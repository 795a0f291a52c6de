"""Inline entries of a pregnancy item: numbered or lettered entries glued into one item after a full stop or
semicolon, or dash bullets after a blank line (the pattern is ``entry_break`` in ``pregnancy.yaml``). An item with a
lead-in colon before an entry is one list and is not cut."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.rules.ruledata import Pattern

__all__ = ["entries"]


def entries(low: str, rx: Pattern) -> list[tuple[int, int]]:
    """Bounds of the inline entries of the lower-cased item ``low``, cut where ``rx`` matches (the whole item when it
    has none)."""
    out: list[tuple[int, int]] = []
    s = 0
    for m in rx.finditer(low):
        if ":" in low[: m.start()]:
            break
        out.append((s, m.start()))
        s = m.end()
    out.append((s, len(low)))
    return out
