"""Numbers of the ``prior_therapy`` kind: quantities of time, washout windows, minimum durations and line limits.

Read from a sentence's number tokens with the patterns of ``numbers`` in ``prior_therapy.yaml`` (the schema below):
"within 4 weeks" (a window; "at least 4 weeks since" a gap the rule keeps clear), "for at least 6 months" (a
duration), "no more than 2 prior lines" (a line limit), "relapse within 12 months of completing X" (a window that
times a progression, never a washout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_stable import held_stable
from extractor.models.criteria import Comparator
from extractor.rules.context import Modifier
from extractor.rules.drugs import Agent
from extractor.rules.grammar import any_in, cmp_tail, negate, number_token, number_value, op_of, to_months, to_weeks
from extractor.rules.ruledata import Pattern

__all__ = [
    "CueSource",
    "LineInfo",
    "NumberRules",
    "Qty",
    "Window",
    "duration_months",
    "line_split",
    "line_statements",
    "lines_of",
    "quantities",
    "tokens",
    "weeks_of",
    "windows_of",
    "within",
]


class CueSource(Protocol):
    """What the line reader needs of the item: its context cues of one category, in text order."""

    def cues(self, category: str) -> tuple[Modifier, ...]: ...


class NumberRules(BaseModel):
    """``numbers`` of ``prior_therapy.yaml``: line limits, durations and washout windows."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    line_words: tuple[str, ...]
    any_number: Pattern
    time_after: Pattern
    half_life_before: Pattern
    age_after: Pattern
    age_before: Pattern
    range_before: Pattern
    pre_tail: Pattern
    duration_tail: Pattern
    unit_window: Pattern
    post: Pattern
    duration_of: Pattern
    after_duration: Pattern
    cap_before: Pattern
    stable_before: Pattern
    stable_gap: Pattern
    stable_unchanged: Pattern
    stable_break: Pattern
    window_of: Pattern
    wash_before: Pattern
    completed_before: Pattern
    test_before: Pattern
    stopped_before: Pattern
    progression_before: Pattern
    progression_gap_before: Pattern
    progression_after: Pattern
    paren_for: Pattern
    paren_lead: Pattern  # between "(" and the window that opens it: "(or 6 weeks for X)", "(except 30 days for X"
    paren_permits: Pattern
    alternative_between: Pattern
    alternative_for: Pattern
    window_for: Pattern
    any_time: Pattern
    any_time_between: Pattern
    any_time_before: Pattern
    clause_or: Pattern
    gap_post: Pattern
    lines_after: Pattern
    time_word: Pattern
    negation_words: tuple[str, ...]
    negation_gap: Pattern
    line_coordinator: Pattern
    at_least_one: Pattern
    first_line: Pattern
    first_line_skip: Pattern


def weeks_of(n: float, unit: str) -> float:
    """A time in weeks as a window holds it (two decimals)."""
    return round(to_weeks(n, unit), 2)


def at_least_one(rules: NumberRules, lower: str, start: int, agent_start: int) -> bool:
    """Whether "at least one" (with filler words) or a first line already had ("received first-line X") ends right
    before the agent at ``agent_start``: min_lines 1."""
    back = max(start, agent_start - 60)
    if rules.at_least_one.search(lower[back:agent_start]) is not None:
        return True
    m = rules.first_line.search(lower[back:agent_start])
    return m is not None and rules.first_line_skip.search(lower, start, back + m.start()) is None


def within(cues: tuple[Modifier, ...], s: int, e: int) -> list[Modifier]:
    """The cues that lie in ``[s, e)``."""
    return [m for m in cues if s <= m.cue_start and m.cue_end <= e]


@dataclass
class Window:
    start: int
    end: int
    weeks: float
    gap: bool  # "at least N weeks since": the rule is "not within N weeks"
    prog: int = -1  # "relapse within 12 months of completing Y": where the progression it times is named (or,
    # for a stable dose's duration, where the duration starts: no window either)


@dataclass
class Qty:
    start: int
    end: int
    n: float
    unit: str
    cmp: str | None
    pre: str | None
    post: str
    dur: bool
    unit_end: int
    hours: bool = False  # written in hours (read as days): a window, never a minimum duration
    cap: bool = False  # "short course (<= 7 days)": a cap on a permitted course, no window, no minimum duration
    stable: bool = False  # "stable dose for at least 4 weeks prior": a duration, not a window


