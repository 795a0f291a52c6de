"""A bare number stated for a population after a threshold with a unit or a ULN multiple is in that threshold's
unit: "Total bilirubin <= 1.5 x ULN (<= 2.0 in patients with Gilbert's syndrome)", "ALT > 3 x ULN (or <= 5 in
patients with liver metastasis)", "Platelets >= 100 x 10^9/L (>= 60 for HCC)", "bilirubin <= ULN (unless Gilbert's
disease, then <= 3.0)". Only when the two numbers are of one order (`unitless_ratio` in lab.yaml)."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Threshold

__all__ = ["take_unit"]


def take_unit(primary: Threshold, t: Threshold) -> None:
    """Give ``t`` (a population's threshold written without unit) the unit or ULN multiple of ``primary``."""
    if t.unit or t.uln is not None or t.lln or t.value is None or t.wnl:
        return
    base = primary.uln if primary.uln is not None else primary.value if primary.unit else None
    lo, hi = RULES.unitless_ratio
    if not base or base <= 0 or not lo <= t.value / base <= hi:
        return
    if primary.uln is not None:
        t.uln, t.value = t.value, None
    else:
        t.unit = primary.unit
