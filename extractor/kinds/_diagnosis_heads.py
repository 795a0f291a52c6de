"""Head-word readings of the ``diagnosis`` kind (its rules are ``diagnosis.yaml``): a site adjective right before a
histology named without a cancer ("Uterine serous cancer", "Cervical squamous cell cancer", "endometrial serous
carcinoma") names that site's cancer, the histology its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["site_histology"]

Mention = tuple[int, int, str]

_SITE_REACH = 40  # characters before a histology read for its site word


def site_histology(
    rules: Rules, lower: str, mentions: list[Mention], hists: list[Mention], sites: dict[str, str]
) -> None:
    """Add the cancer of a site word standing right before a histology that no cancer mention holds ("uterine
    serous cancer" -> uterine cancer): its mention spans the site word to the histology (and a "cancer" /
    "carcinoma" head after it); keeps ``mentions`` in text order."""
    added = False
    for s, e, _h in hists:
        if any(a <= s and e <= b for a, b, _c in mentions):
            continue
        m = rules.site_before_histology.search(lower, max(0, s - _SITE_REACH), s)
        if m is None:
            continue
        cancer = sites.get(" ".join(m.group("site").split()))
        if cancer is None or cancer.endswith("lymphoma"):
            continue
        head = rules.histology_head_after.match(lower, e)
        mentions.append((m.start("site"), head.end() if head else e, cancer))
        added = True
    if added:
        mentions.sort(key=lambda x: x[0])
