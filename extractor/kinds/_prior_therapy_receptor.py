"""An agent directed to another T-cell receptor and the receptors it gives as examples (ptagents3): "an agent
directed to another stimulatory or co-inhibitory T-cell receptor (eg, CTLA-4, OX 40, CD137)" -> t-cell
receptor-directed agent, anti-ctla-4, anti-ox40, anti-cd137 (GUIDE: ``agents`` lists the class and the examples the
text names; about 21 non-gold corpus trials). A receptor spelled out with its abbreviation in brackets is named by
the abbreviation ("cytotoxic T-lymphocyte-associated protein 4 (CTLA-4)")."""

from __future__ import annotations

import re

from extractor.rules.drugs import Agent, lookup

__all__ = ["receptor_directed"]

CLASS = "t-cell receptor-directed agent"
_RX = re.compile(
    r"agents?\s+directed\s+(?:to|against)\s+(?:an\s+|an?other\s+|other\s+)?"
    r"(?:(?:co-?)?stimulatory\s+(?:and|or|and/or)\s+co-?inhibitory|co-?inhibitory\s+(?:and|or|and/or)\s+"
    r"(?:co-?)?stimulatory)\s+t[\s-]*cell\s+(?P<head>receptors?)"
    r"(?:\s*\((?:e\.?g\.?|such\s+as|including)[,:]?\s*(?P<ex>[^()]*(?:\([^()]*\)[^()]*)*)\))?"
)
_PART = re.compile(r"\s*(?:,|\bor\b|\band\b)\s*")
_ABBR = re.compile(r"\(([^()]+)\)")
_CTLA4 = re.compile(r"cytotoxic\s+t[\s-]*lymphocyte[\s-]+associated\s+protein[\s-]*4")  # spelled out
_GLUE = re.compile(r"(?<=[a-z])[\s-]+(?=\d)")  # "ox 40", "ox- 40" -> ox40


def _name(part: str) -> str | None:
    """The agent named by one receptor of the example list ("OX 40" -> anti-ox40), None for an empty part."""
    abbr = _ABBR.search(part)
    t = (abbr.group(1) if abbr else part).strip(" .-")
    t = "ctla-4" if _CTLA4.fullmatch(t) else t
    t = _GLUE.sub("", t) if t.startswith("ox") else t
    if not t or " " in t:
        return None
    name = lookup(f"anti-{t}")
    return name if name is not None and name.startswith("anti") else f"anti-{t}"


def _taken(agents: list[Agent], start: int, end: int) -> bool:
    return any(a.start < end and a.end > start for a in agents)


def receptor_directed(lower: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` with each T-cell-receptor-directed agent phrase and its example receptors, sorted by start."""
    if "receptor" not in lower or "directed" not in lower:
        return agents
    new: list[Agent] = []
    for m in _RX.finditer(lower):
        if _taken(agents, m.start(), m.end("head")):
            continue
        new.append(Agent(m.start(), m.end("head"), CLASS))
        if m.group("ex") is None:
            continue
        pos = m.start("ex")
        for part in _PART.split(m.group("ex")):
            start = lower.find(part, pos)
            pos = start + len(part)
            name = _name(part)
            if name is not None and all(a.name != name for a in new) and not _taken(agents, start, pos):
                new.append(Agent(start, pos, name))
    return sorted([*agents, *new], key=lambda a: a.start) if new else agents
