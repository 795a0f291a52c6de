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


def own_variant(
    rules: tuple[re.Pattern[str], re.Pattern[str]],
    lower: str,
    mentions: list[tuple[int, int, str]],
    sites: dict[str, str],
    early: int,
) -> str | None:
    """The trial's cancer an exclusion names with an excluded variant of it (``diagnosis.yaml`` ``own_variant``)
    within ``early`` characters: the variant's organ ("adenosquamous carcinoma of the pancreas") or the mention the
    variant follows ("urothelial carcinoma with histologic variants"); None if neither."""
    of_site, after = rules
    m = of_site.search(lower, 0, early + 80)
    if m is not None and m.start() <= early and (site := sites.get(" ".join(m.group("site").split()))):
        return site
    s, e, c = mentions[0]
    return c if s <= early and after.match(lower, e) else None
