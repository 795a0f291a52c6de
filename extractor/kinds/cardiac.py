"""Kind ``cardiac``: cardiac function: LVEF, QTc, NYHA class, cardiac history.

Reads (``cardiac.yaml``): a minimum LVEF after an LVEF mention (a percent or fraction in 15-80, or at least the
LLN, not a decline from baseline), a QTc maximum in ms, the highest NYHA class allowed (the classes an exclusion
or a negated item names are the excluded ones: "NYHA class III-IV" -> 2), and the cardiac conditions named
(``conditions``, leftmost-longest around their trigger words). An item that only asks for adequate cardiac
function gives a criterion without fields. Each reading runs only when the item has one of its words.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.kinds._cardiac_merge import merge
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import clause_span, op_of, word_starts
from extractor.rules.prefilter import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from collections.abc import Sequence

    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Cardiac", "Rules", "extract"]


class Cardiac(CriterionBase):
    """Cardiac function: LVEF, QTc, NYHA class, cardiac history."""

    kind: Literal["cardiac"] = "cardiac"
    lvef_min_percent: float | None = Field(default=None, description="Minimum LVEF in percent, e.g. 50.")
    lvef_lln: bool | None = Field(default=None, description="True when LVEF must be >= the institutional LLN.")
    qtc_max_ms: float | None = Field(default=None, description="Maximum QTc in ms, e.g. 470.")
    nyha_max: int | None = Field(default=None, description="Highest NYHA class allowed (excluding III/IV -> 2).")
    conditions: list[str] = Field(
        default_factory=list, description="Cardiac conditions named, lower case, e.g. 'myocardial infarction'."
    )


class Condition(BaseModel):
    """One cardiac condition: the words that start its search and its patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    triggers: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    #: named as the text writes it (lower case, qualifiers kept: "clinically significant cardiac disease")
    as_written: bool = False
    #: counted only beside another cardiac condition ("stroke" in a list of cardiac events)
    companion: bool = False
    #: left out when examples naming other conditions follow ("cardiac disease, including unstable angina")
    umbrella: bool = False
    #: an umbrella left out only when its examples name one of these ("cerebrovascular disease ... stroke")
    examples_of: frozenset[str] = frozenset()
    #: left out when another condition found names it, in its text or its longer name (its `name`, else its key:
    #: "poorly controlled hypertension ... elevated blood pressure", "congenital long qt syndrome")
    restated: bool = False
    #: left out beside a condition naming it only when this matches the text just before it ("nyha class iii or iv
    #: heart failure" beside "congestive heart failure")
    restated_after: Pattern | None = None
    #: the name given, when it is not the rule file's key ("cardiac" in "cardiac, pulmonary or liver disease")
    name: str | None = None
    #: left out when this matches the sentence before it ("toxicities ... including ... hypertension")
    not_before: Pattern | None = None
    #: left out when the item names another cardiac condition, not a companion ("cardiovascular impairment: history of
    #: CHF ...")
    alone: bool = False
    #: how far before its trigger word the patterns are tried, when not `condition_window`'s first number
    reach: int | None = None
    #: how far after its trigger word the patterns are tried, when not `condition_window`'s second number
    after: int | None = None


class Rules(RuleFile):
    """``cardiac.yaml``: LVEF, QTc, NYHA and cardiac-condition readings."""

    qtc_words: frozenset[str]
    lvef_words: frozenset[str]
    nyha_words: frozenset[str]
    function_words: frozenset[str]
    lvef: Pattern
    number: Pattern
    lvef_percent: Pattern
    lvef_lln: Pattern
    lvef_lln_word: Pattern
    decline: Pattern
    lvef_range: tuple[float, float]
    qtc: Pattern
    qtc_value: Pattern
    qtc_unit: Pattern
    qtc_sex: Pattern
    qtc_second: Pattern
    nyha: Pattern
    nyha_phrases: tuple[str, ...]
    classes: dict[str, int]
    nyha_class: Pattern
    nyha_class_before: Pattern
    nyha_class_later: Pattern
    nyha_later_reach: int
    nyha_cut: Pattern
    nyha_ge: Pattern
    nyha_gt: Pattern
    nyha_le: Pattern
    nyha_lt: Pattern
    nyha_gt_before: Pattern
    conditions: dict[str, Condition]
    condition_window: tuple[int, int]
    examples_after: Pattern
    examples_later: Pattern
    example_parens: Pattern
    note_parens: Pattern
    nyha_class_end: Pattern
    permit_words: frozenset[str]
    except_words: frozenset[str]
    except_clause: Pattern
    drug_conditions: frozenset[str]
    name_drop: frozenset[str]
    name_rewrites: dict[str, str]
    degree_pair: Pattern
    qualifier_alternatives: Pattern
    alternative_of: str
    alternative_before: Pattern
    drug_after: Pattern
    risk_words: frozenset[str]
    risk_before: Pattern
    risk_name: str
    qtc_condition: str
    function_word: frozenset[str]
    function_qualifiers: frozenset[str]
    cardiac_function: Pattern
    lead_in: Pattern


