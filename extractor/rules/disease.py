"""Rule family ``disease``: diagnosis, stage, measurable disease, metastatic burden, brain metastases.

Fields follow the effective-rule convention: exclusion "untreated or symptomatic brain metastases" ->
``brain_metastases`` conditional [treated, asymptomatic]; exclusion "more than 5 metastases" -> ``metastatic_burden``
max_lesions 5; exclusion "non-measurable disease only" -> ``measurable_disease`` measurable. Every kind has a cheap
substring gate. Thin aggregator: diagnosis, stage and measurable disease live in ``_disease_site``, metastatic burden
and brain metastases in ``_disease_mets``.
"""

from __future__ import annotations

from extractor.models import Criterion
from extractor.rules._common import ItemContext
from extractor.rules._disease_mets import brain_metastases, metastatic_burden
from extractor.rules._disease_site import diagnosis_stage, measurable_disease

__all__ = ["extract"]


def extract(ctx: ItemContext) -> list[Criterion]:
    """Diagnosis, stage, measurable-disease, metastatic-burden and brain-metastases criteria of one item."""
    if not ctx.lower.strip():
        return []
    out: list[Criterion] = []
    out.extend(diagnosis_stage(ctx))
    out.extend(measurable_disease(ctx))
    out.extend(metastatic_burden(ctx))
    out.extend(brain_metastases(ctx))
    return out
