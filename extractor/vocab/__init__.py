"""Domain vocabularies as data files (YAML), loaded once through ``importlib.resources``.

Files: ``comparators.yaml`` (phrase -> operator), ``numbers.yaml`` (number words), ``drugs.yaml`` (drug, brand
and code names -> generic name and classes), ``units.yaml`` (unit spellings -> canonical unit), ``analytes.yaml``
(lab analyte synonyms -> canonical analyte), ``biomarkers.yaml``, ``infections.yaml``. Every loader returns
plain, read-only data; rules compile their patterns from it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

import yaml

from extractor.errors import ConfigError

__all__ = ["load", "vocab_hash"]


@cache
def load(name: str) -> Any:
    """Load ``extractor/vocab/<name>.yaml`` (cached; the result must not be mutated)."""
    try:
        text = resources.files("extractor.vocab").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"vocabulary file {name}.yaml not found") from e
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"vocabulary file {name}.yaml is not valid YAML: {e}") from e


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
