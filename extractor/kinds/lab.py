"""Kind ``lab``: a laboratory threshold (one analyte, one comparator).

Reads analyte mentions (``vocab/analytes.yaml``; names joined by "and", "/", "or" make one mention) and the
thresholds after them (``lab.yaml``: comparator, number, unit from ``vocab/units.yaml`` or a ULN multiple, a
trailing "or more"). Each mention takes the first threshold that follows it; further thresholds in its stretch
become extra criteria only when a population is attached to them ("≤ 5 x ULN for patients with liver
metastases", ``conditions``), otherwise they restate the first in another unit. A mention with no threshold but
"within normal limits" gives <= 1 x ULN for analytes not bounded below. Exclusion items are negated into the rule
a patient must meet, unless the clause states it ("eligible if CD4 > 350"). An item with no numeric lab that asks
for adequate organ / marrow / liver / renal function gives one number-less lab.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cache
from itertools import takewhile
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from extractor.kinds._lab_age_table import age_table, is_age_table
from extractor.kinds._lab_bare import bare_item, normal_before
from extractor.kinds._lab_carry import carried
from extractor.kinds._lab_cohorts import conversion, free_population, names_population, population_end
from extractor.kinds._lab_dipstick import dipstick_first
from extractor.kinds._lab_direction import states_allowed
from extractor.kinds._lab_family import in_family, owner_mention, unit_owner
from extractor.kinds._lab_gilbert import gilbert_direct, gilbert_exception
from extractor.kinds._lab_hiv import hiv_population
from extractor.kinds._lab_lost_sign import meant_sign
from extractor.kinds._lab_minimum import minimum_first
from extractor.kinds._lab_negated import ruled_out
from extractor.kinds._lab_organ import organ_function
from extractor.kinds._lab_outside import outside
from extractor.kinds._lab_percent import percent_first
from extractor.kinds._lab_populations import condition_in, further_conditions, lab_condition, lab_condition_analyte
from extractor.kinds._lab_prior_condition import prior_conditions
from extractor.kinds._lab_range import range_bounds
from extractor.kinds._lab_requirement import lead_in_requires, states_requirement
from extractor.kinds._lab_restated import restated
from extractor.kinds._lab_rules import RULES, Rules
from extractor.kinds._lab_sexes import per_sex
from extractor.kinds._lab_spans import finish_clauses
from extractor.kinds._lab_thresholds import NEAR, NEAR_BRACKETED, Mention, Threshold, thresholds
from extractor.kinds._lab_uln_before import uln_before
from extractor.kinds._lab_unitless import take_unit
from extractor.kinds._lab_urine import urine_collection
from extractor.kinds._lab_words import readable
from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import Comparator, CriterionBase
from extractor.rules import grammar
from extractor.rules.grammar import negate, phrase_alt, word_starts
from extractor.vocab import load_model
from extractor.vocab.schemas import Analytes

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Lab", "Rules", "extract"]


def _analyte_description() -> str:
    """The ``analyte`` field's description (sent to the LLM), listing the analytes of ``vocab/analytes.yaml``."""
    model = load_model("analytes")
    assert isinstance(model, Analytes)
    names = ", ".join(name for name in model.root if "," not in name)
    return (
        f"Normalised analyte: {names}; or organ_function / marrow_function / liver_function / renal_function / "
        "coagulation_function when no number is given."
    )


class Lab(CriterionBase):
    """A laboratory threshold (one analyte, one comparator)."""

    kind: Literal["lab"] = "lab"
    analyte: str = Field(description=_analyte_description())
    op: Comparator | None = Field(default=None, description="Comparator: >=, >, <=, <, =.")
    value: float | None = Field(default=None, description="Threshold value in the stated unit (1.5 for 1.5 x 10^9/L).")
    unit: str | None = Field(default=None, description="Unit as normalised text, e.g. 'x10^9/L', 'g/dL', 'mL/min'.")
    uln_multiple: float | None = Field(default=None, description="Multiple of the upper limit of normal, e.g. 2.5.")
    condition: str | None = Field(
        default=None,
        description="Population the threshold applies to, e.g. \"gilbert's syndrome\", 'liver metastases'.",
    )


