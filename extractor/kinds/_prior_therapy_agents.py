"""Agent filters of the ``prior_therapy`` kind: which agent mentions of a sentence name a prior therapy.

An agent is dropped after a false friend ("hypersensitivity to", "eligible for", "toxicity from"; a plan "planned
to receive X" keeps it), when it only gives another agent's dose unit, only dates another agent ("within a year of
completion of chemotherapy"), is a generic class that frames a named drug ("systemic treatment with X"), or heads
a list after a colon. Word lists and patterns: ``agents`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_clauses import Phrases, paren_open
from extractor.kinds._prior_therapy_failure import FailureRules, progressed_prior
from extractor.kinds._prior_therapy_heads import shared_head
from extractor.kinds._prior_therapy_qualifiers import QualifierRules, qualify, reported
from extractor.kinds._prior_therapy_receptor import receptor_directed
from extractor.kinds._prior_therapy_spelled_targets import SpelledTargets, spelled_targets
from extractor.kinds._prior_therapy_target_names import target_named
from extractor.rules.drugs import Agent, agent_classes, find_agents, is_class, lookup
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Drugs

__all__ = [
    "AgentRules",
    "about_brain",
    "agent_before",
    "agents_description",
    "anchor",
    "glossed",
    "heading",
    "keep",
    "lab_condition",
    "planned",
    "recovered",
    "reported",
    "restated",
    "status_defining",
    "targeted",
]


def agents_description() -> str:
    """The ``agents`` field's description (sent to the LLM), naming the agent classes ``vocab/drugs.yaml`` lists
    under ``prompt_classes``."""
    model = vocabulary(Drugs)
    return (
        "Lower-case generic drug names (e.g. trastuzumab, trastuzumab deruxtecan) or agent classes: "
        + ", ".join(model.prompt_classes)
        + "."
    )


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class AgentRules(_Data):
    false_friends: Phrases
    false_friend_reset: Pattern
    false_friend_exception: Pattern
    false_friend_next: Pattern  # between a false friend and the agent: ends with a coordinator
    false_friend_anchor: Pattern  # a false friend that is a time anchor ("prior to ", "first dose of")
    false_friend_window: Pattern  # after a time anchor: a parenthesis opening with the agent's own window
    false_friend_past: Pattern  # a given therapy's "standard of care" ("completed standard-of-care X")
    own_window: Pattern  # right after the agent: its own window ("or minor surgery within 7 days")
    dose_before: Pattern
    dose_taken: Pattern  # a use word and a dose right before the drug: the drug itself is taken
    after_false_friend: Pattern
    plan_words: Phrases
    plan: Pattern
    not_yet: Pattern
    recovery: Pattern
    recovery_agents: frozenset[str]
    planned_gate: tuple[str, ...]
    planned: Pattern
    anchor_before: Pattern
    generic: frozenset[str]
    generic_with: Pattern
    generic_for: Pattern
    progression_word: Pattern
    brain: Pattern
    example_bracket: Pattern  # an example bracket's opening: "(e.g., "
    local_agents: frozenset[str]
    heading_after: Pattern
    status_definition: Phrases
    status_agents: frozenset[str]
    exception_only: frozenset[str]
    exception_only_gate: tuple[str, ...]
    exception_before: Pattern
    exception_after: Pattern  # after the mention: the sentence permits it ("biopsies are allowed")
    lab_condition: Pattern
    lab_bound: Pattern
    targeted_gate: tuple[str, ...]
    target_named_gate: tuple[str, ...]
    target_named: Pattern
    targeted: Pattern
    target_split: Pattern
    abbreviation_open: Pattern
    abbreviation_close: Pattern
    abbreviation_heads: frozenset[str]
    abbreviation_words: Pattern
    target: Pattern
    spelled_gate: tuple[str, ...]
    spelled: Pattern
    spelled_not: frozenset[str]
    spelled_targets: SpelledTargets
    gloss: Pattern
    untreated_gate: tuple[str, ...]
    untreated: Pattern
    untreated_skip: Pattern
    refractory_gate: tuple[str, ...]
    refractory: Pattern
    refractory_standard: Pattern
    failure: FailureRules
    qualifiers: QualifierRules


def heading(rules: AgentRules, lower: str, a: Agent, nxt: Agent | None) -> bool:
    """Whether ``a`` heads the list after it ("Allowed anticoagulants are the following: aspirin")."""
    return nxt is not None and ":" in lower[a.end : nxt.start] and rules.heading_after.match(lower, a.end) is not None


def anchor(rules: AgentRules, lower: str, s: int, a: Agent) -> bool:
    """Whether an agent after another one only dates it ("oophorectomy within a year of completion of chemotherapy",
    "somatostatin analogues after surgery"), not after a progression ("progressed on X after Y")."""
    return (
        rules.anchor_before.search(lower, max(s, a.start - 40), a.start) is not None
        and rules.progression_word.search(lower, s, a.start) is None
    )


def restated(rules: AgentRules, lower: str, a: Agent, agents: list[Agent], i: int) -> bool:
    """Whether a generic class only frames another agent: "systemic treatment with tebentafusp" (the agent right
    after "with"), "EGFR TKI for anti-tumour therapy" (a purpose after an agent)."""
    if a.name not in rules.generic:
        return False
    q = rules.qualifiers
    nxt = agents[i + 1] if i + 1 < len(agents) else None
    if (
        nxt is not None
        and (agent_classes(nxt.name) or (a.name in q.frames and nxt.name in q.frame_heads))
        and rules.generic_with.fullmatch(lower, a.end, nxt.start)
    ):  # a drug, or a class the frame qualifies ("systemic treatment with corticosteroids": systemic corticosteroids);
        return True  # other classes after "with" list the kinds of the class ("systemic therapy with chemotherapy")
    return i > 0 and rules.generic_for.match(lower, agents[i - 1].end, a.start) is not None


def about_brain(rules: AgentRules, lower: str, s: int, e: int) -> bool:
    """Whether the sentence is about brain metastases: a brain phrase outside an example bracket ("Major surgery
    (e.g., GI surgery, removal or biopsy of brain metastasis) within 8 weeks" is about surgery)."""
    for m in rules.brain.finditer(lower, s, e):
        o = lower.rfind("(", s, m.start())
        if o < 0 or ")" in lower[o : m.start()] or rules.example_bracket.match(lower, o) is None:
            return True
    return False


def keep(  # noqa: PLR0917
    rules: AgentRules, lower: str, s: int, a: Agent, brain: bool, first: bool = False
) -> bool:
    """Whether an agent mention names a prior therapy (no false friend before it, no "-induced" after it)."""
    if brain and (a.name in rules.local_agents or a.neg):
        return False
    if (
        not first
        and lower[a.start - 1 : a.start] == " "
        and rules.dose_before.search(lower, max(s, a.start - 30), a.start)
    ):  # "steroids (> 10 mg/day of prednisone)": the unit of another agent's dose limit, not a therapy
        return False
    ff = None
    own = recovered(rules, lower, s, [a]) or planned(rules, lower, s, a)  # "recovered from X", "planned X"
    plans: list[tuple[int, int]] | None = [(s, a.start)] if own else None
    for m in rules.false_friends.rx.finditer(lower, max(s, a.start - 70), a.start):
        if plans is None:  # "planned to receive X": a plan is a rule on X, its false friends are skipped
            back = max(s, a.start - 90)
            maybe = rules.plan_words.maybe(lower[back : a.start])
            plans = [p.span() for p in rules.plan.finditer(lower, back, a.start)] if maybe else []
        if not any(ps <= m.start() < pe for ps, pe in plans):
            ff = m
    between = lower[ff.end() : a.start] if ff is not None else ""
    if (
        ff is not None
        and ". " not in between
        and ";" not in between
        and between.count(")") <= between.count("(")  # not after a parenthesis that closes ("(ZEN-3694) or X")
        and not (", " in between and rules.false_friend_reset.search(between, between.rfind(", ")))
        and not ("(" in between and rules.false_friend_exception.search(between))
        and not ("(" in between and rules.exception_after.match(lower, a.end, a.end + 90))  # "(X is allowed)"
        and not rules.false_friend_past.search(lower, max(s, ff.start() - 40), ff.end())
        and not (
            rules.false_friend_anchor.match(ff.group())
            and (
                (rules.false_friend_next.search(between) and rules.own_window.match(lower, a.end))
                or rules.false_friend_window.search(between)
                or (":" in between and "(" not in between)  # "<= 14 days before the first dose of study drug: X"
            )
        )  # "... within 4 weeks prior to registration or minor surgery within 7 days", "... before the start of
        # treatment (2 weeks for limited field radiation)": a fresh statement
    ):
        return False  # not after a fresh treatment cue ("... first dose of treatment, time since SRS is ...")
    after = rules.after_false_friend.match(lower, a.end)
    # "patients on a stable dose of dexamethasone (or equivalent)": the clause's first agent, no dose unit right
    # before it, is its therapy; "(doses > 10 mg/day prednisone or equivalent)" names a dose limit's unit
    return after is None or (
        first
        and "equivalent" in after.group()
        and (
            ("(" in after.group() and not rules.dose_before.search(lower, max(s, a.start - 30), a.start))
            or rules.dose_taken.search(lower, max(s, a.start - 60), a.start) is not None
        )
    )


def recovered(rules: AgentRules, lower: str, s: int, agents: list[Agent]) -> bool:
    """Whether the agents are surgeries the patient must have recovered from ("must be recovered from any recent
    major surgery", "has not recovered from major surgery"): the recent surgery is excluded."""
    return bool(agents) and all(
        a.name in rules.recovery_agents
        and "recover" in lower[max(s, a.start - 70) : a.start]
        and rules.recovery.search(lower, max(s, a.start - 70), a.start) is not None
        for a in agents
    )


def planned(rules: AgentRules, lower: str, s: int, a: Agent) -> bool:
    """Whether the agent is planned or anticipated ("anticipated need for major surgery during the study"): its own
    criterion, without the sentence's window."""
    back = max(s, a.start - 60)
    return any_in(rules.planned_gate, lower[back : a.start]) and rules.planned.search(lower, back, a.start) is not None


def glossed(rules: AgentRules, lower: str, s: int, agents: list[Agent], i: int) -> bool:
    """Whether agent ``i`` only gives the length of the agent before it, in a parenthesis right after it that
    names the same therapy or its class ("palliative radiation (<= 2 weeks of radiotherapy)")."""
    a, prev = agents[i], agents[i - 1]
    if a.name != prev.name and a.name not in agent_classes(prev.name):
        return False
    po = paren_open(lower, s, a.start)
    return po >= prev.end and not lower[prev.end : po].strip() and rules.gloss.fullmatch(lower, po, a.start) is not None


def status_defining(rules: AgentRules, lower: str, lead_in: str, agents: list[Agent]) -> list[Agent]:
    """``agents`` without the surgeries that define a status ("not of childbearing potential: hysterectomy, ...")."""
    status = rules.status_definition
    if (status.maybe(lower) or status.maybe(lead_in)) and (status.rx.search(lower) or status.rx.search(lead_in)):
        return [a for a in agents if a.name not in rules.status_agents]
    return agents


def agent_before(lower: str, s: int, pos: int) -> bool:
    """Whether an agent name ends right before ``pos`` (a parenthesis that glosses it)."""
    return any(s <= a.start and a.end <= pos and not lower[a.end : pos].strip(" ,") for a in find_agents(lower))


def lab_condition(rules: AgentRules, lower: str, s: int, e: int, a: Agent) -> bool:
    """Whether the agent only conditions a lab bound ("INR <= 1.5 x ULN unless the participant is receiving
    anticoagulant therapy"): the lab's exception, not a therapy rule."""
    back = max(s, a.start - 70)
    return (
        ("unless" in lower[back : a.start] or "if not" in lower[back : a.start])
        and rules.lab_condition.search(lower, back, a.start) is not None
        and rules.lab_bound.search(lower, s, e) is not None
    )


# a generic head a target names more exactly ("HER3 targeted therapy": not "targeted therapy")
_GENERIC_HEADS = frozenset(
    {"targeted therapy", "biologic therapy", "monoclonal antibody", "antibody-drug conjugate", "systemic therapy"}
)


def _excepted(rules: AgentRules, lower: str, agent: Agent) -> bool:
    """An exception word opens the list the mention ends ("major surgery (excluding needle biopsy)", "excluding
    placement of vascular access or tumor biopsy") or a permission follows it ("tumor biopsy is not considered
    major surgery", "core biopsies are allowed" in a surgery item): a procedure kept only as the excepted or
    permitted one (a tissue item's "a fresh biopsy is acceptable" names no therapy)."""
    if rules.exception_before.search(lower, max(0, agent.start - 90), agent.start) is not None:
        return True
    return "surg" in lower and rules.exception_after.match(lower, agent.end, agent.end + 90) is not None


def targeted(rules: AgentRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """Therapies named by their molecular target ("CEACAM5-targeted therapy", "agents targeting CD73 or A2AR"):
    one agent per target, the lexicon's name where it has one ("HER2-targeted therapy" -> anti-her2 therapy), else
    "<target>-targeted therapy" (antibody / antibody-drug conjugate heads kept); the generic head mention and a
    drug name that only spells the target ("IL-2-directed therapy": not aldesleukin) are replaced. A head inside a
    named agent ("CAR-T cell therapy targeting CD19") is left to that agent."""
    if any_in(rules.exception_only_gate, lower):
        agents = [a for a in agents if a.name not in rules.exception_only or _excepted(rules, lower, a)]
    if "(" in lower and any_in(rules.spelled_gate, lower):
        agents = _spelled(rules, lower, agents)
    if len(agents) > 1 and ("(" in lower or "[" in lower):
        agents = _abbreviated(rules, lower, agents)
    agents = spelled_targets(rules.spelled_targets, lower, agents)
    agents = receptor_directed(lower, target_named(rules.target_named, rules.target_named_gate, lower, agents))
    agents = shared_head(lower, agents)
    if not any_in(rules.targeted_gate, lower):
        return qualify(rules.qualifiers, lower, agents)
    for m in rules.targeted.finditer(lower):
        group, t_start = (m.group("t"), m.start("t")) if m.group("t") else (m.group("t2"), m.start("t2"))
        h = m.group("h") or m.group("h2")
        h_start = m.start("h") if m.group("h") else m.start("h2")
        t_end, h_end = t_start + len(group), h_start + len(h)
        if any(a.name not in _GENERIC_HEADS and a.start < h_end and h_start <= a.end + 2 for a in agents):
            continue  # the head belongs to a named agent ("CAR-T cell therapy targeting CD19")
        if any(t_start <= a.start and a.end <= t_end + 1 and _named(a) for a in agents):
            # the lexicon names the targets ("PD-1/PD-L1 targeted therapy": pd-1, pd-l1 inhibitor): the head goes
            agents = [a for a in agents if a.end <= m.start() or a.start >= m.end() or _named(a)]
            continue
        head = (
            "antibody-drug conjugate"
            if h.startswith("adc") or "conj" in h
            else "antibody"
            if h.startswith("antibod")
            else "therapy"
        )
        new: list[Agent] = []
        pos = t_start
        for part in rules.target_split.split(group):
            t = part.strip(" -")
            if not t:
                continue
            ts = lower.find(t, pos)
            te = ts + len(t)
            pos = te
            new.append(Agent(ts, te, _target_name(t, head)))
        if not new:
            continue
        kept = [a for a in agents if a.end <= m.start() or a.start >= m.end() or _named(a)]
        agents = sorted([*kept, *new], key=lambda a: a.start)
    return qualify(rules.qualifiers, lower, agents)


def _named(a: Agent) -> bool:
    """Whether a mention inside a targeted phrase is the lexicon's own name of the target (a class such as
    anti-cd20 therapy, or an "anti-" name), not a generic head or a drug that only spells the target."""
    return (is_class(a.name) and a.name not in _GENERIC_HEADS) or a.name.startswith("anti")


def _target_name(target: str, head: str) -> str:
    """The lexicon's name of a targeted therapy ("trop2-targeted therapy" -> anti-trop2 therapy, "kras g12d
    inhibitor" -> kras g12d inhibitor), else "<target>-targeted <head>"; an antibody head is not read as an inhibitor
    ("c-Met-targeted antibodies": not met inhibitor)."""
    forms = (f"{target}-targeted {head}", f"anti-{target} {head}", f"anti-{target}")
    for form in forms if head == "antibody" else (*forms, f"{target} inhibitor"):
        name = lookup(form)
        if name is not None:
            return name
    return f"{_SPELLED_TARGETS.get(target, target)}-targeted {head}"


# A target abbreviation the reported name spells out (GUIDE: abbreviations expanded; "AR-targeted therapy" ->
# androgen receptor-targeted therapy, about 7 non-gold corpus trials)
_SPELLED_TARGETS = {"ar": "androgen receptor"}


def untreated(rules: AgentRules, lower: str, s: int, e: int) -> tuple[bool, re.Match[str]] | None:
    """A statement on therapy that names no agent: none given (``(True, m)``: "No prior therapy for metastatic renal
    cell carcinoma", "has received no prior treatment for their DLBCL"; not "no prior treatment is required" or a
    permission), or progression on standard therapy (``(False, m)``: "refractory to standard therapy", "progressed
    after first-line treatment")."""
    seg = lower[s:e]
    if ("prior" in seg or "previous" in seg) and any_in(rules.untreated_gate, seg):
        m = rules.untreated.search(lower, s, e)
        if m is not None and rules.untreated_skip.search(lower, m.end(), e) is None:
            return True, m
    if any_in(rules.refractory_gate, seg):
        m = rules.refractory.search(lower, s, e)
        if m is not None:
            return False, m
    m = progressed_prior(rules.failure, lower, s, e)  # "progression on the most recent line of therapy"
    return None if m is None else (False, m)


def untreated_fields(rules: AgentRules, lower: str, none: bool, m: re.Match[str]) -> tuple[int | None, list[str]]:
    """``min_lines`` and ``agents`` of a statement that names no agent (``untreated``): none for "no prior therapy";
    for a progression on standard therapy at least one line when a line is written ("first-line", "line(s) of"), and
    "standard therapy" when the text writes it, in the match or right after it ("failed first-line therapy or
    standard-of-care treatment"; GUIDE, third round: "Standard (of care) therapy" with no class named)."""
    if none:
        return None, []
    if m.re is rules.failure.progressed:
        return 1, []  # progression on an unnamed prior therapy: at least one line
    std = rules.refractory_standard
    hit = std.search(m.group()) is not None or std.match(lower, m.end()) is not None
    one = "line" in m.group() or _AT_LEAST_ONE.search(m.group()) is not None  # "at least one standard therapy"
    return (1 if one else None), (["standard therapy"] if hit else [])


_AT_LEAST_ONE = re.compile(r"\bat\s+least\s+(?:one|1)\b")


def _abbreviated(rules: AgentRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """An agent named again by its abbreviation in a parenthesis right after it: the abbreviation goes when it names
    the agent or one of its classes ("TROP2-targeted antibody-drug conjugate (ADC)"); a generic head goes when it
    ends a spelled-out name whose initials the abbreviation spells ("epidermal growth factor receptor-tyrosine
    kinase inhibitor (EGFR-TKI)")."""
    drop: set[int] = set()
    for i in range(1, len(agents)):
        p, a = agents[i - 1], agents[i]
        if not (
            rules.abbreviation_open.fullmatch(lower, p.end, a.start) and rules.abbreviation_close.match(lower, a.end)
        ):
            continue
        if a.name == p.name or a.name in agent_classes(p.name):
            drop.add(i)
        elif p.name in rules.abbreviation_heads and a.name not in rules.abbreviation_heads:
            letters = rules.abbreviation_words.match(lower, a.start)
            words = rules.abbreviation_words.findall(lower, max(0, p.start - 60), p.start)
            initials = "".join(w[0] for w in words)
            abbr = letters.group() if letters is not None else ""
            if len(abbr) > 1 and abbr in initials[-len(abbr) - 1 :]:  # "... receptor-tyrosine": one word between
                drop.add(i - 1)
    return [a for i, a in enumerate(agents) if i not in drop] if drop else agents


def _spelled(rules: AgentRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """A target spelled out with its abbreviation before the head ("mouse double minute 2 (MDM2) inhibitor",
    "androgen receptor (AR)-targeted therapy"): the lexicon's name of "<abbreviation> <head>", else "<abbreviation>
    inhibitor" / "<target>-targeted therapy"; mentions in the head or the parenthesis are replaced, an agent already
    giving that name or spanning the whole phrase is kept."""
    for m in rules.spelled.finditer(lower):
        abbr, head = m.group("a"), m.group("h")
        if abbr in rules.spelled_not or abbr.startswith("cyp"):
            continue  # "(OFF) inhibitors"; cytochrome P450 phrases are read with their strength (drugs.py)
        if head.startswith(("targeted", "directed")):
            if rules.target.fullmatch(abbr) is None:
                continue  # "central nervous system (CNS)-directed therapy": a site, not a target
            name = _target_name(abbr, "therapy")
        else:
            word = head.rstrip("s")
            found = lookup(f"{abbr} {word}")
            if found is None and word.endswith("inhibitor"):
                found = lookup(f"{abbr} inhibitor") or f"{abbr} inhibitor"
            if found is None:
                continue
            name = found
        if any(a.name == name and a.start < m.end() and m.start() < a.end for a in agents):
            continue
        if any(a.start < m.start() and a.end >= m.end() for a in agents):
            continue  # the lexicon names the whole phrase ("luteinizing hormone-releasing hormone (LHRH) agonist")
        cut = m.start()  # the parenthesis, the head and a name right before it ("target of rapamycin (mTOR)")
        kept = [a for a in agents if a.end < cut - 2 or a.start >= m.end()]
        # outside the "(...)"; from the spelled target where the name gives it, so that a qualifier before it is read
        # ("novel androgen receptor (AR)-targeted therapy")
        target = name.removesuffix("-targeted therapy") + " "
        start = m.start() - len(target) if lower.endswith(target, 0, m.start()) else m.start("h")
        agents = sorted([*kept, Agent(start, m.end(), name)], key=lambda a: a.start)
    return agents
