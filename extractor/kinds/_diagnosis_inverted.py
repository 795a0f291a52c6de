"""Exclusions that turn the trial's diagnosis round (``diagnosis.yaml`` ``exclusion_inverted``): "any histology not
consistent with prostate adenocarcinoma" names the diagnosis after its cue; "participants with cervical cancer with
histologies other than adenocarcinoma, ..." names it before the cue too, in the cue's sentence, and its histology is
one of those the cue lists, not held (the kind cannot list alternatives). :func:`own_variant` reads an exclusion of
a histologic variant named with the trial's own cancer ("adenosquamous carcinoma of the pancreas")."""

from __future__ import annotations

import re

__all__ = ["inverted_names", "own_variant"]

Span = tuple[int, int]


def inverted_names(lower: str, cue: re.Match[str], names: list[str], where: dict[str, Span]) -> tuple[list[str], bool]:
    """The names an exclusion's inverting ``cue`` keeps as the diagnosis, and whether their histology is dropped
    (a "histologies other than" cue, the pattern's group ``other``)."""
    if cue.group("other") is None:
        return [c for c in names if where[c][0] >= cue.end()], False
    sentence = lower.rfind(". ", 0, cue.start()) + 1  # 0 when the cue's sentence opens the item
    return [c for c in names if where[c][0] >= sentence], True


def own_variant(rule: re.Pattern[str], lower: str, sites: dict[str, str], early: int) -> str | None:
    """The trial's cancer an exclusion names by the organ of an excluded variant of it ("adenosquamous carcinoma of
    the pancreas"; ``diagnosis.yaml`` ``own_variant``) within ``early`` characters, or None."""
    m = rule.search(lower, 0, early + 80)
    return sites.get(" ".join(m.group("site").split())) if m is not None and m.start() <= early else None