# ------------------------------------------------------------------------------------------------- analytes


@dataclass(frozen=True)
class _Analyte:
    names: tuple[str, ...]
    bound: str | None
    cells: bool
    percent: bool
    units: frozenset[str] = frozenset()
    unit_required: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Candidates:
    """The names a mention starting with one word may have, longest first, as one ordered alternation: the first
    name that matches wins (group ``a<i>`` -> ``analytes[i]``)."""

    pattern: re.Pattern[str]
    analytes: tuple[_Analyte, ...]


# how vocab/analytes.yaml names are read: a space any whitespace, "-" an optional hyphen or space, a whole word
_NAME_SPACE = r"\s+"
_NAME_HYPHEN = r"[\s-]?"
_NAME_END = r"(?![\w-])"


def _first_word(name: str) -> str:
    """The leading letters and digits of ``name``, lower-cased ("" when it starts otherwise)."""
    low = name.lower().lstrip()
    return "".join(takewhile(lambda c: c.isascii() and c.isalnum(), low))


@cache
def _analyte_words() -> frozenset[str]:
    """The words a mention may start with (the analyte index's keys)."""
    return frozenset(_analyte_index()[0])


@cache
def _analyte_index() -> tuple[dict[str, _Candidates], frozenset[str]]:
    """Word (lower case; a first word of a name, or its plural) -> the names a mention starting there may have;
    abbreviations that need a unit."""
    table = load_model("analytes")
    assert isinstance(table, Analytes)
    by_word: dict[str, list[tuple[int, str, _Analyte]]] = {}
    needs_unit: set[str] = set()
    # the shared analytes (the LLM schema's list), then the rules-only ones of lab.yaml
    for key, spec in [*table.root.items(), *RULES.analytes.items()]:
        a = _Analyte(
            tuple(key.split(",")),
            spec.bound,
            spec.cells,
            spec.percent,
            frozenset(spec.units),
            frozenset(n.lower() for n in spec.unit_required),
        )
        # names in any case, "-" an optional hyphen or space, plural "s" optional; abbreviations as written
        phrases = [(n, "(?i:" + phrase_alt([n], space=_NAME_SPACE, hyphen=_NAME_HYPHEN) + "s?)") for n in spec.names]
        phrases += [(n, re.escape(n)) for n in spec.abbrev]
        needs_unit.update(spec.needs_unit)
        for name, rx in phrases:
            first = _first_word(name)
            if first:
                by_word.setdefault(first, []).append((len(name), rx + _NAME_END, a))
    ordered = {k: sorted(v, key=lambda t: -t[0]) for k, v in by_word.items()}
    index: dict[str, _Candidates] = {}
    for word in [*ordered, *(k + "s" for k in ordered)]:
        # a plural first word ("neutrophils") also tries the names of its singular
        cands = ordered.get(word, []) + (ordered[word[:-1]] if word.endswith("s") and word[:-1] in ordered else [])
        alts = "|".join(f"(?P<a{i}>{rx})" for i, (_, rx, _) in enumerate(cands))
        index[word] = _Candidates(re.compile(alts), tuple(a for _, _, a in cands))
    return index, frozenset(needs_unit)


