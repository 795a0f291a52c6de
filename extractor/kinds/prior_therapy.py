"""Kind ``prior_therapy``: prior treatment required, excluded or allowed; lines, settings, durations, washouts.

Reads agent mentions (drugs, classes, radiotherapy, surgery: the shared lexicon :mod:`extractor.rules.drugs`),
sentence by sentence (the one splitter with this kind's options); a clause starts at a contrast or exception word.
An agent is dropped after a false friend ("hypersensitivity to", "eligible for", "toxicity from"). A sentence needs
a prior-treatment cue ("prior", "received", "within", ...) unless an exclusion opens with the agent. Each agent
gets a mode (allowed / excluded / exception / plain) and a negation from the kind's own cues in the one context
pass (negated, permitted, exception, pseudo, required), kept to the agent's clause and parenthesis; the
requirement follows the effective-rule convention (an exclusion item "Prior X" -> X excluded). Numbers give line
limits ("no more than 2 prior lines"), a minimum duration ("for at least 6 months") and a washout window ("within
4 weeks"). Agents with different windows ("chemotherapy within 3 weeks or radiotherapy within 2 weeks") or modes
("... except adjuvant endocrine therapy") become separate criteria. Word lists, patterns: ``prior_therapy.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property, partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from extractor.kinds._prior_therapy_absorption import AbsorptionRules, absorption
from extractor.kinds._prior_therapy_acronyms import acronyms
from extractor.kinds._prior_therapy_agents import (
    AgentRules,
    about_brain,
    agents_description,
    anchor,
    glossed,
    heading,
    keep,
    lab_condition,
    planned,
    recovered,
    reported,
    restated,
    status_defining,
    targeted,
    untreated,
    untreated_fields,
)
from extractor.kinds._prior_therapy_anchors import AnchorRules, anchored
from extractor.kinds._prior_therapy_antiretroviral import AntiretroviralRules, interacting_art
from extractor.kinds._prior_therapy_cancer import cancer_names, cancer_treatment
from extractor.kinds._prior_therapy_children import ChildRules, washout_children
from extractor.kinds._prior_therapy_clauses import (
    ClauseRules,
    Flags,
    Phrases,
    agent_mode,
    clause_spans,
    exception_span,
    negated,
    phrase_anchors,
    self_negation_end,
    split_sentences,
    trim,
)
from extractor.kinds._prior_therapy_conjunct import conjunct_negated, conjunct_start
from extractor.kinds._prior_therapy_conmed import ConmedRules, conmed, conmed_triggers
from extractor.kinds._prior_therapy_context import ContextOnlyRules, contextual, skipped
from extractor.kinds._prior_therapy_dedupe import dedupe
from extractor.kinds._prior_therapy_disease import unglossed
from extractor.kinds._prior_therapy_failure import progression_excluded, repeated
from extractor.kinds._prior_therapy_gapped import own_washout
from extractor.kinds._prior_therapy_incidental import IncidentalRules, incidental
from extractor.kinds._prior_therapy_intent import IntentRules, intent
from extractor.kinds._prior_therapy_leadlists import LeadRules, lead_cued, lead_requirement
from extractor.kinds._prior_therapy_limitsplit import LimitSplitRules, limit_split
from extractor.kinds._prior_therapy_listed import ListedRules, listed_children
from extractor.kinds._prior_therapy_mentions import MentionRules, arm_agents, heading_only, mentioned_only
from extractor.kinds._prior_therapy_mentions_seen import Seen
from extractor.kinds._prior_therapy_needs import need_cue
from extractor.kinds._prior_therapy_numbers import (
    NumberRules,
    Window,
    at_least_one,
    duration_months,
    line_split,
    line_statements,
    lines_of,
    quantities,
    tokens,
    windows_of,
    within,
)
from extractor.kinds._prior_therapy_ongoing import OngoingRules, ongoing
from extractor.kinds._prior_therapy_other_window import other_window
from extractor.kinds._prior_therapy_permission import PermissionRules, cut, unmeasured
from extractor.kinds._prior_therapy_plain import plain_rule
from extractor.kinds._prior_therapy_planned import PlannedRules, planned_therapy
from extractor.kinds._prior_therapy_procedures import ProcedureRules, procedures, settle
from extractor.kinds._prior_therapy_reference import ReferenceRules, surgery_reference
from extractor.kinds._prior_therapy_requalified import RequalifyRules, requalified
from extractor.kinds._prior_therapy_reread import RereadRules, reread
from extractor.kinds._prior_therapy_resected import ResectedRules, resected
from extractor.kinds._prior_therapy_setting import SettingRules, setting_of, therapy_at
from extractor.kinds._prior_therapy_spans import SpanRules, finish_spans
from extractor.kinds._prior_therapy_treated import TreatedRules, treated, written
from extractor.kinds._prior_therapy_vaccines import VaccineRules, vaccine_examples
from extractor.kinds._prior_therapy_windows import alternative, own_window, response_stated, window_index
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase, Requirement
from extractor.rules.context import cue_finder
from extractor.rules.drugs import Agent, find_agents, name_alt, trigger_words
from extractor.rules.grammar import any_in, cmp_phrase, num_or_word
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

__all__ = ["KIND", "PriorTherapy"]


class PriorTherapy(CriterionBase):
    """Prior treatment required, excluded or allowed, with lines, settings, durations and washouts."""

    kind: Literal["prior_therapy"] = "prior_therapy"
    agents: list[str] = Field(default_factory=list, description=agents_description())
    requirement: Requirement = Field(description="required, excluded or allowed.")
    setting: Literal["metastatic", "adjuvant", "neoadjuvant", "early", "any"] | None = Field(
        default=None, description="Disease setting of the prior therapy, if stated."
    )
    min_lines: int | None = Field(default=None, description="Minimum number of prior lines.")
    max_lines: int | None = Field(default=None, description="Maximum number of prior lines.")
    min_duration_months: float | None = Field(default=None, description="Minimum treatment duration, months.")
    within_weeks: float | None = Field(
        default=None, description="Time window in weeks, e.g. washout 'within 3 weeks before first dose' -> 3."
    )
    response_required: bool | None = Field(
        default=None, description="True when a response / disease control on that therapy is required."
    )


# ------------------------------------------------------------------------------------------------- rule file


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class RequirementRules(_Data):
    started: Pattern
    progressed: Pattern
    modal_negation: Pattern
    stopped: Pattern
    opening_no: Pattern
    modal_demand: Pattern


class FlagWords(_Data):
    """Item prefilters: substrings that say whether a family of optional cues can occur at all."""

    brain: tuple[str, ...]
    modes: tuple[str, ...]
    digits: tuple[str, ...]
    response: tuple[str, ...]
    lines: tuple[str, ...]
    setting: tuple[str, ...]
    anchor: tuple[str, ...]

    @cached_property
    def tests(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]]:
        """Per list: its one-word entries (tested with ``in``), and for its phrases of several words (a space
        matches any run of spaces / hyphens, or none) their first words and their pattern."""
        out: dict[str, tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str] | None]] = {}
        for name in type(self).model_fields:
            words: tuple[str, ...] = getattr(self, name)
            single = tuple(w for w in words if phrase_anchors((w,))[1])
            multi = tuple(w for w in words if w not in single)
            out[name] = (
                phrase_anchors(single)[0],
                phrase_anchors(multi)[0],
                re.compile(name_alt(multi)) if multi else None,
            )
        return out

    def has(self, name: str, text: str) -> bool:
        """Whether an entry of list ``name`` occurs in ``text`` (as a substring)."""
        single, firsts, rx = self.tests[name]
        if any_in(single, text):
            return True
        return rx is not None and any_in(firsts, text) and rx.search(text) is not None


class Rules(RuleFile):
    """``prior_therapy.yaml``: cues, false friends, clause words, number patterns, settings, response words."""

    cues: Phrases
    skip_sentence: Phrases
    skip_keep: Pattern
    agents: AgentRules
    clauses: ClauseRules
    numbers: NumberRules
    limit_split: LimitSplitRules
    requirement: RequirementRules
    setting: SettingRules
    lead_in: LeadRules
    response: Phrases
    flags: FlagWords
    procedures: ProcedureRules
    label: Pattern = Field(description="An upper-case label that opens an item ('COHORT B (DRUG X):'), case kept.")
    heading_item: Pattern = Field(description="An item that is only an upper-case heading naming criteria.")
    heading_lead: Pattern = Field(description="What is left of a heading lead-in ('Prior treatments:') without agents.")
    conmed: ConmedRules
    antiretroviral: AntiretroviralRules
    treated: TreatedRules
    absorption: AbsorptionRules
    planned_therapy: PlannedRules
    ongoing: OngoingRules
    intent: IntentRules
    resected: ResectedRules
    washout_children: ChildRules
    listed_children: ListedRules
    permission: PermissionRules
    disease_gloss: Pattern = Field(description="A disease's treatment glossed with drugs: no agents.")
    need_open: Pattern = Field(description="An exclusion opening with the patient's need of a therapy: a cue.")
    cancer_treatment: Pattern = Field(description="A treatment written before its cancer: anticancer therapy.")
    cancer_treatment_skip: Pattern = Field(description="Words before such a treatment that say something else.")
    cancer_treatment_with: Pattern = Field(description="'with' the agents after such a treatment: they are it.")
    cancer_treatment_before: Pattern = Field(description="The word right before such a treatment, if any.")
    cancer_treatment_prior: Pattern = Field(description="What an inclusion needs before such a treatment.")
    cancer_treatment_history: Pattern = Field(description="Another cancer's history: no such treatment read.")
    context_only: ContextOnlyRules
    mentions: MentionRules
    incidental: IncidentalRules
    reread: RereadRules
    requalified: RequalifyRules
    vaccines: VaccineRules
    surgery_reference: ReferenceRules
    anchors: AnchorRules
    spans: SpanRules

    @cached_property
    def cue_test(self) -> dict[str, re.Pattern[str] | None]:
        """Per use, the kind's context cues it reads as one pattern (``negation``: the forward negations,
        ``modes``: the permissions, prohibitions and exceptions): a search in a clause says whether the context
        pass can find one there (``None``: no such cues, so nothing rules one out)."""
        neg = [r for r in self.context if r.category == "negated" and r.direction == "forward"]
        modes = [
            r
            for r in self.context
            if r.category in ("permitted", "exception") or (r.category == "negated" and r.direction != "forward")
        ]
        return {"negation": cue_finder(neg), "modes": cue_finder(modes)}

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """``{{num_word}}``: a number in digits or words; ``{{cmp_phrase}}``: a comparator phrase (no word
        bounds)."""
        return {"num_word": num_or_word(), "cmp_phrase": cmp_phrase(), "cancer": cancer_names()}

    @model_validator(mode="before")
    @classmethod
    def _agent_triggers(cls, data: Any) -> Any:
        """Add the first word of every agent name (``vocab/drugs.yaml``) to the triggers: the drug lexicon stays
        the one list of names."""
        if isinstance(data, dict) and isinstance(data.get("triggers"), list):
            more = (*trigger_words(), *conmed_triggers(data))
            data = {**data, "triggers": [*data["triggers"], *(w for w in more if w not in data["triggers"])]}
        return data


@cache
def _rules() -> Rules:
    return load_rules("prior_therapy", Rules)


# ------------------------------------------------------------------------------------------------- extractor


def extract(ctx: ItemContext) -> list[PriorTherapy]:
    """``prior_therapy`` criteria of one item: the requirement statements, then what the later passes add."""
    rules = _rules()
    found = treated(
        ctx, rules.treated, _statements(ctx), PriorTherapy, lambda t, s, e: setting_of(rules.setting, t, s, e)
    )
    found = interacting_art(ctx, rules, conmed(ctx, rules, found, PriorTherapy), PriorTherapy)
    found = planned_therapy(ctx, rules, absorption(ctx, rules, found, PriorTherapy))
    found = intent(ctx, rules, ongoing(ctx, rules, found, PriorTherapy), PriorTherapy)
    found = resected(ctx, rules, found, PriorTherapy)  # resected disease in a diagnosis item
    found = washout_children(ctx, rules, listed_children(ctx, rules, found, PriorTherapy), PriorTherapy)  # child items
    found = mentioned_only(rules.mentions, contextual(rules.context_only, found))
    found = reread(rules.reread, incidental(rules.incidental, ctx.lower, found), ctx)
    return finish_spans(ctx, rules.spans, requalified(rules.requalified, rules.agents.qualifiers, found))


def _statements(ctx: ItemContext) -> list[PriorTherapy]:
    """The criteria of the item's requirement statements (one per statement)."""
    lower = ctx.lower
    if not lower.strip():
        return []
    rules = _rules()
    agents = unglossed(rules.disease_gloss, lower, targeted(rules.agents, lower, find_agents(lower)))
    agents = procedures(rules.procedures, rules.agents, ctx.clean, lower, agents)
    agents = acronyms(rules.procedures, ctx.clean, lower, agents, rules.agents.qualifiers)
    agents = vaccine_examples(rules.vaccines, lower, anchored(rules.anchors, lower, agents))
    agents = surgery_reference(rules.surgery_reference, lower, agents)
    agents = cancer_treatment(rules, lower, agents, ctx.is_exclusion, rules.treated.disease)
    agents = unmeasured(rules.permission, lower, arm_agents(rules.mentions, lower, agents))  # "not considered major"
    if agents and ctx.clean[:1].isupper():  # a drug in an upper-case label or heading names a cohort, not a therapy
        if rules.heading_item.match(ctx.clean):
            return []
        label = rules.label.match(ctx.clean)
        if label is not None:
            agents = [a for a in agents if a.start >= label.end()]
    if agents and lower.rstrip().endswith(":") and len(lower) < 80 and heading_only(rules.heading_lead, lower, agents):
        return []  # "Prior antitumor therapies:": a heading over its children (GUIDE: `other`)
    bare = not agents and untreated(rules.agents, lower, 0, len(lower)) is not None  # "No prior therapy for X"
    if (
        not agents
        and not bare
        and not (any_in(rules.numbers.line_words, lower) and rules.numbers.any_number.search(lower))
    ):
        return []  # without agents only a line limit or an untreated statement can be stated; a limit needs a number
    if (need := need_cue(rules.need_open, lower, ctx.is_exclusion)) is None:
        return []  # an exclusion "No requirement for X": no rule to read
    cue = rules.cues.rx.search(lower) is not None or need
    cue = cue or (bool(agents) and lead_cued(ctx, rules.lead_in, rules.lead_triggers))
    if not cue and not (ctx.is_exclusion and agents):
        return []
    if agents and not (agents := status_defining(rules.agents, lower, ctx.lead_in, agents)):
        return []
    flags = Flags(ctx, rules)
    if not agents and not bare and not (flags.lines and flags.digits):
        return []  # the sentences' own test: a line limit needs a line word and a number token
    lead = lead_requirement(rules.lead_in, ctx.lead_in)
    out: list[PriorTherapy] = []
    examples = "example" in lower or "include" in lower
    for s, e in cut(rules.permission, ctx.clean, split_sentences(ctx.clean, rules.clauses)):
        found = _sentence_criteria(ctx, rules, s, e, agents, flags, cue, lead)
        if out and examples and (m := rules.clauses.examples_open.match(lower, s)):  # "Examples of live vaccines
            named = [n for c in found for n in c.agents] or [a.name for a in agents if m.end() <= a.start < e]  # BCG"
            out[-1].agents.extend(n for n in dict.fromkeys(named) if n not in out[-1].agents)  # (the one before's)
            continue
        out.extend(found)
    out = progression_excluded(
        repeated(settle(rules.procedures, out), rules.agents.failure), rules.agents.failure, ctx.is_exclusion
    )
    return dedupe(other_window(ctx, partial(ctx.make, PriorTherapy), out), rules.agents.planned_gate)


