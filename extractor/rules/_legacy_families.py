"""Transitional: the rule families not yet split into kind modules (each migration removes its line)."""

from __future__ import annotations

from extractor.rules import disease, general, her2, labs, performance, therapy

FAMILIES = (
    her2.extract,
    performance.extract,
    labs.extract,
    general.extract,
    therapy.extract,
    disease.extract,
)
