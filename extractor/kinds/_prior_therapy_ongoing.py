"""Ongoing, current and stable-dose therapy of the ``prior_therapy`` kind (issue 11, round 16): a pass after the
extractor that adds what its prior-treatment cues do not read.

- A therapy the patient must be on ("must be currently taking and willing to continue LHRH analogue therapy",
  "ongoing monthly GnRH agonist is required for at least 4 weeks", "the treating physician intends to resume
  abemaciclib", "who plan to continue their current systemic therapy"): required (inclusion items), its exposure
  length ``min_duration_months`` (GUIDE, third round).
- A therapy the patient may stay on ("hypothyroidism stable on hormone replacement is not excluded", "may continue
  on X", "if on hydroxyurea, must have been on a stable dose for at least 3 months"): allowed (GUIDE, second round:
  a permission), with the exposure length the item writes.
- A therapy that cannot be withheld ("unable to hold anticoagulation", "medications that cannot be withheld",
  "must be able to withhold X for 28 days"): excluded, the hold's length a window (``within_weeks``); a criterion
  the extractor read as required is turned excluded.
- A therapy the patient must stop or stay off ("willing to discontinue X", "must be off X for at least 7 days"):
  :mod:`extractor.kinds._prior_therapy_stopping`.

Agents are the shared lexicon's, inside the phrase the pattern marks (``span``); names another criterion of the item
already holds are left alone. Patterns: ``ongoing`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules
from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_qualifiers import qualify
from extractor.kinds._prior_therapy_stopping import stopped
from extractor.kinds._prior_therapy_types import Therapy, quoted
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import Agent, find_agents
from extractor.rules.grammar import any_in, to_months
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["OngoingRules", "ongoing"]

C = TypeVar("C", bound=CriterionBase)


class OngoingRules(BaseModel):
    """``ongoing`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    required: Pattern
    stable: Pattern
    hold: Pattern
    conditional: Pattern
    skip: Pattern
    duration: Pattern
    dose_reference: Pattern
    stop_gate: tuple[str, ...]
    stop: Pattern
    stop_window: Pattern
    stop_back: Pattern


class _Parent(Protocol):
    @property
    def ongoing(self) -> OngoingRules: ...
    @property
    def clauses(self) -> ClauseRules: ...
    @property
    def agents(self) -> AgentRules: ...


def ongoing(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` with the ongoing, stable-dose and withheld therapies of the item it left out."""
    r = rules.ongoing
    lower = ctx.lower
    stop = any_in(r.stop_gate, lower)
    if not (stop or any_in(r.gate, lower)) or r.skip.search(lower):
        return out
    found = qualify(rules.agents.qualifiers, lower, find_agents(lower))
    if stop:
        sents = split_sentences(ctx.clean, rules.clauses)
        out = stopped(ctx, r, out, model, found=found, sentences=sents)
        if not any_in(r.gate, lower):
            return out
    st = _State(ctx, r, found, {n for c in out for n in _t(c).agents})
    add: list[C] = []
    for s, e in split_sentences(ctx.clean, rules.clauses):
        for m in r.hold.finditer(lower, s, e):
            g = "span" if m.group("span") is not None else "pre"
            add.extend(_hold(st, out, m.span(g), (s, e), model))
        read = ctx.evidence(s, e)
        if quoted(out, read):
            continue  # the extractor read the sentence ("off steroids or on a stable dose of <= 10 mg prednisone")
        for rx, how in ((r.required, "required"), (r.stable, "stable")):
            for m in rx.finditer(lower, s, e):
                add.extend(_on(st, m.span("span"), (s, e), how, model))
    return [*out, *add] if add else out


@dataclass
class _State:
    ctx: ItemContext
    r: OngoingRules
    found: list[Agent]  # the item's agents (qualifiers applied)
    have: set[str]  # the names some criterion of the item holds

    def names(self, a: int, b: int) -> list[str]:
        """The names inside ``a:b``, in order, once each."""
        names: list[str] = []
        lower, r = self.ctx.lower, self.r
        for ag in self.found:
            if r.dose_reference.match(lower, ag.end):
                continue  # a dose's reference drug ("<= 10 mg prednisone (or equivalent)")
            if a <= ag.start and ag.end <= b and not ag.neg:
                names.extend(n for n in ag.qualified or (ag.name,) if n not in names)
        return names

    def time(self, a: int, e: int) -> tuple[float, str] | None:
        """The first length written from ``a`` on (within 60 characters, inside the sentence ending at ``e``)."""
        m = self.r.duration.search(self.ctx.lower, a, min(e, a + 60))
        return (float(m.group("n")), m.group("unit")) if m is not None else None


def _t(c: CriterionBase) -> Therapy:
    return cast(Therapy, c)


def _hold(st: _State, out: list[C], span: tuple[int, int], sent: tuple[int, int], model: type[C]) -> list[C]:
    a, b = span
    t = st.time(b, sent[1])
    weeks = weeks_of(*t) if t is not None else None
    inside = st.names(a, b)
    for c in map(_t, out):  # "must be able to withhold X for 28 days" read as a required X
        if c.requirement == "required" and any(n in inside for n in c.agents):
            c.requirement = "excluded"
            c.min_duration_months = None
            c.within_weeks = c.within_weeks if c.within_weeks is not None else weeks
    names = [n for n in inside if n not in st.have]
    if not names:
        return []
    st.have.update(names)
    return [st.ctx.make(model, *sent, agents=names, requirement="excluded", within_weeks=weeks)]


def _on(st: _State, span: tuple[int, int], sent: tuple[int, int], how: str, model: type[C]) -> list[C]:
    a, b = span
    ctx = st.ctx
    names = [n for n in st.names(a, b) if n not in st.have]
    if not names or (how == "required" and ctx.is_exclusion):
        return []  # an exclusion's "currently receiving X" is the extractor's
    conditional = ctx.is_exclusion or st.r.conditional.search(ctx.lower, sent[0], sent[1]) is not None
    st.have.update(names)
    fields: dict[str, Any] = {"agents": names, "requirement": "allowed" if conditional else "required"}
    t = st.time(b, sent[1])
    if t is not None:
        fields["min_duration_months"] = round(to_months(*t), 2)
    return [ctx.make(model, *sent, **fields)]
