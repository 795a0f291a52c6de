"""An inclusion sentence that rules a condition out ("Participants must not have uncontrolled hypercalcemia (calcium
> 12 mg/dL)", "Patient must not have any risk factors ..., significant proteinuria (> 300 mg/dl)") states its limits
as an exclusion does: the comparator a patient must meet is the negated one. Not a limit written the way the analyte
is usually bounded ("... need for anticoagulation (INR <= 1.5)": what is required) nor one after an exception or a
permission ("... unless CD4 > 350", "... are eligible if")."""

from __future__ import annotations

from extractor.kinds._lab_rules import RULES
from extractor.kinds._lab_thresholds import Mention
from extractor.models.criteria import Comparator

__all__ = ["ruled_out"]

_USUAL = {"lower": ">", "upper": "<"}


def ruled_out(text: str, mention: Mention, op: Comparator) -> bool:
    """Whether ``op`` on ``mention`` in an inclusion item's lower-cased ``text`` follows a `negated_inclusion` cue
    of its sentence (with no exception or permission between) and goes against the analytes' usual bound."""
    if op[0] not in "<>":
        return False
    lo = text.rfind(". ", 0, mention.start) + 1
    cues = list(RULES.negated_inclusion.finditer(text, lo, mention.start))
    if not cues:
        return False
    cue = cues[-1]
    between = text[cue.end() : mention.start]
    if RULES.unless.search(between) or RULES.requirement.search(between):
        return False
    return all(_USUAL.get(mention.bounds.get(a) or "") != op[0] for a in mention.analytes)
