"""Rule knowledge as typed data: each kind's ``extractor/kinds/<kind>.yaml``, validated at load.

A rule file holds a kind's trigger words (the trigger pass runs the kind's extractor only on items that hit one),
its extra context cues (merged into the one context pass, ``extractor.rules.context``), and whatever word lists
and patterns its extractor reads. The kind module declares them as a :class:`RuleFile` subclass, so the file is
checked against the code: a missing, misspelt or extra key, or a pattern that does not compile, fails at load with
the file and the key::

    class Rules(RuleFile):
        scales: list[str]          # a word list; patterns may use it as {{scales}}
        value: Pattern             # a regex, compiled once; may use {{num}}, {{cmp}}, ... (grammar.MACROS)

    RULES = load_rules("performance_status", Rules)

Patterns are Python regexes written in YAML; ``(?x)`` at the start allows a commented, multi-line pattern. A word
list used as ``{{name}}`` becomes the phrase alternation of :func:`extractor.rules.grammar.phrase_alt`.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from extractor.errors import ConfigError
from extractor.rules.grammar import expand_macros, phrase_alt

__all__ = ["ContextRule", "Pattern", "RuleFile", "load_rules", "rule_file_text"]

R = TypeVar("R", bound="RuleFile")


def _compile(value: Any, info: ValidationInfo) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ValueError("a pattern must be a string")
    terms: dict[str, str] = (info.context or {}).get("terms", {})
    try:
        return re.compile(expand_macros(value, terms))
    except KeyError as e:
        raise ValueError(str(e).strip("'\"")) from None
    except re.error as e:
        raise ValueError(f"does not compile: {e}") from None


Pattern = Annotated[re.Pattern[str], BeforeValidator(_compile)]
"""A regex field of a rule file, compiled at load with the grammar's macros and the file's word lists."""


class ContextRule(BaseModel):
    """One ConText cue (medspacy's ``ConTextRule``): a phrase that modifies what stands in its scope.

    ``category``: what the cue says of the facts in scope (negated: absent / not allowed; permitted: allowed,
    "permitted", "regardless of"; required: "must have", "required"; exception: "except", "other than";
    hypothetical: planned or conditional, "if", "planned"). ``direction``: forward (the scope follows the cue),
    backward (it precedes), bidirectional, or terminate (the cue ends other cues' scope). ``max_scope``: the
    scope's length in words; a scope also ends at the clause end and at a ``terminate`` cue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Literal["negated", "permitted", "required", "exception", "hypothetical", "terminate"]
    literals: tuple[str, ...] = Field(default=(), description="Phrases, matched as whole words in any case.")
    pattern: str | None = Field(default=None, description="A regex instead of (or beside) literals.")
    direction: Literal["forward", "backward", "bidirectional", "terminate"] = "forward"
    max_scope: int = Field(default=8, ge=1, le=60, description="Scope length in words.")
    kinds: tuple[str, ...] = Field(
        default=(),
        description="Kinds the cue applies to (medspacy's allowed_types); empty: every kind. A cue in "
        "a kind's rule file applies to that kind only.",
    )

    @model_validator(mode="after")
    def _has_cue(self) -> ContextRule:
        if not self.literals and not self.pattern:
            raise ValueError("a context rule needs literals or a pattern")
        if self.pattern:
            try:
                re.compile(expand_macros(self.pattern))
            except (re.error, KeyError) as e:
                raise ValueError(f"pattern does not compile: {e}") from None
        if (self.category == "terminate") != (self.direction == "terminate"):
            raise ValueError("category terminate goes with direction terminate")
        return self

    def regex(self) -> str:
        """The cue as one regex source (word-bounded literals, then the pattern)."""
        parts = []
        if self.literals:
            parts.append(rf"\b(?:{phrase_alt(self.literals)})\b")
        if self.pattern:
            parts.append(expand_macros(self.pattern))
        return "|".join(parts)


class RuleFile(BaseModel):
    """Base of every kind's rule file: trigger words and extra context cues; kinds add their own keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    triggers: tuple[str, ...] = Field(
        min_length=1,
        description="Lower-case word starts: an item whose text has one (at a word start) runs the kind's "
        "extractor. Over-triggering costs time only; a missing trigger loses criteria.",
    )
    context: tuple[ContextRule, ...] = Field(default=(), description="Extra cues for the one context pass.")


def rule_file_text(kind: str) -> str:
    """The text of ``extractor/kinds/<kind>.yaml``."""
    try:
        return resources.files("extractor.kinds").joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"rule file extractor/kinds/{kind}.yaml not found") from e


def _word_lists(data: dict[str, Any]) -> dict[str, str]:
    """Every list of strings in the file, compiled to a phrase alternation (for ``{{name}}`` in patterns)."""
    return {
        k: phrase_alt(v)
        for k, v in data.items()
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v) and k != "triggers"
    }


@cache
def _load(kind: str, cls: type[RuleFile]) -> RuleFile:
    where = f"extractor/kinds/{kind}.yaml"
    try:
        data = yaml.safe_load(rule_file_text(kind))
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys")
    try:
        return cls.model_validate(data, context={"terms": _word_lists(data)})
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        raise ConfigError(f"{where}: key {key!r}: {err['msg']}{more}") from None


def load_rules(kind: str, cls: type[R] = RuleFile) -> R:  # type: ignore[assignment]
    """Load and validate ``extractor/kinds/<kind>.yaml`` as ``cls`` (cached; raises ``ConfigError``)."""
    rules = _load(kind, cls)
    assert isinstance(rules, cls)
    return rules
