"""Resected disease in an inclusion item (``prior_therapy``).

"Completely resected stage IIB/C, III or IV melanoma", "histologically confirmed resected Stage III adenocarcinoma of
the colon", "NSCLC treated with initial upfront resection", "pNET that was resected within 12 weeks prior to
registration", "must have undergone curative resection": the cancer the trial takes has been operated on, so surgery
is a required prior therapy (with its window when one is written). The lexicon reads "surgical resection", not the
bare participle or noun; these items were typed as diagnosis or stage only (about 8 non-gold corpus trials).

Left alone: exclusions, resectability ("resectable", "could be resected"), tissue from a resected tumour, treated
brain metastases (the ``brain_metastases`` criterion's treated condition) and another cancer's history. A sentence
another criterion quotes, or an item with a surgery read, is left alone. Patterns: ``resected`` in
``prior_therapy.yaml``.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_types import quoted
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["ResectedRules", "resected"]

C = TypeVar("C", bound=CriterionBase)


class ResectedRules(BaseModel):
    """``resected`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]  # an item without one of these words has no resected disease
    cue: Pattern  # the resected disease, or its resection
    skip: Pattern  # an item on something else (resectability, tissue, brain metastases, another cancer)
    allowed: Pattern  # in the sentence: a permission ("are eligible", "may")
    window: Pattern  # after the cue: its written time (`n`, `unit`)
    agent: str  # the agent written


class _Parent(Protocol):
    @property
    def resected(self) -> ResectedRules: ...
    @property
    def clauses(self) -> ClauseRules: ...


def resected(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` with a surgery for each unread sentence of an inclusion item that states resected disease."""
    r = rules.resected
    lower = ctx.lower
    if ctx.is_exclusion or not any_in(r.gate, lower) or r.skip.search(lower):
        return out
    if any(r.agent in getattr(c, "agents", ()) for c in out):
        return out  # the item's surgery is read already ("If elevated prior to resection, ... post surgery")
    add: list[C] = []
    for s, e in split_sentences(ctx.clean, rules.clauses):
        read = ctx.evidence(s, e)
        if quoted(out, read) or (m := r.cue.search(lower, s, e)) is None:
            continue
        allowed = r.allowed.search(lower, s, e) is not None
        fields: dict[str, Any] = {"agents": [r.agent], "requirement": "allowed" if allowed else "required"}
        w = r.window.match(lower, m.end(), e)
        if w is not None:
            fields["within_weeks"] = weeks_of(float(w.group("n")), w.group("unit"))
        add.append(ctx.make(model, s, e, **fields))
    return [*out, *add] if add else out
