"""The vaccines a vaccine item names as examples (``prior_therapy``, issue 11, round 25).

"Live vaccines (e.g. measles, mumps, rubella, varicella, yellow fever, BCG, oral typhoid)", "Examples of live
vaccines include, but are not limited to, the following: measles, ..., and typhoid vaccine": GUIDE lists a class
and the members the text names as examples, so each disease named in the list is an agent, "<disease> vaccine"
("chicken pox" -> varicella vaccine; a route written stays: "typhoid (oral)" -> oral typhoid vaccine,
"inactivated influenza" -> inactivated influenza vaccine). Read only in
a list that follows an example cue ("e.g.", "such as", "include") near the word vaccine; BCG is the lexicon's.
Names and patterns: ``vaccines`` of ``prior_therapy.yaml``."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_vaccine_period import vaccine_period
from extractor.rules.drugs import Agent
from extractor.rules.ruledata import Pattern

__all__ = ["VaccineRules", "vaccine_examples"]


class VaccineRules(BaseModel):
    """``vaccines`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    examples: Pattern  # an example cue and the list after it (group ``list``), near the word vaccine
    name: Pattern  # one disease in such a list (group ``d``, with an optional route before or after it)
    names: dict[str, str]  # the disease as written -> the vaccine reported
    period: Pattern  # a cue before a drug that only dates a vaccine rule ("during", "after the final dose of")
    such: Pattern  # "such a vaccine": the vaccine named before it


def vaccine_examples(rules: VaccineRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` and the vaccines named in the item's example lists (see the module doc)."""
    if "vaccin" not in lower:
        return agents
    new: list[Agent] = []
    for m in rules.examples.finditer(lower):
        for n in rules.name.finditer(lower, m.start("list"), m.end("list")):
            disease = re.sub(r"[^a-z0-9]+", " ", n.group("d")).strip()
            name = rules.names.get(disease)
            if name is None or any(a.start < n.end() and n.start() < a.end for a in agents):
                continue
            route = n.group("r") or ("oral" if n.group(0).endswith(")") else "")
            new.append(Agent(n.start(), n.end(), f"{route} {name}".strip()))
    found = sorted([*agents, *new], key=lambda a: a.start) if new else agents
    return vaccine_period(rules.period, rules.such, lower, found)
