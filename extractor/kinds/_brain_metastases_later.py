"""Conditions an exclusion states in its later sentences when it names no allowance.

"Active brain metastasis or leptomeningeal disease. Patients with treated brain metastasis must have stable disease
... and must have been off steroids for at least 2 weeks": what the later sentences require of the patients who have
them (stability, no symptoms, no steroids) is a condition of the allowed side too. Treatment is not read there: a
later sentence naming a therapy most often sets a washout ("the washout must be at least 14 days").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from extractor.rules.grammar import sentence_spans

if TYPE_CHECKING:
    from extractor.kinds.brain_metastases import Condition, Descriptor
    from extractor.rules.item import ItemContext
    from extractor.rules.prefilter import Prefiltered

_READ = ("stable", "asymptomatic", "off_steroids")


def later_conditions(
    ctx: ItemContext,
    after: int,
    descriptors: Iterable[tuple[Descriptor, Prefiltered]],
    requirement: re.Pattern[str],
) -> list[Condition]:
    """The conditions (stable, asymptomatic, off_steroids) named in the sentences after ``after`` that state a
    requirement ("must", "should")."""
    lower = ctx.lower
    said = [lower[s0:s1] for s0, s1 in sentence_spans(ctx.clean) if s0 >= after]
    said = [s for s in said if requirement.search(s)]
    out: list[Condition] = []
    for d, rx in descriptors:
        if d.good in _READ and d.good is not None and d.good not in out and any(rx.search(s) for s in said):
            out.append(d.good)
    return out