RULES = load_rules("cardiac", Rules)
_RISK_BEFORE = 80  # characters before a condition read for "risk factors for"
_NOT_BEFORE = 120  # characters before a condition read for its `not_before`


@cache
def _condition_index() -> dict[str, list[tuple[str, Prefiltered, int, int]]]:
    """Trigger word -> (condition, pattern, characters before and after the word to try) to try around it."""
    index: dict[str, list[tuple[str, Prefiltered, int, int]]] = {}
    for name, spec in RULES.conditions.items():
        rx = Prefiltered(re.compile("|".join(f"(?:{p.pattern})" for p in spec.patterns)))
        reach = spec.reach if spec.reach is not None else RULES.condition_window[0]
        after = spec.after if spec.after is not None else RULES.condition_window[1]
        for word in spec.triggers:
            index.setdefault(word, []).append((name, rx, reach, after))
    return index


@cache
def _condition_words() -> frozenset[str]:
    return frozenset(_condition_index())


@cache
def _gate() -> frozenset[str]:
    return _condition_words() | RULES.qtc_words | RULES.lvef_words | RULES.nyha_words | RULES.function_words


def _find_conditions(text: str, words: frozenset[str]) -> list[tuple[int, int, str]]:
    """Cardiac conditions named in ``text``: (start, end, name), leftmost-longest, non-overlapping."""
    index = _condition_index()
    hits = words & _condition_words()
    if not hits:
        return []
    found: set[tuple[int, int, str]] = set()
    for pos, word in word_starts(text, hits):
        for name, rx, before, after in index[word]:
            hi = min(len(text), pos + len(word) + after)
            for m in rx.finditer(text, max(0, pos - before), hi):
                if m.start() > pos:
                    break  # this and later matches start after the trigger word
                if pos < m.end() or m.start() == pos:
                    found.add((m.start(), m.end(), name))
                if pos < m.end():
                    break  # later matches start after this one ends: after the trigger word
    out: list[tuple[int, int, str]] = []
    for start, end, name in sorted(found, key=lambda f: (f[0], -(f[1] - f[0]))):
        if out and start < out[-1][1]:
            continue
        out.append((start, end, name))
    return out


def _heads_examples(text: str, end: int, found: list[tuple[int, int, str]], of: frozenset[str] = frozenset()) -> bool:
    """The umbrella ending at ``end`` heads examples: right after it ("cardiac disease, including ..."), or after a
    time window, aside or colon of its clause when another condition follows the cue and none but another umbrella
    stands before it ("cardiovascular disease or cerebrovascular disease, including ..."). With ``of``, only
    examples naming one of those conditions count."""
    specs = RULES.conditions
    m = RULES.examples_after.match(text, end)
    if m is None:
        m = RULES.examples_later.match(text, end)
        if m is None or any(end <= s < m.end() and not specs[n].umbrella for s, _, n in found):
            return False
    elif not of:
        return True
    if of:
        return any(s >= m.end() and n in of for s, _, n in found)
    return any(s >= m.end() and not specs[n].umbrella and not specs[n].companion for s, _, n in found)


def _restates(own: str, written: str, other: str) -> bool:
    """Another condition names ``own``: its text holds it ("... elevated blood pressure" beside "hypertension"), or its
    longer name does ("congenital long qt syndrome" beside "long qt syndrome")."""
    return own in written or (own != other and own in other)


