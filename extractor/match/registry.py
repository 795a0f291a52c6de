"""Registry reconciliation: CT.gov ``sex`` / ``minimum_age`` / ``maximum_age`` / ``healthy_volunteers`` against the
criteria text. A field becomes a criterion (``source="registry"``) when the text has no criterion of its kind; when
both state it and disagree, the text's criterion is the one judged and a :class:`RegistryConflict` is recorded."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from extractor.models import Age, Criterion, Evidence, Other, Sex
from extractor.models.match import RegistryConflict

__all__ = ["parse_age", "parse_sex", "reconcile"]

_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(years?|months?|weeks?|days?|hours?|minutes?)\s*$", re.I)
_PER_YEAR = {"year": 1.0, "month": 12.0, "week": 52.1775, "day": 365.25, "hour": 8766.0, "minute": 525960.0}


def parse_age(value: Any) -> float | None:
    """A registry age in years: '18 Years' -> 18, '6 Months' -> 0.5; None for 'N/A', empty or unreadable."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = _AGE.match(str(value))
    if m is None:
        return None
    return round(float(m.group(1)) / _PER_YEAR[m.group(2).lower().rstrip("s")], 4)


def parse_sex(value: Any) -> str | None:
    """'ALL' / 'FEMALE' / 'MALE' (any case, 'Both' too) -> all / female / male; None otherwise."""
    v = str(value or "").strip().lower()
    return {"all": "all", "both": "all", "female": "female", "male": "male"}.get(v)


def _parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return {"true": True, "yes": True, "false": False, "no": False}.get(str(value or "").strip().lower())


def _evidence(field: str, value: Any) -> Evidence:
    text = f"{field}: {value}"
    return Evidence(text=text, start=0, end=len(text))


def reconcile(
    criteria: Sequence[Criterion], registry: Mapping[str, Any], *, has_diagnosis: bool
) -> tuple[list[Criterion], list[RegistryConflict]]:
    """(criteria to add from the registry, conflicts between registry and text) for one trial."""
    added: list[Criterion] = []
    conflicts: list[RegistryConflict] = []
    ages = [c for c in criteria if c.kind == "age"]
    sexes = [c for c in criteria if c.kind == "sex"]
    for field, attr in (("minimum_age", "min_years"), ("maximum_age", "max_years")):
        raw = registry.get(field)
        years = parse_age(raw)
        if years is None:
            continue
        if not ages:
            added.append(Age(polarity="inclusion", evidence=_evidence(field, raw), **{attr: years}))
            continue
        stated = [v for c in ages if (v := getattr(c, attr)) is not None]
        if stated and not any(abs(v - years) < 1e-6 for v in stated):
            text = ", ".join(f"{v:g}" for v in stated)
            conflicts.append(
                RegistryConflict(
                    field=field,
                    registry=str(raw),
                    text=f"{attr} {text}",
                    message=f"the registry's {field} is {raw}, the text says {text} years; the text is judged",
                )
            )
    raw_sex = registry.get("sex")
    sex = parse_sex(raw_sex)
    if sex is not None:
        if not sexes:
            added.append(Sex(polarity="inclusion", evidence=_evidence("sex", raw_sex), sex=sex))
        else:
            stated_sex = sorted({c.sex for c in sexes if isinstance(c, Sex)})
            if sex not in stated_sex:
                conflicts.append(
                    RegistryConflict(
                        field="sex",
                        registry=str(raw_sex),
                        text=", ".join(stated_sex),
                        message=f"the registry's sex is {raw_sex}, the text says {', '.join(stated_sex)}; "
                        "the text is judged",
                    )
                )
    healthy = _parse_bool(registry.get("healthy_volunteers"))
    if healthy is False and not has_diagnosis:
        added.append(
            Other(
                polarity="inclusion",
                evidence=_evidence("healthy_volunteers", registry.get("healthy_volunteers")),
                category="healthy_volunteers",
            )
        )
    return added, conflicts
