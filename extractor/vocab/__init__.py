"""Domain vocabularies as data files (YAML), loaded once through ``importlib.resources``.

Files: ``comparators.yaml`` (phrase -> operator), ``numbers.yaml`` (number words), ``drugs.yaml`` (drug, brand
and code names -> generic name and classes), ``units.yaml`` (unit spellings -> canonical unit), ``analytes.yaml``
(lab analyte synonyms -> canonical analyte), ``biomarkers.yaml``, ``infections.yaml``. Every loader returns
plain, read-only data, validated against its schema in ``schemas.py`` (``load_model`` returns the typed
model); rules compile their patterns from it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from extractor.errors import ConfigError

__all__ = ["load", "load_model", "package_yaml", "read_yaml", "vocab_hash", "vocabulary"]


_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster at start-up


def read_yaml(text: str) -> Any:
    """Parse YAML safely (libyaml's C loader when installed, else PyYAML's pure-Python safe loader)."""
    return yaml.load(text, Loader=_LOADER)


def package_yaml(package: str, name: str, schema: type[M]) -> M:
    """A YAML data file shipped in ``package`` (``package_yaml("extractor.io", "fhir_codes.yaml", Codes)``), validated
    against ``schema``; ``ConfigError`` naming the file if it does not parse or validate."""
    where = f"{package.replace('.', '/')}/{name}"
    try:
        return schema.model_validate(read_yaml(resources.files(package).joinpath(name).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError, ValidationError) as e:
        raise ConfigError(f"{where} does not validate: {e}") from e


@cache
def load(name: str) -> Any:
    """Load ``extractor/vocab/<name>.yaml`` (cached; the result must not be mutated)."""
    try:
        text = resources.files("extractor.vocab").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"vocabulary file {name}.yaml not found") from e
    try:
        data = read_yaml(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"vocabulary file {name}.yaml is not valid YAML: {e}") from e
    load_model(name, data)
    return data


_MODELS: dict[str, BaseModel] = {}
M = TypeVar("M", bound=BaseModel)


def vocabulary(schema: type[M]) -> M:
    """The shared vocabulary whose schema is ``schema`` (``vocabulary(Biomarkers)``), typed, validated, cached."""
    from extractor.vocab.schemas import SCHEMAS

    name = next((n for n, cls in SCHEMAS.items() if cls is schema), None)
    if name is None:
        raise ConfigError(f"{schema.__name__} is not the schema of a vocabulary file")
    model = load_model(name)
    assert isinstance(model, schema)
    return model


def load_model(name: str, data: Any = None) -> BaseModel:
    """``vocab/<name>.yaml`` validated against its schema (``ConfigError`` naming the file and key if invalid)."""
    from extractor.vocab.schemas import SCHEMAS

    if name in _MODELS:
        return _MODELS[name]
    schema = SCHEMAS.get(name)
    if schema is None:
        raise ConfigError(f"vocabulary file {name}.yaml has no schema in extractor/vocab/schemas.py")
    try:
        model = schema.model_validate(load(name) if data is None else data)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"vocabulary file {name}.yaml: key {key!r}: {err['msg']}") from None
    _MODELS[name] = model
    return model


@cache
def vocab_hash() -> str:
    """Short sha256 over all vocabulary files: part of the rules backend's provenance and cache key."""
    h = hashlib.sha256()
    root = resources.files("extractor.vocab")
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()[:16]
