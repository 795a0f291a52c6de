"""Kind ``sex``: sex or gender required.

Reads only items that restrict who may enrol: a sex statement opening the item ("Female", "Men and women >= 18
years", "Patients must be female"), a sex right after the age phrase ("ages 18-70, female", found with
:func:`extractor.kinds.age.find_age`), or an "all sexes" phrase anywhere ("both men and women"). Items about
childbearing, contraception or pregnancy ("women of childbearing potential must ...") and lab limits by sex are
not sex criteria. A bare exclusion "Male patients" gives the other sex. Words: ``vocab/scales.yaml``; patterns:
``sex.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from pydantic import Field

from extractor.kinds._spec import KindSpec
from extractor.kinds.age import find_age
from extractor.models.criteria import CriterionBase
from extractor.rules.grammar import any_in, phrase_alt, sentence_bounds
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Scales

__all__ = ["KIND", "Rules", "Sex", "extract"]

SexValue = Literal["female", "male", "all"]


class Sex(CriterionBase):
    """Sex or gender required."""

    kind: Literal["sex"] = "sex"
    sex: SexValue = Field(description="female, male or all.")


def _vocab() -> Scales:
    vocab = vocabulary(Scales)
    return vocab


@cache
def _words() -> dict[str, Literal["female", "male"]]:
    """Sex word (lower case) -> the sex it names."""
    return {w.lower(): sex for sex, ws in _vocab().sex.items() for w in ws}


class Rules(RuleFile):
    """``sex.yaml``."""

    keys: tuple[str, ...]
    key_starts: tuple[str, ...]
    kill_keys: tuple[str, ...]
    not_sex: Pattern
    head: Pattern
    anywhere: Pattern
    after_age: Pattern
    exclusion_only: Pattern
    exclusion_all: Pattern

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        return {"sex_word": phrase_alt(_words()), "sex_all": phrase_alt(_vocab().sex_all)}


RULES = load_rules("sex", Rules)

_OPPOSITE: dict[str, SexValue] = {"female": "male", "male": "female"}


def _exclusion(ctx: ItemContext) -> list[Sex]:
    """An exclusion item that is only a sex ("Male patients"): the other sex; one that says every sex is eligible
    ("Both males and females are included"): all."""
    low = ctx.lower
    if RULES.exclusion_all.search(low) and not RULES.not_sex.search(low):
        a = RULES.anywhere.search(low)
        if a is not None:
            sb = sentence_bounds(ctx.clean, *a.span())
            return [ctx.make(Sex, sb[0], sb[1], sex="all")]
    m = RULES.exclusion_only.fullmatch(low)
    words = _words()
    if m and m.group(1) in words:
        s, e = m.span(1)
        return [ctx.make(Sex, sentence_bounds(ctx.clean, s, e)[0], None, sex=_OPPOSITE[words[m.group(1)]])]
    return []


def _not_sex(low: str, found: re.Match[str], end: int) -> bool:
    """Whether the sentence of a head sex statement is about childbearing or pregnancy; the words of an "all sexes"
    pair ("Male or non-pregnant female") are not read."""
    if not found.group("all"):
        return RULES.not_sex.search(low, 0, end) is not None
    s, e = found.span("all")
    return RULES.not_sex.search(low, 0, s) is not None or RULES.not_sex.search(low, e, end) is not None


def extract(ctx: ItemContext) -> list[Sex]:
    """The sex criterion of one item (at most one)."""
    low = ctx.lower
    if not low.startswith(RULES.key_starts) and not any_in(RULES.keys, low):
        return []
    if any_in(RULES.kill_keys, low):
        return []
    if ctx.is_exclusion:
        return _exclusion(ctx)
    found: re.Match[str] | None = None
    _age, age_end = find_age(ctx)
    if age_end is not None:
        found = RULES.after_age.match(low, age_end)
    if found is None:
        found = RULES.head.match(low)
        if found is not None and _not_sex(low, found, sentence_bounds(ctx.clean, 0, found.end())[1]):
            found = None
    if found is None and not RULES.not_sex.search(low):
        found = RULES.anywhere.search(low)
        if found is not None:
            sb = sentence_bounds(ctx.clean, *found.span())
            return [ctx.make(Sex, sb[0], sb[1], sex="all")]
    if found is None:
        return []
    sex: SexValue
    if found.group("all"):
        sex = "all"
        s, e = found.span("all")
    else:
        sex = _words().get(found.group("one"), "all")
        s, e = found.span("one")
    sb = sentence_bounds(ctx.clean, s, e)
    return [ctx.make(Sex, sb[0], sb[1], sex=sex)]


KIND = KindSpec(Sex, extract=extract, rule_file=Rules, core=False)
