"""A condition qualified by both of its origins ("congenital or acquired immunodeficiency", "inherited or acquired
bleeding disorder", "primary/acquired immunodeficiency") names every form of it: one entry, the bare name
(GUIDE.md: one entry per condition named). The rules are ``comorbidity.yaml``'s ``origin_innate`` and
``origin_acquired``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["every_origin"]


def every_origin(rules: Rules, mod: str, coordinated: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    """The bare ``names`` when their one-word modifier ``mod`` and the one word paired before it (the first word of
    ``coordinated``) are an innate and an acquired origin, in either order; else nothing."""
    if len(coordinated) != 1 or not mod or " " in mod:
        return ()
    pair = {coordinated[0].split(" ", 1)[0], mod}
    if len(pair) != 2 or pair.isdisjoint(rules.origin_innate) or pair.isdisjoint(rules.origin_acquired):
        return ()
    return tuple(n[len(mod) + 1 :] if n.startswith(mod + " ") else n for n in names)