@dataclass
class LineInfo:
    lo: int | None
    hi: int | None
    start: int
    end: int
    negated_at: list[int]  # starts of limits read through a negation right before them
    plain: bool = False  # an inclusion-type range in an exclusion item: the criterion is read as an inclusion


def tokens(lower: str, s: int, e: int) -> list[tuple[int, int, float]]:
    out = []
    for m in number_token().finditer(lower, s, e):
        n = number_value(m.group("n"))
        if n is not None:
            out.append((m.start(), m.end(), n))
    return out


def quantities(rules: NumberRules, lower: str, s: int, e: int, toks: list[tuple[int, int, float]]) -> list[Qty]:
    out: list[Qty] = []
    tail = cmp_tail()
    for ns0, ne, n0 in toks:
        u = rules.time_after.match(lower, ne, e)
        if not u or rules.age_after.match(lower, u.end()):
            continue
        unit = u.group("unit") or "days"  # hours are read as days ("72 hours" -> 3 days)
        if unit.startswith("y") and rules.age_before.search(lower, max(s, ns0 - 30), ns0):
            continue  # "Patients <21 years": an age, no window
        n, ns = n0, ns0
        r = rules.range_before.search(lower, max(s, ns - 12), ns) if ns > s and lower[ns - 1] in " -–o" else None
        if r is not None:  # "within 2 to 4 weeks": a range of time takes its lower bound
            n, ns = float(r.group("lo")), r.start()
        if u.group("hours"):
            if n < 24 or rules.half_life_before.search(lower, max(s, ns - 30), ns):
                continue
            n /= 24
        back = max(s, ns - 45)
        c = tail.search(lower, back, ns)
        p = rules.pre_tail.search(lower, back, ns)
        d = rules.duration_tail.search(lower, max(s, ns - 70), ns)
        post = rules.post.match(lower, u.end(), e)
        start = min(x.start() for x in (c, p, d, u) if x is not None) if (c or p or d) else ns
        end = post.end() if post and post.group("post") else u.end()
        cap = c is not None and op_of(c.group("cmp")) in ("<", "<=") and _capped(rules, lower, s, c.start(), u.end())
        after = (post.group("post") or "") if post else ""
        stable = held_stable(rules, lower, s, start, ns, opener=bool(d), post=after)
        out.append(
            Qty(
                start,
                end,
                n,
                unit,
                c.group("cmp") if c else None,
                _pre(p.group("pre")) if p else None,
                after,
                bool(d),
                u.end(),
                bool(u.group("hours")),
                cap,
                stable,
            )
        )
    more = _unit_windows(rules, lower, s, e)
    return sorted([*out, *more], key=lambda q: q.start) if more else out


def _capped(rules: NumberRules, lower: str, s: int, start: int, unit_end: int) -> bool:
    """Whether a "<"/"<=" quantity is the cap of a short course: a parenthesis of its own after "short", "brief" or
    "limited" ("short course of steroids (<= 7 days)")."""
    if not lower[unit_end:].lstrip().startswith(")"):
        return False
    return rules.cap_before.search(lower, max(s, start - 50), start) is not None


def _pre(pre: str) -> str:
    """A window opener; "within 5 half-lives or" (before "28 days") is "within" (GUIDE: the written N)."""
    return "within" if pre.startswith("within") and "half" in pre else pre


def _unit_windows(rules: NumberRules, lower: str, s: int, e: int) -> list[Qty]:
    """Windows of one unit written without a number ("within a year", "in the past month")."""
    out: list[Qty] = []
    for m in rules.unit_window.finditer(lower, s, e):
        post = rules.post.match(lower, m.end(), e)
        end = post.end() if post and post.group("post") else m.end()
        pre = "within" if m.group("pre").startswith("within a") else m.group("pre")
        after = (post.group("post") or "") if post else ""
        stable = held_stable(rules, lower, s, m.start(), m.start(), opener=False, post=after)
        out.append(Qty(m.start(), end, 1.0, m.group("unit"), None, pre, after, False, m.end(), stable=stable))
    return out


