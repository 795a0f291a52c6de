"""Per-sentence assembly of the ``therapy`` family: agents grouped by window, mode and negation, then one
``prior_therapy`` criterion per group with its requirement, lines, duration, setting and response."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.models import Criterion, PriorTherapy
from extractor.rules._common import ItemContext
from extractor.rules._therapy_agents import _BRAIN, _Agent, _keep
from extractor.rules._therapy_clauses import _ALLOWED, _clauses, _closed_paren, _mode, _negated, _trim
from extractor.rules._therapy_cues import _CUE, _PROGRESSED, _RESPONSE, _SKIP_SENTENCE, _STARTED, _Flags, _setting
from extractor.rules._therapy_numbers import _WINDOW_OF, _duration, _lines, _quantities, _tokens, _Window, _windows


@dataclass
class _Group:
    agents: list[_Agent] = field(default_factory=list)
    window: _Window | None = None
    mode: str = "base"  # base | allowed | exception | excluded
    neg: bool = False  # the clause negates the agents ("no prior ...", "must not have received ...")
    clause: tuple[int, int] = (0, 0)


def _sentence_criteria(ctx: ItemContext, s: int, e: int, all_agents: list[_Agent], flags: _Flags) -> list[Criterion]:
    lower = ctx.lower
    agents = [a for a in all_agents if a.start >= s and a.end <= e]
    if not agents and not flags.lines:
        return []
    if flags.skip and _SKIP_SENTENCE.search(lower, s, e):
        return []
    brain = flags.brain and bool(_BRAIN.search(lower, s, e))
    clauses = _clauses(lower, s, e) if agents else [(s, e)]
    agents = [a for a in agents if _keep(lower, next((c[0] for c in clauses if c[0] <= a.start < c[1]), s), a, brain)]
    toks = _tokens(lower, s, e) if flags.digits else []
    lines = _lines(lower, s, e, toks, ctx.is_exclusion) if toks and flags.lines else None
    if not agents and lines is None:
        return []
    lead_excl = ctx.is_exclusion and agents and agents[0].start - s <= 30
    if not _CUE.search(lower, s, e) and not lead_excl:
        return []
    qtys = _quantities(lower, s, e, toks) if toks else []
    windows = _windows(lower, s, qtys)
    # group agents by window (first window after the agent, else the last one before), mode and negation
    groups: dict[tuple[int, str, bool], _Group] = {}
    seen: set[object] = set()
    clause_neg: dict[int, bool] = {}
    for a in agents:
        wi = next((i for i, w in enumerate(windows) if w.start >= a.end), -1)
        if wi < 0:  # no window after it: the last one before it that is not shut in a parenthesis
            wi = next(
                (i for i in range(len(windows) - 1, -1, -1) if not _closed_paren(lower, s, windows[i].start, a.start)),
                len(windows) - 1,
            )
        if wi >= 0 and len({w.weeks for w in windows}) == 1:
            wi = 0
        elif len(windows) > 1:  # "7 days after last dose of a biologic agent": the window right before the agent
            wi = next(
                (i for i, w in enumerate(windows) if w.end <= a.start and _WINDOW_OF.fullmatch(lower, w.end, a.start)),
                wi,
            )
        cs, ce = next((c for c in clauses if c[0] <= a.start < c[1]), (s, e))
        mode = _mode(lower, cs, ce, a, flags, ctx.is_exclusion)
        if cs not in clause_neg:
            clause_neg[cs] = _negated(lower, cs, a, lines)
        neg = clause_neg[cs]
        g = groups.setdefault(
            (wi, mode, neg), _Group(window=windows[wi] if wi >= 0 else None, mode=mode, neg=neg, clause=(cs, ce))
        )
        if a.name not in seen or (mode == "exception" and (a.name, mode) not in seen):
            g.agents.append(a)
            seen.add(a.name)
            seen.add((a.name, mode))
    groups = {k: g for k, g in groups.items() if g.agents}
    if not groups:
        neg = _negated(lower, s, None, lines)
        groups[(-1, "base", neg)] = _Group(window=None, mode=_mode(lower, s, e, _Agent(e, e, ""), flags), neg=neg)
    response = True if flags.response and _RESPONSE.search(lower, s, e) else None
    duration = _duration(lower, qtys, windows, e)
    ordered = sorted(groups.values(), key=lambda g: g.agents[0].start if g.agents else s)
    sentence_ok = flags.modes and bool(_ALLOWED.search(lower, s, e))
    by_clause = len(ordered) > 1 and len({g.clause for g in ordered}) == len(ordered)
    out: list[Criterion] = []
    prev_end = s
    for gi, g in enumerate(ordered):
        neg = g.neg
        if neg and g.mode == "base" and (any(x.mode in ("allowed", "exception") for x in ordered) or sentence_ok):
            requirement = "excluded"  # "X is allowed, but no prior Y" (either section)
        elif g.mode == "allowed" and neg:
            requirement = "excluded"  # "No prior radiotherapy is allowed"
        elif g.mode == "exception" and g.window and g.window.start >= g.agents[0].end and g.window.gap:
            requirement = "excluded"  # "(except mitomycin C, requiring a minimum of 6 weeks)": its own washout
        elif g.mode in ("allowed", "exception"):
            requirement = "allowed"
        elif g.mode == "excluded":
            requirement = "excluded"
        else:
            gap = bool(g.window and g.window.gap) and not _STARTED.search(lower, s, e)
            requirement = "excluded" if gap or (neg ^ ctx.is_exclusion) else "required"
        min_l = max_l = None
        if lines is not None and gi == 0:
            min_l, max_l = lines.lo, lines.hi
            if (
                g.mode == "base"
                and not neg
                and min_l is None
                and max_l is not None
                and not (requirement == "required" and _PROGRESSED.search(lower, s, e))
            ):
                requirement = "allowed"  # "no more than 2 prior lines" / exclusion "more than 2 prior lines"
        if len(ordered) == 1:
            cs, ce = s, e
        elif by_clause:
            cs, ce = g.clause
        else:
            cs = prev_end if gi else s
            ce = e if gi == len(ordered) - 1 else max([a.end for a in g.agents] + ([g.window.end] if g.window else []))
            if g.window and g.window.start < cs:
                cs = min(cs, *(a.start for a in g.agents))
            prev_end = ce
        cs, ce = _trim(ctx.clean, cs, ce)
        if ce <= cs:
            cs, ce = s, e
        setting = None if not flags.setting else _setting(lower, cs, ce) if len(ordered) > 1 else _setting(lower, s, e)
        out.append(
            ctx.make(
                PriorTherapy,
                cs,
                ce,
                agents=[a.name for a in g.agents],
                requirement=requirement,
                setting=setting,
                min_lines=min_l,
                max_lines=max_l,
                min_duration_months=duration if gi == 0 else None,
                within_weeks=g.window.weeks
                if g.window and not (g.mode == "exception" and g.window.end <= g.clause[0])
                else None,
                response_required=response if requirement != "excluded" else None,
            )
        )
    return out