def _mentions(ctx: ItemContext, hits: AbstractSet[str]) -> list[Mention]:
    index, needs_unit = _analyte_index()
    clean = ctx.clean
    found: list[Mention] = []
    skip_to = 0
    for start, word in word_starts(ctx.lower, hits):
        if start < skip_to:
            continue
        cands = index[word]
        m = cands.pattern.match(clean, start)
        if m is None or m.lastgroup is None:
            continue
        a = cands.analytes[int(m.lastgroup[1:])]
        if m.group(0) in needs_unit and not RULES.unit_ahead.match(clean, m.end()):
            continue
        if RULES.not_analyte_after.match(ctx.lower, m.end()):
            continue
        if RULES.not_analyte_before.search(ctx.lower, max(0, start - 40), start):
            continue
        skip_to = m.end()
        silent = a.names[0] in RULES.silent_analytes
        if (
            found
            and not silent
            and found[-1].analytes[0] not in RULES.silent_analytes
            and RULES.connector.fullmatch(clean, found[-1].end, m.start())
            and not ("(" in clean[found[-1].end : m.start()] and RULES.method_note.match(ctx.lower, found[-1].end))
        ):
            last = found[-1]
            last.end = m.end()
            last.analytes.extend(x for x in a.names if x not in last.analytes)
            last.units.update(dict.fromkeys(a.names, a.units))
            last.bounds.update(dict.fromkeys(a.names, a.bound))
            last.cells = last.cells or a.cells
            last.bound = last.bound or a.bound
            continue
        units = dict.fromkeys(a.names, a.units)
        needs = m.group(0).lower() in a.unit_required
        bounds: dict[str, str | None] = dict.fromkeys(a.names, a.bound)
        found.append(Mention(m.start(), m.end(), list(a.names), a.bound, a.cells, a.percent, units, needs, bounds))
    return restated(clean, found)


# ------------------------------------------------------------------------------------------------- criteria


def _near(gap: str) -> bool:
    """Whether a threshold after ``gap`` still belongs to the analyte before it."""
    if RULES.clause_break.search(gap):
        return False
    return len(gap) <= NEAR or (len(gap) <= NEAR_BRACKETED and gap.lstrip().startswith(("(", "[")))


def _against(mention: Mention, direction: str) -> list[str]:
    """The analytes of a mention naming several whose usual direction a threshold's direction goes against
    ("creatinine or creatinine clearance <= 1.5 x ULN": creatinine clearance is bounded below), when some of its
    analytes agree with it (otherwise none: the threshold is the text's, not a pairing)."""
    if len(mention.analytes) < 2 or direction not in ("<", ">"):
        return []
    against = "lower" if direction == "<" else "upper"
    out = [a for a in mention.analytes if mention.bounds.get(a) == against]
    return out if len(out) < len(mention.analytes) else []


def _effective_op(ctx: ItemContext, mention: Mention, t: Threshold) -> Comparator | None:
    """The comparator a patient must meet: an exclusion's negated unless its clause (or lead-in) states the rule."""
    op = t.op
    if (
        op is not None
        and ctx.is_exclusion
        and not t.wnl
        and not states_allowed(mention, op)
        and not states_requirement(ctx.lower, mention.start, t.start)
        and not lead_in_requires(ctx)
    ):
        op = negate(op)
    elif op is not None and not ctx.is_exclusion and not t.wnl and ruled_out(ctx.lower, mention, op):
        op = negate(op)  # "must not have hypercalcemia (calcium > 12 mg/dL)"
    return op


def _lab(
    ctx: ItemContext,
    mention: Mention,
    t: Threshold,
    *,
    cond: str | None,
    span: tuple[int, int],
    seen: dict[str, str],
) -> list[Lab]:
    if owner := unit_owner(mention, t):  # a unit of another analyte of the family names it (and its direction)
        mention = owner_mention(mention, owner[0])
    if meant := meant_sign(ctx.lower, mention, t, ctx.is_exclusion):
        t = replace(t, op=meant)  # a lone "=" where the source lost a "<=" or ">="
    op = _effective_op(ctx, mention, t)
    fields: dict[str, Any] = {"op": op, "condition": cond}
    if t.uln is not None:
        fields["uln_multiple"] = t.uln
    elif not t.lln:
        fields["value"] = t.value
        fields["unit"] = t.unit
    out = []
    direction = op[0] if op else ""
    analytes = mention.analytes
    if len(analytes) > 1 and t.unit:
        fit = [a for a in analytes if not mention.units.get(a) or t.unit in mention.units[a]]
        analytes = fit or analytes
    # a ULN multiple or a unit not of its own does not go to an analyte bounded the other way
    against = [
        a
        for a in _against(mention, direction)
        if t.uln is not None or (t.unit and t.unit not in mention.units.get(a, ()))
    ]
    if against:
        analytes = [a for a in analytes if a not in against] or analytes
    for a in analytes:
        key = f"{a}|{direction}|{t.value}|{t.uln}|{cond}"
        unit = t.unit or ""
        if key in seen and (not unit or not seen[key] or seen[key] == unit):
            continue  # the same threshold restated (the same number in another unit is another test: "UPCR <= 1
            # mg/mg, or 24-hour urine protein <= 1 g/24h")
        seen[key] = unit
        # a later, opposite-direction threshold on the same analyte is a condition ("for subjects with ... > 1.5")
        if direction in "<>" and direction and seen.get(a, direction) != direction:
            continue
        if direction:
            seen.setdefault(a, direction)
        out.append(ctx.make(Lab, span[0], span[1], analyte=a, **fields))
    return out


