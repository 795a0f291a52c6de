"""The ``lab`` kind's rule file: ``lab.yaml`` validated (:class:`Rules`), with the unit pieces of its patterns
from ``vocab/units.yaml``."""

from __future__ import annotations

import re
from functools import cache

from pydantic import model_validator

from extractor.models.criteria import Comparator
from extractor.rules.prefilter import required_literals
from extractor.rules.ruledata import Pattern, RuleFile, load_rules
from extractor.vocab import load_model
from extractor.vocab.schemas import Analyte, Analytes, Units

__all__ = ["RULES", "Rules", "unit_pieces", "units"]


def units() -> Units:
    units = load_model("units")
    assert isinstance(units, Units)
    return units


def _alternation(table: dict[str, list[str]], prefix: str) -> tuple[str, dict[str, str]]:
    """One named group per canonical unit (``d0``, ``d1``, ... / ``u0``, ...) and the group -> unit map."""
    alts, names = [], {}
    for i, (canon, spellings) in enumerate(table.items()):
        names[f"{prefix}{i}"] = canon
        alts.append(f"(?P<{prefix}{i}>" + "|".join(spellings) + ")")
    return "(?:" + "|".join(alts) + ")", names


@cache
def unit_pieces() -> tuple[dict[str, str], dict[str, str]]:
    """The ``value`` pattern's unit pieces from ``vocab/units.yaml``, and the unit of each named group."""
    table = units()
    counts, count_names = _alternation(table.counts, "d")
    others, other_names = _alternation(table.units, "u")
    sup = "|".join(re.escape(s) for s in table.superscripts)
    pieces = {"count_units": counts, "units": others, "superscripts": sup}
    return pieces, {**count_names, **other_names}


class Rules(RuleFile):
    """``lab.yaml``: how mentions, thresholds, populations and organ-function phrases are written."""

    analytes: dict[str, Analyte]
    silent_analytes: frozenset[str]
    percent_only: frozenset[str]
    percent_before: Pattern
    percent_before_analyte: str
    percent_before_word: str
    percent_clause_break: Pattern
    percent_reach: int
    urine_collection: Pattern
    urine_collection_analyte: str
    connector: Pattern
    restated_name: Pattern
    restated_analyte: str
    not_analyte_after: Pattern
    not_analyte_before: Pattern
    unit_ahead: Pattern
    anchor: Pattern
    limit_at: Pattern
    value: Pattern
    grade_before: Pattern
    range_after: Pattern
    time_after: Pattern
    filler: frozenset[str]
    filler_phrases: dict[str, Comparator]
    method_words: frozenset[str]
    method_note: Pattern
    stands_in_for: Pattern
    formula_words: tuple[str, ...]
    formula_after: Pattern
    formula_before: Pattern
    comparators_before: dict[Comparator, list[str]]
    comparators_after: dict[Comparator, list[str]]
    dot_thousands_units: frozenset[str]
    dot_thousands: Pattern
    clause_break: Pattern
    range_join: Pattern
    outside_join: Pattern
    alternative_join: Pattern
    dipstick_after: Pattern
    dipstick_join: Pattern
    or_equal: Pattern
    sentence_break: Pattern
    direct_bilirubin: str
    gilbert_before: Pattern
    gilbert_reach: int
    gilbert_condition: str
    gilbert_analytes: tuple[str, ...]
    gilbert_exception_reach: int
    gilbert_restated_reach: int
    gilbert_bilirubin: Pattern
    gilbert_direct: Pattern
    gilbert_exception_cue: Pattern
    gilbert_exception_not: Pattern
    minimum_words: tuple[str, ...]
    minimum_analyte: str
    minimum_unit: str
    minimum_value: Pattern
    age_table_cue: Pattern
    age_table_band: Pattern
    age_table_value: Pattern
    age_table_max: float
    uln_before: Pattern
    uln_before_reach: int
    uln_before_tail: Pattern
    own_limit_after: Pattern
    unitless_ratio: tuple[float, float]
    negated_inclusion: Pattern
    hiv_analytes: frozenset[str]
    hiv_population: Pattern
    hiv_condition: str
    sex_pair: Pattern
    sex_female: Pattern
    sex_words: frozenset[str]
    age_table_unit: str
    html_entity: Pattern
    html_entities: dict[str, str]
    wide_signs: dict[str, str]
    shared_uln: Pattern
    word_multiple: Pattern
    word_multiple_numbers: dict[str, int]
    x_before_multiple: Pattern
    dipstick_before: Pattern
    dipstick_analyte: str
    dipstick_tail: Pattern
    dipstick_clause_end: Pattern
    dipstick_population: Pattern
    number: Pattern
    within_normal: Pattern
    normal_before: Pattern
    bare_max: int
    bare_rest: Pattern
    lead_within_normal: Pattern
    conditions: dict[str, list[Pattern]]
    condition_words: tuple[str, ...]
    lab_condition: Pattern
    prior_condition_cue: Pattern
    prior_condition_gap: Pattern
    condition_analytes: dict[str, str]
    condition_cue: Pattern
    condition_also: Pattern
    condition_gap: Pattern
    condition_negation_reach: int
    condition_negation_gap: Pattern
    free_population: Pattern
    requirement: Pattern
    unless: Pattern
    lead_in_not_required: Pattern
    plain_in_exclusion: frozenset[str]
    lost_sign: Pattern
    lost_sign_analytes: frozenset[str]
    range_low: Pattern
    range_low_not: Pattern
    between_before: Pattern
    between_join: Pattern
    between_low: Pattern
    organ_words: frozenset[str]
    organ_qualifiers: frozenset[str]
    organ: Pattern
    organ_reach: int
    organ_kinds: dict[str, Pattern]
    unit_families: tuple[dict[str, str], ...]
    dangling_end: Pattern

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """``{{count_units}}``, ``{{units}}``, ``{{superscripts}}`` from ``vocab/units.yaml`` (its spellings are not
        verbose regexes: they keep their spaces in a ``(?x)`` pattern)."""
        return {name: f"(?-x:{piece})" for name, piece in unit_pieces()[0].items()}

    @model_validator(mode="after")
    def check_condition_words(self) -> Rules:
        """Every population pattern holds a ``condition_words`` word (an item without one skips the searches)."""
        for name, patterns in self.conditions.items():
            for rx in patterns:
                sets = required_literals(rx, most=64)
                if not any(all(any(w in lit for w in self.condition_words) for lit in s) for s in sets):
                    raise ValueError(f"conditions: {name}: {rx.pattern!r} holds no word of condition_words")
        return self

    @model_validator(mode="after")
    def check_analytes(self) -> Rules:
        """The rules-only analytes are new keys (the shared ones live in ``vocab/analytes.yaml``); the silent ones are
        among them."""
        shared = load_model("analytes")
        assert isinstance(shared, Analytes)
        if both := sorted(set(self.analytes) & set(shared.root)):
            raise ValueError(f"analytes: already in vocab/analytes.yaml: {both}")
        if unknown := sorted(self.silent_analytes - set(self.analytes)):
            raise ValueError(f"silent_analytes: not in analytes: {unknown}")
        return self


RULES = load_rules("lab", Rules)