# ------------------------------------------------------------------------------------------------- sentences


@dataclass
class _Group:
    agents: list[Agent] = field(default_factory=list)
    window: Window | None = None
    mode: str = "base"  # base | allowed | exception | excluded
    neg: bool = False  # the clause negates the agents ("no prior ...", "must not have received ...")
    clause: tuple[int, int] = (0, 0)


def _sentence_criteria(  # noqa: PLR0917
    ctx: ItemContext,
    rules: Rules,
    s: int,
    e: int,
    all_agents: list[Agent],
    flags: Flags,
    item_cue: bool,
    lead: str = "",
) -> list[PriorTherapy]:
    lower = ctx.lower
    cl, num = rules.clauses, rules.numbers
    agents = [a for a in all_agents if a.start >= s and a.end <= e]
    if not agents and not flags.lines and untreated(rules.agents, lower, s, e) is None:
        return []
    if flags.skip and skipped(rules, lower, s, e) and (agents or untreated(rules.agents, lower, s, e) is None):
        return []  # about something else ("advanced malignancies refractory to standard therapy": not another cancer)
    cue = item_cue if s == 0 and e == len(lower) else rules.cues.rx.search(lower, s, e) is not None
    cue = cue or lead_cued(ctx, rules.lead_in, rules.lead_triggers, entry=True)  # a list entry: the lead-in's
    if not cue and not (ctx.is_exclusion and agents):
        return []  # no cue: the sentence states nothing, so its numbers are not read
    local = rules.agents.local_agents  # only these (and negated mentions) care whether the sentence is about the brain
    brain = flags.brain and any(a.name in local or a.neg for a in agents) and about_brain(rules.agents, lower, s, e)
    clauses = clause_spans(cl, lower, s, e) if agents else [(s, e)]
    agents = [
        a
        for i, a in enumerate(agents)
        if keep(rules.agents, lower, next((c[0] for c in clauses if c[0] <= a.start < c[1]), s), a, brain, i == 0)
        and not (flags.anchor and agents[0].start < a.start and anchor(rules.agents, lower, s, a))
        and not restated(rules.agents, lower, a, agents, i)
        and not lab_condition(rules.agents, lower, s, e, a)
        and not heading(rules.agents, lower, a, agents[i + 1] if i + 1 < len(agents) else None)
        and not (i and "(" in lower[agents[i - 1].end : a.start] and glossed(rules.agents, lower, s, agents, i))
    ]
    if not cue and not (agents and agents[0].start - s <= 30):
        return []  # nor does an exclusion open with an agent
    toks = tokens(lower, s, e) if flags.digits else []
    if agents and toks and flags.lines:  # "one line of X and two lines of Y", "X and up to 2 lines": two criteria
        found = line_statements(flags, num, lower, s, e, toks, ctx.is_exclusion)
        cut = line_split(num, lower, agents, found, rules.agents.generic) if len(toks) > 1 else None
        if (cut := cut or limit_split(rules.limit_split, lower, agents, found)) is not None:
            return [
                *_sentence_criteria(ctx, rules, s, cut[0], all_agents, flags, item_cue, lead),
                *_sentence_criteria(ctx, rules, cut[1], e, all_agents, flags, item_cue, lead),
            ]
    lines = lines_of(flags, num, lower, s, e, toks, ctx.is_exclusion) if toks and flags.lines else None
    if not agents and lines is None:
        bare = untreated(rules.agents, lower, s, e)
        if bare is None:
            return []
        none, m = bare  # "No prior therapy for X" (none given) / "refractory to standard therapy"
        cs, ce = trim(ctx.clean, s, e)
        setting = (  # the setting of the sentence, not the "first-line" of the therapy named
            (setting_of(rules.setting, lower, s, m.start(), m.start()) or setting_of(rules.setting, lower, m.end(), e))
            if flags.setting
            else None
        )
        first, names = untreated_fields(rules.agents, lower, none, m)
        requirement: Requirement = "excluded" if none ^ ctx.is_exclusion else "required"
        return [ctx.make(PriorTherapy, cs, ce, agents=names, requirement=requirement, setting=setting, min_lines=first)]
    qtys = quantities(num, lower, s, e, toks)  # with the windows of one unit ("within a year")
    windows = windows_of(num, lower, s, qtys)
    groups: dict[tuple[int, str, bool], _Group] = {}  # agents by window (first after, else last before), mode, negation
    seen = Seen(rules.agents.qualifiers.distinct)
    clause_neg: dict[int, bool] = {}
    clause_own: dict[int, tuple[int, bool]] = {}  # the first agent's own negation: its end, passed on
    clause_mode: dict[tuple[int, int], str] = {}
    conj_memo: dict[tuple[int, int], bool] = {}
    for a in agents:
        wi = -1 if planned(rules.agents, lower, s, a) else window_index(num, lower, s, a, windows)
        cs, ce = next((c for c in clauses if c[0] <= a.start < c[1]), (s, e))
        mode = agent_mode(flags, cl, lower, cs, ce, a, ctx.is_exclusion, clause_mode)
        own = self_negation_end(cl, lower, a)
        if cs not in clause_neg:
            clause_neg[cs] = negated(flags, cs, a, lines)
            clause_own[cs] = (own, own >= 0 and cl.naive_object.match(lower, own) is not None)
        neg = clause_neg[cs] or own >= 0 or conjunct_negated(cl, lower, cs, a, agents, memo=conj_memo)
        first_own, inherited = clause_own[cs]
        if not neg and first_own >= 0:  # after "X-naive": "treatment-naive to X" passes it on, else their own cues
            neg = inherited or negated(flags, first_own, a, lines)
        g = groups.setdefault(
            (wi, mode, neg), _Group(window=windows[wi] if wi >= 0 else None, mode=mode, neg=neg, clause=(cs, ce))
        )
        if seen.first(a, wi, mode):
            g.agents.append(a)  # one mention per name and window ("radiation within 7 days or ... within 14 days")
    groups = {k: g for k, g in groups.items() if g.agents}
    if not groups:
        neg = negated(flags, s, None, lines)
        groups[(-1, "base", neg)] = _Group(
            window=None, mode=agent_mode(flags, cl, lower, s, e, Agent(e, e, "")), neg=neg
        )
    response = True if flags.response and response_stated(rules.response.rx, lower, s, e) else None
    duration = duration_months(num, lower, qtys, windows, e)
    ordered = sorted(groups.values(), key=lambda g: g.agents[0].start if g.agents else s)
    sentence_ok = flags.modes and flags.may_have("modes", s, e) and bool(within(flags.cues("permitted"), s, e))
    by_clause = len(ordered) > 1 and len({g.clause for g in ordered}) == len(ordered)
    out: list[PriorTherapy] = []
    named = {a.name for a in agents if not a.neg}  # names the sentence writes ("no prior cancer-directed therapy")
    prev_end = s
    line_gi = 0
    if lines is not None and len(ordered) > 1 and ordered[0].neg and ordered[0].agents[-1].end <= lines.start:
        # "must be X-naive and have received at least 1 prior systemic therapy": the limit is the later agents'
        line_gi = next((i for i, g in enumerate(ordered) if g.agents and g.agents[0].start >= lines.start), 0)
    for gi, g in enumerate(ordered):
        plain = lines is not None and lines.plain and gi == line_gi
        requirement = _requirement(rules, ctx, g, ordered, sentence_ok, s, e, plain, lead)
        requirement = "excluded" if recovered(rules.agents, lower, s, g.agents) else requirement  # recent surgery
        min_l = max_l = None
        if lines is not None and gi == line_gi:
            min_l, max_l = lines.lo, lines.hi
            if (
                g.mode == "base"
                and not g.neg
                and min_l is None
                and max_l is not None
                and not (requirement == "required" and rules.requirement.progressed.search(lower, s, e))
            ):
                requirement = "allowed"  # "no more than 2 prior lines" / exclusion "more than 2 prior lines"
        if min_l is None and requirement == "required" and g.agents and at_least_one(num, lower, s, g.agents[0].start):
            min_l = 1  # "at least one prior <class>" (GUIDE line limits)
        rest = ordered[gi + 1 :]  # a rule and its excepted agents: the rule quotes the clause with its exceptions
        others = [a for x in ordered if x.mode != "exception" for a in x.agents]
        exc = (
            exception_span(flags, cl, lower, s, g.clause, g.agents, others)
            if g.mode == "exception" and g.agents
            else None
        )
        # the exception's own span (its clause, parenthesis or a cue after a comma), not a cue inside the rule's words
        own_span = exc is not None and (
            exc[0] == g.clause[0] or lower[exc[0]] == "(" or lower[: exc[0]].rstrip()[-1:] == ","
        )
        if len(ordered) == 1 or (rest and g.mode != "exception" and all(x.mode == "exception" for x in rest)):
            cs, ce = s, e
        elif by_clause or exc is not None:
            cs, ce = exc if exc is not None else g.clause
        else:
            cs = prev_end if gi else s
            ce = e if gi == len(ordered) - 1 else max([a.end for a in g.agents] + ([g.window.end] if g.window else []))
            if gi < len(ordered) - 1 and g.neg:
                ce = max(ce, self_negation_end(cl, lower, g.agents[-1]))  # "X-naive" whole
            if g.window and g.window.start < cs:
                cs = min(cs, *(a.start for a in g.agents))
            nxt = ordered[gi + 1] if gi + 1 < len(ordered) else None
            if nxt is not None and nxt.neg and not g.neg:  # "X in the mCRPC state | without prior Y": X's words
                ce = max(ce, conjunct_start(cl, lower, ce, nxt.agents[0]))
            if (
                nxt is not None
                and nxt.window
                and ce <= nxt.window.prog < nxt.agents[0].start
                and alternative(num, lower, g.agents[-1], nxt.window)
            ):
                ce = nxt.window.prog  # "X in the metastatic setting, or relapse within 6 months of Y": up to "relapse"
                ce -= len(lower[:ce]) - len(rules.clauses.trailing_or.sub("", lower[:ce]))
            prev_end = ce
        if g.agents and not any(cs <= a.start and a.end <= ce for a in g.agents):
            cs, ce = g.agents[0].start, g.agents[-1].end  # groups that interleave: the span of the group's agents
        cs, ce = trim(ctx.clean, cs, ce)
        if ce <= cs:
            cs, ce = s, e
        setting = (
            None
            if not flags.setting
            else setting_of(rules.setting, lower, cs, ce, therapy_at(g.agents, lines if gi == line_gi else None))
            if len(ordered) > 1
            else setting_of(rules.setting, lower, s, e, therapy_at(g.agents, lines if gi == line_gi else None))
        )
        out.append(
            ctx.make(
                PriorTherapy,
                cs,
                ce,
                agents=reported([a for a in g.agents if a.name in named or written(lower, a)]),
                requirement=requirement,
                setting=setting,
                min_lines=min_l,
                max_lines=max_l,
                min_duration_months=duration if gi == 0 else None,
                within_weeks=g.window.weeks  # a progression's timing is no window (GUIDE, third round)
                if g.window
                and g.window.prog < 0
                and (g.mode != "exception" or own_window(lower, g.agents, g.window, exc if own_span else None, out))
                else None,
                response_required=response if requirement != "excluded" else None,
            )
        )
    return out


