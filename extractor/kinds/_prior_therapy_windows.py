"""Which window of a sentence belongs to an agent (``prior_therapy``): the first window after it, else the last one
before it that no parenthesis shuts off; a window that times a progression named as an alternative after the agent
("X, or relapse within 6 months of Y") is Y's, not X's."""

from __future__ import annotations

import re
from typing import Any

from extractor.kinds._prior_therapy_agents import agent_before
from extractor.kinds._prior_therapy_clauses import closed_paren, paren_open
from extractor.kinds._prior_therapy_numbers import NumberRules, Window
from extractor.rules.drugs import Agent, find_agents

__all__ = ["alternative", "any_time", "condition_window", "own_window", "window_index"]


def window_index(rules: NumberRules, lower: str, s: int, a: Agent, windows: list[Window]) -> int:
    """The window of an agent: the first after it, else the last before it not shut in a parenthesis."""
    if not windows or any_time(rules, lower, a):
        return -1
    po = paren_open(lower, s, a.start) if "(" in lower[s : a.start] else -1
    if po >= 0:  # "(6 weeks for nitrosoureas)": the window of the agent's own parenthesis
        own = [
            i
            for i, w in enumerate(windows)
            if po < w.start < a.start and rules.paren_lead.fullmatch(lower, po, w.start)
        ]
        opening = windows[own[-1]] if own else None  # the window opens the parenthesis, the agent right after it
        if (
            opening is not None
            and a.start - opening.end <= 40
            and not any(opening.end <= w.start < a.start for w in windows)
        ):
            return own[-1]
    if len(windows) > 1:  # "14 days after the last dose of X or 7 days for Y": the window right before its agent
        fore = [i for i, w in enumerate(windows) if w.end <= a.start]
        if fore and rules.window_for.fullmatch(lower, windows[fore[-1]].start, a.start):
            return fore[-1]
    wi = next(
        (
            i
            for i, w in enumerate(windows)
            if w.start >= a.end and not alternative(rules, lower, a, w) and not _other_paren(rules, lower, s, a, w)
        ),
        -1,
    )
    if wi < 0:
        if windows[0].start >= a.end:
            return -1  # only a progression's window after it ("X, or relapse within 12 months of Y")
        wi = next(
            (
                i
                for i in range(len(windows) - 1, -1, -1)
                if windows[i].start < a.end and not closed_paren(lower, s, windows[i].start, a.start)
            ),
            -2,
        )
        if wi == -2:  # every window before sits in a closed parenthesis: one about the agent before it keeps it
            last = max(i for i, w in enumerate(windows) if w.start < a.end)
            po = paren_open(lower, s, windows[last].start)
            wi = -1 if po > s and agent_before(lower, s, po) else last
            if wi < 0:
                return -1
        if wi >= 0 and condition_window(rules, lower, s, a, windows[wi]):
            return -1
    if wi >= 0 and len({w.weeks for w in windows}) == 1:
        return 0
    if len(windows) > 1:  # "7 days after last dose of a biologic agent": the window right before the agent
        wi = next(
            (i for i, w in enumerate(windows) if w.end <= a.start and rules.window_of.fullmatch(lower, w.end, a.start)),
            wi,
        )
    return wi


def alternative(rules: NumberRules, lower: str, a: Agent, w: Window) -> bool:
    """Whether window ``w`` times a progression named after agent ``a`` as an alternative to it ("X for metastatic
    disease, or relapse within 6 months of Y"): the window is Y's, not X's."""
    return a.end <= w.prog and rules.alternative_between.search(lower, max(a.end, w.prog - 12), w.prog) is not None


