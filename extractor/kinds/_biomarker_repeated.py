"""Further variants of ``biomarker`` after the first one read: those written on ("EGFR L858R or exon 19 deletion")
and those with the marker named again before each ("KRAS G12C or KRAS G12S", "BRAF V600E or BRAF V600K") join
the first one's alteration, as written without the name."""

from __future__ import annotations

import re
from functools import cache

__all__ = ["further_variants"]

_SEP = r"\s*(?:,\s*(?:and/or\s+|or\s+|and\s+)?|\s(?:and/or|or|and)\s+|/)\s*"


@cache
def _unit(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?P<sep>{_SEP}){re.escape(name)}[\s-]*(?:p\.)?(?P<var>[A-Z]\d{{1,4}}[A-Z])\b")


def repeated_variants(clean: str, vend: int, name: str) -> tuple[str, int] | None:
    """The further variants after ``clean[:vend]`` each written after the marker ``name`` again, as the text to
    append to the first variant (", G12V or G12R") and where they end; None when there is none."""
    unit, pos, text = _unit(name), vend, ""
    while (m := unit.match(clean, pos)) is not None:
        sep = " ".join(m.group("sep").split())
        text += (
            f"{sep}{m.group('var')}" if sep == "/" else f"{'' if sep.startswith(',') else ' '}{sep} {m.group('var')}"
        )
        pos = m.end()
    return (text, pos) if text else None


def further_variants(
    clean: str, vend: int, alteration: str, name: str, more: tuple[re.Pattern[str], re.Pattern[str]]
) -> tuple[str, int]:
    """``alteration`` with the variants written after it (``more``: the list pattern and a bracket it drops; then
    those after the marker named again) and where the last one ends."""
    more_re, bracket = more
    m_more = more_re.match(clean, vend) if clean.startswith((" ", ","), vend) else None
    if m_more is not None:
        alteration, vend = " ".join((alteration + bracket.sub("", m_more.group(0))).split()), m_more.end()
    rep = repeated_variants(clean, vend, name)
    return (alteration + rep[0], rep[1]) if rep else (alteration, vend)
