"""The response model the LLM fills, derived from the criterion kinds (one source of truth for fields).

The model does not give offsets or polarity: it names the item (``item``) and quotes it (``quote``); polarity
comes from the item's section and offsets from grounding the quote inside the item.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Annotated, Any, Union

from instructor import OpenAISchema
from pydantic import BaseModel, ConfigDict, Field, create_model

from extractor.models import BASE_FIELDS, CRITERION_TYPES

__all__ = ["MAX_CRITERIA_PER_ITEM", "LLMCriteria", "llm_kind_models", "response_model"]

#: Upper bound on criteria per item sent, enforced by the schema (``maxItems``) so a looping model stops.
MAX_CRITERIA_PER_ITEM = 8


class _LLMBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: int = Field(description="Number in square brackets of the item this criterion comes from.")
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


class LLMCriteria(OpenAISchema):
    """The model's whole answer for one request.

    Based on instructor's public ``OpenAISchema`` so instructor uses the class as is instead of wrapping it anew on
    every request, and the JSON schema below is generated once per class.
    """

    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """JSON schema, generated once per class (instructor asks for it on every request)."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(_SCHEMAS[key])

    criteria: list[_union()] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Every criterion stated by the items, in item order."
    )


@cache
def response_model(n_items: int) -> type[LLMCriteria]:
    """The answer model for a request with ``n_items`` items: at most 8 criteria per item (``maxItems``)."""
    limit = max(1, n_items) * MAX_CRITERIA_PER_ITEM
    item_type: Any = list[_union()]  # type: ignore[misc]
    field: Any = Field(
        default_factory=list,
        max_length=limit,
        description=f"Every criterion stated by the items, in item order (at most {limit}).",
    )
    model: type[LLMCriteria] = create_model(f"Criteria_max{limit}", __base__=LLMCriteria, criteria=(item_type, field))
    return model
