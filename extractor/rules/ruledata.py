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

Patterns are Python regexes written in YAML; ``(?x)`` at the start allows a commented, multi-line pattern. In a
pattern, ``{{name}}`` stands for (first match wins): a named piece of the file's ``fragments:`` mapping (regexes,
which may use each other), a piece the kind builds from a shared vocabulary (the class method
:meth:`RuleFile.vocabulary`), a word list of the file (its phrase alternation, :func:`~extractor.rules.grammar.
phrase_alt`), or a grammar macro (``{{num}}``, ``{{cmp}}``, ...: :func:`~extractor.rules.grammar.MACROS`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from extractor.errors import ConfigError
from extractor.rules.grammar import _MACRO, expand_macros, phrase_alt
from extractor.vocab import read_yaml

__all__ = ["ContextRule", "Pattern", "RuleFile", "load_rules", "rule_file_text"]

R = TypeVar("R", bound="RuleFile")

_LEADING_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")


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

    ``category``: what the cue says of the facts in scope: negated (absent / not allowed), permitted ("allowed",
    "regardless of"), required ("must have"), exception ("except", "other than"), hypothetical ("if", "planned"),
    pseudo (looks like a cue but is none, "no more than": it modifies nothing and keeps the shorter cue inside it
    from matching), terminate (ends other cues' scopes). ``direction``: forward (the scope follows the cue),
    backward (it precedes), bidirectional, or terminate. ``max_scope``: the scope's length in words; a scope also
    ends at the clause end and at a ``terminate`` or ``exception`` cue.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    category: Literal["negated", "permitted", "required", "exception", "hypothetical", "terminate", "pseudo"]
    literals: tuple[str, ...] = Field(default=(), description="Phrases, matched as whole words in any case.")
    pattern: str | None = Field(default=None, description="A regex instead of (or beside) literals.")
    direction: Literal["forward", "backward", "bidirectional", "terminate"] = "forward"
    max_scope: int = Field(default=8, ge=1, le=60, description="Scope length in words.")

    @field_validator("pattern", mode="before")
    @classmethod
    def _expand(cls, value: Any, info: ValidationInfo) -> Any:
        """Fill in ``{{name}}`` (the rule file's pieces, grammar macros) and scope a leading inline flag group,
        so the cue can join the others in one scanner: ``(?x)...`` becomes ``(?x:...)``."""
        if not isinstance(value, str):
            return value
        try:
            value = expand_macros(value, (info.context or {}).get("terms"))
        except KeyError as e:
            raise ValueError(str(e).strip("'\"")) from None
        m = _LEADING_FLAGS.match(value)
        if m:
            value = f"(?{m.group(1)}:{value[m.end() :]})"
        try:
            re.compile(value)
        except re.error as e:
            raise ValueError(f"does not compile: {e}") from None
        return value

    @model_validator(mode="after")
    def _has_cue(self) -> ContextRule:
        if not self.literals and not self.pattern:
            raise ValueError("a context rule needs literals or a pattern")
        if (self.category == "terminate") != (self.direction == "terminate"):
            raise ValueError("category terminate goes with direction terminate")
        return self

    def regex(self) -> str:
        """The cue as one regex source (word-bounded literals, then the pattern, already expanded)."""
        parts = []
        if self.literals:
            parts.append(rf"\b(?:{phrase_alt(self.literals)})\b")
        if self.pattern:
            parts.append(f"(?:{self.pattern})")
        return "|".join(parts)


class RuleFile(BaseModel):
    """Base of every kind's rule file: trigger words and extra context cues; kinds add their own keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    triggers: tuple[str, ...] = Field(
        min_length=1,
        description="Lower-case word starts: an item whose text has one (at a word start) runs the kind's "
        "extractor; one ending in '$' is a whole word ('ca$': 'Ca', not 'cancer'). Over-triggering costs time "
        "only; a missing trigger loses criteria.",
    )
    lead_triggers: Pattern | None = Field(
        default=None,
        description="A pattern on the lead-in (the enclosing item's lower-cased text): a child of a lead-in it "
        "matches runs the kind's extractor whatever its own words ('any of the following medications:' above "
        "'Dulaglutide').",
    )
    context: tuple[ContextRule, ...] = Field(default=(), description="The kind's own cues for the context pass.")
    context_shared: bool = Field(
        default=True, description="Whether the kind also reads the shared cues of vocab/context.yaml."
    )
    fragments: dict[str, str] = Field(
        default_factory=dict, description="Named regex pieces the file's patterns use as {{name}}."
    )

    @classmethod
    def vocabulary(cls) -> dict[str, str]:
        """Named regex pieces built from shared vocabularies (``vocab/*.yaml``) for the file's patterns.

        Override in a kind's rule class, e.g. ``{"her2_names": phrase_alt(biomarkers.her2_names, keep_case=True)}``.
        """
        return {}


def rule_file_text(kind: str) -> str:
    """The text of ``extractor/kinds/<kind>.yaml``."""
    try:
        return resources.files("extractor.kinds").joinpath(f"{kind}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"rule file extractor/kinds/{kind}.yaml not found") from e


def _pieces(data: dict[str, Any], cls: type[RuleFile]) -> dict[str, str]:
    """What ``{{name}}`` may stand for in the file's patterns (see the module docstring), fragments resolved."""
    pieces = {
        k: phrase_alt(v)
        for k, v in data.items()
        if isinstance(v, list) and v and all(isinstance(x, str) for x in v) and k != "triggers"
    }
    pieces.update(cls.vocabulary())
    raw = data.get("fragments") or {}
    if not isinstance(raw, dict):
        return pieces
    resolved: dict[str, str] = {}
    base = dict(pieces)  # word lists and vocabulary pieces: what a fragment may use besides other fragments

    def resolve(name: str, seen: tuple[str, ...]) -> str:
        if name in resolved:
            return resolved[name]
        if name in seen:
            raise ValueError(f"fragment {name!r} refers to itself")
        text = str(raw[name])

        def sub(m: re.Match[str]) -> str:
            ref = m.group(1)
            if ref in raw:
                return f"(?:{resolve(ref, (*seen, name))})"
            try:  # a word list, a vocabulary piece or a grammar macro (substitution does not rescan its result)
                return expand_macros(m.group(0), base)
            except KeyError as e:
                raise ValueError(f"fragment {name!r}: {str(e).strip(chr(34) + chr(39))}") from None

        resolved[name] = _MACRO.sub(sub, text)
        return resolved[name]

    for name in raw:
        pieces[name] = resolve(name, ())
    return pieces


@cache
def _load(kind: str, cls: type[RuleFile]) -> RuleFile:
    where = f"extractor/kinds/{kind}.yaml"
    try:
        data = read_yaml(rule_file_text(kind))
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML: {e}") from e
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys")
    try:
        pieces = _pieces(data, cls)
    except ValueError as e:
        raise ConfigError(f"{where}: key 'fragments': {e}") from None
    try:
        return cls.model_validate(data, context={"terms": pieces})
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
