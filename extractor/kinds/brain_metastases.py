"""Kind ``brain_metastases``: which patients with brain (CNS) metastases may enrol, and leptomeningeal disease.

Reads ``brain_metastases.yaml``; negation, permission and exception come from the context pass with the kind's own
cues. The first brain / CNS metastases mention (not brain imaging) and the first allowance cue after it (a
permission read backward, "eligible"; an exception, "unless", "provided"; skipping "not eligible", which makes the
mention disallowed) split the item: before the cue (or before its sentence, when that follows the mention's;
sentences as ``grammar.sentence_bounds`` reads them) the text names what is bad, after it what is allowed; a
permission earlier in the mention's sentence makes the whole sentence allowed. Descriptors near the mention give
the conditions (an exclusion "untreated or symptomatic brain metastases" -> conditional [treated, asymptomatic]);
none on the bad side (an exclusion, or the mention negated) -> excluded; an inclusion naming them without allowance
(or a permission / exception scope over the mention) -> required. A duration after a stability / treatment word
is ``stable_weeks_min``. Leptomeningeal disease is excluded in an exclusion or when negated, allowed when a
permission covers it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._brain_metastases_later import later_conditions
from extractor.kinds._spec import KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import WEEKS_PER, any_in, number_value, sentence_bounds, unit_key
from extractor.rules.prefilter import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.context import Modifier
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "BrainMetastases", "Rules", "extract"]

Condition = Literal["treated", "stable", "asymptomatic", "off_steroids", "untreated"]


class BrainMetastases(CriterionBase):
    """Which patients with brain (CNS) metastases may enrol, and leptomeningeal disease."""

    kind: Literal["brain_metastases"] = "brain_metastases"
    allowed: Literal["excluded", "allowed", "conditional", "required"] = Field(
        description="excluded: no brain metastases; allowed: any; conditional: allowed only if the conditions "
        "hold; required: the trial needs brain metastases."
    )
    conditions: list[Condition] = Field(
        default_factory=list, description="Conditions under which brain metastases are allowed."
    )
    stable_weeks_min: float | None = Field(
        default=None, description="Weeks of stability (or since treatment) required, e.g. 4."
    )
    leptomeningeal: Literal["excluded", "allowed"] | None = Field(
        default=None, description="Whether leptomeningeal disease / carcinomatous meningitis is allowed."
    )


class Descriptor(BaseModel):
    """A descriptor of the mention: the condition it names as allowed (``good``), the ones it makes required when
    the text names it as excluded (``bad``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: Pattern
    good: Condition | None = None
    bad: tuple[Condition, ...] = ()


class Rules(RuleFile):
    """``brain_metastases.yaml``."""

    brain: Pattern
    lepto: Pattern
    false_friend_before: Pattern
    non_malignant_before: Pattern
    non_malignant_after: Pattern
    subject: Pattern
    sentence_lead: Pattern
    following: Pattern
    continuation: Pattern
    descriptors: tuple[Descriptor, ...]
    stable_time: Pattern
    stability_word: Pattern
    steroid_before: Pattern
    stability_before: tuple[str, ...]
    clause_start: Pattern
    window_after: Pattern
    window_before: Pattern
    excluded_after: Pattern
    needs_local_therapy: Pattern
    must_treat: Pattern
    subject_without: Pattern
    steroid_purpose_before: Pattern
    subject_near: Pattern
    lead_allows: Pattern
    reason: Pattern
    needs_count: Pattern
    lead_exception: Pattern
    size_limit: Pattern
    either_treated: Pattern
    condition_of: Pattern
    caution: Pattern
    list_opens: Pattern
    anticoag_subject: Pattern
    anticoag: Pattern
    untreated_allowed: Pattern
    treated_or_before: Pattern
    requirement: Pattern
    foreign_after: Pattern
    measure_rule: Pattern


RULES = load_rules("brain_metastases", Rules)

_NAME = "brain_metastases"
_BEFORE = 40  # characters before a mention read for false friends; before a duration read for steroids
_NEAR = 80  # characters before the first mention whose descriptors qualify it
_SUBJECT_BEFORE = 60
_STABLE_BEFORE = 60  # characters before the first mention from which the stability window is read
_CLAUSE_BEFORE = 160  # characters before a duration read for its clause (a steroid washout)
_EXCLUDED_AFTER = 80  # characters after a later mention read for "are excluded"
_AFTER_NON_MALIGNANT = 60  # characters after a mention read for examples of a non-malignant CNS disease
_LEAD_TAIL = 160  # characters at a lead-in's end read for an allowance its children fill
_PURPOSE_BEFORE = 70  # characters before a mention read for a steroid it is the purpose of

# the patterns read over long text that rarely match, with their required literals tested first
_LEPTO = Prefiltered(RULES.lepto)
_DESCRIPTORS = tuple((d, Prefiltered(d.pattern)) for d in RULES.descriptors)


def _negated(ctx: ItemContext, m: re.Match[str]) -> bool:
    return ctx.context.has("negated", m.start(), m.end(), kind=_NAME)


def _allowances(ctx: ItemContext) -> list[Modifier]:
    """The allowance cues in text order: permissions read backward ("are eligible"), exceptions ("unless",
    "provided") and the cues that do not allow ("not eligible", category negated, read backward)."""
    return [
        m
        for m in ctx.context.modifiers(_NAME)
        if m.category == "exception" or (m.category in ("permitted", "negated") and m.scope_end <= m.cue_start)
    ]


def _leads_sentence(ctx: ItemContext, m: re.Match[str]) -> bool:
    """The mention is its sentence's subject after a few qualifiers ("NOTE: Stable brain metastases are ...")."""
    start = sentence_bounds(ctx.clean, m.start(), m.end())[0]
    return bool(RULES.sentence_lead.fullmatch(ctx.lower, start, m.start()))


def _leptomeningeal(ctx: ItemContext, m: re.Match[str], brain: bool) -> Literal["excluded", "allowed"] | None:
    permitted = ctx.context.has("permitted", m.start(), m.end(), kind=_NAME)
    if (
        ctx.is_exclusion
        and permitted
        and not _negated(ctx, m)
        and RULES.subject.search(ctx.lower, max(0, m.start() - _SUBJECT_BEFORE), m.start())
        and any(
            c.category == "permitted"
            and c.direction == "backward"
            and c.cue_start >= m.end()
            and c.covers(*m.span())
            and "(" not in ctx.lower[m.end() : c.cue_start]
            for c in ctx.context.modifiers(_NAME)
        )
    ):
        return "allowed"  # "... Patients with leptomeningeal disease are eligible." under an exclusion heading
    if ctx.is_exclusion or _negated(ctx, m):
        return "excluded"
    if not brain or permitted:
        return "allowed"
    return None


def _stable_weeks(ctx: ItemContext, first: re.Match[str]) -> float | None:
    lower = ctx.lower
    base = 0 if RULES.continuation.match(ctx.clean) else max(0, first.start() - _STABLE_BEFORE)
    sm = RULES.stability_word.search(lower, base)
    if sm is None:
        return None
    for tm in RULES.stable_time.finditer(lower, sm.start()):
        # the duration's clause (back to a comma, "and" or a sentence end): "discontinued corticosteroid treatment
        # for these metastases for at least 2 weeks, ... clinically stable for at least 1 month" names a steroid
        # washout, then the stability period ("defined as not having received steroids for 2 weeks" is stability);
        # a steroid washout is no stability period even when no other is named
        clause = lower[max(0, tm.start() - _CLAUSE_BEFORE) : tm.start()]
        if cm := list(RULES.clause_start.finditer(clause)):
            clause = clause[cm[-1].end() :]
        before = lower[max(0, tm.start() - _BEFORE) : tm.start()]
        if RULES.steroid_before.search(before) and not any_in(RULES.stability_before, before):
            continue
        if RULES.steroid_before.search(clause) and not any_in(RULES.stability_before, clause):
            continue
        if RULES.window_after.search(lower[tm.end() : tm.end() + 3]) or RULES.window_before.search(
            lower, max(0, tm.start() - 12), tm.start()
        ):
            continue
        n = number_value(tm.group("n"))
        return round(n * WEEKS_PER[unit_key(tm.group("unit"))], 2) if n is not None else None
    return None


def _non_malignant(lower: str, m: re.Match[str]) -> bool:
    """The mention names a non-malignant CNS disease ("autoimmune CNS disease", "CNS disease (e.g. seizures)
    unrelated to cancer")."""
    return bool(
        RULES.non_malignant_before.search(lower, max(0, m.start() - _BEFORE), m.start())
        or RULES.non_malignant_after.search(lower[m.end() : m.end() + _AFTER_NON_MALIGNANT])
    )


def _steroid_purpose(lower: str, m: re.Match[str]) -> bool:
    """The mention names what a steroid is taken for ("corticosteroids for control of symptoms of brain metastases")."""
    return bool(RULES.steroid_purpose_before.search(lower, max(0, m.start() - _PURPOSE_BEFORE), m.start()))


def _allowing_lead(ctx: ItemContext) -> bool:
    """An exclusion item under a lead-in on brain metastases that ends by allowing them on conditions ("... excluded,
    unless all of the following criteria are met:"): the item states a condition of the allowed side."""
    lead = ctx.lead_in
    if not lead or RULES.brain.search(lead) is None:
        return False
    return RULES.lead_exception.search(lead, max(0, len(lead) - _LEAD_TAIL)) is not None


def _blank(m: re.Match[str]) -> str:
    """Spaces in place of a match (the offsets after it keep their place)."""
    return " " * len(m.group())


def _cohort_needs(ctx: ItemContext, m: re.Match[str]) -> bool:
    """An inclusion mention with conditions but no allowance names what a cohort needs ("EGFR-mutant NSCLC and stable
    brain metastases"): it is not its sentence's subject ("Patients with treated brain metastases must ..."), does
    not continue the previous item, and no lead-in above it allows brain metastases."""
    lower = ctx.lower
    before = lower[: m.start()]
    return not (
        not before.strip(" -*:•")
        or RULES.subject_near.search(lower, sentence_bounds(ctx.clean, m.start(), m.end())[0], m.start())
        or _leads_sentence(ctx, m)
        or RULES.continuation.match(ctx.clean)
        or (RULES.lead_allows.search(ctx.lead_in) and RULES.brain.search(ctx.lead_in) is not None)
        or RULES.lead_allows.search(lower)
        or "steroid" in before  # "off steroids given for brain metastases": a condition, said of them
        or "dexameth" in before
        or RULES.condition_of.search(lower, max(0, m.start() - _BEFORE), m.start())
    )


def _anticoagulant_rule(ctx: ItemContext, m: re.Match[str]) -> bool:
    """The mention scopes an anticoagulant rule in its sentence ("subjects with known brain metastases who require
    therapeutic doses of LMWH are not eligible")."""
    lower = ctx.lower
    if not RULES.anticoag_subject.search(lower, max(0, m.start() - _SUBJECT_BEFORE), m.start()):
        return False
    s0, s1 = sentence_bounds(ctx.clean, m.start(), m.end())
    return RULES.anticoag.search(lower, s0, s1) is not None


def _measure_rule(ctx: ItemContext, m: re.Match[str]) -> bool:
    """The mention's sentence says which lesions count as measurable or target lesions ("For lesions, including brain
    metastases, to qualify as measurable ...")."""
    s0, s1 = sentence_bounds(ctx.clean, m.start(), m.end())
    return RULES.measure_rule.search(ctx.lower, s0, s1) is not None


def _untreated_allowed(lower: str, first: re.Match[str]) -> bool:
    """Untreated ones are named as allowed after the mention ("asymptomatic, untreated CNS metastases are eligible"),
    not as one side of "treated or untreated"."""
    um = RULES.untreated_allowed.search(lower, first.start())
    return um is not None and not RULES.treated_or_before.search(lower, max(0, um.start() - 30), um.start())


def extract(ctx: ItemContext) -> list[BrainMetastases]:
    """The item's brain-metastases criterion (at most one)."""
    lower = ctx.lower
    if "caution" in lower and RULES.caution.search(lower):
        return []  # advice on a drug's use, not a criterion
    first = next(
        (
            m
            for m in RULES.brain.finditer(lower)
            if not RULES.false_friend_before.search(lower, max(0, m.start() - _BEFORE), m.start())
            and not _non_malignant(lower, m)
        ),
        None,
    )
    if (
        first is not None
        and ctx.is_exclusion
        and ("steroid" in lower or "dexameth" in lower)
        and _steroid_purpose(lower, first)
    ):
        return []
    if first is not None and _anticoagulant_rule(ctx, first):
        return []
    if first is not None and "as" in lower and _measure_rule(ctx, first):
        return []
    lm = _LEPTO.search(lower)
    if lm is not None and _non_malignant(lower, lm):
        lm = None
    if first is None and lm is None:
        return []
    lepto = _leptomeningeal(ctx, lm, first is not None) if lm else None
    if first is None:
        return [ctx.make(BrainMetastases, allowed="allowed", leptomeningeal=lepto)]
    cues = _allowances(ctx)
    # split at the first allowance cue: before it the text names what is bad (in exclusions), after it what is ok
    after = [c for c in cues if c.cue_start >= first.start()]
    disallowed = bool(after) and after[0].category == "negated"
    cue = next((c for c in after if c.category != "negated"), None)
    cut = len(lower)
    before = None
    earlier = [c for c in cues if c.cue_end <= first.start()]
    if earlier:  # the first cue in the mention's sentence before it
        sent = sentence_bounds(ctx.clean, first.start(), first.end())[0]
        before = next((c for c in earlier if c.cue_start >= sent), None)
    if before and before.category == "permitted":
        # "Subjects are eligible if CNS metastases are treated ...": the whole sentence is positive
        cue, cut = before, sent
    elif cue:
        stop = sentence_bounds(ctx.clean, cue.cue_start, cue.cue_end)[0]  # a later sentence allows: cut before it
        cut = stop if stop > first.end() else cue.cue_start
    head = lower[:cut]
    tail = lower[cut:]
    neg = disallowed or _negated(ctx, first)
    conds: list[Condition] = []

    def add(cs: tuple[Condition, ...]) -> None:
        for c in cs:
            if c not in conds:
                conds.append(c)

    bad_side = ctx.is_exclusion or neg
    same_sentence = cue is not None and cut == cue.cue_start
    permissive = (
        same_sentence
        and cue is not None
        and cue.category == "permitted"
        and "(" not in lower[first.end() : cue.cue_start]
        and (
            bool(RULES.subject.search(lower, max(0, first.start() - _SUBJECT_BEFORE), first.start()))
            or _leads_sentence(ctx, first)
        )
    )
    if (
        ctx.is_exclusion
        and not disallowed
        and (permissive or RULES.continuation.match(ctx.clean) or _allowing_lead(ctx))
    ):
        bad_side = neg  # "participants with untreated, asymptomatic CNS metastases may be enrolled" / "are stable ..."
    # the window around the first mention (its qualifiers) is read as bad or good by section / negation
    near = head[max(0, first.start() - _NEAR) :]
    if "because" in near and (rm := RULES.reason.search(head, first.end())):
        # "... excluded because they often develop progressive neurologic dysfunction": a reason names no condition
        near = head[max(0, first.start() - _NEAR) : rm.start()]
    # "brain metastasis or active leptomeningeal disease": a descriptor of another listed condition is blanked
    at = first.end() - max(0, first.start() - _NEAR)
    near = near[:at] + RULES.foreign_after.sub(_blank, near[at:])
    for d, rx in _DESCRIPTORS:
        named = d.bad if bad_side else (d.good,) if d.good else ()
        if named and rx.search(near):
            add(named)
    if cue:
        for d, rx in _DESCRIPTORS:
            if d.good and d.good != "untreated" and rx.search(tail):
                add((d.good,))
        # a later sentence of the allowed side excluding some ("Patients with known symptomatic brain metastases
        # requiring steroids are excluded"): what it excludes, turned round, is a condition too
        for m in RULES.brain.finditer(lower, cut):
            s0, s1 = sentence_bounds(ctx.clean, m.start(), m.end())
            stop = min(s1, m.end() + _EXCLUDED_AFTER)
            if s0 <= first.start() or not RULES.excluded_after.search(lower, m.end(), stop):
                continue
            said = lower[s0 : m.end()]
            for d, rx in _DESCRIPTORS:
                if d.bad and rx.search(said):
                    add(d.bad)
    elif ctx.is_exclusion and conds:
        # no allowance, but later sentences say what the patients who have them must meet ("... must have been off
        # steroids for at least 2 weeks")
        add(
            tuple(
                later_conditions(
                    ctx, sentence_bounds(ctx.clean, first.start(), first.end())[1], _DESCRIPTORS, RULES.requirement
                )
            )
        )
    if not ctx.is_exclusion and not bad_side and "untreated" in conds and "treated" in conds:
        # an inclusion: "treated brain metastases and untreated asymptomatic ones are eligible": untreated ones are
        # allowed, so treatment is no condition (non-gold corpus: 5 trials)
        conds.remove("treated")
    sentence_end = sentence_bounds(ctx.clean, first.start(), first.end())[1]
    # "untreated brain metastases must undergo local therapy before entry": treated ones are allowed
    must_treat = not ctx.is_exclusion and RULES.must_treat.search(lower, first.end(), sentence_end) is not None
    if must_treat:
        conds = [c for c in conds if c != "untreated"]
        add(("treated",))
    if "untreated" in lower and _untreated_allowed(lower, first):
        # "asymptomatic, untreated CNS metastases are eligible": untreated ones are allowed, treatment is no condition
        conds = [c for c in conds if c != "treated"]
        add(("untreated",))
    if "untreated" in lower and RULES.either_treated.search(lower):
        # "(treated or untreated)": treatment is no condition either way
        conds = [c for c in conds if c not in ("treated", "untreated")]
    # "brain lesions requiring immediate local therapy" (excluded) / "not needing immediate local therapy"
    # (allowed): whether they are allowed hangs on a need the item names, not on one of the conditions
    needs_therapy = RULES.needs_local_therapy.search(lower, max(0, first.start() - _NEAR), sentence_end)
    allowed: Literal["excluded", "allowed", "conditional", "required"]
    if ctx.is_exclusion and RULES.subject_without.search(lower, 0, first.start()):
        allowed = "required"  # "Subjects without CNS metastases" excluded: the trial needs them
        conds = []
    elif needs_therapy is not None and (
        (bad_side and not conds) or conds == ["untreated"] or (not conds and cue is not None and not neg)
    ):
        allowed = "conditional"
    elif ctx.is_exclusion and not conds and cue is not None and RULES.following.search(tail):
        allowed = "conditional"  # "... are excluded, unless all of the following criteria are met:" (its children)
    elif ctx.is_exclusion and not conds and RULES.list_opens.search(lower):
        allowed = "conditional"  # "Known CNS metastases, with the following exceptions:" (its children)
    elif bad_side and not conds:
        allowed = "excluded"
    elif not ctx.is_exclusion and conds and cue is None and not neg and not must_treat and _cohort_needs(ctx, first):
        allowed = "required"
    elif (
        not ctx.is_exclusion
        and not neg
        and (cue is None or cut >= sentence_end)  # an allowance in a later sentence ("NOTE: ... to be eligible")
        and RULES.needs_count.search(lower, max(0, first.start() - _NEAR), first.start())
    ):
        allowed = "required"  # "must have at least 1 untreated intracranial lesion": the trial needs them
    elif conds == ["untreated"]:
        allowed = "allowed"
    elif conds:
        allowed = "conditional"
    elif not ctx.is_exclusion and (
        (cue and not neg) or ctx.context.categories(first.start(), first.end(), kind=_NAME) & {"permitted", "exception"}
    ):
        # "... are eligible if the following criteria are met:" names its conditions in the items after it
        allowed = (
            "conditional" if cue and (RULES.following.search(tail) or RULES.list_opens.search(lower)) else "allowed"
        )
    elif not ctx.is_exclusion:
        allowed = "required"  # an inclusion item naming brain metastases without allowing words: the cohort needs them
    else:
        allowed = "allowed"
    if ctx.is_exclusion and "untreated" in lower and RULES.size_limit.match(lower, first.end()):
        # "untreated brain lesions > 2 cm" excluded: smaller untreated ones are allowed, so none must be treated
        allowed, conds = "conditional", [c for c in conds if c != "treated"]
    weeks = None if allowed == "excluded" and "untreated" not in conds else _stable_weeks(ctx, first)
    return [ctx.make(BrainMetastases, allowed=allowed, conditions=conds, stable_weeks_min=weeks, leptomeningeal=lepto)]


KIND = KindSpec(BrainMetastases, extract=extract, rule_file=Rules, core=True)
