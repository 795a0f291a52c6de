"""Rule family ``therapy``: prior treatment (drugs, classes, radiotherapy, surgery) -> ``prior_therapy``.

Per sentence of an item: agent mentions (one trie regex compiled from ``vocab/drugs.yaml``), dropped when a
false-friend word precedes them ("hypersensitivity to", "eligible for", "toxicity from"); then requirement
(required / excluded / allowed, effective-rule convention), setting, line limits, minimum duration, washout
window and response. Agents with different washout windows ("chemotherapy within 3 weeks or radiotherapy within
2 weeks") or different requirements ("... except adjuvant endocrine therapy") become separate criteria.
"""

from __future__ import annotations

import re

from extractor.models import Criterion
from extractor.rules._common import ItemContext
from extractor.rules._therapy_agents import _key, _trie_regex, find_agents
from extractor.rules._therapy_clauses import _sentences
from extractor.rules._therapy_cues import _CUE, _Flags
from extractor.rules._therapy_numbers import _CMP_TAIL, _NUMTOK, _WEEKS_PER, _num, _unit_key
from extractor.rules._therapy_sentence import _sentence_criteria

# the private names are re-exported for extractor.rules.disease
__all__ = ["_CMP_TAIL", "_NUMTOK", "_WEEKS_PER", "_key", "_num", "_trie_regex", "_unit_key", "extract", "find_agents"]

_ANY_DIGIT = re.compile(r"\d|\b(?:one|two|three|four|five|six|single)\b")


def extract(ctx: ItemContext) -> list[Criterion]:
    """``prior_therapy`` criteria stated in one item (one per requirement statement)."""
    lower = ctx.lower
    if not lower.strip():
        return []
    agents = find_agents(lower)
    if not agents and not (
        ("line" in lower or "regimen" in lower or "therap" in lower or "treatment" in lower or "agent" in lower)
        and _ANY_DIGIT.search(lower)
    ):
        return []  # without agents only a line limit can be stated, and it needs a number
    if not _CUE.search(lower) and not (ctx.is_exclusion and agents):
        return []
    flags = _Flags(lower)
    out: list[Criterion] = []
    for s, e in _sentences(ctx.clean):
        out.extend(_sentence_criteria(ctx, s, e, agents, flags))
    return out
