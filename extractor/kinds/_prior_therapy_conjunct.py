"""A later conjunct that negates its own agents, in the ``prior_therapy`` kind (issue 11, round 29).

A requirement-read sample of the kind's corpus output found sentences that demand one therapy and forbid another in
a later conjunct of the same clause ("received 0 to 4 prior systemic therapies and NO prior anthracyclines", "must
have included taxane and treatment naive to immunotherapy", "has previously received anti-PD-1/L1 therapy ... and has
not received intervening cancer therapy", "abiraterone ... without prior enzalutamide"): the clause's negation was read
from its first agent only, so the forbidden agents were typed ``required`` with the demanded ones. GUIDE: "conditions
with different ... requirements get one criterion each"; a conjunct's own negation (``conjunct_negation`` of the
``clauses`` rules, ending where the agent starts) negates its agent and the agents listed after it ("no radiation,
biologic or immunotherapy"), as "X-naive" does its own agent; a negated phrase ("and treatment naive to X") does
the agent it opens onto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds._prior_therapy_clauses import ClauseRules
    from extractor.rules.drugs import Agent


def conjunct_negated(
    rules: ClauseRules, lower: str, cs: int, a: Agent, agents: list[Agent], *, memo: dict[tuple[int, int], bool]
) -> bool:
    """Whether a negation written in a later conjunct of the clause opening at ``cs`` ("and no prior", "and has not
    received", "without prior") reaches ``a``: right before it, or before the list entries ahead of it. Walked back
    through the list without recursion; ``memo`` keeps the answer of every agent on the way (one item's agents share
    it), so a long list costs a walk, not a walk per agent."""
    chain: list[tuple[int, int]] = []
    cur = a
    while True:
        key = (cs, id(cur))
        if key in memo:
            found = memo[key]
            break
        chain.append(key)
        prev = next((p for p in reversed(agents) if cs <= p.start and p.end <= cur.start), None)
        if prev is None:
            found = False  # the clause's first agent: the clause's own negation reads it
            break
        gap = lower[prev.end : cur.start]
        if rules.conjunct_negation.search(gap) is not None:
            found = True
            break
        if prev.neg:  # "and treatment naive to X": the negated phrase is an agent of its own
            m = rules.naive_object.match(gap)
            found = m is not None and not gap[m.end() :].strip()
            break
        if rules.conjunct_list.fullmatch(gap) is None:
            found = False
            break
        cur = prev  # a list entry: the negation before the entries ahead of it reaches it too
    memo.update(dict.fromkeys(chain, found))
    return found


def conjunct_start(rules: ClauseRules, lower: str, end: int, a: Agent) -> int:
    """Where the negated conjunct before ``a`` opens ("and NO prior", "without prior", "and treatment naive"), or
    ``end``: the words up to it (a setting, "for metastatic sarcoma") are the earlier agents'."""
    m = rules.conjunct_negation.search(lower, end, a.start) or rules.conjunct_open.search(lower, end, a.start)
    return m.start() if m is not None else end
