"""Therapies named by an upper-case target the lexicon does not know (round 7e): "prior treatment with a TEAD
inhibitor" -> tead inhibitor, "an FTI or HRAS inhibitor" -> fti, hras inhibitor, "a GSPT1 degrader" -> gspt1
degrader, "any anti-TGFβ therapy" -> anti-tgfβ therapy, "an anti-HER3 antibody" -> anti-her3 antibody.

Read on the case-kept text: the target is written in capitals (letters, digits, a Greek letter, a hyphenated
number), right before an inhibitor / degrader / antagonist / agonist head, or after "anti-" before a therapy, agent
or (monoclonal) antibody head (a bare "<X> antibody" is a serology: HCV antibody). A span the lexicon already reads
is left to it, except a generic head ("anti-CD47 monoclonal antibody": not only monoclonal antibody). Names follow
GUIDE's third round: the target and head as written, in lower case, the lexicon's own name where it has one.
Gated by the head words; word lists and patterns: ``procedures`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from extractor.kinds._prior_therapy_procedures import ProcedureRules
from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify
from extractor.kinds._prior_therapy_reversed_targets import reversed_targets
from extractor.rules.drugs import Agent, lookup
from extractor.rules.grammar import any_in

__all__ = ["acronyms"]


def acronyms(
    rules: ProcedureRules, clean: str, lower: str, agents: list[Agent], quals: QualifierRules | None = None
) -> list[Agent]:
    """``agents`` with the upper-case targets the lexicon left unread (see the module doc); a new agent keeps the
    qualifiers written before it ("second-generation AR inhibitor": second-generation androgen receptor inhibitor)."""
    if len(clean) != len(lower) or not any_in(rules.acronym_gate, lower):
        return agents
    agents = reversed_targets(rules, clean, lower, agents)
    new: list[Agent] = []
    for m in rules.acronym.finditer(clean):
        anti = m.group("anti") is not None
        head = " ".join(lower[m.start("h") : m.end("h")].split()).rstrip("s").replace("ie", "y")
        if anti != (head in rules.acronym_anti_heads):
            continue
        if rules.acronym_not.fullmatch(lower[m.start("t") : m.end("t")]):
            continue
        if any(
            a.start < m.end() and m.start() < a.end and a.name not in rules.acronym_generic for a in [*agents, *new]
        ):
            continue
        pos = m.start("t")
        parts = [t for t in rules.acronym_split.split(lower[m.start("t") : m.end("t")]) if t]
        for i, t in enumerate(parts):
            ts = lower.find(t, pos)
            pos = ts + len(t)
            spelled = rules.acronym_spelled.get(t, t)
            written = f"anti-{spelled} {head}" if anti else f"{spelled} {head}"
            start = m.start() if i == 0 else ts
            new.append(Agent(start, m.end() if i == len(parts) - 1 else pos, lookup(written) or written))
    if not new:
        return agents
    if quals is not None:
        new = qualify(quals, lower, new)
    kept = [a for a in agents if not any(a.start < n.end and n.start < a.end for n in new)]
    return sorted([*kept, *new], key=lambda a: a.start)
