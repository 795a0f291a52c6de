"""Influenza vaccine names and surgeries that only time a test (``prior_therapy``, issue 11, round 26).

"Intranasal influenza vaccines (e.g., FluMist) are live attenuated vaccines and are not allowed": GUIDE lists a
class and the members the text names, so the intranasal influenza vaccine is an agent beside "live vaccine"
(FluMist, its brand, is the same vaccine; "live, attenuated influenza vaccine" -> live influenza vaccine).
"Post-operative MRI or CT scan within 72 hours of surgical resection", "hemoglobin >= 10 within 45 days of surgery",
"a chest CT after surgery": the item is about the test, the surgery only its reference point, so it is no agent
(read only when a test word stands before it in the same clause and no other agent does).
Patterns: ``anchors`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["AnchorRules", "anchored"]


class AnchorRules(BaseModel):
    """``anchors`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    flu: Pattern  # an influenza vaccine written by route or brand (groups ``nasal``, ``live``, ``brand``)
    surgeries: tuple[str, ...]  # the surgery names a test can be timed from
    test_before: Pattern  # a test word and timing words right before such a surgery (searched up to it)


def anchored(rules: AnchorRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` with the influenza vaccines named and without the surgeries that time a test (module doc)."""
    return _flu(rules, lower, _tests(rules, lower, agents)) if "flu" in lower else _tests(rules, lower, agents)


def _flu(rules: AnchorRules, lower: str, agents: list[Agent]) -> list[Agent]:
    new: list[Agent] = []
    for m in rules.flu.finditer(lower):
        if m.group("brand") and any(a.name.endswith("influenza vaccine") and m.start() - a.end < 40 for a in new):
            continue  # "intranasal influenza vaccines (e.g., FluMist)": the brand is the vaccine written before it
        if any(a.start < m.end() and m.start() < a.end and "influenza" in a.name for a in agents):
            continue
        name = "live influenza vaccine" if m.group("live") else "intranasal influenza vaccine"
        new.append(Agent(m.start(), m.end(), name))
    if not new:
        return agents
    kept = [a for a in agents if not any(a.start < n.end and n.start < a.end for n in new)]
    return sorted([*kept, *new], key=lambda a: a.start)


def _tests(rules: AnchorRules, lower: str, agents: list[Agent]) -> list[Agent]:
    if not any(a.name in rules.surgeries for a in agents):
        return agents
    out: list[Agent] = []
    for a in agents:
        alone = not any(o.end <= a.start and o.name not in rules.surgeries for o in agents)
        if a.name in rules.surgeries and alone and rules.test_before.search(lower, max(0, a.start - 120), a.start):
            continue
        out.append(a)
    return out
