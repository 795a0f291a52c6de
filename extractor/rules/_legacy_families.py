"""Transitional: the rule families not yet split into kind modules (each migration removes its line)."""

from __future__ import annotations

FAMILIES = ()
