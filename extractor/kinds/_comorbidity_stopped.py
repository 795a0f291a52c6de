"""A therapy the rule says was not stopped for its toxicity ("prior mogamulizumab is allowed ... and did not
discontinue due to toxicities", "an immune checkpoint inhibitor is allowed provided it was not permanently discontinued
due to toxicity", exclusion "prior therapy with X that was discontinued due to an AE", "any toxicity that led to
permanent discontinuation of prior X"): a past intolerance the trial excludes (GUIDE.md): "hypersensitivity to <drug>"
for each drug named before it in its sentence, else "toxicity of prior therapy"; scope history. The rules are
``comorbidity.yaml``'s ``stopped_*`` patterns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.rules.drugs import find_agents, is_class
from extractor.rules.grammar import sentence_bounds

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["stopped"]


def stopped(rules: Rules, clean: str, low: str, exclusion: bool) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, names) of each therapy stopped for toxicity that the item excludes: a negated stop in any item, a
    passive stop ("that was discontinued due to an AE") or a toxicity that led to a stop in an exclusion item."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for m in rules.stopped_because.finditer(low):
        if not (m.group("neg") or (exclusion and (m.group("passive") or m.group("led")))):
            continue
        if not m.group("neg") and rules.intolerance_failure.search(low, max(0, m.start() - 120), m.start()):
            continue  # "progressed on, or discontinued X due to toxicity": a treatment history
        s, e = sentence_bounds(clean, m.start(), m.end(), rules.sentences)
        stop = m.start() if not m.group("led") else e  # the drug stopped: before the stop, or after "led to ..."
        drugs: list[str] = []
        for a in find_agents(low):
            if s <= a.start < stop and not is_class(a.name) and a.name not in drugs:
                drugs.append(a.name)
        names = tuple(rules.hypersensitivity_to.format(d) for d in drugs) or (rules.toxicity_name,)
        out.append((m.start(), m.end(), names))
    return out
