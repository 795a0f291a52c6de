"""Concomitant and supportive medication families of ``prior_therapy`` (issue 11, round 7): a pass after the kind's
extractor that adds what it does not read.

- Another clinical trial ("participation in another interventional clinical study", "currently enrolled in a
  therapeutic trial"): ``investigational agent`` (and ``investigational device`` when a device is named), excluded,
  with the sentence's window (GUIDE: the gold names a trial by its investigational agent).
- Hepatitis antiviral templates ("should be on suppressive antiviral therapy", "must have completed curative
  antiviral treatment", "received HBV antiviral therapy for at least 4 weeks"): ``<qualifier> <hbv|hcv> antiviral
  therapy``, required (allowed after "eligible" / "unless"), the virus from the item.
- Prohibited medication ("current use of any prohibited concomitant medication"): ``prohibited (concomitant)
  medication``, excluded.
- Cytochrome P450 / transporter classes and interacting foods left out by the sentence rules (a "requires treatment
  with a strong CYP3A inducer" read as a need, a sentence skipped for "grapefruit"): the sentence's agents, excluded.

Each family runs only when its cheap substrings occur, and only where the extractor left the fact out (no criterion
of the item names its agent). Word lists and patterns: the ``conmed`` block of ``prior_therapy.yaml``."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_agents import AgentRules, restated
from extractor.kinds._prior_therapy_bare_washout import bare_washout
from extractor.kinds._prior_therapy_clauses import ClauseRules, split_sentences
from extractor.kinds._prior_therapy_disease import unglossed
from extractor.kinds._prior_therapy_hepatitis import TreatedRules, treated_names
from extractor.kinds._prior_therapy_naive_or import naive_alternative
from extractor.kinds._prior_therapy_numbers import NumberRules, quantities, tokens, windows_of
from extractor.kinds._prior_therapy_qualifiers import qualify
from extractor.kinds._prior_therapy_transfusion import TransfusionRules, absence_weeks, transfusion_names
from extractor.kinds._prior_therapy_washout_note import noted_washout
from extractor.kinds._prior_therapy_windows import condition_window
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import agent_classes, find_agents, is_class
from extractor.rules.grammar import any_in, to_months
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

__all__ = ["ConmedRules", "conmed", "conmed_triggers"]

C = TypeVar("C", bound=CriterionBase)


class ConmedRules(BaseModel):
    """``conmed`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    triggers: tuple[str, ...]
    negation: Pattern
    trial_gate: tuple[str, ...]
    trial: Pattern
    trial_skip: Pattern
    device: Pattern
    antiviral_gate: tuple[str, ...]
    antiviral: Pattern
    antiviral_allowed: Pattern
    antiviral_excluded: Pattern
    hbv: Pattern
    hcv: Pattern
    other_virus: Pattern
    duration: Pattern
    prohibited: Pattern
    prohibited_skip: Pattern
    cyp_gate: tuple[str, ...]
    cyp_names: Pattern
    foods: Pattern
    reference_before: Pattern
    use_gate: tuple[str, ...]
    use_names: Pattern
    use_cue: Pattern
    use_skip: Pattern
    use_item_skip: Pattern
    use_permitted: Pattern
    exception: Pattern
    use_false_friend: Pattern
    washout_note: Pattern
    bare_washout: Pattern  # "A washout period of N days is required" naming no agent
    naive_or: Pattern  # "treatment-naive or have received": either history admitted
    dose_classes: tuple[str, ...]
    dose_before: Pattern
    anchor_before: Pattern
    dose_after: Pattern
    treated: TreatedRules
    transfusion: TransfusionRules


class _Parent(Protocol):
    @property
    def conmed(self) -> ConmedRules: ...
    @property
    def numbers(self) -> NumberRules: ...
    @property
    def clauses(self) -> ClauseRules: ...
    @property
    def agents(self) -> AgentRules: ...
    @property
    def disease_gloss(self) -> Pattern: ...


def conmed_triggers(data: dict[str, Any]) -> tuple[str, ...]:
    """The block's trigger words (added to the kind's triggers at load)."""
    block = data.get("conmed")
    return tuple(block.get("triggers", ())) if isinstance(block, dict) else ()


def conmed(ctx: ItemContext, rules: _Parent, out: list[C], model: type[C]) -> list[C]:
    """``out`` and the concomitant-medication criteria of the item it left out."""
    lower = ctx.lower
    r = rules.conmed
    out = naive_alternative(r.naive_or, ctx, noted_washout(r.washout_note, rules.clauses, ctx, out, model))
    out = bare_washout(r.bare_washout, rules.clauses, ctx, out, model)
    trial = any_in(r.trial_gate, lower)
    antiviral = any_in(r.antiviral_gate, lower)
    prohibited = "prohibited" in lower
    cyp = any_in(r.cyp_gate, lower) or (
        any_in(r.use_gate, lower)
        and r.use_item_skip.search(lower) is None
        and not (ctx.lead_in and (r.use_permitted.search(ctx.lead_in) or r.use_item_skip.search(ctx.lead_in)))
    )
    treated = any_in(r.treated.gate, lower) and r.treated.virus.search(lower) is not None
    transfused = "transfus" in lower and not any("transfus" in n for c in out for n in getattr(c, "agents", ()))
    if not (trial or antiviral or prohibited or cyp or treated or transfused):
        return out
    have = {n for c in out for n in getattr(c, "agents", ())}
    held = {n for c in out if getattr(c, "requirement", None) != "allowed" for n in getattr(c, "agents", ())}
    add: list[C] = []
    for s, e in split_sentences(ctx.clean, rules.clauses):
        if trial and "investigational agent" not in have:
            add.extend(_trial(ctx, rules, out, s, e, model, have))
        if antiviral:
            add.extend(_antiviral(ctx, rules, out, s, e, model, have))
        if prohibited:
            add.extend(_prohibited(ctx, rules, out, s, e, model, have))
        if cyp:
            add.extend(_use(ctx, rules, out, s, e, model, held))  # a permission of the same agent is another fact
        if treated:  # one therapy per virus: another virus's treatment is another fact
            names, requirement = treated_names(r.treated, lower, s, e)
            names = [n for n in names if not any(_virus_of(n) in h for h in have if "antiviral" in h)]
            if names:
                have.update(names)
                add.extend(_new(ctx, out, s, e, model, agents=names, requirement=requirement))
        if transfused and not any("transfus" in n for n in have):
            add.extend(_transfusion(ctx, rules, out, s, e, model, have))
    return [*out, *add] if add else out


def _virus_of(name: str) -> str:
    """The virus an antiviral therapy's name gives ("hcv antiviral therapy" -> "hcv"), else "antiviral"."""
    return next((w for w in name.split() if w in ("hbv", "hcv")), "antiviral")


def _weeks(num: NumberRules, lower: str, s: int, e: int) -> float | None:
    """The sentence's first window (not a progression's timing), in weeks."""
    toks = tokens(lower, s, e)
    if not toks:
        return None
    later = [a for a in find_agents(lower) if s <= a.start < e]
    w = next(
        (
            w
            for w in windows_of(num, lower, s, quantities(num, lower, s, e, toks))
            if w.prog < 0 and not any(condition_window(num, lower, s, a, w) for a in later[:1] if a.start >= w.end)
        ),
        None,
    )  # not a condition's window in a clause before the agent's ("seizures within 6 months or requiring X")
    return w.weeks if w is not None else None


def _new(ctx: ItemContext, out: list[C], s: int, e: int, model: type[C], **fields: Any) -> list[C]:
    """The criterion, unless one of ``out`` already quotes part of the sentence (the extractor read it)."""
    c = ctx.make(model, s, e, **fields)
    ev = c.evidence
    if any(o.evidence.start < ev.end and ev.start < o.evidence.end for o in out):
        return []
    return [c]


def _excluded(ctx: ItemContext, r: ConmedRules, s: int, e: int) -> bool:
    """An exclusion item, or an inclusion sentence that negates the use ("must not be receiving")."""
    return ctx.is_exclusion or r.negation.search(ctx.lower, s, e) is not None


def _trial(  # noqa: PLR0917
    ctx: ItemContext, rules: _Parent, out: list[C], s: int, e: int, model: type[C], have: set[str]
) -> list[C]:
    r, lower = rules.conmed, ctx.lower
    m = r.trial.search(lower, s, e)
    if m is None or r.trial_skip.search(lower, s, e) or not _excluded(ctx, r, s, e):
        return []
    names = ["investigational agent"]
    if r.device.search(lower, s, e) and "investigational device" not in have:
        names.append("investigational device")
    have.update(names)
    weeks = _weeks(rules.numbers, lower, s, e)
    return _new(ctx, out, s, e, model, agents=names, requirement="excluded", within_weeks=weeks)


def _virus(r: ConmedRules, lower: str, start: int) -> str:
    """The virus named last before ``start`` in the item ("hbv" / "hcv" / "other": HSV, HIV, ...), else ""."""
    last = {
        name: max((m.start() for m in rx.finditer(lower, 0, start)), default=-1)
        for name, rx in (("hbv", r.hbv), ("hcv", r.hcv), ("other", r.other_virus))
    }
    best = max(last, key=lambda k: last[k])
    return best if last[best] >= 0 else ""


def _antiviral(  # noqa: PLR0917
    ctx: ItemContext, rules: _Parent, out: list[C], s: int, e: int, model: type[C], have: set[str]
) -> list[C]:
    r, lower = rules.conmed, ctx.lower
    names: list[str] = []
    for m in r.antiviral.finditer(lower, s, e):
        qual = m.group("q") or ""
        viruses = [v for v in (m.group("v"), m.group("v2"), m.group("v3")) if v]
        if not qual and not m.group("v") and not (m.group("v2") and r.antiviral_excluded.search(lower, s, m.end())):
            continue  # a bare "antiviral therapy" (an infection's treatment) is no template
        found = ["hbv" if r.hbv.match(v) else "hcv" for v in viruses] or [
            _virus(r, lower, m.start()) or ("hbv" if qual == "suppressive" else "hcv")
        ]
        if found == ["other"] or (not viruses and r.other_virus.search(lower[m.end() : m.end() + 30])):
            continue  # "suppressive antiviral therapy for HSV": not the hepatitis template
        for v in found:
            name = " ".join(w for w in (qual, v, "antiviral therapy") if w)
            if name not in names and name not in have:
                names.append(name)
    if not names:
        return []
    have.update(names)
    if r.antiviral_excluded.search(lower, s, e):
        requirement = "excluded"
    elif r.antiviral_allowed.search(lower, s, e):
        requirement = "allowed"
    else:
        requirement = "required"
    d = r.duration.search(lower, s, e)
    months = None
    if d is not None:
        n = float(d.group("n"))
        months = round(to_months(n, d.group("u")), 2)
    weeks = _weeks(rules.numbers, lower, s, e)
    if d is not None and weeks is not None and round(to_months(weeks, "weeks"), 2) == months:
        weeks = None  # the duration read again as a window ("for at least 4 weeks prior to the first dose")
    return _new(
        ctx, out, s, e, model, agents=names, requirement=requirement, min_duration_months=months, within_weeks=weeks
    )


def _transfusion(  # noqa: PLR0917
    ctx: ItemContext, rules: _Parent, out: list[C], s: int, e: int, model: type[C], have: set[str]
) -> list[C]:
    names, requirement, (cs, ce) = transfusion_names(
        rules.conmed.transfusion, rules.agents, ctx.lower, (s, e), ctx.lead_in or ""
    )
    if not names:
        return []
    have.update(names)
    weeks = None
    if requirement == "excluded":
        weeks = _weeks(rules.numbers, ctx.lower, cs, ce) or absence_weeks(rules.conmed.transfusion, ctx.lower, cs, ce)
    return _new(ctx, out, s, e, model, agents=names, requirement=requirement, within_weeks=weeks)


def _prohibited(  # noqa: PLR0917
    ctx: ItemContext, rules: _Parent, out: list[C], s: int, e: int, model: type[C], have: set[str]
) -> list[C]:
    r, lower = rules.conmed, ctx.lower
    m = r.prohibited.search(lower, s, e)
    if m is None or r.prohibited_skip.search(lower, s, e) or not _excluded(ctx, r, s, e):
        return []
    name = "prohibited concomitant medication" if m.group("c") else "prohibited medication"
    if name in have:
        return []
    have.add(name)
    weeks = _weeks(rules.numbers, lower, s, e)
    return _new(ctx, out, s, e, model, agents=[name], requirement="excluded", within_weeks=weeks)


def _use(  # noqa: PLR0917
    ctx: ItemContext, rules: _Parent, out: list[C], s: int, e: int, model: type[C], have: set[str]
) -> list[C]:
    """A concomitant class or drug the sentence rules left out: a cytochrome / transporter class anywhere, another
    (corticosteroids, anticoagulants, ...) after a use cue ("requires", "receiving", "be on") and no false friend."""
    r, lower = rules.conmed, ctx.lower
    if r.use_skip.search(lower, s, e) or r.use_permitted.search(lower, 0, e):
        return []  # about something else, or a permission (the sentence rules read those)
    x = r.exception.search(lower, s, e)  # "(except if related to prior checkpoint inhibitor therapy)"
    e = x.start() if x is not None else e
    found = [
        a
        for a in unglossed(rules.disease_gloss, lower, find_agents(lower))
        if s <= a.start
        and a.end <= e
        and lower[a.start - 1 : a.start] not in ("/", "_", "-")  # a name inside a link or a file name
        and not r.reference_before.search(lower, max(s, a.start - 40), a.start)
        and not r.anchor_before.search(lower, max(s, a.start - 40), a.start)
    ]
    cyp = any(r.cyp_names.search(a.name) for a in found)
    first = next((a for a in found if _conmed_name(r, a.name)), None)
    if first is None or not (cyp or r.use_cue.search(lower, s, first.start)):
        return []
    if r.use_false_friend.search(lower, max(s, first.start - 60), first.start):
        return []
    found = [  # a drug named as a dose's unit ("corticosteroids > 10 mg prednisone", "doses > 10 mg/day prednisone")
        a
        for a in found
        if not (
            _drug(a.name)
            and any(c in r.dose_classes for c in agent_classes(a.name))
            and (r.dose_before.search(lower[max(s, a.start - 30) : a.start]) or r.dose_after.match(lower, a.end, e))
        )
    ]
    if len(found) > 1 and any(a.name in rules.agents.generic for a in found):  # "requires systemic treatment with
        found = qualify(rules.agents.qualifiers, lower, found)  # corticosteroids": systemic corticosteroids (GUIDE)
        found = [a for i, a in enumerate(found) if not restated(rules.agents, lower, a, found, i)]
    foods = [(m.start(), m.group(0)) for m in r.foods.finditer(lower, s, e)] if cyp else []
    names: list[str] = []
    mentions = [(a.start, n) for a in found for n in a.qualified or (a.name,)]
    mentions += [(p, " ".join(f.split())) for p, f in foods]
    for _, n in sorted(mentions, key=lambda m: m[0]):  # the text's order (stable for one phrase's names)
        if n not in names:
            names.append(n)
    if not names or any(n in have for n in names) or not _excluded(ctx, r, s, e):
        return []
    have.update(names)
    weeks = _weeks(rules.numbers, lower, s, e)
    return _new(ctx, out, s, e, model, agents=names, requirement="excluded", within_weeks=weeks)


def _conmed_name(r: ConmedRules, name: str) -> bool:
    """Whether the agent is a concomitant class or drug (its name or one of its classes)."""
    return r.use_names.search(name) is not None or any(r.use_names.search(c) for c in agent_classes(name))


def _drug(name: str) -> bool:
    """A single drug of the lexicon: it has classes and its name holds none of them ("prednisone"; not "systemic
    corticosteroids")."""
    classes = agent_classes(name)
    return not is_class(name) and bool(classes) and not any(c in name for c in classes)
