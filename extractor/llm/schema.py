"""The answer the LLM writes: a compact JSON schema to send, full pydantic models to validate.

Both are generated from the kind registry (one source of truth for fields). What is **sent**
(:func:`answer_schema`) is lean and frozen so providers can cache the prompt prefix: ``kind`` first in every
object, no titles, defaults or discriminator mapping, ``item`` and ``quote`` described once (``$defs``), no
chunk-size-dependent name or ``maxItems``, and no ``other`` kind (the backend gives every item the model leaves
untyped one ``other`` criterion). Field meanings travel in the system prompt's kind table (:func:`kind_table`).
What is **validated** (:class:`LLMCriteria`) is the discriminated union of the full per-kind models; a criterion
the model writes as ``other`` anyway is dropped, not re-asked.

The model does not give offsets or polarity: it names the item (``item``) and quotes it (``quote``); polarity
comes from the item's section and offsets from grounding the quote inside the item.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Annotated, Any, Union

from instructor import OpenAISchema
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model, field_validator

from extractor.kinds import REGISTRY
from extractor.models import BASE_FIELDS, CRITERION_TYPES

__all__ = ["FILLED_KINDS", "LLMCriteria", "answer_schema", "kind_table", "llm_kind_models", "response_model"]

FILLED_KINDS: frozenset[str] = frozenset({"other"})
"""Kinds the model is not asked to write: the backend fills them in (an item with no typed criterion)."""

_ITEM = "Number of the item stating it."
_QUOTE = "Its clause, copied verbatim."


class _LLMBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: int = Field(description=_ITEM)
    quote: str = Field(description=_QUOTE)


@cache
def llm_kind_models() -> dict[str, type[_LLMBase]]:
    """One model per kind to validate the answer with: the kind's own fields plus ``item`` and ``quote``."""
    out: dict[str, type[_LLMBase]] = {}
    for cls in CRITERION_TYPES:
        kind = cls.model_fields["kind"].default
        fields: dict[str, Any] = {
            name: (info.annotation, info) for name, info in cls.model_fields.items() if name not in BASE_FIELDS
        }
        fields["kind"] = (cls.model_fields["kind"].annotation, Field())
        out[kind] = create_model(f"LLM_{cls.__name__}", __base__=_LLMBase, __doc__=cls.__doc__, **fields)
    return out


@cache
def _criteria_adapter() -> TypeAdapter[list[Any]]:
    union: Any = Annotated[Union[tuple(llm_kind_models().values())], Field(discriminator="kind")]  # noqa: UP007
    return TypeAdapter(list[union])


def _compact(prop: dict[str, Any]) -> dict[str, Any]:
    """A field's JSON schema without title, default or description, ``anyOf [X, null]`` collapsed to X."""
    if "anyOf" in prop:
        kept = [p for p in prop["anyOf"] if p.get("type") != "null"]
        if len(kept) == 1:
            return _compact(kept[0])
        return {"anyOf": [_compact(p) for p in kept]}
    out = {k: v for k, v in prop.items() if k not in ("title", "default", "description")}
    if "enum" in out:
        out.pop("type", None)
    if "items" in out:
        out["items"] = _compact(out["items"])
    return out


@cache
def _answer_schema_text() -> str:
    kinds = [k for k in llm_kind_models() if k not in FILLED_KINDS]
    criterion = {
        "type": "object",
        "properties": {
            "kind": {"enum": kinds},
            "item": {"type": "integer", "description": _ITEM},
            "quote": {"type": "string", "description": _QUOTE},
        },
        "required": ["kind", "item", "quote"],
        # the kind's fields follow (the kind table): grammar-constrained servers (llama.cpp) allow no other
        # properties unless told so, and would cut every criterion down to its kind, item and quote
        "additionalProperties": True,
    }
    schema = {
        "title": "Criteria",
        "type": "object",
        "properties": {"criteria": {"type": "array", "items": criterion}},
        "required": ["criteria"],
    }
    return json.dumps(schema, ensure_ascii=False)


def answer_schema() -> dict[str, Any]:
    """The compact JSON schema sent with every request (a fresh copy; the same bytes on every call)."""
    result: dict[str, Any] = json.loads(_answer_schema_text())
    return result


def _type_name(prop: dict[str, Any]) -> str:
    p = _compact(prop)
    if "enum" in p:
        return "|".join(str(v) for v in p["enum"])
    if p.get("type") == "array":
        return f"[{_type_name(p['items'])}]"
    return {"string": "text", "number": "num", "integer": "int", "boolean": "bool"}.get(str(p.get("type")), "any")


def _vocabulary(description: str) -> str:
    """The names a field description lists after its colon, ``X inhibitor`` classes grouped into one entry."""
    names = [n.strip() for n in description.split(": ", 1)[1].rstrip(".").split(", ")]
    inhibitors = [n.removesuffix(" inhibitor") for n in names if n.endswith(" inhibitor")]
    rest = [n for n in names if not n.endswith(" inhibitor")]
    if len(inhibitors) > 1:
        rest.append(f"<{'|'.join(inhibitors)}> inhibitor")
    return ", ".join(rest)


@cache
def kind_table() -> str:
    """The system prompt's kind table: one line per kind the model writes, each field with its type (``text``
    left unsaid, ``*`` marking required fields), then the analyte and agent-class vocabularies."""
    lines: list[str] = []
    vocab: list[str] = []
    for kind, spec in REGISTRY.items():
        if kind in FILLED_KINDS:
            continue
        schema = llm_kind_models()[kind].model_json_schema()
        required = set(schema.get("required", ()))
        fields = []
        for name in spec.fields:
            type_name = _type_name(schema["properties"][name])
            fields.append(f"{name}{'*' if name in required else ''}{'' if type_name == 'text' else ': ' + type_name}")
            description = spec.model.model_fields[name].description or ""
            if name in ("analyte", "agents") and ": " in description:  # a vocabulary: listed once, below
                vocab.append(f"{kind}.{name}: {_vocabulary(description)}")
        lines.append(f"{kind}: {'; '.join(fields) if fields else '-'}")
    return "\n".join([*lines, *vocab])


class LLMCriteria(OpenAISchema):
    """The criteria the items state."""

    model_config = ConfigDict(extra="ignore")

    criteria: list[Any] = Field(default_factory=list)

    @field_validator("criteria", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> list[Any]:
        if isinstance(value, list):  # the backend fills `other` in itself: one the model writes is dropped
            value = [c for c in value if not (isinstance(c, dict) and c.get("kind") in FILLED_KINDS)]
        try:
            return _criteria_adapter().validate_python(value)
        except ValidationError as e:
            raise ValueError(str(e)) from e  # the text the model is re-asked with; the cause for short messages

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The compact answer schema (:func:`answer_schema`), whatever the arguments."""
        return copy.deepcopy(answer_schema())


def response_model(n_items: int = 0) -> type[LLMCriteria]:
    """The answer model for a request of ``n_items`` items: :class:`LLMCriteria` whatever the size (the schema no
    longer depends on it; kept for callers written against prompt v1)."""
    return LLMCriteria
