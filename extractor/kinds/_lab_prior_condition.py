"""A population named by another lab's value before the mention it restricts ("if serum creatinine is > 1.5 x ULN,
creatinine clearance must be >= 50 mL/min"): the condition of the mention after it, whose own name is no mention."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._lab_populations import lab_condition, lab_condition_analyte
from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.kinds._lab_thresholds import Mention

__all__ = ["prior_conditions"]


def prior_conditions(text: str, mentions: list[Mention]) -> dict[int, tuple[str, int]]:
    """Mention index -> (condition, start of its cue) for each mention right after an "if <lab> <op> <limit>," that
    names another analyte; the condition's own mention (the one before) is in no result and is to be skipped (see
    ``condition_mentions``). ``text``: the item's lower-cased text."""
    out: dict[int, tuple[str, int]] = {}
    for i in range(1, len(mentions)):
        named, mention = mentions[i - 1], mentions[i]
        cue = RULES.prior_condition_cue.search(text, max(0, named.start - 20), named.start)
        if cue is None:
            continue
        lc = RULES.lab_condition.match(text, cue.start())
        if (
            lc is not None
            and named.end <= lc.end() <= mention.start
            and RULES.prior_condition_gap.fullmatch(text, lc.end(), mention.start)
            and lab_condition_analyte(lc) not in mention.analytes
        ):
            out[i] = lab_condition(lc), cue.start()
    return out
