"""Spelled-out marker names of ``biomarker``: a name written out with its symbol in brackets ("platelet-derived
growth factor receptor alpha (PDGFRA)") stands for the symbol in a list of markers."""

from __future__ import annotations

import re
from collections.abc import Container

__all__ = ["collapse_spelled"]


def collapse_spelled(between: str, spelled: re.Pattern[str], symbols: Container[str]) -> str:
    """``between`` with each spelled-out name and its bracketed marker symbol written as the symbol alone, and a
    spelled-out name opening the bracket of the marker that ends ``between`` dropped ("alteration [Kirsten rat
    sarcoma viral oncogene homolog (KRAS), neuroblastoma RAS viral oncogene homolog (" -> "alteration [KRAS, ")."""
    if "(" not in between:
        return between

    def _sym(m: re.Match[str]) -> str:
        sym = m.group("sym")
        if sym is None:
            return ""
        return sym if sym in symbols else m.group(0)

    return spelled.sub(_sym, between)
