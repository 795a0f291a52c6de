"""Treatment named by the cancer it treats (``prior_therapy``, issue 11, round 17).

"Previous treatment for UM", "Treatment for AML within 14 days prior to start", "Concurrent treatment for cancer",
"Prior treatment for the indication under study": a treatment or therapy "for" a cancer (a generic cancer word, the
indication, or a name or abbreviation of ``vocab/cancers.yaml``) is an anticancer therapy (GUIDE: "therapy for breast
cancer or any other cancer" -> anticancer therapy). The lexicon knows "cancer treatment", not the treatment written
before its cancer (about 12 non-gold corpus trials typed nothing). Left alone: a head inside an agent the lexicon
reads ("systemic therapy for ..."), "Prior treatment for gastric cancer" alone (``_prior_therapy_treated``: no
agents), a statement that no therapy was given ("No prior therapy for metastatic RCC"), a line count ("at least 3
prior therapies for myeloma"), the disease's indication ("Requiring treatment for MCL"). Patterns:
``cancer_treatment*`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Protocol

from extractor.rules.drugs import Agent
from extractor.rules.grammar import phrase_alt
from extractor.rules.ruledata import Pattern
from extractor.vocab import load

__all__ = ["NAME", "cancer_names", "cancer_treatment"]

NAME = "anticancer therapy"


def cancer_names() -> str:
    """``{{cancer}}``: every cancer name and abbreviation of ``vocab/cancers.yaml`` (lower case)."""
    cancers: dict[str, list[str]] = load("cancers")["cancers"]
    return phrase_alt(n for names in cancers.values() for n in names)


class _Rules(Protocol):
    @property
    def cancer_treatment(self) -> Pattern: ...

    @property
    def cancer_treatment_skip(self) -> Pattern: ...

    @property
    def cancer_treatment_with(self) -> Pattern: ...

    @property
    def cancer_treatment_before(self) -> Pattern: ...

    @property
    def cancer_treatment_prior(self) -> Pattern: ...

    @property
    def cancer_treatment_history(self) -> Pattern: ...


def cancer_treatment(rules: _Rules, lower: str, agents: list[Agent], exclusion: bool, bare: Pattern) -> list[Agent]:
    """``agents`` with an anticancer therapy for the first treatment written before the cancer it treats, unless
    an agent writes it ("radiotherapy treatment for X", "treatment for X with chemotherapy") or the words before it
    say something else (``cancer_treatment_skip``: a line count, none given, an indication, a description); an
    inclusion needs a prior-treatment word before it, and an item on another cancer's history is left alone. An item
    without agents that ``bare`` reads ("Prior treatment for gastric cancer": ``_prior_therapy_treated``, round 7b,
    one criterion without agents) is left to it."""
    if " for " not in lower or ("treatment" not in lower and "therap" not in lower):
        return agents
    if rules.cancer_treatment_history.search(lower) is not None or (not agents and bare.search(lower) is not None):
        return agents
    for m in rules.cancer_treatment.finditer(lower):
        head = m.start("head")
        if any(a.name == NAME or a.start <= head < a.end or 0 <= head - a.end <= 12 for a in agents):
            return agents
        if rules.cancer_treatment_skip.search(lower, max(0, head - 90), head) is not None:
            continue
        if (
            lower[:head].strip(" -*•\t\n")
            and rules.cancer_treatment_before.search(lower, max(0, head - 20), head) is None
        ):
            continue
        if not exclusion and rules.cancer_treatment_prior.search(lower, max(0, head - 40), head) is None:
            continue
        if rules.cancer_treatment_with.match(lower, m.end()) and any(a.start >= m.end() for a in agents):
            continue
        return sorted([*agents, Agent(head, m.end(), NAME)], key=lambda a: a.start)
    return agents
