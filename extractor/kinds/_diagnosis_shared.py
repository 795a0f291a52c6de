"""Histologies read before a mention by the ``diagnosis`` kind (its rules are ``diagnosis.yaml``): one named
before coordinated site words is every coordinated cancer's ("high-grade serous ovarian, fallopian tube or primary
peritoneal cancer"); one right before a name that carries only a qualifier replaces it ("high grade serous
epithelial ovarian cancer" -> high grade serous, not epithelial); coordinated histologies are one phrase ("high
grade serous or endometrioid"). A qualifier ("epithelial", "well-differentiated") is the histology when none is
named; a site qualifier ("cutaneous", "uveal") only a melanoma's."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["qualifier", "shared_histology"]

_RUN_REACH = 40  # characters after a mention's start read for the histology it was given

Mention = tuple[int, int, str]

_MAX_SITES = 5  # site words read before a mention


def _sites_start(rules: Rules, lower: str, start: int, sites: dict[str, str]) -> int:
    """Where the site words coordinated right before ``start`` begin ("ovarian, fallopian tube, or "), with an
    "epithelial" in front; ``start`` when there are none."""
    for _ in range(_MAX_SITES):
        m = rules.shared_site_unit.search(lower, max(0, start - 40), start)
        if m is None or " ".join(m.group("w").split()) not in sites:
            break
        start = m.start()
    q = rules.shared_site_qualifier.search(lower, max(0, start - 15), start)
    return q.start() if q else start


def shared_histology(
    rules: Rules,
    lower: str,
    dx: tuple[list[Mention], list[Mention]],
    start: int,
    *,
    found: str | None,
    sites: dict[str, str],
) -> str | None:
    """The histology of the mention starting at ``start`` when histologies (``dx``: the item's cancer and histology
    mentions) stand right before it or the site words coordinated with it: the one named (several: the phrase as
    written); else ``found`` (what the histology read after and inside the mention gave)."""
    # a single histology replaces none found or a carried one; a run of two also one of its own ("clear cell or
    # endometrioid ovarian carcinoma": not endometrioid alone)
    run_ok = found is None or found in rules.carried_histologies
    mentions, hists = dx
    end = _sites_start(rules, lower, start, sites)
    run: list[Mention] = []
    for h in reversed([h for h in hists if h[1] <= end]):
        if run and any(a <= h[0] and h[1] <= b for a, b, _c in mentions):
            break  # "High Grade Serous Ovarian Cancer, Squamous NSCLC": a cancer's name ends the run
        gap = lower[h[1] : run[0][0] if run else end]
        if (run and not rules.shared_histology_between.match(gap)) or (not run and gap.strip(" -")):
            break
        if rules.histology_excluded_before.search(lower, max(0, h[0] - 15), h[0]):
            return found
        run.insert(0, h)
    if not run:
        return _coordinated(rules, lower, dx, start, found)
    if len(run) == 1:
        return run[0][2] if run_ok else found
    if not run_ok and found not in {h for _s, _e, h in run}:
        return found
    return " ".join(lower[run[0][0] : run[-1][1]].split())


def qualifier(rules: Rules, lower: str, start: int, reach: int) -> str | None:
    """A qualifier right before the mention or the site words coordinated with it ("well-differentiated")."""
    m = rules.histology_qualifier.search(lower, max(0, start - reach), start)
    if m is None or (m.group("site") and not rules.site_qualifier_head.match(lower, start)):
        return None  # "primary cutaneous diffuse large B-cell lymphoma": a site, not a melanoma's histology
    return "-".join(m.group("q").split())


def _coordinated(
    rules: Rules, lower: str, dx: tuple[list[Mention], list[Mention]], start: int, found: str | None
) -> str | None:
    """``found`` with the histologies coordinated with it, as one phrase ("adenocarcinoma or adenosquamous carcinoma
    of the pancreas", "esophageal adenocarcinoma or squamous cell carcinoma"); ``found`` when none is."""
    mentions, hists = dx
    seed = next((h for h in hists if h[2] == found and start <= h[0] <= start + _RUN_REACH), None)
    if seed is None:
        return found

    def free(h: Mention) -> bool:
        """Not part of a cancer's name, nor named as excluded."""
        return not any(a <= h[0] and h[1] <= b for a, b, _c in mentions) and not (
            rules.histology_excluded_before.search(lower, max(0, h[0] - 15), h[0])
        )

    def joined(a: int, b: int) -> bool:
        """Two histologies joined by "or" / "and" / "/" (a comma-separated list is left as it was)."""
        return "," not in lower[a:b] and bool(rules.shared_histology_between.match(lower[a:b]))

    before = [h for h in hists if h[1] <= seed[0] and free(h) and joined(h[1], seed[0])]
    # after the seed, not one qualifying the next cancer ("Serous Ovarian Cancer, Squamous NSCLC")
    after = [
        h
        for h in hists
        if h[0] >= seed[1]
        and free(h)
        and joined(seed[1], h[0])
        and not any(a >= h[1] and not lower[h[1] : a].strip(" -") for a, _b, _c in mentions)
    ]
    run = [*before[-1:], seed, *after[:1]]
    if lower[: run[0][0]].rstrip().endswith(",") or lower[run[-1][1] :].lstrip().startswith(","):
        return found  # the last two of a longer list: not the list
    if len(run) == 1:
        return found
    # a name carrying a cancer ("esophageal adenocarcinoma") gives its histology's name, others the text as written
    parts = [h[2] if h == seed and not free(h) else lower[h[0] : h[1]] for h in run]
    gaps = [lower[a[1] : b[0]] for a, b in pairwise(run)]
    return " ".join("".join(p + g for p, g in zip(parts, [*gaps, ""], strict=True)).split())
