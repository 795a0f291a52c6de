"""The kind registry: every criterion kind, in a fixed order, one module each (model, rules extractor, spec).

Everything that lists kinds is generated from here: the ``Criterion`` discriminated union, the rules backend's
dispatch and trigger pass, the LLM prompt's kind table and schema, and the eval's compared fields. To add a kind,
write ``extractor/kinds/<kind>.py`` and ``<kind>.yaml``, and name it in ``ORDER`` (CONTRIBUTING.md walks it through).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

from extractor.kinds._spec import Compare, KindSpec
from extractor.models.criteria import CriterionBase

__all__ = [
    "CRITERION_TYPES",
    "KINDS",
    "KIND_TYPES",
    "ORDER",
    "REGISTRY",
    "Compare",
    "Criterion",
    "KindSpec",
    "kind_spec",
]

ORDER: tuple[str, ...] = (
    "her2",
    "hormone_receptor",
    "biomarker",
    "performance_status",
    "metastatic_burden",
    "brain_metastases",
    "prior_therapy",
    "age",
    "sex",
    "diagnosis",
    "stage",
    "measurable_disease",
    "lab",
    "cardiac",
    "life_expectancy",
    "bmi",
    "pregnancy",
    "prior_malignancy",
    "infection",
    "comorbidity",
    "consent",
    "other",
)
"""Kinds in registry order (``other`` last: it is what an item no kind types becomes)."""

REGISTRY: dict[str, KindSpec] = {name: importlib.import_module(f"extractor.kinds.{name}").KIND for name in ORDER}
"""kind name -> its spec."""

CRITERION_TYPES: tuple[type[CriterionBase], ...] = tuple(spec.model for spec in REGISTRY.values())
KINDS: tuple[str, ...] = tuple(REGISTRY)
KIND_TYPES: dict[str, type[CriterionBase]] = {name: spec.model for name, spec in REGISTRY.items()}

if TYPE_CHECKING:
    Criterion = CriterionBase
else:
    Criterion = Annotated[Union[CRITERION_TYPES], Field(discriminator="kind")]  # noqa: UP007
"""Any criterion: the discriminated union of every registered kind (statically, their common base)."""


def kind_spec(name: str) -> KindSpec:
    """The spec of kind ``name`` (``KeyError`` naming the known kinds when there is none)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown kind {name!r}; known: {', '.join(KINDS)}") from None


def _check() -> Any:
    for name, spec in REGISTRY.items():
        if spec.name != name:
            raise ValueError(f"extractor/kinds/{name}.py declares kind {spec.name!r}")


_check()