def windows_of(rules: NumberRules, lower: str, s: int, qtys: list[Qty]) -> list[Window]:
    out: list[Window] = []
    for q in qtys:
        pre, cmp, post = q.pre, q.cmp, q.post
        if q.n > 1000 or q.cap:
            continue
        if q.stable or rules.test_before.search(lower, max(s, q.start - 90), q.start):
            # a stable dose's duration or a test's timing holds its agent's place: no earlier window passes to it
            out.append(Window(q.start, q.end, weeks_of(q.n, q.unit), False, q.start))
            continue
        if q.dur and not pre and rules.progression_after.match(lower, q.unit_end):
            continue  # "on treatment for >= 2 months prior to progression": a duration, not a window
        stop = q.dur and not pre and rules.stopped_before.search(lower, s, q.start) is not None
        if q.dur and not pre and post not in ("prior", "before", "preceding") and not stop:
            continue  # "for at least 6 months": a duration; not "must discontinue X for at least 7 days" (a washout)
        before = lower[max(s, q.start - 25) : q.start]
        washout = "wash" in (pre or "") or "wash" in post or bool(rules.wash_before.search(before))
        washout = washout or stop or (not pre and rules.completed_before.search(before) is not None)
        lead = lower[s : q.start].strip(" -–•*") in ("", "or", "and")  # "14 days for WBRT;", "; or 6 weeks for X"
        opens = lead or rules.paren_lead.search(lower, max(s, q.start - 14), q.start) is not None  # "(or 6 weeks for"
        opens = opens or bool(out and rules.alternative_for.search(lower, max(s, q.start - 12), q.start))
        paren_for = opens and rules.paren_for.match(lower, q.unit_end) is not None
        if not (pre or cmp or post or washout or paren_for):  # "(6 weeks for nitrosoureas)" restates a window
            continue
        if (
            not pre
            and post.startswith("of")
            and not washout
            and (not cmp or rules.duration_of.match(lower, q.unit_end))
        ):
            continue  # "6 months of therapy", "at least 3 years of first-line treatment": a duration
        pm = (
            rules.progression_before.search(lower, max(s, q.start - 60), q.start)
            if pre == "within"
            else rules.progression_gap_before.search(lower, max(s, q.start - 40), q.start)
            if cmp and post.startswith(("after", "from", "since"))
            else None
        ) or rules.progression_after.match(lower, q.unit_end)
        if post.startswith("after") and not cmp and pm is None and not washout:
            continue  # "4 weeks after the last dose" (contraception), not "progression within 6 months after",
            # not "a washout period of 7 days after the last dose of X"
        op = op_of(cmp) if cmp else None
        gap = op in (">=", ">") or (op is None and not pre and bool(rules.gap_post.search(post)))
        gap = gap or (washout and op not in ("<", "<="))
        weeks = weeks_of(q.n, q.unit)
        if paren_for and not (pre or cmp or post):  # "> 4 weeks (6 weeks for nitrosoureas)": the window it restates
            gap = out[-1].gap if out else lead
        out.append(Window(q.start, q.end, weeks, gap and pm is None, pm.start() if pm else -1))
    return out


def duration_months(rules: NumberRules, lower: str, qtys: list[Qty], windows: list[Window], e: int) -> float | None:
    for q in qtys:
        if q.hours or q.cap or (not q.stable and any(w.start < q.end and q.start < w.end for w in windows)):
            continue
        unit_end = q.unit_end
        if q.dur or q.stable or (q.cmp and rules.duration_of.match(lower, unit_end, e)):
            if (
                not q.stable
                and rules.after_duration.match(lower, unit_end, e)
                and not rules.progression_after.match(lower, unit_end, e)  # "for 2 months prior to progression"
            ):
                continue
            if q.cmp and op_of(q.cmp) in ("<", "<="):
                continue  # "palliative radiation (<= 2 weeks of radiotherapy)", "up to 6 months of X": no minimum
            return round(to_months(q.n, q.unit), 2)
    return None


