"""Extent words that state no stage rule: the disease a therapy was given for ("prior chemotherapy for their
metastatic NSCLC", "approved to treat recurrent glioma") and, in an exclusion, disease a permission admits ("locally
recurrent disease is allowed"). The patterns are ``reference_before`` and ``permitted_after`` in ``stage.yaml``."""

from __future__ import annotations

import re
from typing import Protocol

__all__ = ["ReferenceRules", "first_stated", "referenced"]

_BEFORE = 80  # characters before an extent word read for a therapy reference


class ReferenceRules(Protocol):
    """The keys of ``stage.yaml`` this module reads."""

    @property
    def reference_gate(self) -> tuple[str, ...]: ...
    @property
    def reference_before(self) -> re.Pattern[str]: ...
    @property
    def permitted_after(self) -> re.Pattern[str]: ...


def referenced(rules: ReferenceRules, lower: str, start: int, end: int, exclusion: bool) -> bool:
    """The extent word at ``lower[start:end]`` names the disease a therapy was given for, or (in an exclusion)
    disease the rest of its sentence permits."""
    if any(w in lower for w in rules.reference_gate) and rules.reference_before.search(
        lower, max(0, start - _BEFORE), start
    ):
        return True
    return exclusion and rules.permitted_after.match(lower, end) is not None


def first_stated(
    rules: ReferenceRules, rx: re.Pattern[str], lower: str, lo: int, hi: int, *, exclusion: bool
) -> re.Match[str] | None:
    """The first match of ``rx`` in ``lower[lo:hi]`` that is not :func:`referenced`."""
    return next(
        (m for m in rx.finditer(lower, lo, hi) if not referenced(rules, lower, m.start(), m.end(), exclusion)), None
    )