def _requirement(  # noqa: PLR0917
    rules: Rules,
    ctx: ItemContext,
    g: _Group,
    ordered: list[_Group],
    sentence_ok: bool,
    s: int,
    e: int,
    plain: bool = False,
    lead: str = "",
) -> Requirement:
    """The effective rule of one group of agents (before line limits are read); ``plain``: read as an inclusion;
    ``lead``: what the item's lead-in says of it (allowed: an exception list; excluded: an ineligibility list)."""
    neg = g.neg
    if lead == "allowed" and not neg and g.mode in ("base", "exception", "allowed"):
        return "allowed"  # a child of "The following are exceptions:" / "ineligible, except:"
    if neg and g.mode == "base" and (any(x.mode in ("allowed", "exception") for x in ordered) or sentence_ok):
        return "excluded"  # "X is allowed, but no prior Y" (either section)
    if g.mode == "allowed" and neg:
        return "excluded"  # "No prior radiotherapy is allowed"
    if g.mode == "exception" and own_washout(ctx, g.clause, g.agents, g.window, rules.numbers.paren_lead):
        return "excluded"  # "(except mitomycin C, requiring a minimum of 6 weeks)": its own washout
    if g.mode in ("allowed", "exception"):
        return "allowed"
    if g.mode == "excluded":
        return "excluded"
    gap = bool(
        g.window
        and (
            g.window.gap
            or (g.agents and rules.requirement.stopped.search(ctx.lower, g.clause[0], g.agents[0].start) is not None)
        )
    ) and not rules.requirement.started.search(ctx.lower, s, e)
    exclusion, req = (ctx.is_exclusion or lead == "excluded") and not plain, rules.requirement
    if exclusion and (stated := plain_rule(req, ctx.lower, g)):
        return stated  # exclusion "Participants must (not) have received X": a plain rule, read as written
    return "excluded" if gap or (neg ^ exclusion) else "required"


KIND = KindSpec(
    PriorTherapy,
    extract=extract,
    rule_file=Rules,
    core=True,
    compare={
        "agents": Compare("agents"),
        "within_weeks": Compare("num", abs_tol=0.15),  # days / 7, months x 4.345
    },
)
