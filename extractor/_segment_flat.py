"""Flat list entries under a lead-in: "* Prior malignancy with the following exceptions:" then "* Vitiligo",
"* Psoriasis" at the lead-in's own marker and indent (or unmarked short lines under an unmarked lead-in) are the
lead-in's children, so a bare agent or condition keeps what the lead-in says of it. An entry counts while it is a
short phrase with no finite verb; the run ends at the first entry that is not, at a blank line the lead-in's list
did not open with, or at a new section or cohort.
"""

from __future__ import annotations

import re

from extractor.models.segmentation import Item

__all__ = ["adopt_flat_entries"]

_MAX_WORDS = 20
_VERBS = frozenset(
    (
        "must is are was were be been being have has had will would should shall may might can cannot could do "
        "does did need needs who which refer see note"
    ).split()
)
_WORD = re.compile(r"[a-z]+")
_NOT_LEAD = re.compile(r"\bcriteri(?:a|on)\b|\bdefinitions?\b")
_LIST_CUE = re.compile(
    r"follow|below|\binclud|exception|\bsuch as|\bexample|\be\.g\.|\b(?:as|of|is|are|to):$"
    r"|\b(?:values|parameters|agents|drugs|medications|therapies|treatments|conditions|diseases|disorders"
    r"|tumou?rs|cancers|types|subtypes|methods|categories|cohorts|groups):$"
)


def _indent(text: str, item: Item) -> int:
    """Indent of the line the item (its marker) starts on."""
    line_start = text.rfind("\n", 0, item.start) + 1
    line = text[line_start : item.start]
    return len(line) - len(line.lstrip(" \t"))


def _style(marker: str | None) -> str:
    if marker is None:
        return ""
    m = marker.replace("\\", "")
    if re.fullmatch(r"\d{1,3}[.)]", m):
        return "num" + m[-1]
    if re.fullmatch(r"\(?[a-zA-Z][.)]", m):
        return "alpha" + m[-1]
    return m


def _is_entry(item: Item) -> bool:
    """A short phrase with no finite verb (a list entry, not a criterion sentence)."""
    body = item.text.strip().rstrip(";,.")
    if not body or body.endswith(":") or "\n\n" in body:
        return False
    words = _WORD.findall(body.lower())
    if not words or len(body.split()) > _MAX_WORDS:
        return False
    return not any(w in _VERBS for w in words) and ". " not in body


def _lead_in(item: Item) -> bool:
    """An item ending in ":" that announces a list: no section intro ("... the following criteria:"), no blank line
    inside; it names the list ("... the following:", "... defined as:", "... agents:")."""
    low = item.text.lower()
    if not item.text.endswith(":") or "\n\n" in item.text or _NOT_LEAD.search(low) or len(low.split()) < 2:
        return False
    return bool(_LIST_CUE.search(low))


def adopt_flat_entries(text: str, items: list[Item]) -> list[Item]:
    """Re-parent flat entries to the lead-in above them (depths of their own children follow)."""
    parent = [it.parent for it in items]
    n = len(items)
    i = 0
    changed = False
    while i < n - 1:
        lead = items[i]
        nxt = items[i + 1]
        if not _lead_in(lead) or nxt.parent == i or nxt.parent != lead.parent:
            i += 1
            continue
        style, indent = _style(lead.marker), _indent(text, lead)
        if style != _style(nxt.marker) or _indent(text, nxt) != indent:
            i += 1
            continue
        blank_ok = style == "" or "\n\n" in text[lead.end : nxt.start]
        j, prev = i + 1, lead
        while j < n:
            it = items[j]
            if it.parent == parent[i] and (
                _style(it.marker) != style
                or _indent(text, it) != indent
                or (it.section, it.cohort) != (lead.section, lead.cohort)
                or not _is_entry(it)
                or (not blank_ok and "\n\n" in text[prev.end : it.start])
            ):
                break
            if it.parent == parent[i]:
                parent[j] = i
                changed = True
                prev = it
            elif it.parent is None or it.parent < i:
                break
            j += 1
        i = max(j, i + 1)
    if not changed:
        return items
    out: list[Item] = []
    for k, it in enumerate(items):
        p = parent[k]
        depth = out[p].depth + 1 if p is not None else 0
        out.append(it if (p, depth) == (it.parent, it.depth) else it.model_copy(update={"parent": p, "depth": depth}))
    return out
