"""The smallest valid criterion of any kind, generated from its model, for tests that must cover every kind."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union

from pydantic import BaseModel


def _value(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin in (list, set, tuple):
        return [_value(args[0])] if args else []
    if origin in (Union, types.UnionType):
        return _value(next(a for a in args if a is not type(None)))
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return True
    if isinstance(annotation, type) and issubclass(annotation, (int, float)):
        return 1
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return required_fields(annotation)
    return "x"


_SKIP = frozenset({"kind", "polarity", "evidence"})


def required_fields(model: type[BaseModel], skip: frozenset[str] = _SKIP) -> dict[str, Any]:
    """A value for each required field of ``model`` (the first choice of a ``Literal``, 1, "x", one-item lists)."""
    return {
        name: _value(field.annotation)
        for name, field in model.model_fields.items()
        if field.is_required() and name not in skip
    }
