"""A class written head first, its target after "of": "inhibitors of UGT1A1" -> ugt1a1 inhibitor, "a strong
inhibitor or inducer of UGT1A1" -> strong ugt1a1 inhibitor, strong ugt1a1 inducer, "sensitive substrates of MATE1
and MATE2K" -> mate1 substrate, mate2k substrate, "inhibitors of EGFR, ALK, ROS1" -> the lexicon's egfr / alk / ros1
inhibitor. The same class as "<TARGET> <head>" (the target in capitals, as ``acronym`` reads it): one agent per
head and target, a strength or "sensitive" before the heads kept as written (GUIDE: qualifiers are kept). A span the
lexicon already reads (the cytochrome and transporter phrases of drugs.py) is left to it, the other targets of its
list read here ("a substrate of CYP1A2, CYP2C8, UGT1A1" -> ugt1a1 substrate beside the CYP ones). Pattern:
``acronym_reversed`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.rules.drugs import Agent, lookup

if TYPE_CHECKING:
    from extractor.kinds._prior_therapy_procedures import ProcedureRules

__all__ = ["reversed_targets"]


def reversed_targets(rules: ProcedureRules, clean: str, lower: str, agents: list[Agent]) -> list[Agent]:
    """The agents the item names as "<head> of <TARGET>" that ``agents`` does not already cover."""
    new: list[Agent] = []
    for m in rules.acronym_reversed.finditer(clean):
        qual = " ".join(lower[m.start("q") : m.end("q")].split()) if m.group("q") else ""
        qual = rules.acronym_strength.get(qual, qual)
        split = rules.acronym_reversed_split
        heads = [h.rstrip("s") for h in split.split(lower[m.start("h") : m.end("h")]) if h]
        pos, start = m.start("t"), m.start()
        for t in (t for t in split.split(lower[m.start("t") : m.end("t")]) if t):
            ts = lower.find(t, pos)
            pos = ts + len(t)
            if rules.acronym_not.fullmatch(t) or any(a.start < pos and ts < a.end for a in agents):
                continue  # a cytochrome or transporter the lexicon reads in the phrase ("of CYP1A2, UGT1A1")
            for head in heads:  # "sensitive" narrows a substrate only, a strength the other heads
                keep = qual and (qual == "sensitive") == (head == "substrate")
                written = f"{qual} {t} {head}" if keep else f"{t} {head}"
                new.append(Agent(start, pos, lookup(written) or written))
            start = ts
    if not new:
        return agents
    return sorted([*agents, *new], key=lambda a: a.start)