def lines_of(  # noqa: PLR0917
    flags: CueSource,
    rules: NumberRules,
    lower: str,
    s: int,
    e: int,
    toks: list[tuple[int, int, float]],
    exclusion: bool,
) -> LineInfo | None:
    """Line limits of the sentence, combining statements ("at least 1 ... no more than 3")."""
    found = line_statements(flags, rules, lower, s, e, toks, exclusion)
    if not found:
        return None
    plain = False
    if exclusion and len(found) > 1 and not any(x[4] for x in found):
        read = line_statements(flags, rules, lower, s, e, toks, False)
        lo = max((x[0] for x in read if x[0] is not None), default=None)
        hi = min((x[1] for x in read if x[1] is not None), default=None)
        if lo is not None and hi is not None and lo <= hi:  # "at least one but not more than three lines" under
            found, plain = read, True  # an exclusion heading: an inclusion-type range, read as written
    los = [x[0] for x in found if x[0] is not None]
    his = [x[1] for x in found if x[1] is not None]
    return LineInfo(
        min(los) if los else None,
        max(his) if his else None,
        found[0][2],
        found[-1][3],
        [x[2] for x in found if x[4]],
        plain,
    )


def line_statements(  # noqa: PLR0917
    flags: CueSource,
    rules: NumberRules,
    lower: str,
    s: int,
    e: int,
    toks: list[tuple[int, int, float]],
    exclusion: bool,
) -> list[tuple[int | None, int | None, int, int, bool]]:
    out: list[tuple[int | None, int | None, int, int, bool]] = []
    skip_to = -1
    tail = cmp_tail()
    for ns, ne, n1 in toks:
        if ns < skip_to:
            continue
        m = rules.lines_after.match(lower, ne, e)
        if not m:
            continue
        skip_to = m.end()
        words = lower[m.end("n2") if m.group("n2") else ne : m.end()]
        if rules.time_word.search(words):
            continue
        n2 = number_value(m.group("n2"))
        if n1 > 20 or (n2 is not None and n2 > 20):
            continue
        c = tail.search(lower, max(s, ns - 30), ns)
        op: Comparator | None = op_of(c.group("cmp")) if c else None
        post = (m.group("post") or "").strip()
        if "more" in post or "greater" in post or "higher" in post:
            op = ">="
        elif post:
            op = "<="
        st = c.start() if c else ns
        back = max(s, st - 25)
        negated = (
            any_in(rules.negation_words, lower[back:st])
            and any(  # "must not have received more than 3
                lower[m.cue_start : m.cue_end] in rules.negation_words  # prior lines": a negation <= 3 words before
                and rules.negation_gap.fullmatch(lower, m.cue_end, st)
                for m in within(flags.cues("negated"), back, st)
            )
        )
        lo: float | None
        hi: float | None
        if n2 is not None and op in (None, ">=", ">"):  # "2-3 lines", "a minimum of 2 and a maximum of 5 lines"
            lo, hi = min(n1, n2), max(n1, n2)
        else:
            if exclusion and op is None and not negated:
                continue  # a bare count in an exclusion ("count as single lines") states no limit
            if exclusion or negated:  # exclusion "must not have received > 3 lines": the rule is still <= 3
                op = negate(op) if op else "<"
            lo = hi = None
            if op in (None, ">="):
                lo = n1
            elif op == ">":
                lo = n1 + 1
            elif op == "<=":
                hi = n1
            elif op == "<":
                hi = n1 - 1
            elif op == "=":
                lo = hi = n1
        out.append((int(lo) if lo is not None else None, int(hi) if hi is not None else None, st, m.end(), negated))
    return out


def line_split(
    rules: NumberRules,
    lower: str,
    agents: list[Agent],
    found: list[tuple[int | None, int | None, int, int, bool]],
    generic: frozenset[str],
) -> tuple[int, int] | None:
    """Where a sentence with two line limits, each before its own agents, splits in two ("at least one line of
    anti-PD-1 therapy and at least two further lines of chemotherapy"): the end of the first part and the start of
    the second (after the coordinator), or None (one limit; a range stated before one agent list, "at least one
    but no more than three lines of X"; a limit on all lines, "... and no more than 2 lines of systemic therapy" or
    "3 lines of systemic therapy including up to 1 line of X", of one of the ``generic`` classes)."""
    if len(found) < 2:
        return None
    first, second = found[0][2], found[1][2]
    mine = [a for a in agents if first <= a.start < second]
    rest = [a for a in agents if a.start >= second]
    if not mine or not rest or any(a.name in generic for a in (*mine, *rest)):
        return None
    if {a.name for a in mine} & {a.name for a in rest}:  # "up to 4 lines of X ... and at least 1 line of X": one
        return None
    end = max(a.end for a in mine)
    m = rules.line_coordinator.search(lower, end, second)
    return (m.start(), m.end()) if m else (second, second)
