"""Lab quantities with units: parse a threshold's unit, convert it, compare two thresholds.

Built on pint. Cell counts written per volume (``1,500/mm3``, ``1.5 x 10^9/L``, ``1.5 G/L``, ``150 x10^3/uL``) are
all concentrations of a count, so they convert into each other; mass and molar concentrations convert through the
analyte's molar mass (``vocab/molar_masses.yaml``: bilirubin 1.5 mg/dL = 25.7 umol/L). A unit pint cannot read is
compared by its spelling only.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import pint

from extractor.vocab import load

__all__ = ["Quantity", "parse_unit", "quantity", "same_quantity", "to_unit"]

Quantity = pint.Quantity

_PER_173 = re.compile(r"/\s*1[.,]73\s*m(?:\^?2|²)?", re.I)
_POWER = re.compile(r"x\s*10\s*\^?\s*(\d+)", re.I)
_RENAME = (
    (re.compile(r"mcL|µL|μL", re.I), "uL"),
    (re.compile(r"mm3|mm\^3|mm³|cu\s*mm", re.I), "mm**3"),
    (re.compile(r"\bcells?\b", re.I), ""),
    (re.compile(r"\bIU\b"), "U"),
    (re.compile(r"^\s*G/L\s*$"), "1e9/L"),
    (re.compile(r"24\s*h(?:ours?|rs?)?", re.I), "(24 hour)"),
)


@cache
def _registry() -> pint.UnitRegistry[Any]:
    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
    ureg.define("U = [enzyme_activity]")  # international units of enzyme activity (U/L): compared within themselves
    return ureg


@cache
def _molar_masses() -> dict[str, float]:
    data = load("molar_masses")
    return {str(k): float(v) for k, v in data.items()}


def _pint_expression(unit: str) -> str:
    s = _POWER.sub(lambda m: f"1e{m.group(1)} *", unit.strip())
    for pattern, repl in _RENAME:
        s = pattern.sub(repl, s)
    s = s.strip()
    if s.startswith("/"):
        s = "1" + s
    s = re.sub(r"\*\s*/", "/", s)  # "1e9 * /L" -> "1e9 /L"
    return s


@cache
def parse_unit(unit: str) -> Any | None:
    """The pint unit quantity (a magnitude may be folded in: ``x10^9/L`` is ``1e9 / liter``), or None."""
    if not unit or _PER_173.search(unit) or unit.strip() == "%":
        return None  # per-body-surface rates and percentages are compared by spelling
    try:
        q = _registry().parse_expression(_pint_expression(unit))
    except Exception:  # pint's parser raises many types (AssertionError included) on odd spellings
        return None
    return q if isinstance(q, pint.Quantity) else None


def quantity(value: float, unit: str | None) -> Any | None:
    """``value`` in ``unit`` as a pint quantity, or None when the unit is unknown."""
    if unit is None:
        return None
    q = parse_unit(unit)
    return None if q is None else value * q


def to_unit(value: float, unit: str, target: str, analyte: str | None = None) -> float | None:
    """``value`` ``unit`` expressed in ``target`` (through the analyte's molar mass if needed), or None."""
    src, dst = quantity(value, unit), parse_unit(target)
    if src is None or dst is None:
        return None
    ureg = _registry()
    try:
        return float((src / dst).to(ureg.dimensionless).magnitude)
    except pint.errors.DimensionalityError:
        pass
    mm = _molar_masses().get(analyte or "")
    if mm is None:
        return None
    molar = ureg.Quantity(mm, "g/mol")
    for converted in (src / molar, src * molar):
        try:
            return float((converted / dst).to(ureg.dimensionless).magnitude)
        except pint.errors.DimensionalityError:
            continue
    return None


def _spelling(unit: str | None) -> str:
    return "".join((unit or "").lower().split()).replace("µ", "u").replace("μ", "u").replace("mcl", "ul")


def same_quantity(
    a_value: float | None,
    a_unit: str | None,
    b_value: float | None,
    b_unit: str | None,
    *,
    analyte: str | None = None,
    rel_tol: float = 0.03,
) -> bool:
    """True when two thresholds state the same amount: equal values in the same unit, or equal after converting
    (within ``rel_tol``, which absorbs rounding in published conversions such as 1.5 mg/dL ~ 26 umol/L)."""
    if a_value is None or b_value is None:
        return a_value is None and b_value is None and _spelling(a_unit) == _spelling(b_unit)
    if _spelling(a_unit) == _spelling(b_unit):
        return math.isclose(a_value, b_value, rel_tol=1e-6, abs_tol=1e-9)
    if a_unit is None or b_unit is None:
        return False
    converted = to_unit(a_value, a_unit, b_unit, analyte)
    return converted is not None and math.isclose(converted, b_value, rel_tol=rel_tol, abs_tol=1e-9)