def any_time(rules: NumberRules, lower: str, a: Agent) -> bool:
    """Whether agent ``a`` is said to count whenever given ("prior chemotherapy at any time, and radiation therapy
    within 4 weeks"; "prior treatment (at any time) with X"): no window is its."""
    after = rules.any_time.search(lower, a.end, a.end + 80)  # room for the lookahead past it
    if (
        after is not None
        and after.start() < a.end + 45
        and not rules.any_time_between.search(lower, a.end, after.start())
    ):
        return True  # "X or Y at any time": the agents of its list
    m = list(rules.any_time.finditer(lower, max(0, a.start - 30), a.start))
    return bool(m) and not rules.any_time_before.search(lower, m[-1].end(), a.start)


def condition_window(rules: NumberRules, lower: str, s: int, a: Agent, w: Window) -> bool:
    """Whether window ``w``, before agent ``a``, times a condition of a clause coordinated with the agent's ("seizures
    within 6 months ... or is currently being treated with X"; "autoimmune disease within the past 3 years or
    requiring immunosuppressive therapy"): no agent before the window in the sentence, none between, and an "or"
    that opens a clause of its own between.
    """
    if w.end > a.start or not rules.clause_or.search(lower, w.end, a.start):
        return False
    return not any(s <= b.start < a.start for b in find_agents(lower))


def _other_paren(rules: NumberRules, lower: str, s: int, a: Agent, w: Window) -> bool:
    """Whether window ``w`` opens a parenthesis after agent ``a`` that names another agent for it ("21 days after
    chemotherapy (42 days if prior nitrosourea)"), or sits in a permission after an agent it names ("X (Y is allowed
    if completed at least 6 months before)"): the window is that agent's."""
    po = paren_open(lower, s, w.start)
    if po < a.end:
        return False
    pc = lower.find(")", w.end)
    inner = lower[po : pc if pc > 0 else len(lower)]
    single = len(rules.time_word.findall(inner)) <= 1  # "(or 6 weeks for X)", not "(or within 30 days for X, or ...)"
    if not (single and rules.paren_lead.fullmatch(lower, po, w.start)):  # "X (Y is allowed if ... 6 months before)"
        return rules.paren_permits.search(inner) is not None and any(
            po < b.start and b.end <= w.start for b in find_agents(lower)
        )
    return pc > 0 and any(w.end <= b.start and b.end <= pc for b in find_agents(lower))


# "with or without progression on ibrutinib" admits both histories: its "without progression" requires no
# response (GUIDE: a therapy after "with or without" is allowed, nothing of it is required).
_OPTIONAL = "with or "  # the words right before a response phrase that make it one side of an alternative


def response_stated(rx: re.Pattern[str], lower: str, s: int, e: int) -> bool:
    """Whether ``[s, e)`` requires a response to a therapy: a response phrase not after "with or"."""
    return any(not lower[max(s, m.start() - 12) : m.start()].endswith(_OPTIONAL) for m in rx.finditer(lower, s, e))


def own_window(lower: str, agents: list[Agent], w: Window, exc: tuple[int, int] | None, rules: list[Any]) -> bool:
    """Whether an excepted agent keeps a window: one written after it inside the exception's own span, with no comma
    or closing parenthesis between unless the span is its parenthesis ("aside from first-line THP within 6 weeks",
    "(except mitomycin C, requiring 6 weeks)"), or the window of a permission it is part of (``rules``: the criteria
    before it). The window of an exclusion is not the exception's: "major surgery (excluding vascular access)
    within 28 days" allows vascular access at any time (GUIDE: a permitted procedure inside an exclusion)."""
    inside = exc is not None and exc[0] <= w.start and w.end <= exc[1]
    if not agents or (w.end <= agents[0].start and not inside):
        return False  # a window before the exception is the rule's
    if any(c.requirement == "allowed" and c.within_weeks == w.weeks for c in rules):
        return True  # "hormonal therapy (X with or without Y) up to 6 weeks is permitted"
    if exc is None or not inside:
        return False
    if w.start < agents[-1].end:
        return True  # "except 23 days for temozolomide and 6 weeks for nitrosoureas"
    gap = lower[agents[-1].end : w.start]
    return lower[exc[0]] == "(" or ("," not in gap and ")" not in gap)
