"""A histology named with no cancer: the item's diagnosis when confirmation is required ("Histologically confirmed
squamous cell carcinoma"), or, in an inclusion, when the histology opens the item after grade words only ("Low to
intermediate grade DCIS or invasive ductal carcinoma", "High grade serous") or is named as the histology required
("Patients must have endometrioid histology"); not one the item excludes ("except squamous", "... histology is not
eligible"), nor one qualifying another noun ("Papillary cystadenoma")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._diagnosis_lists import coordinated_sites

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import DiagnosisReading, Rules

__all__ = ["histology_diagnosis"]

_SITES_BEFORE = 50  # characters before the histology read for coordinated site words
_EXCLUDED = 60  # ... for an exclusion of it


def histology_diagnosis(rules: Rules, out: DiagnosisReading, sites: dict[str, str], *, cued: bool) -> None:
    """Add to ``out.names`` the cancers of its first histology (its coordinated sites, else the histology itself) when
    it names no cancer taken and no agent, and the item states the histology as its diagnosis (module docstring)."""
    if out.names or not out.hists or out.agents:
        return
    lower = out.lower
    s, e, h = out.hists[0]
    if not out.confirmed:
        if not cued or out.mentions or rules.histology_excluded_before.search(lower, max(0, s - _EXCLUDED), s):
            return
        if not (rules.histology_opens.match(lower, 0, s) or rules.histology_word_after.match(lower, e)):
            return
        if rules.excluded_mention_after.match(lower, e) or not rules.histology_opens_after.match(lower, e):
            return
    pre = lower[max(0, s - _SITES_BEFORE) : s]
    for site in coordinated_sites(rules, pre, rules.site_list_histology, sites):
        if site not in out.names:
            out.names.append(site)
            out.where[site] = (s, e)
    if not out.names:
        out.names.append(h)
        out.where[h] = (s, e)
