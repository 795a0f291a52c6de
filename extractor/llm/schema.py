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

**Durations as written** (:data:`DURATION_FIELDS`): the model writes ``{"value": 28, "unit": "days"}`` for a
time window (a bare number is read in the field's own unit); :func:`convert_durations` turns it into the field's unit
with the rules' one time-unit table (:mod:`extractor.rules.grammar`: a month is 4.345 weeks, a year 52.14), so the
criteria models do not change and the model does no arithmetic.

**Validation in the loop**: validated with a context (instructor's ``context=``: :class:`AnswerContext`), every
criterion is checked on its own: its kind's fields, and its quote grounded in the item it names (or in another item
of the request; :func:`~extractor.ground.find_span`, tolerant of ASCII spellings). Any problem fails the answer with
one targeted line per bad criterion ("criterion 3 (item 4, lab): quote ... is not in item 4; copy the clause
verbatim"), so instructor re-asks with it. On the last attempt (``context.final``) the answer validates anyway: the
bad criteria are set aside in :attr:`LLMCriteria.unusable` (the backend reports them as rejected) and the good ones
are kept; one persistent bad criterion costs only itself. Without a context (a Batch API answer) the answer is
validated as before: schema only, all or nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, Union

from instructor import OpenAISchema
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from extractor.ground import find_span
from extractor.kinds import REGISTRY
from extractor.models import BASE_FIELDS, CRITERION_TYPES
from extractor.rules.grammar import WEEKS_PER

__all__ = [
    "DURATION_FIELDS",
    "FILLED_KINDS",
    "AnswerContext",
    "Duration",
    "LLMCriteria",
    "Unusable",
    "answer_schema",
    "convert_durations",
    "kind_table",
    "llm_kind_models",
    "response_model",
]

FILLED_KINDS: frozenset[str] = frozenset({"other"})
"""Kinds the model is not asked to write: the backend fills them in (an item with no typed criterion)."""

_ITEM = "Number of the item stating it."
_QUOTE = "Its clause, copied verbatim."

DURATION_FIELDS: dict[tuple[str, str], str] = {
    ("prior_therapy", "within_weeks"): "weeks",
    ("prior_therapy", "min_duration_months"): "months",
    ("life_expectancy", "min_months"): "months",
    ("prior_malignancy", "within_years"): "years",
    ("brain_metastases", "stable_weeks_min"): "weeks",
}
"""(kind, field) of every time field the model writes as a :class:`Duration`, and the unit the field holds."""

_UNIT_KEY = {"days": "d", "weeks": "w", "months": "m", "years": "y"}


class Duration(BaseModel):
    """A time span as the text writes it."""

    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=0)
    unit: Literal["days", "weeks", "months", "years"]


def convert_durations(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with every duration (a :class:`Duration` dump, ``{"value", "unit"}``) in its field's unit, rounded
    to 2 decimals (``{"value": 28, "unit": "days"}`` -> ``within_weeks: 4.0``); bare numbers are kept."""
    out = dict(fields)
    for (k, name), unit in DURATION_FIELDS.items():
        value = out.get(name) if k == kind else None
        if isinstance(value, dict):
            weeks = float(value["value"]) * WEEKS_PER[_UNIT_KEY[value["unit"]]]
            out[name] = round(weeks / WEEKS_PER[_UNIT_KEY[unit]], 2)
    return out


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
        for (k, name), _unit in DURATION_FIELDS.items():
            if k == kind:
                info = cls.model_fields[name]
                annotation: Any = Duration | float if info.is_required() else Duration | float | None
                fields[name] = (annotation, Field(default=... if info.is_required() else None))
        fields["kind"] = (cls.model_fields["kind"].annotation, Field())
        out[kind] = create_model(f"LLM_{cls.__name__}", __base__=_LLMBase, __doc__=cls.__doc__, **fields)
    return out


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
    if any("$ref" in p and p["$ref"].endswith("/Duration") for p in prop.get("anyOf", ())):
        return "dur"
    p = _compact(prop)
    if "enum" in p:
        return "|".join(str(v) for v in p["enum"])
    if p.get("type") == "array":
        return f"[{_type_name(p['items'])}]"
    return {"string": "text", "number": "num", "integer": "int", "boolean": "bool"}.get(str(p.get("type")), "any")


#: how many ``X inhibitor`` classes the prompt names as examples of the pattern (the model names others alike)
_INHIBITOR_EXAMPLES = 4


def _vocabulary(description: str) -> str:
    """The names a field description lists after its colon, ``X inhibitor`` classes given as one pattern with the
    first few targets as examples (the full list cost 75 prompt tokens per request)."""
    names = [n.strip() for n in description.split(": ", 1)[1].rstrip(".").split(", ")]
    inhibitors = [n.removesuffix(" inhibitor") for n in names if n.endswith(" inhibitor")]
    rest = [n for n in names if not n.endswith(" inhibitor")]
    if len(inhibitors) > 1:
        rest.append(f"<target> inhibitor ({', '.join(inhibitors[:_INHIBITOR_EXAMPLES])}, ...)")
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


@cache
def _criterion_adapter() -> TypeAdapter[Any]:
    union: Any = Annotated[Union[tuple(llm_kind_models().values())], Field(discriminator="kind")]  # noqa: UP007
    return TypeAdapter(union)


@dataclass
class AnswerContext:
    """What validation checks an answer against (instructor's ``context={"answer": AnswerContext(...)}``): the
    trial's text and the ``(start, end)`` of each item the request sent. ``final``: this is the last attempt (no
    re-ask left), so bad criteria are set aside instead of failing the answer; the backend sets it per attempt."""

    source: str
    items: dict[int, tuple[int, int]]
    final: bool = False


class Unusable(BaseModel):
    """A criterion of the answer that failed validation on the last attempt: reported as rejected, not kept."""

    kind: str
    item: int | None = None
    quote: str = ""
    reason: str


_MAX_LISTED = 12


def _short(error: ValidationError) -> str:
    parts = []
    for err in error.errors(include_url=False, include_input=False)[:3]:
        loc = ".".join(str(x) for x in err["loc"] if not isinstance(x, int) or len(err["loc"]) == 1)
        parts.append(f"{loc or 'value'}: {err['msg']}")
    return "; ".join(parts)


def _check(raw: Any, n: int, ctx: AnswerContext | None) -> tuple[Any, Unusable | None]:
    """One criterion of the answer: its validated model, or why it is unusable (schema, item, grounding)."""
    d = raw if isinstance(raw, dict) else {}
    kind, item, quote = str(d.get("kind", "?")), d.get("item"), str(d.get("quote", ""))
    where = f"criterion {n} (item {item}, {kind})"
    try:
        model = _criterion_adapter().validate_python(raw)
    except ValidationError as e:
        return None, Unusable(
            kind=kind, item=item if isinstance(item, int) else None, quote=quote, reason=f"{where}: {_short(e)}"
        )
    if ctx is None:
        return model, None
    span = ctx.items.get(model.item)
    if span is not None and find_span(ctx.source, model.quote, *span) is not None:
        return model, None
    if any(find_span(ctx.source, model.quote, lo, hi) is not None for lo, hi in ctx.items.values()):
        return model, None  # the quote of another item sent: the backend files it there
    if span is None:
        reason = f"{where}: item {model.item} was not sent; use the item numbers of <items>"
    else:
        reason = (
            f"{where}: quote {json.dumps(model.quote, ensure_ascii=False)[:300]} is not in item {model.item}; "
            "copy the clause verbatim"
        )
    return None, Unusable(kind=model.kind, item=model.item, quote=model.quote, reason=reason)


class LLMCriteria(OpenAISchema):
    """The criteria the items state."""

    model_config = ConfigDict(extra="ignore")

    criteria: list[Any] = Field(default_factory=list)
    _unusable: list[Unusable] = PrivateAttr(default_factory=list)

    @property
    def unusable(self) -> list[Unusable]:
        """Criteria set aside on the last attempt (validated with a context only)."""
        return self._unusable

    @field_validator("criteria", mode="before")
    @classmethod
    def _typed(cls, value: Any, info: ValidationInfo) -> list[Any]:
        if not isinstance(value, list):
            raise ValueError("criteria must be a list")
        ctx = (info.context or {}).get("answer")
        ctx = ctx if isinstance(ctx, AnswerContext) else None
        out: list[Any] = []
        bad: list[Unusable] = []
        for n, raw in enumerate(value):
            if isinstance(raw, dict) and raw.get("kind") in FILLED_KINDS:
                continue  # the backend fills `other` in itself: one the model writes is dropped
            model, problem = _check(raw, n, ctx)
            if problem is None:
                out.append(model)
            else:
                bad.append(problem)
        if bad and (ctx is None or not ctx.final):  # the text the model is re-asked with
            lines = [b.reason for b in bad[:_MAX_LISTED]]
            more = f"\n(+{len(bad) - _MAX_LISTED} more)" if len(bad) > _MAX_LISTED else ""
            keep = "; keep the other criteria as they are" if ctx is not None else ""
            count = "1 criterion is" if len(bad) == 1 else f"{len(bad)} criteria are"
            raise ValueError(f"{count} wrong{keep}:\n" + "\n".join(lines) + more)
        return [*out, *bad]

    @model_validator(mode="after")
    def _set_aside(self) -> LLMCriteria:
        self._unusable = [c for c in self.criteria if isinstance(c, Unusable)]
        self.criteria = [c for c in self.criteria if not isinstance(c, Unusable)]
        return self

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The compact answer schema (:func:`answer_schema`), whatever the arguments."""
        return copy.deepcopy(answer_schema())


def response_model(n_items: int = 0) -> type[LLMCriteria]:
    """The answer model for a request of ``n_items`` items: :class:`LLMCriteria` whatever the size (the schema no
    longer depends on it; kept for callers written against prompt v1)."""
    return LLMCriteria
