"""A class the other readings drop beside the examples it lists, re-read from the quote (issue 11, round 29; GUIDE
settled cases: the class is kept beside its examples).

"No other experimental therapies (including chemotherapy, radiation, ...)", "Major surgery (e.g., laparoscopic
nephrectomy, ...)", "anticoagulants such as warfarin", "endocrine therapy (e.g. aromatase inhibitors, tamoxifen,
fulvestrant)": when the first example is among the agents and the class written right before the example cue is
not, the class (with the qualifiers it is written with) goes before the first example. The class must be a lexicon
class or one its example belongs to; a class written as an exception ("other than", "with the exception of") or
after its target ("CD19-targeted immunotherapy", "KRAS G12C targeted therapy": the target reading names it) is left
alone (about 7 non-gold corpus trials).

Patterns: ``requalified.examples`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify
from extractor.rules.drugs import Agent, agent_classes, find_agents, is_class
from extractor.rules.ruledata import Pattern

__all__ = ["ExampleRules", "class_examples"]


class ExampleRules(BaseModel):
    """``requalified.examples``: cheap gates, the example cue, an exception before the class, classes left alone."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    cue: Pattern
    excepted: Pattern
    skip: tuple[str, ...]


def class_examples(rules: ExampleRules, quals: QualifierRules, low: str, agents: list[str]) -> list[str]:
    """``agents`` with each class written right before an example cue of ``low`` put before its first example."""
    read = qualify(quals, low, find_agents(low))
    out = list(agents)
    for m in rules.cue.finditer(low):
        cls = next((a for a in read if a.end == m.start()), None)
        if cls is None or cls.name in rules.skip or rules.excepted.search(low, max(0, cls.start - 30), cls.start):
            continue
        names = list(cls.qualified or (cls.name,))
        if any(n in out for n in names) or any(cls.name in a for a in out):
            continue
        close = low.find(")", m.end()) if "(" in m.group() else -1
        end = close if close >= 0 else m.end() + 60  # the examples of a parenthesis are inside it
        example = next((a for a in read if m.end() <= a.start <= end), None)  # the first example is named
        if (
            example is None
            or not _reported(example) & set(out)
            or not (is_class(cls.name) or cls.name in agent_classes(example.name))
        ):
            continue
        at = min(out.index(n) for n in _reported(example) & set(out))
        out[at:at] = [n for n in names if n not in out]
    return out


def _reported(a: Agent) -> set[str]:
    return {*(a.qualified or ()), a.name}
