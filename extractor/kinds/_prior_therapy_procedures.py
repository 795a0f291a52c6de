"""Procedures and unread agents of the ``prior_therapy`` kind (round 7): mentions the shared lexicon does not give
as the GUIDE names them.

- A surgery's qualifiers across an abbreviation in a parenthesis ("major upper gastrointestinal (GI) surgery" ->
  major upper gastrointestinal surgery), the mention then starting at its first qualifier (an exclusion that opens
  with the procedure states it: "Significant upper GI surgery").
- An organ resection written with the organ after it ("surgical resection involving the stomach or small bowel" ->
  stomach resection, small bowel resection).
- Radiotherapy to a share of the bone marrow or skeleton ("radiation to > 25% of the bone marrow" -> radiotherapy to
  more than 25% of the bone marrow): the extent narrows which radiotherapy counts (GUIDE, third round).
- An investigational drug code in a therapy phrase ("prior treatment with AB-1234", "received XYZ-567 or its
  analogues"): the code in lower case as written.

Every step is gated by a cheap substring test. Word lists and patterns: ``procedures`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules
from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import Agent, agent_classes, lookup
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["ProcedureRules", "procedures", "settle"]

C = TypeVar("C", bound=CriterionBase)


class ProcedureRules(BaseModel):
    """``procedures`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    surgery_heads: frozenset[str]  # agent names whose written qualifiers may sit across an abbreviation
    abbreviation: Pattern  # "(GI) " right before a surgery head: blanked for the qualifier reading
    organ_gate: tuple[str, ...]
    organ_resection: Pattern  # "resection involving / of the <organ> (or <organ>)"
    organ_name: Pattern  # one organ in the list the pattern above matched
    organs: dict[str, str]  # written organ -> the name's first words
    extent_gate: tuple[str, ...]
    extent: Pattern  # after a radiotherapy mention: "to > 25% of the bone marrow"
    comparators: dict[str, str]  # written comparator -> reported words
    extent_sites: dict[str, str]  # written site -> reported site
    radiotherapy: frozenset[str]  # agent names the extent may follow
    code_gate: tuple[str, ...]  # the words a therapy phrase before a code needs
    code: Pattern  # an investigational code (case kept text)
    code_context: Pattern  # the therapy phrase that ends right before the code (lower-case text)
    code_skip: Pattern  # the study's own drug ("for the duration of treatment with X")
    code_gap: Pattern  # between two codes of one list ("AB-1234, CD-5678 or XY-9012")
    code_not: Pattern  # codes that are no drug (lab analytes, antigens, enzymes)
    standard: str  # the agent name of standard therapy with no class named
    standard_absent: Pattern  # before it: it is not given ("for which no standard therapy exists")
    standard_progressed: Pattern  # before it: a progression on it ("refractory or intolerable to standard treatment")
    standard_failed: Pattern  # a failure written after it ("standard therapy has failed")
    standard_response: Pattern  # a response word that is one on the standard therapy (not "clinical benefit")
    acronym_gate: tuple[str, ...]  # the head words an upper-case target needs (lower-case text)
    acronym: Pattern  # "[anti-]<TARGET>[/<TARGET>] <head>" (case kept text)
    acronym_anti_heads: frozenset[str]  # heads read only after "anti-" (a bare "<X> antibody" is a serology)
    acronym_not: Pattern  # targets that are no therapy target (viruses, enzymes of the CYP reading)
    acronym_spelled: dict[str, str]  # targets spelled out for the lexicon ("ar" -> androgen receptor)
    acronym_split: Pattern  # between the targets of one list ("ENPP3/CD203c")
    acronym_generic: frozenset[str]  # lexicon names a target reading replaces ("monoclonal antibody")
    acronym_reversed: Pattern  # "[strength] <head>[ or <head>] of <TARGET>[, <TARGET>]" (case kept text)
    acronym_reversed_split: Pattern  # between the heads or the targets of one reversed phrase
    acronym_strength: dict[str, str]  # written strength -> reported ("potent" -> strong)


def procedures(rules: ProcedureRules, ar: AgentRules, clean: str, lower: str, agents: list[Agent]) -> list[Agent]:
    """The item's agents with the round-7 readings applied (see the module doc)."""
    q = ar.qualifiers
    if "(" in lower and agents and any(a.name in rules.surgery_heads for a in agents):
        agents = _across_abbreviation(rules, q, lower, agents)
    if agents and any(a.name in rules.surgery_heads and a.qualified for a in agents):
        agents = _qualifier_start(lower, agents)
    if any_in(rules.organ_gate, lower):  # "resection of the stomach" may be the item's only mention
        agents = _organ_resections(rules, lower, agents)
    if agents and "%" in lower and any_in(rules.extent_gate, lower):
        agents = _extents(rules, lower, agents)
    if any_in(rules.code_gate, lower) and any(d in clean for d in "0123456789"):
        agents = _codes(rules, clean, lower, agents)
    if any(a.name == rules.standard for a in agents):
        agents = [a for a in agents if a.name != rules.standard or _standard_given(rules, ar, lower, a)]
    return agents


def _standard_given(rules: ProcedureRules, ar: AgentRules, lower: str, a: Agent) -> bool:
    """Whether a standard-therapy mention names a therapy given that the kind's progression statement does not
    already read ("refractory to standard therapy" is left to it): not "for which no standard therapy exists"."""
    if rules.standard_absent.search(lower, max(0, a.start - 50), a.start) is not None:
        return False
    lo = max(0, a.start - 120)
    return not any(
        m.start() <= a.start < m.end() for m in ar.refractory.finditer(lower, lo, min(len(lower), a.end + 40))
    )


def settle(rules: ProcedureRules, out: list[C]) -> list[C]:
    """A progression on standard therapy "known to confer clinical benefit" requires no response to it: the
    benefit is the therapy's, not the patient's. An inclusion's progression on standard therapy is required, even
    when an alternative beside it says none exists ("refractory to standard treatment, or have no standard treatment
    available", "no standard therapy exists or standard therapy has failed")."""
    for c in out:
        if getattr(c, "agents", None) == [rules.standard] and c.polarity == "inclusion":
            text = c.evidence.text.lower()
            at = text.find("standard")
            failed = rules.standard_progressed.search(text, 0, at) or rules.standard_failed.search(text)
            if getattr(c, "requirement", None) == "excluded" and failed:
                c.requirement = "required"  # type: ignore[attr-defined]
        if (
            getattr(c, "response_required", None)
            and rules.standard in getattr(c, "agents", ())
            and rules.standard_response.search(c.evidence.text.lower()) is None
        ):
            c.response_required = None  # type: ignore[attr-defined]
    return out


def _across_abbreviation(rules: ProcedureRules, q: QualifierRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """Qualifiers read over an abbreviation in a parenthesis before a surgery head, on a copy of the text with the
    parenthesis blanked (offsets kept)."""
    blanked = rules.abbreviation.sub(lambda m: " " * len(m.group()), lower)
    if blanked == lower:
        return agents
    again = qualify(q, blanked, [replace(a, qualified=()) for a in agents])
    return [b if a.name in rules.surgery_heads and b.qualified else a for a, b in zip(agents, again, strict=True)]


def _qualifier_start(lower: str, agents: list[Agent]) -> list[Agent]:
    """A qualified surgery mention starts at its first qualifier word ("upper gastrointestinal surgery")."""
    out = []
    for i, a in enumerate(agents):
        if a.qualified and a.name in ("surgery", "major surgery"):
            floor = agents[i - 1].end if i else 0
            first = a.qualified[0].split()[0]
            at = lower.rfind(first, floor, a.start)
            if at >= 0 and a.start - at <= 60:
                out.append(replace(a, start=at))
                continue
        out.append(a)
    return out


def _organ_resections(rules: ProcedureRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """ "(major) surgical resection involving the stomach or small bowel": one resection per organ, in place of the
    surgery mention."""
    for m in rules.organ_resection.finditer(lower):
        names = [rules.organs[o.group().strip()] + " resection" for o in rules.organ_name.finditer(m.group("list"))]
        names = [n for n in dict.fromkeys(names) if lookup(n) is not None]
        if not names:
            continue
        covered = [a for a in agents if a.start < m.end() and a.end > m.start()]
        if any(a.name not in ("surgery", "major surgery") for a in covered):
            continue
        start = covered[0].start if covered else m.start()
        new = Agent(start, m.end(), names[0], qualified=tuple(names))
        agents = sorted([a for a in agents if a not in covered] + [new], key=lambda a: a.start)
    return agents


def _extents(rules: ProcedureRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """Radiotherapy to a share of the bone marrow / skeleton: the extent joins the radiotherapy's name."""
    out = []
    for a in agents:
        if a.name in rules.radiotherapy or "radiotherapy" in agent_classes(a.name):
            m = rules.extent.match(lower, a.end)
            if m is not None:
                cmp = rules.comparators[re.sub(r"\s+", " ", m.group("cmp").strip())]
                site = rules.extent_sites[re.sub(r"\s+", " ", m.group("site").strip())]
                tail = f" to {cmp}{' ' if cmp else ''}{m.group('n')}% of the {site}"
                names = tuple(n + tail for n in (a.qualified or (a.name,)))
                out.append(replace(a, end=m.end(), qualified=names))
                continue
        out.append(a)
    return out


def _codes(rules: ProcedureRules, clean: str, lower: str, agents: list[Agent]) -> list[Agent]:
    """Investigational drug codes in a therapy phrase ("treatment with AB-1234 or its analogues")."""
    found: list[Agent] = []
    for m in rules.code.finditer(clean):
        if any(a.start <= m.start() < a.end for a in agents) or rules.code_not.match(lower, m.start()):
            continue
        listed = bool(found) and rules.code_gap.fullmatch(lower, found[-1].end, m.start()) is not None
        if not listed and (
            rules.code_context.search(lower, max(0, m.start() - 60), m.start()) is None
            or rules.code_skip.search(lower, max(0, m.start() - 40), m.start()) is not None
        ):
            continue
        found.append(Agent(m.start(), m.end(), lower[m.start() : m.end()]))
    if not found:
        return agents
    return sorted([*agents, *found], key=lambda a: a.start)
