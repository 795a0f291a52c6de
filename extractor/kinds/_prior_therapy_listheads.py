"""A shared "inhibitor" head over a list of bare targets ("PD-1, PD-L1, tyrosine kinase or TOR inhibitor",
"BRAF, ERK, and/or MEK inhibitor", "ATR, ATM, CHK, BET, EZH2, and/or PI3K inhibitors"): the head goes to every
entry (GUIDE, prior_therapy: a shared head goes to every entry), also to targets the lexicon lacks when the quote
writes them as a gene symbol (two or more capitals: "ERK", "mTOR", "CHK1"). The lexicon's coordination stops at
the first unknown entry; this pass reads the whole list. About 10 non-gold corpus trials.
"""

from __future__ import annotations

import re

from extractor.rules.drugs import lookup

__all__ = ["list_heads"]

_TOK = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?: kinase)?"
_SEP = r"\s*(?:,\s*(?:(?:and/or|or|and)\b)?|\b(?:and/or|or|and)\b|/)\s*"
_LIST = re.compile(rf"(?<![\w-])((?:{_TOK}{_SEP}){{1,6}}{_TOK})\s+inhibitors?\b", re.IGNORECASE)
_ENTRY = re.compile(_TOK)
_SYMBOL = re.compile(r"^[a-z]?[A-Z][A-Z0-9-]*[A-HJ-Z0-9]$")  # a gene symbol ("ERK", "mTOR"), not "FTI", "CNIs"
_COORD = frozenset({"or", "and"})


def _name(entry: str) -> str | None:
    """The inhibitor class a bare list entry names: the lexicon's, else "<symbol> inhibitor" for a gene symbol."""
    if entry.lower().startswith("anti"):
        return None  # "anti-PD-1": the lexicon's own class
    known = lookup(entry.lower() + " inhibitor")
    if known is not None:
        return known
    return entry.lower() + " inhibitor" if _SYMBOL.match(entry) else None


def list_heads(text: str, agents: list[str]) -> list[str]:
    """``agents`` with the inhibitor class of each bare entry of a list sharing an "inhibitor" head, placed in list
    order before the first agent the list already gave; the list starts after its last entry that names no target."""
    out = list(agents)
    for m in _LIST.finditer(text):
        if "," not in m.group(1) and " or " not in m.group(1) and " and " not in m.group(1):
            continue  # "PD-1/PD-L1 inhibitor": the lexicon splits it
        entries = [e.group() for e in _ENTRY.finditer(m.group(1)) if e.group().lower() not in _COORD]
        new: list[str] = []
        for e in reversed(entries):  # the entries that end the list, back to the first that names no target
            if (n := _name(e)) is None:
                break
            new.insert(0, n)
        if len(new) < 2:
            continue
        at = next((out.index(n) for n in new if n in out), len(out))
        add = [n for n in dict.fromkeys(new) if not any(a.endswith(n) for a in out)]  # "strong cyp3a4 inhibitor"
        out[at:at] = add
    return out