def _lab_criteria(ctx: ItemContext) -> list[Lab]:
    hits = ctx.words & _analyte_words()
    if not hits:
        return []
    mentions = _mentions(ctx, hits)
    if not mentions:
        return []
    text = readable(ctx.lower)
    if "(" in text and not RULES.method_words.isdisjoint(ctx.words):
        # a method note after the name ("creatinine clearance (Cockcroft-Gault; if BMI > 30 use ideal body weight)
        # >= 60 mL/min"): its numbers are no threshold, the threshold follows it
        for mention in mentions:
            note = RULES.method_note.match(text, mention.end)
            if note is not None:
                mention.end = note.end()
        # the analytes a note names ("(GFR can be used in place of CrCl)") are no mentions of their own; those it
        # stands in for are the mention's too ("calculated(b) creatinine clearance (GFR can be used in place of
        # creatinine or CrCl) <= 1.5 x ULN OR >= 30 mL/min")
        kept = [mentions[0]]
        for m in mentions[1:]:
            if m.start >= kept[-1].end:
                kept.append(m)
                continue
            last = kept[-1]
            if RULES.stands_in_for.search(text, last.start, m.start):
                for a in m.analytes:
                    if a not in last.analytes:
                        last.analytes.append(a)
                        last.stand_ins.append(a)
                        last.units[a] = m.units.get(a, frozenset())
                        last.bounds[a] = m.bounds.get(a)
        mentions = kept
    # without a population word in the item only each mention's first threshold counts (the others can only give
    # criteria for a population)
    cond_words = tuple([w for w in RULES.condition_words if w in text])
    pops = names_population(text)  # a population the conditions do not list ("for those taking alpelisib")
    has_normal = "normal" in text  # once: a test per mention is quadratic on a long item
    out: list[Lab] = []
    seen: dict[str, str] = {}
    consumed_until = 0
    prev_end = 0
    skip_before = 0
    # the numbers of "<n>% blasts" belong to the name after them (_lab_percent.py), not to one before
    has_pct = RULES.percent_before_word in text and "%" in text
    pcts = list(RULES.percent_before.finditer(text)) if has_pct else []
    taken, named = {m.start("num") for m in pcts}, {m.end("name") for m in pcts}
    # "if serum creatinine is > 1.5 x ULN, creatinine clearance ...": that creatinine names the next one's population
    prior = prior_conditions(text, mentions) if "if " in text or "when " in text else {}
    for i, mention in enumerate(mentions):
        if (
            mention.start < skip_before
            or mention.analytes[0] in RULES.silent_analytes
            or mention.end in named
            or i + 1 in prior
        ):
            continue  # a silent analyte only ends the reach of the one before it; "<n>% blasts" is read there
        win_end = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        win_end = prior[i + 2][1] if i + 2 in prior else win_end  # up to the "if" of the next one's population
        lo = mentions[i - 1].end if i else 0
        ths = thresholds(text, mention, win_end, first_only=not (cond_words or pops))
        if taken and ths and ths[0].start in taken:
            prev_end = win_end
            continue
        ranged = False
        if not ths or not _near(text[mention.end : ths[0].start]):
            wnl = RULES.within_normal.match(text, mention.end, win_end)
            if (
                not wnl
                or RULES.number.search(text, mention.end, wnl.end())
                or (not ctx.is_exclusion and "outside" in wnl.group(0))
            ):
                nb = normal_before(ctx, text, lo, mention) if has_normal else None
                if nb is None:
                    prev_end = win_end
                    continue
                ths = [nb]
            else:
                up = mention.bound != "lower"  # both bounds: the upper one ("potassium within normal limits")
                ths = [
                    Threshold(
                        mention.end, wnl.end(), "<=" if up else None, None, None, 1.0 if up else None, False, True
                    )
                ]
                ths[0].wnl = True
        elif ranged := RULES.range_join.match(text, ths[0].end) is not None or outside(text, mention, ths[0], win_end):
            # a second bound right after the first ("PSA >= 0.1 and < 2.0 ng/mL"): a criterion of its own (read
            # already when a population word in the item has every threshold read)
            if len(ths) == 1:
                ths = thresholds(text, mention, win_end, first_only=False)[:2]
            if ths[0].unit is None and ths[0].uln is None and not ths[0].lln and len(ths) > 1:
                ths[0].unit, ths[0].uln = ths[1].unit, ths[0].value if ths[1].uln else None  # "> 1.5 to <= 3 x ULN"
                ths[0].value = None if ths[1].uln else ths[0].value
        primary = ths[0]
        if (
            len(ths) == 1
            and primary.op
            and ((len(mention.analytes) > 1 and primary.uln and _against(mention, primary.op[0])) or in_family(mention))
        ):
            # "creatinine or creatinine clearance <= 1.5 x ULN or >= 60 mL/min": the alternative's threshold too
            ths = thresholds(text, mention, win_end, first_only=False)[:2] or ths
        elif len(ths) == 1 and primary.unit is None and RULES.dipstick_after.match(text, primary.end):
            ths = thresholds(text, mention, win_end, first_only=False)[:2]  # a dipstick grade, then an amount?
        low: Threshold | None = None
        if not primary.explicit:
            low, primary = range_bounds(text, lo, win_end, mention, primary)
            if primary.op is None or ctx.is_exclusion:
                prev_end = win_end
                continue
        cond: str | None = prior[i][0] if i in prior else None
        also: list[tuple[str, int]] = []  # further populations joined to the one after the threshold
        if cond_words:
            # a population named just before the mention ("with bone marrow involvement: ANC >= 500")
            before = condition_in(ctx, text, max(prev_end, consumed_until), mention.start, cond_words, last=True)
            if before is not None and RULES.condition_gap.fullmatch(text, before[1], mention.start):
                cond = before[0]
                consumed_until = mention.start
            # or just after the threshold ("<= 5 x ULN for patients with liver metastases")
            nxt = ths[1].start if len(ths) > 1 else win_end
            restated = i + 1 < len(mentions) and not set(mentions[i + 1].analytes).isdisjoint(mention.analytes)
            if (
                cond is None
                and not restated
                and not any(t.explicit for t in ths[1:])
                and RULES.condition_cue.match(text, primary.end, nxt)
            ):
                after = condition_in(ctx, text, primary.end, min(nxt, primary.end + 90), cond_words)
                if after is not None and not text[after[1] : nxt].rstrip().endswith(":"):
                    cond = after[0]
                    also = further_conditions(text, after[1])
                    consumed_until = also[-1][1] if also else after[1]
        span_end, hi = primary.end, win_end
        lc = RULES.lab_condition.match(text, primary.end) if cond is None else None
        if lc is not None and (
            lab_condition_analyte(lc) not in mention.analytes or lab_condition_analyte(lc) in mention.stand_ins
        ):
            # another lab's value names the population ("... for participants with creatinine > 1.5 x ULN"); the
            # analyte named there is no mention of its own
            cond, span_end = lab_condition(lc), lc.end()
            skip_before = lc.end()
            hi = next((m.start for m in mentions[i + 1 :] if m.start >= span_end), len(text))
        elif cond is None and pops and (fp := free_population(text, primary.end, population_end(text, ths, win_end))):
            cond, span_end = fp
        first = prior[i][1] if i in prior else mention.start
        span = grammar.clause_span(ctx.clean, first, span_end, min(lo, first), hi)
        if low is not None:
            out.extend(_lab(ctx, mention, low, cond=cond, span=span, seen={}))
        out.extend(_lab(ctx, mention, primary, cond=cond, span=span, seen=seen))
        for name, _ in also:
            out.extend(_lab(ctx, mention, primary, cond=name, span=span, seen=seen))
        for j in range(1, len(ths)):
            t = ths[j]
            nxt = ths[j + 1].start if j + 1 < len(ths) else win_end
            implicit = not t.explicit
            if implicit:
                # a bare ULN multiple with its population after it takes the first threshold's comparator
                # ("ALT <= 3 x ULN (5 x ULN allowed if liver metastases)")
                if t.uln is None or primary.op is None or not RULES.condition_cue.match(text, t.end, nxt):
                    continue
                t.op = primary.op
            stop = RULES.sentence_break.search(ctx.clean, t.end, min(nxt, t.end + 80))
            found = None
            also = []
            if RULES.condition_cue.match(text, t.end, nxt):
                found = condition_in(ctx, text, t.end, stop.start() if stop else min(nxt, t.end + 80), cond_words)
                also = further_conditions(text, found[1]) if found is not None else []
            if found is None and pops and not conversion(text, ths[j - 1].end, t):
                found, also = free_population(text, t.end, nxt), []
            if found is None and implicit:
                continue
            if found is None:
                b_lo = max(ths[j - 1].end, consumed_until)
                for b in RULES.sentence_break.finditer(ctx.clean, b_lo, t.start):
                    b_lo = b.start() + 1
                found = condition_in(ctx, text, b_lo, t.start, cond_words)
                also = [c for c in further_conditions(text, found[1]) if c[1] <= t.start] if found is not None else []
            if found is None and ranged and j == 1:  # the range's second bound, for everyone
                out.extend(_lab(ctx, mention, t, cond=None, span=span, seen={}))
            if found is None and not ranged and j == 1:
                out.extend(_alternative(ctx, text, mention, primary, t, start=span[0], bounds=(lo, nxt), seen=seen))
                dip = RULES.dipstick_after.match(text, primary.end)
                if t.unit and dip and RULES.dipstick_join.fullmatch(text, dip.end(), t.start):
                    # a dipstick grade or an amount ("urine protein <= 2+ or <= 1000 mg/24 hours"): two tests
                    out.extend(_lab(ctx, mention, t, cond=None, span=span, seen=seen))
            if found is None:
                continue
            last_end = also[-1][1] if also else found[1]
            consumed_until = max(consumed_until, last_end)
            span = grammar.clause_span(ctx.clean, mention.start, max(t.end, last_end), lo, max(nxt, last_end))
            take_unit(primary, t)
            for name in [found[0], *(n for n, _ in also)]:
                out.extend(_lab(ctx, mention, t, cond=name, span=span, seen=seen))
        prev_end = ths[-1].end
    return out


