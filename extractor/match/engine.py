"""``match``: judge every criterion of a trial for one patient, reconcile the registry fields, give the verdict.

``match_many`` does the same for one patient against many trials, judging each distinct criterion once (judges read
only a criterion's kind fields, never its evidence, polarity, item or cohort, so equal fields give equal answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from extractor.errors import InputError
from extractor.match import judges_clinical, judges_history, judges_tumour  # noqa: F401  (register the judges)
from extractor.match._base import READS_EVIDENCE, Ctx, judge_for
from extractor.match.groups import apply_groups
from extractor.match.registry import reconcile
from extractor.match.settings import MatchSettings
from extractor.models import BASE_FIELDS, CriteriaSet, Criterion, OutputRecord
from extractor.models.match import CriterionMatch, MatchResult, Verdict
from extractor.models.patient import Patient

__all__ = ["match", "match_many", "rank"]

Criteria = CriteriaSet | OutputRecord | Sequence[Criterion]

_HEALTHY = (
    "the registry says the trial takes no healthy volunteers and no diagnosis is recorded for the patient: "
    "a person must check"
)


def match(
    patient: Patient,
    criteria: Criteria,
    *,
    registry: Mapping[str, Any] | None = None,
    assessed_on: date | None = None,
    settings: MatchSettings | None = None,
    trial_id: str | None = None,
    text: str | None = None,
) -> MatchResult:
    """Judge ``criteria`` (a :class:`CriteriaSet`, an output record of ``extractor extract``, or a list of criteria)
    for ``patient``: each criterion met / not_met / unknown / not_evaluable with a reason, and the verdict.

    ``registry`` (CT.gov ``sex``, ``minimum_age``, ``maximum_age``, ``healthy_volunteers``) defaults to an output
    record's own; ``assessed_on`` to the patient's, else today; ``trial_id`` to the set's or record's; ``text`` (the
    criteria text) to the set's or record's source text. Alternatives are judged as any-of groups
    (:mod:`extractor.match.groups`): by ``criterion.item``, and with the text also by sibling items and OR lines.
    Raises :class:`InputError` for an output record that is an error record.
    """
    return _match(patient, criteria, registry, assessed_on, settings, trial_id, text, None)


def match_many(
    patient: Patient,
    trials: Iterable[Criteria],
    *,
    assessed_on: date | None = None,
    settings: MatchSettings | None = None,
) -> Iterator[MatchResult]:
    """:func:`match` for one patient against many trials (output records or criteria sets, each with its own
    registry and text), in order; a criterion that recurs across trials is judged once. Don't change ``patient``
    while iterating."""
    cache: dict[tuple[Any, ...], tuple[str, str]] = {}
    for trial in trials:
        yield _match(patient, trial, None, assessed_on, settings, None, None, cache)


_NOT_JUDGED = frozenset(BASE_FIELDS) - {"kind"}


def _freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _judge(c: Criterion, patient: Patient, ctx: Ctx, cache: dict[tuple[Any, ...], tuple[str, str]] | None) -> Any:
    if cache is None:
        return judge_for(c.kind)(c, patient, ctx)
    key = tuple(_freeze(v) for k, v in c.__dict__.items() if k not in _NOT_JUDGED)
    if c.kind in READS_EVIDENCE:  # a prior_therapy plan is told by its words ("planned to receive X")
        key += (c.evidence.text,)
    found = cache.get(key)
    if found is None:
        found = cache[key] = judge_for(c.kind)(c, patient, ctx)
    return found


def _match(  # noqa: PLR0917 - the public functions above name every argument
    patient: Patient,
    criteria: Criteria,
    registry: Mapping[str, Any] | None,
    assessed_on: date | None,
    settings: MatchSettings | None,
    trial_id: str | None,
    text: str | None,
    cache: dict[tuple[Any, ...], tuple[str, str]] | None,
) -> MatchResult:
    if isinstance(criteria, OutputRecord):
        if criteria.error is not None:
            raise InputError(f"trial {criteria.trial_id} is an error record: {criteria.error.message}")
        items: Sequence[Criterion] = criteria.criteria
        registry = criteria.registry if registry is None else registry
        tid = trial_id or criteria.trial_id
        text = text if text is not None else criteria.source_text
    elif isinstance(criteria, CriteriaSet):
        items, tid = criteria.criteria, trial_id or criteria.trial_id
        text = text if text is not None else criteria.source_text
    else:
        items, tid = criteria, trial_id or ""
    on = assessed_on or patient.assessed_on or date.today()
    ctx = Ctx(assessed_on=on, settings=settings or MatchSettings())
    results = [
        CriterionMatch(status=s, reason=r, criterion=c) for c in items for s, r in [_judge(c, patient, ctx, cache)]
    ]
    results = apply_groups(items, results, text)
    added, conflicts = reconcile(items, registry or {}, has_diagnosis=bool(patient.diagnoses))
    for c in added:
        status, reason = judge_for(c.kind)(c, patient, ctx)
        if c.kind == "other":
            reason = _HEALTHY
        results.append(CriterionMatch(status=status, reason=reason, criterion=c, source="registry"))
    blocking = [i for i, m in enumerate(results) if m.status == "not_met"]
    unknown = [i for i, m in enumerate(results) if m.status == "unknown"]
    verdict: Verdict = "ineligible" if blocking else "needs_review" if unknown else "eligible"
    return MatchResult(
        trial_id=tid,
        patient_id=patient.patient_id,
        assessed_on=on,
        verdict=verdict,
        criteria=results,
        blocking=blocking,
        unknown=unknown,
        not_evaluable=[i for i, m in enumerate(results) if m.status == "not_evaluable"],
        conflicts=conflicts,
    )


_ORDER = {"eligible": 0, "needs_review": 1, "ineligible": 2}


def rank(results: Iterable[MatchResult]) -> list[MatchResult]:
    """Eligible first, then needs_review by fewest unknowns, then ineligible (by fewest blocking); stable."""
    return sorted(
        results,
        key=lambda r: (_ORDER[r.verdict], len(r.unknown) if r.verdict == "needs_review" else len(r.blocking)),
    )
