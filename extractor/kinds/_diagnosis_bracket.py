"""Bracketed histology lists of the ``diagnosis`` kind (its rules are ``diagnosis.yaml``): a list of subtypes in
brackets right after a cancer ("Endometrial carcinomas (serous, clear cell, endometrioid, carcinosarcoma)",
"primary peritoneal cancer (serous, clear cell, endometrioid, mixed or poorly differentiated or carcinosarcoma)") is
the cancer's histology as written, not its first entry alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["bracket_histologies"]

Mention = tuple[int, int, str]


def bracket_histologies(
    rules: Rules, lower: str, end: int, dx: tuple[list[Mention], list[Mention]], found: str | None
) -> str | None:
    """The bracketed list of histologies right after a mention ending at ``end``, as written (diagnosis.yaml
    ``histology_bracket``), when ``found`` is its first entry's histology, the list has at least
    ``histology_bracket_min`` entries and names no cancer (``dx``: the item's cancer and histology mentions; not
    "(endometrioid, MOC, HGSOC and solid gynecological cancers)"); else ``found``."""
    if found is None:
        return found
    m = rules.histology_bracket.match(lower, end)
    if m is None or "," not in m.group("list") or m.group("list").rstrip().endswith(","):
        return found
    mentions, hists = dx
    if any(m.start("list") <= a < m.end("list") for a, _b, _c in mentions):
        return found
    first = next((h for h in hists if h[0] == m.start("list")), None)
    if first is None or first[2] != found:
        return found
    body = " ".join(m.group("list").split())
    if len(rules.histology_bracket_separator.findall(body)) + 1 < rules.histology_bracket_min:
        return found
    return body
