"""Contraceptives named as a medication: a sentence that allows, stops, exempts or excludes a hormonal
contraceptive ("Hormonal contraception is allowed for female subjects", "Hormonally based contraceptive measures
must be discontinued", "oral progestin/estrogen combinations used for contraception are an exception", "medications
that interact with contraceptive steroid hormones"; in an exclusion item "Use of oral contraceptive pills ... in the
month prior to screening") asks the patient for no contraception."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.rules.ruledata import Pattern

__all__ = ["as_medication"]


def as_medication(
    low: str, s: int, e: int, *, medication: Pattern, excluded_use: Pattern, duty: Pattern, exclusion: bool
) -> bool:
    """True when the sentence ``low[s:e]`` names contraception as a medication (``medication``, or ``excluded_use``
    in an exclusion item) and holds no duty word outside that phrase (``duty``: "must agree to use ...")."""
    m = medication.search(low, s, e)
    if m is None and exclusion:
        m = excluded_use.match(low, s, e)
    if m is None:
        return False
    return duty.search(low, s, m.start()) is None and duty.search(low, m.end(), e) is None