def _named(text: str, found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The conditions found, named as the rule file says: as written, companions only beside another condition,
    umbrellas left out before examples of others, restatements left out beside a condition naming them."""
    specs = RULES.conditions
    if all(specs[name].companion for _, _, name in found):
        return []
    out = []
    for start, end, name in found:
        spec = specs[name]
        if spec.umbrella and len(found) > 1 and _heads_examples(text, end, found, spec.examples_of):
            continue
        if spec.alone and any(not specs[n].alone and not specs[n].companion for _, _, n in found):
            continue
        own = spec.name or name
        if (
            spec.restated or (spec.restated_after and spec.restated_after.search(text, max(0, start - 60), start))
        ) and any(_restates(own, text[s:e], specs[n].name or n) for s, e, n in found if n != name):
            continue
        if not spec.as_written:
            alt = None
            if name == RULES.alternative_of:
                alt = RULES.alternative_before.search(text, max(0, start - 20), start)
            if alt:  # "severe or unstable angina" names "severe angina" too
                out.append((alt.start(), start, " ".join([alt.group("q"), *name.split()[1:]])))
            out.append((start, end, spec.name or name))
            continue
        alt = RULES.qualifier_alternatives.search(text, start, end) if spec.umbrella else None
        if alt:
            # "uncontrolled or significant cardiovascular disease" names "cardiovascular disease"
            out.append((start, end, _rewrite(" ".join(text[alt.end() : end].split()))))
            continue
        pair = RULES.degree_pair.match(text, start, end) if "degree" in text[start:end] else None
        for degree in (pair.group("a"), pair.group("b")) if pair else ("",):
            # "second- or third-degree av block" names two: "second-degree av block", "third-degree av block"
            head = f"{degree}-degree " if degree else ""
            words = (head + text[pair.end() if pair else start : end]).replace(",", " ").split()
            out.append((start, end, _rewrite(" ".join(w for w in words if w not in RULES.name_drop))))
    return out


@cache
def _rewrites() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p), r) for p, r in RULES.name_rewrites.items())


def _rewrite(name: str) -> str:
    """A condition named as written, in the rule file's spelling ("cardiovascular disorders" -> "... disorder")."""
    for rx, repl in _rewrites():
        name = rx.sub(repl, name)
    return name


def _lvef(ctx: ItemContext) -> list[Cardiac]:
    text = ctx.lower
    lo_pct, hi_pct = RULES.lvef_range
    for m in RULES.lvef.finditer(ctx.clean):
        end = min(len(text), m.end() + 120)
        semi = text.find(";", m.end(), end)
        end = semi if semi >= 0 else end
        fields: dict[str, Any] = {}
        ev_end = m.end()
        # skip the window scans that cannot match (no digit; no normal-limit word): an item can repeat "LVEF"
        for p in RULES.lvef_percent.finditer(text, m.end(), end) if RULES.number.search(text, m.end(), end) else ():
            if not (p.group("pct") or p.group("frac") or p.group("cmp") or p.group("post")):
                continue
            if RULES.decline.search(text, m.end(), p.start()):
                break
            num = p.group("num")
            value = float(num.replace(",", ".")) if num else float(p.group("frac"))
            if not lo_pct <= value <= hi_pct:
                continue
            if (
                not ctx.is_exclusion
                and p.group("cmp")
                and op_of(p.group("cmp")) in ("<", "<=")
                and not ctx.context.has("negated", m.start(), m.end(), kind="cardiac")
            ):
                break  # an inclusion asking for a low LVEF ("LVEF < 40%"): a maximum, which no field holds
            fields["lvef_min_percent"] = value
            ev_end = p.end()
            break
        near_end = min(end, m.end() + 80)
        ln = (
            RULES.lvef_lln.search(text, m.end(), near_end)
            if RULES.lvef_lln_word.search(text, m.end(), near_end)
            else None
        )
        if ln is not None and not RULES.decline.search(text, m.end(), ln.start()):
            fields["lvef_lln"] = True
            ev_end = max(ev_end, ln.end())
        if fields:
            return [ctx.make(Cardiac, *clause_span(ctx.clean, m.start(), ev_end), **fields)]
    return []


def _qtc(ctx: ItemContext) -> list[Cardiac]:
    text = ctx.lower
    for m in RULES.qtc.finditer(text):
        end = min(len(text), m.end() + 100)
        for q in RULES.qtc_value.finditer(text, m.end(), end) if RULES.number.search(text, m.end(), end) else ():
            if not q.group("cmp") and not RULES.qtc_unit.match(text, q.end("num")):
                continue
            values, last = [float(q.group("num"))], q.end()
            # a second limit for the other sex: "> 470 ms (females) or > 450 ms (males)"
            if RULES.qtc_sex.search(text, q.end(), min(len(text), q.end() + 60)):
                q2 = RULES.qtc_second.match(text, q.end())
                if q2 is not None and float(q2.group("num")) not in values:
                    values.append(float(q2.group("num")))
                    last = q2.end()
            span = clause_span(ctx.clean, m.start(), last)
            return [ctx.make(Cardiac, *span, qtc_max_ms=v) for v in values]
    return []


def _nyha(text: str, excluded: bool) -> tuple[int | None, int, int]:
    """The highest NYHA class allowed and the span of the mention and its classes."""
    m = RULES.nyha.search(text)
    if m is None:
        return None, 0, 0
    window = text[m.end() : m.end() + 60]
    after = True  # the classes follow the mention
    if not RULES.nyha_class.search(window[:45]):
        after = False
        before = list(RULES.nyha_class_before.finditer(text, max(0, m.start() - 80), m.start()))
        later = RULES.nyha_class_later.search(text, m.end(), m.end() + RULES.nyha_later_reach)
        if before:
            b = before[-1]
            window = text[max(0, b.start() - 4) : b.start()] + " " + b.group(1) + " " + window[:25]
        elif later is not None:
            # the class in the next sentence ("... using the NYHA Functional Classification. To be eligible,
            # patients should be class 2B or better"): what lies between is blanked, offsets kept
            window = " " * (later.start() - m.end()) + text[later.start() : later.end() + 25]
            excluded = False  # "should be class ..." states the requirement, in either section
    # "greater than NYHA class II" (the classes follow the mention): the comparator stands before it
    gt_before = after and bool(RULES.nyha_gt_before.search(text, max(0, m.start() - 20), m.start()))
    cut = RULES.nyha_cut.search(window)
    if cut is not None and cut.start() > 0 and RULES.nyha_class.search(window[: cut.start()]):
        window = window[: cut.start()]
    classes = [(RULES.classes[c.group(1)], c.start()) for c in RULES.nyha_class.finditer(window)]
    if not classes:
        return None, 0, 0
    values = [c for c, _ in classes]
    head = window[: classes[0][1]]
    tail = window[classes[-1][1] :]
    ge = bool(RULES.nyha_ge.search(tail + head))
    gt = bool(RULES.nyha_gt.search(head))
    le = bool(RULES.nyha_le.search(tail + head))
    lt = bool(RULES.nyha_lt.search(head))
    end = min(m.end() + classes[-1][1] + 4, len(text))  # the window may be rebuilt: never past the item
    if excluded:
        lowest = min(values) + (1 if gt or gt_before else 0)
        return max(lowest - 1, 0), m.start(), end
    if lt:
        return max(max(values) - 1, 0), m.start(), end
    if ge and not le:
        return None, 0, 0
    return max(values), m.start(), end


def _asides(ctx: ItemContext, found: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """Stretches whose conditions are not the item's own: subtypes in parentheses after a condition that names
    them ("ventricular arrhythmia (including ventricular tachycardia ...)"), examples that are all companions, a note in
    parentheses ("(Note: patients with cardiac disease should have a risk assessment ...)"), a NYHA class phrase before
    an umbrella ("NYHA class II or greater cardiac disease"), a permission in an exclusion ("controlled arrhythmia is
    permitted"), an exception ("serious arrhythmia (except atrial fibrillation)")."""
    text = ctx.lower
    out: list[tuple[int, int]] = []
    specs = RULES.conditions
    if "(" in text:
        for m in RULES.example_parens.finditer(text):
            inside = [n for s, _, n in found if m.start() < s < m.end()]
            before = [n for _, e, n in found if m.start() - 40 <= e <= m.start() and "," not in text[e : m.start()]]
            head = specs[before[-1]] if before else None
            # a companion's subtypes are its own entries ("Stroke (including transient ischemic attack)")
            own = head is not None and head.companion
            subtypes = head is not None and not own and m.group("cue").startswith("includ") and not head.umbrella
            if inside and (subtypes or (not own and all(specs[n].companion for n in inside))):
                out.append((m.start(), m.end()))
        if "note" in ctx.words:
            out.extend((m.start(), m.end()) for m in RULES.note_parens.finditer(text))
    if not RULES.nyha_words.isdisjoint(ctx.words):
        for s, _, n in found:
            if specs[n].umbrella and RULES.nyha_class_end.search(text, max(0, s - 60), s):
                out.append((s, s + 1))
    if not RULES.except_words.isdisjoint(ctx.words):
        out.extend((m.start(), m.end()) for m in RULES.except_clause.finditer(text))
    if ctx.is_exclusion and not RULES.permit_words.isdisjoint(ctx.words):
        # a permission written after its conditions ("... can be enrolled"), not "any" or "regardless of" before them
        cues = [c for c in ctx.context.cues("permitted", kind="cardiac") if c.direction == "backward"]
        out.extend((s, s + 1) for s, e, _ in found if any(c.covers(s, e) for c in cues))
    return out


def _history(ctx: ItemContext, *, has_qtc: bool) -> tuple[list[Cardiac], list[int]]:
    """The criterion of the cardiac conditions and NYHA class named, with the offsets in ``clean`` of each."""
    text = ctx.lower
    facts: list[int] = []
    conditions: list[str] = []
    first, last = -1, -1
    found = _find_conditions(text, ctx.words)
    named = _named(text, found)
    found_key = {start: name for start, _, name in found}
    risky = not RULES.risk_words.isdisjoint(ctx.words)
    aside = _asides(ctx, found) if found else ()
    for start, end, found_name in named:
        name = found_name
        if any(d in name for d in RULES.drug_conditions) and RULES.drug_after.match(text, end):
            continue
        key = found_key.get(start)
        rule = RULES.conditions[key].not_before if key is not None else None
        if rule is not None and rule.search(text, max(0, start - _NOT_BEFORE), start):
            continue
        if name == RULES.qtc_condition and has_qtc:
            continue  # the QTc maximum states it (also "any factor that increases the risk of QTc prolongation")
        risk = RULES.risk_before.search(text, max(0, start - _RISK_BEFORE), start) if risky else None
        if risk is not None:  # "risk factors for torsades de pointes": the risk is the fact, not the condition
            if risk.group("cause") or risk.group("drug") or risk.group("known") or risk.group("may"):
                continue  # a drug's risk is no cardiac history
            name = RULES.risk_name.format(name)
        if any(a <= start < b for a, b in aside):
            continue
        if name.removesuffix("s") not in {c.removesuffix("s") for c in conditions}:
            conditions.append(name)
        facts.append(start)
        first = start if first < 0 else first
        last = end
    nyha: int | None = None
    ns = ne = 0
    at = -1
    if not RULES.nyha_words.isdisjoint(ctx.words):  # every NYHA mention holds one
        at = next((i for p in RULES.nyha_phrases if (i := text.find(p)) >= 0), -1)
    if at >= 0:
        # a negation (a forward cue of the context pass) anywhere before the NYHA mention: "no NYHA class III/IV"
        excluded = ctx.is_exclusion or any(
            c.cue_end <= at and c.scope_start >= c.cue_end for c in ctx.context.cues("negated", kind="cardiac")
        )
        nyha, ns, ne = _nyha(text, excluded)
    if not conditions and nyha is None:
        return [], []
    if nyha is not None:
        facts.append(ns)
        first = ns if first < 0 else min(first, ns)
        last = max(last, ne)
    if conditions:  # an umbrella heading the examples opens their span ("cardiovascular disease ..., including ...")
        first = min([first, *(s for s, _, n in found if RULES.conditions[n].umbrella)])
    # the whole item, or in a long item the stretch from the first to the last condition named
    span: tuple[int | None, int | None] = (None, None)
    if len(text) > 300 and 0 <= first < last:
        # a NYHA class alone: its clause ("class II or better (class III/IV are not eligible)")
        span = clause_span(ctx.clean, first, last) if not conditions else (first, last)
    return [ctx.make(Cardiac, span[0], span[1], nyha_max=nyha, conditions=conditions)], facts


def extract(ctx: ItemContext) -> list[Cardiac]:
    """The cardiac criteria of one item: LVEF, then QTc, then history / NYHA; else adequate cardiac function."""
    words = ctx.words
    if _gate().isdisjoint(words):
        return []
    qtc = _qtc(ctx) if not RULES.qtc_words.isdisjoint(words) else []
    out = _lvef(ctx) if not RULES.lvef_words.isdisjoint(words) else []
    out.extend(qtc)
    history, facts = _history(ctx, has_qtc=bool(qtc))
    out.extend(history)
    if not out and ctx.lower.rstrip().endswith(":") and RULES.lead_in.search(ctx.lower):
        return [ctx.make(Cardiac)]
    if not out and not RULES.function_word.isdisjoint(words) and not RULES.function_qualifiers.isdisjoint(words):
        m = RULES.cardiac_function.search(ctx.lower)
        if m is not None:
            out.append(ctx.make(Cardiac, *clause_span(ctx.clean, m.start(), m.end())))
    if len(out) < 2:
        return out
    # a reading's facts: where its evidence starts; the conditions': where each is named
    where: list[tuple[Cardiac, Sequence[int]]] = [(c, [c.evidence.start]) for c in out[: len(out) - len(history)]]
    where.extend((c, [ctx.evidence(p, p + 1).start for p in facts]) for c in history)
    return merge(ctx, where)


KIND = KindSpec(
    Cardiac,
    extract=extract,
    rule_file=Rules,
    core=True,
    compare={
        "conditions": Compare("phrases"),
    },
)
