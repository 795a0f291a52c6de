"""Agent names the sentence reading leaves without a class or qualifier the quote writes, re-read from the quote
(issue 11, round 28; GUIDE third round: qualifiers are kept, no parent the text does not write).

- A radiotherapy's field size or purpose written after its head or in a parenthesis ("radiotherapy with a limited
  field (of radiation) for palliation", "limited field radiation for palliation", "palliative (limited field)
  radiation therapy", "palliative radiotherapy to a limited field"): the quote's radiotherapy becomes
  "palliative limited field radiotherapy" (or "limited field radiotherapy" without a purpose); a plain
  "radiotherapy" read from "a limited field of radiation" goes with it (about 8 non-gold corpus trials).
- "anticoagulation with / using X", "anticoagulant therapy with / such as X": the therapy the text names is the
  anticoagulant class, beside its drugs X (typed only X; about 14 non-gold corpus trials). A "prophylactic" or
  "therapeutic" before it is kept ("prophylactic anticoagulant").
- A route written right before a single class the concomitant-medication reading names bare ("chronic systemic
  immunosuppressive therapy", "systemic immunosuppressive treatment (> 10 mg prednisone)"): the qualified name the
  shared qualifier reading gives it when every mention of the class in the quote reads the same (about 10 non-gold
  corpus trials).
- A shared "inhibitor" head over a list of bare targets (``_prior_therapy_listheads.py``).
- A drug generation before a class (``_prior_therapy_generation.py``); the entry before "or other <class>"
  (``_prior_therapy_others.py``); a class beside its examples (``_prior_therapy_examples.py``).

Patterns: ``requalified`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_examples import ExampleRules, class_examples
from extractor.kinds._prior_therapy_generation import GenerationRules, generation
from extractor.kinds._prior_therapy_listheads import list_heads
from extractor.kinds._prior_therapy_others import OtherRules, other_entries
from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify
from extractor.kinds._prior_therapy_types import Therapy
from extractor.rules.drugs import agent_classes, find_agents
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["RequalifyRules", "requalified"]


class RequalifyRules(BaseModel):
    """``requalified``: the radiotherapy field phrase (groups ``pal`` / ``pal2`` for a purpose), the radiotherapy
    heads, the names it rewrites; the anticoagulation frame (group ``q`` for its qualifier) and the class name; the
    routed classes; the generation, "or other" and example-list readings."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    field: Pattern
    radiation: Pattern
    radiotherapy_names: tuple[str, ...]
    anticoagulation: Pattern
    anticoagulant: str
    routed: tuple[str, ...]
    route: str
    generation: GenerationRules
    others: OtherRules
    examples: ExampleRules
    gates: dict[str, tuple[str, ...]]


C = TypeVar("C", bound=Therapy)


def requalified(rules: RequalifyRules, quals: QualifierRules, found: list[C]) -> list[C]:
    """``found`` with the agents of each criterion whose quote writes one of the families named as it writes them."""
    for c in found:
        if not c.agents:
            continue
        low, gate = c.evidence.text.lower(), rules.gates
        if any_in(gate["field"], low):
            c.agents = _field(rules, low, c.agents)
        if any_in(gate["anticoagulation"], low):
            c.agents = _anticoagulant(rules, low, c.agents)
        if rules.route in low and any(a in rules.routed for a in c.agents):
            c.agents = _routed(rules, quals, low, c.agents)
        if any_in(gate["generation"], low):
            c.agents = generation(rules.generation, low, c.agents)
        if any_in(gate["others"], low):
            c.agents = other_entries(rules.others, quals, low, c.agents)
        if any_in(rules.examples.gate, low):
            c.agents = class_examples(rules.examples, quals, low, c.agents)
        if any_in(gate["heads"], low):
            c.agents = list_heads(c.evidence.text, c.agents)
    return found


def _routed(rules: RequalifyRules, quals: QualifierRules, low: str, agents: list[str]) -> list[str]:
    """Each bare routed class named as the qualifier reading names all its mentions in the quote, when that is one
    name written with the route ("systemic immunosuppressive therapy") and not yet among the agents."""
    read = qualify(quals, low, find_agents(low))
    out = list(agents)
    for i, a in enumerate(agents):
        if a not in rules.routed:
            continue
        names = {n for m in read if m.name == a for n in (m.qualified or (m.name,))}
        if len(names) != 1:
            continue
        (name,) = names
        if name.startswith(rules.route + " ") and name not in agents:
            out[i] = name
    return out


def _field(rules: RequalifyRules, low: str, agents: list[str]) -> list[str]:
    """The radiotherapy of a limited-field phrase named with its field (and purpose): the quote's first radiotherapy
    when the phrase holds the quote's first radiation mention, else one already named for its field or purpose; a
    plain radiotherapy read inside the phrase dropped when the quote writes no other radiation."""
    m = next((f for f in rules.field.finditer(low) if "limited" in f.group()), None)
    if m is None:
        return agents
    name = ("palliative " if m.group("pal") or m.group("pal2") else "") + "limited field radiotherapy"
    heads = [r for r in rules.radiation.finditer(low) if r.end() <= m.start() or r.start() >= m.end()]
    first = not any(r.end() <= m.start() for r in heads)
    named = [a for a in agents if a in rules.radiotherapy_names and a != "radiotherapy"]
    target = named[0] if named else ("radiotherapy" if first and "radiotherapy" in agents else None)
    if target is None:
        return agents
    out: list[str] = []
    for a in agents:
        if a == target and name not in out:
            out.append(name)
        elif a == "radiotherapy" and not heads:
            continue  # "with a limited field of radiation": the same radiotherapy
        elif a not in out:
            out.append(a)
    return out


def _anticoagulant(rules: RequalifyRules, low: str, agents: list[str]) -> list[str]:
    """The anticoagulant class before the first of the drugs an anticoagulation frame names, when the agents lack
    it."""
    m = rules.anticoagulation.search(low)
    if m is None or any(rules.anticoagulant in a for a in agents):
        return agents
    at = next((i for i, a in enumerate(agents) if rules.anticoagulant in agent_classes(a)), None)
    if at is None:
        return agents
    q = m.group("q")
    return [*agents[:at], f"{q} {rules.anticoagulant}" if q else rules.anticoagulant, *agents[at:]]
