"""Organs named after "of the" by the ``diagnosis`` kind (its rules are ``diagnosis.yaml``): a histology followed by
one ("serous carcinoma of the ovary" -> ovarian cancer) and the organs listed after such a mention ("carcinoma of the
bladder, ureter, or renal pelvis")."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["of_the_organs", "sites_after"]

Mention = tuple[int, int, str]


def sites_after(rules: Rules, lower: str, end: int, sites: dict[str, str]) -> list[tuple[int, str]]:
    """The organs listed after an "of the <organ>" mention ending at ``end``: (end of the word, cancer) each."""
    out: list[tuple[int, str]] = []
    while (m := rules.site_after.match(lower, end)) and (w := " ".join(m.group(1).split())) in sites:
        out.append((m.end(), sites[w]))
        end = m.end()
    return out


def of_the_organs(
    rules: Rules, lower: str, mentions: list[Mention], hists: list[Mention], sites: dict[str, str]
) -> None:
    """Add the cancers of organs named after "of the": a histology followed by it ("serous carcinoma of the ovary"
    -> ovarian cancer) and the organs listed after such a mention ("carcinoma of the bladder, ureter, or renal
    pelvis" -> ureteral, renal pelvis cancer): the first spans its histology to its organ, the listed organs share
    their mention's span (and so its histology). A cancer named by its histology alone ("urothelial carcinoma of the
    bladder") gives way to its organ's cancer."""
    taken = [(a, b) for a, b, _ in mentions]
    for s, e, h in hists:
        own = (s, e, h) in mentions  # "urothelial carcinoma": a histology that is also a cancer name
        if not own and any(a <= s and e <= b for a, b in taken):
            continue
        m = rules.of_the_site.match(lower, e)
        if m and (w := " ".join(m.group(1).split())) in sites and sites[w] != h:
            if own:
                mentions.remove((s, e, h))
            mentions.append((s, m.end(), sites[w]))
    for s, e, c in list(mentions):
        if c in sites.values() and rules.of_the_site.search(lower, s, e):
            mentions.extend((s, e, site) for _end, site in sites_after(rules, lower, e, sites) if site != c)
    mentions.sort(key=lambda m: m[0])
