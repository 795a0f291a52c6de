"""Populations of the ``lab`` kind that ``lab.yaml``'s ``conditions`` do not list: the patients a treatment, cohort,
arm or indication makes, written right after a threshold ("HbA1c <= 6.4% for those taking alpelisib", ">= 8 g/dL in
gastric cancer indications"); ``lab.yaml``: ``free_population``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractor.kinds._lab_rules import RULES

if TYPE_CHECKING:
    from extractor.kinds._lab_thresholds import Threshold

__all__ = ["conversion", "free_population", "names_population", "population_end"]


def names_population(text: str) -> bool:
    """Whether the item holds such a population anywhere (then every threshold of a mention is read)."""
    return ("for " in text or "in " in text or "among " in text) and RULES.free_population.search(text) is not None


def free_population(text: str, at: int, end: int) -> tuple[str, int] | None:
    """The population written right after a threshold ending at ``at`` (before ``end``): its words, lower case, and
    its end offset."""
    m = RULES.free_population.match(text, at, end)
    if m is None:
        return None
    group = "who" if m.group("who") else "group"
    words = " ".join(m.group(group).split())
    return words.removeprefix("enrolled in ").removeprefix("the "), m.end(group)  # "(in) the expansion cohort"


def conversion(text: str, prev_end: int, t: Threshold) -> bool:
    """Whether ``t`` is the one before it in other units, in brackets ("... 10^9/L (>= 75,000/mm3)")."""
    gap = text[prev_end : t.start].strip()
    tail = text[t.end - 1 : t.end + 2]  # the value may hold its closing bracket
    closes = ")" in tail or "]" in tail
    return gap[:1] in ("(", "[") and not any(c.isalnum() for c in gap) and closes


def population_end(text: str, ths: list[Threshold], win_end: int) -> int:
    """Where a population after the first threshold may end: the next threshold that is no conversion of it."""
    return next((t.start for t in ths[1:] if not conversion(text, ths[0].end, t)), win_end)
