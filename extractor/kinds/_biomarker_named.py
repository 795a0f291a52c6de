"""The state a marker's name states ("mismatch repair deficient", "microsatellite unstable", "microsatellite
instability") in ``biomarker``, when nothing nearer says it: a status marker's name before "status" states none
("microsatellite instability status"); a name in the brackets after its symbol or before a bracket saying "high"
leaves it to the other mention ("MSI (metastatic microsatellite instability)", "Microsatellite Instability
(MSI-H)"); a "high" after the name's bracket wins ("microsatellite instability (MSI)-high")."""

from __future__ import annotations

import re

__all__ = ["named_state"]


def named_state(
    clean: str,
    span: tuple[int, int, int],
    sym: str,
    in_alias: bool,
    *,
    named: dict[str, str],
    status: tuple[re.Pattern[str], frozenset[str]],
    high: re.Pattern[str],
) -> str | None:
    """The alteration the name at ``clean[start:m_end]`` states (``span``: start, name end, end after its bracket),
    from the ``named`` table; ``status``: the status-word pattern and the status markers; ``high``: a "high" after."""
    start, m_end, end = span
    status_after, status_markers = status
    opened = clean.rfind("(", 0, start)
    alias = opened > clean.rfind(")", 0, start) and clean[:opened].rstrip().upper().endswith(sym)
    if in_alias or alias or high.search(clean, m_end, end):
        return None
    if sym in status_markers and status_after.match(clean, end):
        return None
    state = named.get(" ".join(clean[start:m_end].lower().split()))
    return "high" if state and high.match(clean, end) else state
