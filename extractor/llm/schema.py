"""The response model the LLM fills, derived from the criterion kinds (one source of truth for fields).

The model does not give offsets or polarity: it names the item (``item``) and quotes it (``quote``); polarity
comes from the item's section and offsets from grounding the quote inside the item.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from extractor.models import BASE_FIELDS, CRITERION_TYPES

__all__ = ["LLMCriteria", "llm_kind_models"]


class _LLMBase(BaseModel):
    model_config = ConfigDict(extra="ignore")

    item: int = Field(description="Number in square brackets of the item this criterion comes from.")
    quote: str = Field(description="Words copied exactly from that item that state this criterion.")


@cache
def llm_kind_models() -> dict[str, type[_LLMBase]]:
    """One LLM-facing model per kind: the kind's own fields plus ``item`` and ``quote``."""
    out: dict[str, type[_LLMBase]] = {}
    for cls in CRITERION_TYPES:
        fields: dict[str, Any] = {
            name: (info.annotation, info)
            for name, info in cls.model_fields.items()
            if name not in BASE_FIELDS or name == "kind"
        }
        kind = cls.model_fields["kind"].default
        model = create_model(f"LLM_{cls.__name__}", __base__=_LLMBase, __doc__=cls.__doc__, **fields)
        out[kind] = model
    return out


def _union() -> Any:
    models = tuple(llm_kind_models().values())
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007


class LLMCriteria(BaseModel):
    """The model's whole answer for one request."""

    model_config = ConfigDict(extra="ignore")

    criteria: list[_union()] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Every criterion stated by the items, in item order."
    )
