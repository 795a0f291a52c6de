"""Two statements of ``prior_therapy`` the sentence rules do not read (issue 11, round 7b): a pass after the kind's
extractor.

- Treatment of a disease, no agent named: exclusion "Prior treatment for gastric cancer", inclusion "Prior therapies
  for metastatic disease", "May have received prior therapy for lung cancer" (the positive twin of the kind's
  ``untreated`` statement "No prior therapy for X"): one criterion without agents, excluded in an exclusion item,
  allowed after a permission, else required; the setting from the sentence.
- No limit on the number of prior therapies, no agent named ("Any number of prior treatment regimens", "There is
  no restriction on number of prior therapies"): one criterion without agents, allowed, quoting the sentence.
- A row of a washout table under a lead-in that names the washout ("Adequate treatment washout period before
  randomization, defined as:" / "Major surgery: >= 3 weeks", "Cytotoxic treatment: 21 days"): the agents of the row's
  label, excluded, ``within_weeks`` the row's time (GUIDE: "at least N weeks since" is written in ``within_weeks``).

- A washout of a treatment the lexicon does not name (``_prior_therapy_unnamed``); a prior therapy the lexicon does
  not name, no washout (``_prior_therapy_exposed``).

Each runs only where the extractor left the item without a ``prior_therapy`` criterion (a row also fills the window
of the one criterion it read without one). Word lists and patterns: the ``treated`` block of ``prior_therapy.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_exposed import exposed
from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_unnamed import unnamed
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import Agent, find_agents
from extractor.rules.grammar import any_in
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["TreatedRules", "treated", "written"]

C = TypeVar("C", bound=CriterionBase)


class TreatedRules(BaseModel):
    """``treated`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    disease: Pattern
    skip: Pattern
    allowed: Pattern
    row: Pattern
    row_lead: Pattern
    row_skip: Pattern
    no_limit_gate: tuple[str, ...]
    no_limit: Pattern
    unnamed: Pattern
    since_last: Pattern
    exposed: Pattern
    exposed_not: Pattern


def written(lower: str, a: Agent) -> bool:
    """Whether the text writes the agent's name: a negated phrase ("treatment-naive", "previously untreated") names
    its class ("systemic therapy") only when the class's first word is in it ("systemic therapy naive"); else the
    criterion has no agent (GUIDE, third round: no parent the text does not write)."""
    return not a.neg or a.name.partition(" ")[0] in lower[a.start : a.end]


def treated(
    ctx: ItemContext,
    r: TreatedRules,
    out: list[C],
    model: type[C],
    setting: Callable[[str, int, int], str | None],
) -> list[C]:
    """``out`` and the treated-disease, no-limit or washout-row criterion of the item it left out."""
    lower = ctx.lower
    if ctx.lead_in and ":" in lower[:90]:
        row = _row(ctx, r, out, model)
        if row is not None:
            return row
    if any(c.kind == "prior_therapy" for c in out):
        return out
    if any_in(r.no_limit_gate, lower) and (n := r.no_limit.search(lower)) is not None:
        s = lower.rfind(". ", 0, n.start()) + 1
        e = lower.find(".", n.end())
        s, e = s + len(lower[s:]) - len(lower[s:].lstrip()), len(lower.rstrip(" .;")) if e < 0 else e
        return [*out, ctx.make(model, s, e, agents=[], requirement="allowed")]
    if out:
        return out
    m = r.disease.search(lower) if any_in(r.gate, lower) else None
    if m is None:
        found = unnamed(ctx, (r.unnamed, r.since_last), out, model)  # "Treatment with X within 8 weeks" (ptrec3)
        return found if found else exposed(ctx, (r.exposed, r.exposed_not), out, model)  # "Prior X"
    if lower.rstrip().endswith(":") or r.skip.search(lower, max(0, m.start() - 40), m.start()):
        return out
    requirement = "allowed" if r.allowed.search(lower) else "excluded" if ctx.is_exclusion else "required"
    fields: dict[str, Any] = {"agents": [], "requirement": requirement, "setting": setting(lower, 0, len(lower))}
    return [ctx.make(model, 0, len(ctx.clean.rstrip(" .;")), **fields)]


def _row(ctx: ItemContext, r: TreatedRules, out: list[C], model: type[C]) -> list[C] | None:
    """The washout row's criteria (``None``: the item is no such row)."""
    m = r.row.match(ctx.lower)
    if m is None or not r.row_lead.search(ctx.lead_in.lower()) or r.row_skip.search(ctx.lead_in.lower()):
        return None
    weeks = weeks_of(float(m.group("n")), m.group("u"))
    names: list[str] = []
    for a in find_agents(ctx.lower[: m.end("label")]):
        if not a.neg and a.name not in names:
            names.append(a.name)
    if not names:
        return None
    mine = [c for c in out if c.kind == "prior_therapy"]
    if len(mine) == 1 and getattr(mine[0], "within_weeks", 0) is None:
        mine[0].within_weeks = weeks  # type: ignore[attr-defined]  # "Cytotoxic treatment: 21 days"
        return out
    if mine:
        return None
    return [*out, ctx.make(model, 0, m.end(), agents=names, requirement="excluded", within_weeks=weeks)]