def _alternative(
    ctx: ItemContext,
    text: str,
    mention: Mention,
    first: Threshold,
    t: Threshold,
    *,
    start: int,
    bounds: tuple[int, int],
    seen: dict[str, str],
) -> list[Lab]:
    """A second threshold joined by "or" to the first of a mention naming several analytes is the one of those the
    first went against ("creatinine or creatinine clearance <= 1.5 x ULN OR >= 60 mL/min for subjects with
    creatinine > 1.5 x ULN": creatinine clearance >= 60 mL/min), when its direction (and unit) fits them. ``text``: the
    item's lower-cased text with HTML entities read as signs."""
    first_op, op = _effective_op(ctx, mention, first), _effective_op(ctx, mention, t)
    if first_op is None or op is None or not RULES.alternative_join.fullmatch(text, first.end, t.start):
        return []
    against = _against(mention, first_op[0]) if first.uln is not None else []
    # "creatinine <= 1.5 x ULN or >= 60 mL/min": the family member the second unit names ("eGFR <= 1.5 x ULN or >= 50
    # mL/min": the first went to another member, the second is the mention's)
    against = against or unit_owner(mention, t) or (mention.analytes if unit_owner(mention, first) else [])
    if not against:
        return []
    fit = [a for a in against if not t.unit or not mention.units.get(a) or t.unit in mention.units[a]]
    if not fit or op[0] == first_op[0]:
        return []
    sub = Mention(mention.start, mention.end, fit, None, mention.cells, mention.percent, mention.units)
    cond, end = None, t.end
    lc = RULES.lab_condition.match(text, t.end)
    if lc is not None and lab_condition_analyte(lc) not in fit:
        cond, end = lab_condition(lc), lc.end()
    span = grammar.clause_span(ctx.clean, start, end, bounds[0], max(bounds[1], end))
    return _lab(ctx, sub, t, cond=cond, span=span, seen=seen)


