"""The patient's need of a therapy as a ``prior_therapy`` cue (issue 11, round 28: ptmiss5).

An exclusion that opens with the need ("Patients that require rifampin", "Needs doses of prednisolone > 10 mg
daily", "Need to use proton pump inhibitors on study") or an inclusion "No (ongoing) requirement for X" states a
concurrent-therapy rule: X is excluded (GUIDE: planned or concurrent therapy). An inclusion need without "no" is
the disease's indication, and an exclusion "No requirement" states no rule; steroids for brain lesions are
``brain_metastases``' (off steroids). Pattern: ``need_open`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from extractor.rules.ruledata import Pattern

__all__ = ["need_cue"]


def need_cue(need_open: Pattern, lower: str, is_exclusion: bool) -> bool | None:
    """Whether the item opens with the patient's need of a therapy that the section makes a rule; None for an
    exclusion "No requirement for X" (no rule to read)."""
    m = need_open.match(lower)
    if m is not None and is_exclusion and m.group("no") is not None:
        return None
    if m is None or (m.group("no") is None) != is_exclusion:
        return False
    return is_exclusion or not any(w in lower for w in ("brain", "cns", "central nervous", "intracranial"))
