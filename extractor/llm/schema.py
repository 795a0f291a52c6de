"""The response model the LLM fills, derived from the criterion kinds (one source of truth for fields).

The model does not give offsets or polarity: it names the item (``item``) and quotes it (``quote``); polarity
comes from the item's section and offsets from grounding the quote inside the item.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, ClassVar, Union

from instructor import OpenAISchema
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model, field_validator

from extractor.models import BASE_FIELDS, CRITERION_TYPES

__all__ = ["MAX_CRITERIA_PER_ITEM", "LLMCriteria", "llm_kind_models", "response_model"]

#: Upper bound on criteria per item sent, enforced by the schema (``maxItems``) so a looping model stops.
MAX_CRITERIA_PER_ITEM = 8


class _LLMBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: int = Field(description='The "item" number of the item this criterion comes from.')
    quote: str = Field(description="Words copied exactly from that item that state this criterion.")


@cache
def llm_kind_models() -> dict[str, type[_LLMBase]]:
    """One LLM-facing model per kind: the kind's own fields plus ``item`` and ``quote``."""
    out: dict[str, type[_LLMBase]] = {}
    for cls in CRITERION_TYPES:
        kind = cls.model_fields["kind"].default
        fields: dict[str, Any] = {
            name: (info.annotation, info) for name, info in cls.model_fields.items() if name not in BASE_FIELDS
        }
        # required in the schema, so constrained decoding (json_schema grammars) always emits the tag
        fields["kind"] = (cls.model_fields["kind"].annotation, Field(description=f'Always "{kind}".'))
        model = create_model(f"LLM_{cls.__name__}", __base__=_LLMBase, __doc__=cls.__doc__, **fields)
        out[kind] = model
    return out


def _union() -> Any:
    models = tuple(llm_kind_models().values())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}
_DOC = """The model's whole answer for one request.

    Based on instructor's public ``OpenAISchema`` so instructor uses the class as is instead of wrapping it anew on
    every request, and the JSON schema below is generated once per class.
    """


@cache
def _criteria_adapter(limit: int | None) -> TypeAdapter[list[Any]]:
    shape: Any = Annotated[list[_union()], Field(max_length=limit)]  # type: ignore[misc]
    return TypeAdapter(shape)


class LLMCriteria(OpenAISchema):
    """The model's whole answer for one request.

    instructor sees one plain field (its per-request model walks stay cheap); the field is validated against the
    discriminated union of the kinds (invalid answers raise, so instructor re-asks), and ``model_json_schema``
    returns the full schema of that union, generated once per class.
    """

    model_config = ConfigDict(extra="ignore")

    max_criteria: ClassVar[int | None] = None

    criteria: list[Any] = Field(default_factory=list)

    @field_validator("criteria", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> list[Any]:
        try:
            return _criteria_adapter(cls.max_criteria).validate_python(value)
        except ValidationError as e:
            raise ValueError(str(e)) from e  # the text the model is re-asked with; the cause for short messages

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """JSON schema of the answer (the full union of kinds), generated once per class."""
        key = (cls.__name__, cls.max_criteria, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = _schema_shape(cls.__name__, cls.max_criteria).model_json_schema(*args, **kwargs)
        return dict(_SCHEMAS[key])


def _schema_shape(name: str, limit: int | None) -> type[BaseModel]:
    """A model with the answer's full field types, used only to generate its JSON schema."""
    description = "Every criterion stated by the items, in item order" + (f" (at most {limit})." if limit else ".")
    field: Any = Field(default_factory=list, max_length=limit, description=description)
    item_type: Any = list[_union()]  # type: ignore[misc]
    base: Any = create_model(
        "LLMCriteria", __base__=OpenAISchema, __doc__=_DOC, __config__=None, criteria=(item_type, field)
    )
    if name == "LLMCriteria":
        return base
    derived: type[BaseModel] = create_model(name, __base__=base, criteria=(item_type, field))
    return derived


@cache
def response_model(n_items: int) -> type[LLMCriteria]:
    """The answer model for a request with ``n_items`` items: at most 8 criteria per item (``maxItems``)."""
    limit = max(1, n_items) * MAX_CRITERIA_PER_ITEM
    return type(f"Criteria_max{limit}", (LLMCriteria,), {"max_criteria": limit, "__module__": __name__})
