"""What a kind declares: its model, its rules extractor, whether it is core, and how the eval compares its fields.

A kind's trigger words and rule data live beside its module in ``<kind>.yaml`` (see ``extractor.rules.ruledata``);
everything else that lists kinds (the criterion union, the LLM prompt and schema, the eval's compared fields) is
generated from the registry in ``extractor.kinds``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from extractor.models.criteria import BASE_FIELDS, CriterionBase
from extractor.rules.ruledata import RuleFile, load_rules

if TYPE_CHECKING:
    from extractor.rules.item import ItemContext

__all__ = ["Compare", "Extractor", "How", "KindSpec"]

How = Literal["eq", "num", "bool", "set", "agents", "phrases", "text", "tokens", "quantity"]

Extractor = Callable[["ItemContext"], "Sequence[CriterionBase]"]
"""A kind's rules extractor: the criteria of its kind in one item (``[]`` when none)."""


@dataclass(frozen=True)
class Compare:
    """How the eval compares one field (``eq`` unless the kind says otherwise); ``abs_tol`` for numbers.

    ``how``: eq (exact), num (within ``abs_tol``), bool (None differs from False), set (lists of fixed values as
    sets), agents (normalised agent names as sets), phrases (free phrases paired one-to-one by content words), text
    (case/space-insensitive), tokens (a free phrase compared by content words), quantity (value with unit,
    converted before comparing).
    """

    how: How = "eq"
    abs_tol: float = 0.0


@dataclass(frozen=True)
class KindSpec:
    """One criterion kind, as the registry knows it.

    ``extract`` reads one item (the rules backend runs it only on items whose text hits one of the kind's
    triggers, listed in ``extractor/kinds/<kind>.yaml`` and validated as ``rule_file``); ``compare`` overrides how
    some fields are compared; ``not_compared`` names fields the eval leaves out, each with the reason.
    """

    model: type[CriterionBase]
    extract: Extractor | None = None
    rule_file: type[RuleFile] = RuleFile
    core: bool = False
    compare: dict[str, Compare] = field(default_factory=dict)
    not_compared: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The kind's tag (``model.kind``)."""
        default = self.model.model_fields["kind"].default
        assert isinstance(default, str)
        return default

    @property
    def fields(self) -> tuple[str, ...]:
        """The kind's own fields (base fields and ``kind`` excluded), in declaration order."""
        return tuple(n for n in self.model.model_fields if n not in BASE_FIELDS)

    def rules(self) -> RuleFile | None:
        """The kind's validated rule file (``None`` for a kind with no rules extractor, such as ``other``)."""
        return load_rules(self.name, self.rule_file) if self.extract is not None else None

    def __post_init__(self) -> None:
        unknown = (set(self.compare) | set(self.not_compared)) - set(self.fields)
        if unknown:
            raise ValueError(f"kind {self.name}: compare/not_compared name unknown fields {sorted(unknown)}")