def extract(ctx: ItemContext) -> list[Lab]:
    """The lab criteria of one item."""
    labs = _lab_criteria(ctx)
    if "gilbert" in ctx.lower:
        if labs:
            labs = gilbert_direct(ctx, labs)
        labs = gilbert_exception(ctx, labs, Lab)
    words = ctx.words

    def plain(m: Mention, t: Threshold, span: tuple[int, int]) -> list[Lab]:
        return _lab(ctx, m, t, cond=None, span=span, seen={})  # a lab read by a later pass: no population

    if RULES.minimum_analyte in words and not words.isdisjoint(RULES.minimum_words):
        labs = minimum_first(ctx, labs, Lab)
    if RULES.percent_before_word in ctx.lower and "%" in ctx.lower:
        labs = percent_first(ctx, labs, plain)
    if "+" in ctx.lower and "protein" in ctx.lower:
        labs = dipstick_first(ctx, readable(ctx.lower), labs, plain)
    if "collection" in words:
        labs = urine_collection(ctx, labs, plain)
    if not labs and not words.isdisjoint(RULES.organ_words) and not words.isdisjoint(RULES.organ_qualifiers):
        labs = organ_function(ctx, lambda s, e, analyte: ctx.make(Lab, s, e, analyte=analyte))
    if not labs and len(ctx.lower) <= RULES.bare_max and (hits := words & _analyte_words()):
        spoken = [m for m in _mentions(ctx, hits) if m.analytes[0] not in RULES.silent_analytes]
        labs = bare_item(ctx, spoken, Lab)
    if "uln" in words or "upper" in words:
        labs = uln_before(ctx, readable(ctx.lower), labs, _spoken(ctx), plain)
    if is_age_table(ctx):
        labs = age_table(ctx, labs, Lab)
    if ctx.prev is not None and RULES.anchor.search(ctx.lower) is not None:
        labs = carried(ctx, labs, _spoken, lambda m, t, cond, span: _lab(ctx, m, t, cond=cond, span=span, seen={}))
    if not words.isdisjoint(RULES.sex_words):
        labs = per_sex(ctx, labs)
    labs = hiv_population(ctx, labs) if "hiv" in ctx.words or "human" in ctx.words else labs
    return finish_clauses(ctx, labs, RULES.dangling_end) if labs else labs


def _spoken(ctx: ItemContext) -> list[Mention]:
    """The analyte mentions of an item that name a threshold's analyte (no silent ones)."""
    hits = ctx.words & _analyte_words()
    return [m for m in _mentions(ctx, hits) if m.analytes[0] not in RULES.silent_analytes] if hits else []


KIND = KindSpec(
    Lab,
    extract=extract,
    rule_file=Rules,
    core=True,
    compare={
        "value": Compare("quantity"),
        "condition": Compare("tokens"),
    },
    not_compared={
        "unit": "compared together with `value` as a quantity",
    },
)
