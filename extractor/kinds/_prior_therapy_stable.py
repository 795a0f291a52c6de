"""Stable-dose lengths of the ``prior_therapy`` kind: a time that says how long a dose or regimen has been held
unchanged ("stable dose of X for at least 4 weeks", "stable dose of X (>= 3 months)", "stable regimen with no
adjustments within 30 days") is an exposure length (`min_duration_months`), never a washout window."""

from __future__ import annotations

from typing import Protocol

from extractor.rules.ruledata import Pattern

__all__ = ["held_stable"]


class StableRules(Protocol):
    """The patterns of ``numbers`` in ``prior_therapy.yaml`` this reader needs."""

    @property
    def stable_before(self) -> Pattern: ...
    @property
    def stable_gap(self) -> Pattern: ...
    @property
    def stable_unchanged(self) -> Pattern: ...
    @property
    def stable_break(self) -> Pattern: ...


def held_stable(rules: StableRules, lower: str, s: int, start: int, ns: int, *, opener: bool, post: str) -> bool:
    """Whether the quantity at ``[start, ...)`` (its number at ``ns``) is how long a dose has been held stable.

    ``opener``: a duration opener ("for at least") stands right before the number; ``post`` is what the quantity is
    measured from ("since", "after" time a gap from a therapy, never a stable dose). Without an opener, no other
    time stands between the stable dose and the number ("stable for 14 days ... for 28 days (14 days if X)")."""
    back = max(s, start - 130)
    if post.startswith(("since", "after", "from")):
        return False
    if rules.stable_unchanged.search(lower, back, start) is not None:
        return True
    if opener:
        return rules.stable_before.search(lower, back, start) is not None
    if rules.stable_gap.search(lower, max(s, ns - 60), ns) is None:
        return False
    m = rules.stable_before.search(lower, back, start)
    return m is not None and rules.stable_break.search(lower, m.start(), start) is None
