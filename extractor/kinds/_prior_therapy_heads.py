"""A generic head written after a target-named class (ptagents4): "anti-CTLA-4, anti-PD-1, and anti-PD-L1
therapeutic antibodies", "anti-PD-1/anti-PD-L1 immunotherapy", "anti-PD-1 or anti-PD-L1 monoclonal antibody" name
the targeted classes only, not also "biologic therapy", "immunotherapy" or "monoclonal antibody" (GUIDE, third
round: no parent the text does not write as a therapy of its own). A monoclonal-antibody head keeps the target as
its qualifier on an "anti-" class ("anti-CD20 monoclonal antibodies" -> anti-cd20 monoclonal antibody; qualifiers
are kept, and a head shared by a list goes to every entry). About 22 non-gold corpus trials.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.rules.drugs import Agent

__all__ = ["shared_head"]

_HEADS = frozenset({"monoclonal antibody", "biologic therapy", "immunotherapy"})
_GAP = re.compile(r"[\s)\]]*")  # between the target and its head ("anti-PD-(L)1 monoclonal antibody")
_LIST = re.compile(r"\s*(?:,\s*)?(?:/|,|\bor\b|\band\b|\band/or\b)\s*")  # between two entries of a list
_ANTIBODY = re.compile(r"monoclonal\s+antibod")


def _targeted(name: str) -> bool:
    """Whether a class names its molecular target ("anti-pd-1", "anti-cd20 therapy", "pd-l1 inhibitor")."""
    return name.startswith("anti-") or name.endswith((" inhibitor", " agonist"))


def _antibody(name: str) -> str:
    """The monoclonal-antibody name of an "anti-" class ("anti-cd20 therapy" -> anti-cd20 monoclonal antibody)."""
    return name.removesuffix(" therapy") + " monoclonal antibody" if name.startswith("anti-") else name


def _rename_list(lower: str, out: list[Agent], j: int) -> None:
    """Give the monoclonal-antibody name to ``out[j]`` and the target-named classes listed right before it."""
    while j >= 0 and _targeted(out[j].name):
        out[j] = replace(out[j], name=_antibody(out[j].name))
        if j == 0 or not _LIST.fullmatch(lower, out[j - 1].end, out[j].start):
            return
        j -= 1


def shared_head(lower: str, agents: list[Agent]) -> list[Agent]:
    """Drop a generic head written right after a target-named class; a monoclonal-antibody head (written apart or
    inside the class's own mention) renames the "anti-" classes of the list it ends."""
    if "anti" not in lower:
        return agents
    out = list(agents)
    i = 0
    while i < len(out):
        p, a = out[i - 1], out[i]
        if i and a.name in _HEADS and _targeted(p.name) and p.end <= a.start and _GAP.fullmatch(lower, p.end, a.start):
            if a.name == "monoclonal antibody":
                _rename_list(lower, out, i - 1)
            del out[i]
            continue
        if a.name.startswith("anti-") and _ANTIBODY.search(lower, a.start, a.end):
            _rename_list(lower, out, i)
        i += 1
    return out
