"""Kind ``stage``: disease stage / extent.

Reads ``stage.yaml``: stages named ("stage IIIB-IV" -> [IIIB, IV]; a range listed whole: "IB-III" -> [IB, II,
III]; arabic numerals as roman), TNM tokens in a staging context ("cT4a-d, N0-N2" -> T4a..T4d, N0, N1, N2),
metastatic, locally advanced (unresectable, inoperable, not amenable to curative surgery) and recurrent disease,
each False when negated (the context pass with the kind's own cues only: "no evidence of recurrent or metastatic
disease") or named in an exclusion (which lists no stages: the field holds the stages a patient may have).
Without a diagnosis in the item (the diagnosis kind's reading) an extent word counts only when tied to a disease
noun and not in a therapy setting ("prior chemotherapy for metastatic disease"); a stage list after a therapy word
is a setting too; an item about another malignancy gives no stage. An extent word naming the disease a therapy was
given for, or one an exclusion permits, is skipped (``_stage_reference``); another
non-cancer system's stage is none; an inclusion about a tumour sample to provide names the sample's source, no stage.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.kinds._stage_reference import first_stated, referenced
from extractor.kinds.diagnosis import prior_malignancy, read_diagnosis, therapy_before
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import any_in, sentence_spans
from extractor.rules.prefilter import Prefiltered
from extractor.rules.ruledata import Pattern, RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["KIND", "Rules", "Stage", "extract"]


class Stage(CriterionBase):
    """Disease stage / extent."""

    kind: Literal["stage"] = "stage"
    stages: list[str] = Field(default_factory=list, description="Stages named, e.g. ['IIIB', 'IV'].")
    metastatic: bool | None = Field(default=None, description="True when metastatic disease is named.")
    locally_advanced: bool | None = Field(
        default=None, description="True when locally advanced / unresectable / inoperable disease is named."
    )
    recurrent: bool | None = Field(default=None, description="True when recurrent disease is named.")


class Rules(RuleFile):
    """``stage.yaml``."""

    stages: Pattern
    stage_range: Pattern
    open_range: Pattern
    stage_gate: tuple[str, ...]
    stage_token: Pattern
    list_aside: Pattern
    tnm: Pattern
    tnm_context: Pattern
    stage_tnm_paren: Pattern
    tnm_range_not_after: Pattern
    tnm_gate: tuple[str, ...]
    tnm_any: Pattern
    aside: Pattern
    arabic: dict[str, str]
    letter_stages: Pattern
    letter_systems: dict[str, str]
    metastatic: Pattern
    metastatic_gate: tuple[str, ...]
    metastatic_stage: Pattern
    stage_disease: Pattern
    count_before: Pattern
    one_lesion_before: Pattern
    non_metastatic: Pattern
    sentence_gate: Pattern
    exclusion_site_before: Pattern
    either_before: Pattern
    locally_advanced: Pattern
    locally_advanced_gate: tuple[str, ...]
    recurrent: Pattern
    recurrent_gate: tuple[str, ...]
    malignancy_gate: tuple[str, ...]
    sample_gate: tuple[str, ...]
    sample_item: Pattern
    extent_near: Pattern
    extent_abbrev: Pattern
    negated_open: Pattern
    absence_stages: frozenset[str]
    extent_start: Pattern
    extent_defined: Pattern
    negation_words: frozenset[str]
    rule_negated_before: Pattern
    reference_gate: tuple[str, ...]
    reference_before: Pattern
    permitted_after: Pattern


RULES = load_rules("stage", Rules)

_RULE_BEFORE = 60  # characters before a negated extent word read for a rule verb's "not have"
_THERAPY_BEFORE = 50  # characters before a stage list / extent word read for a therapy word
_NEAR_BEFORE = 60  # characters before the first extent word from which a disease noun is looked for
_EXTENT_NEAR = Prefiltered(RULES.extent_near)


_STAGE_EARLY = 40  # an exclusion's stage list starting within this many characters excludes that stage
_MIN_SENTENCE = 30  # a shorter sentence is read with its neighbour
_COUNT_BEFORE = 40  # characters before a metastatic word read for a lesion count
_TNM_AROUND = 20  # characters after / before a TNM token read for "disease" / "metastatic ("
_ROMAN = ("0", "I", "II", "III", "IV")
_LETTERS = "ABCD"


def _split(t: str) -> tuple[int, str] | None:
    """A roman stage as (main stage, letter): "IIIB" -> (3, "B")."""
    main = t if t == "0" else t.rstrip(_LETTERS + "0123456789")
    letter = t[len(main) : len(main) + 1]
    return (_ROMAN.index(main), letter) if main in _ROMAN else None


def _expand(a: str, b: str) -> list[str]:
    """The stages between two endpoints of a range, the second included: the main stages, and the lettered ones of
    the last main stage up to its letter ("IB"-"III" -> II, III; "I"-"IVB" -> II, III, IVA, IVB)."""
    sa, sb = _split(a), _split(b)
    if sa is None or sb is None or sb[0] < sa[0]:
        return [b]
    (ma, la), (mb, lb) = sa, sb
    out = [_ROMAN[n] for n in range(ma + 1, mb)]
    if lb:
        first = _LETTERS.index(la) + 1 if ma == mb and la else 0
        out += [_ROMAN[mb] + c for c in _LETTERS[first : _LETTERS.index(lb) + 1]]
    elif mb > ma:
        out.append(_ROMAN[mb])
    return out or [b]


def _in_aside(clean: str, pos: int) -> bool:
    """``pos`` sits in a parenthetical that explains something else: one naming a therapy or giving examples before
    it ("definitive radiotherapy (including SBRT for early-stage T1-2 N0 M0 disease)" names no required stage)."""
    opener = clean.rfind("(", 0, pos)
    return opener > clean.rfind(")", 0, pos) and bool(RULES.aside.search(clean, opener, pos))


def _stages(clean: str) -> tuple[list[str], int | None]:
    """The stages named (in order, once each; a range listed whole) and where the first stage list starts."""
    out: list[str] = []
    first = None
    for m in RULES.stages.finditer(clean):
        if "(" in clean and _in_aside(clean, m.start()):
            continue
        lst = m.group("list")
        if "(" in lst:
            lst = RULES.list_aside.sub(" ", lst)
        prev: str | None = None
        prev_end = 0
        for tm in RULES.stage_token.finditer(lst):
            t = tm.group().upper()
            if t[0].isdigit():
                t = RULES.arabic.get(t[0], t[0]) + t[1:]
            if t.startswith("X"):
                continue
            if t in _LETTERS and prev is not None:  # "IIIB/C": the letter shares the stage before it
                t = prev.rstrip(_LETTERS + "0123456789") + t
            rng = prev is not None and RULES.stage_range.match(lst[prev_end : tm.start()]) is not None
            for x in _expand(prev, t) if prev is not None and rng else [t]:
                if x not in out:
                    out.append(x)
            prev, prev_end = t, tm.end()
        if prev is not None and RULES.open_range.match(clean, m.end()):  # "stage IIB or higher"
            out += [x for x in _expand(prev, "IV") if x not in out]
        if first is None:
            first = m.start()
    return out, first


def _letter_stages(clean: str) -> list[str]:
    """The stages of a lettered system named with it ("BCLC stage B or C" -> BCLC B, BCLC C; a range listed whole)."""
    out: list[str] = []
    for m in RULES.letter_stages.finditer(clean):
        system = RULES.letter_systems[m.group("sys").split()[0].lower()]
        lst = m.group("list").upper()
        letters = [c for c in lst if c in "0" + _LETTERS]
        if len(letters) == 2 and RULES.stage_range.match(lst[1:-1]) and all(c in _LETTERS for c in letters):
            letters = list(_LETTERS[_LETTERS.index(letters[0]) : _LETTERS.index(letters[1]) + 1])
        for c in letters:
            t = f"{system} {c}"
            if t not in out:
                out.append(t)
    return out


def _tnm_tokens(m: re.Match[str]) -> list[str]:
    """The TNM tokens one match names: "T4a-d" -> T4a, T4b, T4c, T4d; "N0-2" -> N0, N1, N2; "T2-T3b" -> T2, T3a,
    T3b."""
    cat, num, sub, num2, sub2 = m.group("cat", "num", "sub", "num2", "sub2")
    num = num.lower() if num in ("X", "x") else num
    first = cat + num + (sub or "")
    if num2 is None and sub2 is None:
        return [first]
    if not num.isdigit():
        return [first] + ([cat + num2 + (sub2 or "")] if num2 else [])
    lo = int(num)
    hi = int(num2) if num2 is not None else lo
    if hi < lo:
        return [first]
    out = [first]
    if hi == lo:
        if sub and sub2:
            out += [cat + num + c for c in "abcd"[ord(sub) - ord("a") + 1 : ord(sub2) - ord("a") + 1]]
        return out
    out += [cat + str(n) for n in range(lo + 1, hi)]
    if sub2:
        out += [cat + str(hi) + c for c in "abcd"[: ord(sub2) - ord("a") + 1]]
    else:
        out.append(cat + str(hi))
    return out


def _tnm(clean: str) -> list[str]:
    """The TNM tokens of the item, read only in a staging context (see ``tnm`` in stage.yaml)."""
    found = list(RULES.tnm.finditer(clean))
    if found and "(" in clean:
        found = [m for m in found if not _in_aside(clean, m.start())]
    if not found:
        return []
    cats = {m.group("cat") for m in found}
    if "ny" in clean:  # "T any", "any N": the category is named, with no token
        cats |= {a.group("cat") or a.group("cat2") for a in RULES.tnm_any.finditer(clean)}
    if (
        len(cats) < 2
        and not ("(" in clean and RULES.stage_tnm_paren.search(clean))
        and not any(
            m.group("pre")
            or (m.group("num2") is not None and not RULES.tnm_range_not_after.match(clean, m.end()))
            or RULES.tnm_context.search(clean[m.end() : m.end() + _TNM_AROUND])
            or RULES.tnm_context.search(clean[max(0, m.start() - _TNM_AROUND) : m.start()])
            for m in found
        )
    ):
        return []
    out: list[str] = []
    for m in found:
        for t in _tnm_tokens(m):
            if t not in out:
                out.append(t)
    return out


def _metastatic(lower: str, exclusion: bool, lo: int, hi: int) -> re.Match[str] | None:
    """The first metastatic-disease word that is not counted ("up to 5 synchronous metastases", "more than three
    sites of metastatic disease" state a burden, not the stage) nor, in an exclusion, tied to one site or a
    complication ("CNS metastatic disease", "cord compression from metastatic disease" exclude no stage), nor
    allowed either way ("with or without liver metastases")."""
    for m in RULES.metastatic.finditer(lower, lo, hi):
        back = max(0, m.start() - _COUNT_BEFORE)
        if m.group("lesion") is not None:
            if not exclusion and RULES.one_lesion_before.search(lower, back, m.start()):
                return m  # "at least 1 metastatic lesion": the disease is metastatic
            continue
        if RULES.count_before.search(lower, back, m.start()):
            continue
        if exclusion and RULES.exclusion_site_before.search(lower, back, m.start()):
            continue
        if "without" in lower and RULES.either_before.search(lower, back, m.start()):
            continue  # "with or without liver metastases": either
        if referenced(RULES, lower, m.start(), m.end(), exclusion):
            continue
        return m
    return None


StageFields = tuple[list[str], bool | None, bool | None, bool | None]


def _read(ctx: ItemContext, lo: int, hi: int) -> StageFields | None:
    """The stage fields ``clean[lo:hi]`` states (stages, metastatic, locally advanced, recurrent), or None."""
    lower = ctx.lower
    whole = lo == 0 and hi == len(lower)
    seg = lower if whole else lower[lo:hi]
    stages, at = _stages(ctx.clean if whole else ctx.clean[lo:hi]) if any_in(RULES.stage_gate, seg) else ([], None)
    if at is not None:
        at += lo
    if any_in(RULES.letter_systems, seg):
        lettered = _letter_stages(ctx.clean if whole else ctx.clean[lo:hi])
        if lettered:  # "BCLC stage 0 or A": the system's 0, not a stage 0 of its own
            stages = [t for t in stages if not any(x.endswith(" " + t) for x in lettered)] + lettered
    if any_in(RULES.tnm_gate, seg):
        stages += [t for t in _tnm(ctx.clean if whole else ctx.clean[lo:hi]) if t not in stages]
    met_gate = any_in(RULES.metastatic_gate, seg)
    met = _metastatic(lower, ctx.is_exclusion, lo, hi) if met_gate else None
    excl = ctx.is_exclusion
    non_met = (
        first_stated(RULES, RULES.non_metastatic, lower, lo, hi, exclusion=excl) if met_gate and met is None else None
    )
    loc = (
        first_stated(RULES, RULES.locally_advanced, lower, lo, hi, exclusion=excl)
        if any_in(RULES.locally_advanced_gate, seg)
        else None
    )
    rec = (
        first_stated(RULES, RULES.recurrent, lower, lo, hi, exclusion=excl)
        if any_in(RULES.recurrent_gate, seg)
        else None
    )
    if stages and at is not None and referenced(RULES, lower, at, at, False):
        stages = []  # "no prior chemotherapy for stage IV NSCLC": a therapy setting
    if stages and not ctx.is_exclusion and RULES.negated_open.match(lower, lo):
        stages = [t for t in stages if t in RULES.absence_stages]  # "Participants must not have T4/N+": excluded
    if not (stages or met or loc or rec or non_met):
        return None
    if not ctx.is_exclusion and any_in(RULES.sample_gate, seg) and RULES.sample_item.match(lower, lo):
        return None  # "Availability of archival tumour sample ... biopsy of a metastatic lesion": the sample's source
    dx = read_diagnosis(ctx)
    if not dx.names or (not whole and not any(lo <= a < hi for a, _ in dx.where.values())):
        if any_in(RULES.malignancy_gate, lower) and prior_malignancy(lower):
            return None
        if stages and at is not None and therapy_before(lower, max(0, at - _THERAPY_BEFORE), at):
            stages = []  # "systemic therapy for Stage I-III disease": a therapy setting
            if not (met or loc or rec):
                return None
        if not stages:
            first = min(m.start() for m in (met, loc, rec, non_met) if m is not None)
            tied = met is not None and met.group("lesion") is not None  # "at least 1 metastatic lesion"
            d = RULES.extent_defined.search(lower, lo, hi) if "advanced" in seg else None
            defined = d is not None and not therapy_before(lower, max(0, d.start() - _THERAPY_BEFORE), d.start())
            if not (
                tied
                or defined
                or RULES.extent_start.match(seg)
                or _EXTENT_NEAR.search(lower, max(lo, first - _NEAR_BEFORE))
                or RULES.extent_abbrev.search(ctx.clean, max(lo, first - _NEAR_BEFORE), hi)
            ):
                return None
            if not defined and any(a.end <= first for a in (dx.agents or find_agents(lower[:first]))):
                return None
            if not defined and therapy_before(lower, max(0, first - _THERAPY_BEFORE), first):
                return None

    negation = not RULES.negation_words.isdisjoint(ctx.words)  # else no negation cue: skip the context pass

    def flag(m: re.Match[str] | None) -> bool | None:
        if m is None:
            return None
        named = not (negation and ctx.context.has("negated", m.start(), m.end(), kind="stage"))
        if (
            not named
            and ctx.is_exclusion
            and RULES.rule_negated_before.search(lower, max(0, m.start() - _RULE_BEFORE), m.start())
        ):
            return False  # exclusion "Patients must not have metastatic prostate cancer" states the rule itself
        return not named if ctx.is_exclusion else named  # an exclusion states the opposite: metastatic False

    metastatic = flag(met)
    if non_met is not None:  # "non-metastatic (M0) breast cancer": metastatic named as absent
        metastatic = ctx.is_exclusion
    if ctx.is_exclusion:
        staged = (  # exclusion "Stage IV colorectal cancer", "FIGO stage IV disease": no metastatic disease
            metastatic is None
            and at is not None
            and at - lo <= _STAGE_EARLY  # about the stage (not "... with stage III-IVB disease are eligible")
            and any(RULES.metastatic_stage.match(t) for t in stages)
            and bool(dx.names or RULES.stage_disease.search(lower, lo, hi))  # not "COPD (GOLD stage III or IV)"
        )
        if staged:
            metastatic = False
        stages = []  # the stages an exclusion names cannot be listed as the rule (the field holds allowed stages)
        if not (met or loc or rec or staged):
            return None
    return stages, metastatic, flag(loc), flag(rec)


def extract(ctx: ItemContext) -> list[Stage]:
    """The item's stage criteria: one, or one per sentence when several sentences state a stage ("... unresectable
    or metastatic breast carcinoma. Patients must have stage IV disease at diagnosis ...")."""
    whole = _read(ctx, 0, len(ctx.lower))
    if whole is None:
        return []
    if RULES.sentence_gate.search(ctx.clean):
        parts: list[tuple[int, int, StageFields]] = []
        for s, e in _sentences(ctx.clean):
            r = _read(ctx, s, e)
            if r is not None and not any(_within(r, p[2]) for p in parts):  # a repeated reading adds nothing
                parts.append((s, e, r))
        if len(parts) > 1:
            return [_make(ctx, r, s, e) for s, e, r in parts]
    return [_make(ctx, whole)]


def _within(r: StageFields, other: StageFields) -> bool:
    """Every field ``r`` sets ``other`` sets alike (its stages among the other's)."""
    return set(r[0]) <= set(other[0]) and all(a is None or a == b for a, b in zip(r[1:], other[1:], strict=True))


def _sentences(clean: str) -> list[tuple[int, int]]:
    """The item's sentences as the one splitter reads them, those after a semicolon (a list's entries) or shorter
    than ``_MIN_SENTENCE`` ("pT4, Any Gr. N0, M0") joined to the one before."""
    out: list[tuple[int, int]] = []
    for s, e in sentence_spans(clean):
        if out and (";" in clean[out[-1][1] : s] or e - s < _MIN_SENTENCE or out[-1][1] - out[-1][0] < _MIN_SENTENCE):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _make(ctx: ItemContext, r: StageFields, start: int | None = None, end: int | None = None) -> Stage:
    stages, metastatic, loc, rec = r
    return ctx.make(Stage, start, end, stages=stages, metastatic=metastatic, locally_advanced=loc, recurrent=rec)


KIND = KindSpec(Stage, extract=extract, rule_file=Rules, core=False)
