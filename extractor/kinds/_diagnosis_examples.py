"""Examples listed after a cancer the ``diagnosis`` kind took (its rules are ``diagnosis.yaml``): "solid tumors
including: squamous cell cancer of the head and neck, ..., melanoma", "advanced solid tumors, specifically: ...; NSCLC
or CRC; ... PDAC": each cancer named there is a diagnosis wherever it stands, as one named in a coordination is. Also
whether a condition stands before a mention."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.diagnosis import Rules

__all__ = ["condition_before", "examples_end"]

_CONDITION_BEFORE = 60  # characters before a mention read for a condition ("if ...", "for patients with ...")


def condition_before(rules: Rules, lower: str, start: int) -> bool:
    """A condition or one group's rule stands right before ``start`` (diagnosis.yaml ``condition_before``)."""
    lo = max(0, start - _CONDITION_BEFORE)
    for w in rules.condition_gate:  # the pattern is tried only at the last "if " / "for " before the mention
        i = lower.rfind(w, lo, start)
        if i >= 0 and rules.condition_before.match(lower, i, start):
            return True
    return False


def examples_end(rules: Rules, lower: str, end: int) -> int:
    """Where the examples listed right after a mention taken (ending at ``end``) stop: the sentence's end after a cue
    with a colon, else the clause's (the next ";"); ``end`` when no list of examples follows (diagnosis.yaml
    ``examples_follow``)."""
    m = rules.examples_follow.match(lower, end)
    if m is None:
        return end
    stop = lower.find(". ", m.end())
    stop = len(lower) if stop < 0 else stop
    semi = -1 if m.group().rstrip().endswith(":") else lower.find(";", m.end(), stop)
    return stop if semi < 0 else semi
