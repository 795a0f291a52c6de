"""Thresholds of the ``lab`` kind: after an analyte mention, a comparator (or none), a number with its unit or a
ULN multiple, and a trailing "or more" (``lab.yaml``: ``anchor``, ``value``, ``limit_at`` and the comparator words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from extractor.kinds._lab_rules import RULES, unit_pieces, units
from extractor.models.criteria import Comparator
from extractor.rules.grammar import any_in, op_of, parse_number
from extractor.vocab import load_model
from extractor.vocab.schemas import Comparators

__all__ = ["NEAR", "NEAR_BRACKETED", "Mention", "Threshold", "comparator_before", "thresholds"]


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    analytes: list[str]
    bound: str | None
    cells: bool
    percent: bool
    units: dict[str, frozenset[str]]
    unit_required: bool = False
    bounds: dict[str, str | None] = field(default_factory=dict)  # each analyte's usual direction (lower / upper)
    stand_ins: list[str] = field(default_factory=list)  # analytes a note says it stands in for (not named by it)


@dataclass(slots=True)
class Threshold:
    start: int
    end: int
    op: Comparator | None
    value: float | None
    unit: str | None
    uln: float | None
    lln: bool
    explicit: bool  # a comparator was written
    wnl: bool = False  # "within normal limits": not negated in an exclusion


def comparator_before(text: str, start: int, anchor: int) -> Comparator | None:
    """The comparator written just before ``anchor`` (signs or words), if any (for the kind's helper modules)."""
    return _cmp_before(text, start, anchor)


@cache
def _comparator_words() -> tuple[dict[str, Comparator], int]:
    """Word comparators read before a number (the shared table and ``comparators_before``; the first listed wins),
    and the longest one's length."""
    table = load_model("comparators")
    assert isinstance(table, Comparators)
    pairs: list[tuple[str, Comparator]] = [
        (phrase.lower(), op)
        for op, phrases in table.root.items()
        for phrase in phrases
        if phrase[0].isalpha() and phrase != "of"
    ]
    pairs += [(phrase, op) for op, phrases in RULES.comparators_before.items() for phrase in phrases]
    words = dict(reversed(pairs))  # the first listed wins
    return words, max(map(len, words))


@cache
def _sign_chars() -> str:
    """The characters of the shared table's comparator signs ("<", "≥", "=", "/" of ">/=", ...)."""
    table = load_model("comparators")
    assert isinstance(table, Comparators)
    return "".join(sorted({c for phrases in table.root.values() for p in phrases if not p[0].isalpha() for c in p}))


def _post_op(post: str) -> Comparator | None:
    """The comparator a phrase after the number states ("or more", "and higher")."""
    phrase = " ".join(post.split())
    return op_of(phrase) or next((op for op, ps in RULES.comparators_after.items() if phrase in ps), None)


def _cmp_before(text: str, start: int, anchor: int) -> Comparator | None:
    """The comparator written just before ``anchor`` (signs or words), if any."""
    words = text[max(start, anchor - 50) : anchor].replace("(", " ( ").replace(")", " ) ").split()
    if len(words) >= 2 and " ".join(words[-2:]) in RULES.filler_phrases:  # "up to 3.0": its "to" is no filler
        return RULES.filler_phrases[" ".join(words[-2:])]
    keep_to = len(words)
    while keep_to and words[keep_to - 1] in RULES.filler:
        keep_to -= 1
    tail = RULES.or_equal.sub("", " ".join(words[:keep_to]))
    if not tail:
        return None
    if tail[-1] in _sign_chars():
        key = tail[len(tail.rstrip(_sign_chars() + " ")) :].replace(" ", "").replace("/", "")
        return op_of(key[-2:]) or op_of(key[-1:])
    # the longest comparator phrase ending the tail at a word start
    phrases, longest = _comparator_words()
    space = len(tail) - longest - 1
    if space < 0:
        if tail in phrases:
            return phrases[tail]
        space = 0
    space = tail.find(" ", space)
    while space >= 0:
        op = phrases.get(tail[space + 1 :])
        if op is not None:
            return op
        space = tail.find(" ", space + 1)
    return None


@cache
def _unit_groups() -> tuple[tuple[tuple[int, str], ...], tuple[tuple[int, str], ...]]:
    """The ``value`` pattern's count-unit groups and other-unit groups: (index in ``Match.groups()``, unit), in
    pattern order."""
    index = RULES.value.groupindex
    names = [(index[k] - 1, k[0], unit) for k, unit in unit_pieces()[1].items() if k in index]
    counts = tuple(sorted((i, unit) for i, kind, unit in names if kind == "d"))
    others = tuple(sorted((i, unit) for i, kind, unit in names if kind == "u"))
    return counts, others


def _unit(m: re.Match[str], cells: bool) -> str | None:
    if not m.group("unit"):
        return None
    exp = m.group("exp") or m.group("exp2")
    if exp:
        sup = units().superscripts
        exp = "".join(sup.get(c, c) for c in exp)
    groups = m.groups()
    counts, others = _unit_groups()
    denom = next((unit for i, unit in counts if groups[i]), None)
    if denom is not None:
        return f"x10^{exp}/{denom}" if exp else f"/{denom}"
    if m.group("mult_only"):
        return f"x10^{exp}/L" if exp in ("9", "12") else f"x10^{exp}"
    unit = next((unit for i, unit in others if groups[i]), None)
    if unit == "g/L" and cells:
        return "x10^9/L"  # "G/L" of a cell count
    return unit


#: How far after an analyte its threshold may start (characters), and when what lies between opens a bracket.
NEAR, NEAR_BRACKETED = 70, 130  # characters after a mention where its threshold may stand (plain / in brackets)
_FORMULA_BEFORE = 4  # characters before a number read for a formula's operator


def _usable(t: Threshold, mention: Mention) -> bool:
    """Whether a threshold can be the mention's: a comparator, unit or ULN multiple; a percent only for an analyte
    read in percent; a plain number >= 1000 at least for an abbreviation that needs a unit."""
    return (
        bool(t.explicit or t.unit or t.uln is not None)
        and (t.unit != "%" or mention.percent)
        # an analyte read in percent only ("blasts"): a count or ULN multiple after it is another thing's
        and not (RULES.percent_only.issuperset(mention.analytes) and (t.uln is not None or (t.unit or "%") != "%"))
        and (not mention.unit_required or bool(t.unit) or t.uln is not None or (t.value or 0) >= 1000)
    )


@lru_cache(maxsize=1)
def _has_formula(text: str) -> bool:
    """The item writes a formula out (read once per item, not once per mention)."""
    return any_in(RULES.formula_words, text)


def thresholds(text: str, mention: Mention, end: int, *, first_only: bool) -> list[Threshold]:
    """The usable thresholds in ``text[mention.end:end]``: a comparator (or none), a number with its unit, or a
    limit. With ``first_only``, the first only, and none when it starts too far to be near the mention."""
    out: list[Threshold] = []
    pos = mention.end
    formula = _has_formula(text)
    for a in RULES.anchor.finditer(text, mention.end, end):
        at = a.start()
        if at < pos:
            continue
        if first_only and at - mention.end > NEAR_BRACKETED:
            break  # not near (see _near)
        if not text[at].isdigit() and text[at] not in ".,":
            u = RULES.limit_at.match(text, at)
            if u is None:
                continue
            op = _cmp_before(text, pos, at)
            if op is None:
                continue
            pos = u.end()
            lln = u.group("lln") is not None
            t = Threshold(at, u.end(), op, None, None, None if lln else 1.0, lln, True)
        else:
            m = RULES.value.match(text, at, end)
            if m is None or RULES.grade_before.search(text, max(0, at - 14), at):
                continue
            lo, pos = pos, m.end()
            num = m.group("num")
            if not m.group("unit") and (
                RULES.time_after.match(text, m.end("num")) or RULES.range_after.match(text, m.end("num"))
            ):
                continue
            if (
                formula
                and not m.group("unit")
                and not m.group("uln")
                and (
                    RULES.formula_after.match(text, m.end("num"))
                    or RULES.formula_before.search(text, max(0, at - _FORMULA_BEFORE), at)
                )
            ):
                continue  # a term of a formula ("= (140 - age) x weight ... x 0.85"), no threshold
            value = parse_number(num)
            if value is None:
                continue
            op = _cmp_before(text, lo, at)
            post = m.group("post")
            if post:
                op = _post_op(post) or op
            shared = None if m.group("uln") or m.group("unit") else RULES.shared_uln.match(text, m.end("num"))
            if m.group("uln") or shared:
                stop = max(m.end(), shared.end()) if shared else m.end()
                t = Threshold(at, stop, op, None, None, value, False, op is not None)
            else:
                unit = _unit(m, mention.cells)
                if unit in RULES.dot_thousands_units and RULES.dot_thousands.fullmatch(num.strip()):
                    value = float(num.replace(".", ""))  # "100.000/mm3": a European thousands separator
                t = Threshold(at, m.end(), op, value, unit, None, False, op is not None)
        if _usable(t, mention):
            out.append(t)
            if first_only:
                break
    return out
