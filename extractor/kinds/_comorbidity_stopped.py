"""A therapy the rule says was not stopped for its toxicity ("prior mogamulizumab is allowed ... and did not
discontinue due to toxicities", "an immune checkpoint inhibitor is allowed provided it was not permanently discontinued
due to toxicity", exclusion "prior therapy with X that was discontinued due to an AE", "any toxicity that led to
permanent discontinuation of prior X", and in an exclusion item an active stop: "previously discontinued vincristine,
temozolomide, or irinotecan due to severe toxicity"): a past intolerance the trial excludes (GUIDE.md):
"hypersensitivity to <drug>" for each drug named before it in its sentence (an active stop: up to its cause), else
"toxicity of prior therapy"; scope history. The rules are
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
    passive stop ("that was discontinued due to an AE"), a toxicity that led to a stop or an active stop
    ("discontinued X due to toxicity", not beside a permission) in an exclusion item."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    for m in rules.stopped_because.finditer(low):
        active = not (m.group("neg") or m.group("passive") or m.group("led"))
        if not (m.group("neg") or (exclusion and (m.group("passive") or m.group("led") or active))):
            continue
        if not m.group("neg") and rules.intolerance_failure.search(low, max(0, m.start() - 120), m.start()):
            continue  # "progressed on, or discontinued X due to toxicity": a treatment history
        s, e = sentence_bounds(clean, m.start(), m.end(), rules.sentences)
        if active and (
            rules.intolerance_failure.search(low, m.start(), m.end())
            or not rules.permit_words.isdisjoint(low[s:e].split())
            or rules.lead_in_allowed.search(low, s, m.start())
        ):
            continue  # "discontinued for progression or toxicity"; "X is allowed unless discontinued for toxicity"
        # the therapy stopped: an active stop's own object ("discontinued X due to ..."; a class too) or its cause
        # ("due to acalabrutinib toxicity"), else a drug named before the stop ("X ... that required discontinuation of
        # one or both drugs") or after "led to ..."
        own = active and not m.group("of")
        first, stop = (m.start(), m.end()) if own else (s, e if m.group("led") else m.end() if active else m.start())
        drugs: list[str] = []
        for a in find_agents(low):
            if first <= a.start < stop and (own or not is_class(a.name)) and a.name not in drugs:
                drugs.append(a.name)
        immune = rules.toxicity_immune.search(low, m.start(), m.end()) is not None
        fallback = rules.toxicity_immune_name if immune else rules.toxicity_name
        names = tuple(rules.hypersensitivity_to.format(d) for d in drugs) or (fallback,)
        out.append((m.start(), m.end(), names))
    return out
