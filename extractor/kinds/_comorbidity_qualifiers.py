"""Words that narrow a condition's name in the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): a site or
type word written right before a condition is part of its name ("rectal diverticulitis", "uterine bleeding",
"interstitial pneumonitis", "hypogonadotropic hypogonadism"; GUIDE.md: names as written), as "chronic" is where it
names the disease ("chronic pancreatitis", not "acute or chronic pancreatitis"); and the one word paired with a
condition before a slash or its modifier ("esophageal/gastric varices" -> "esophageal varices")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractor.kinds._comorbidity_names import chronic_kept

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["paired", "qualified"]

_WORD_BEFORE = re.compile(r"(?<![a-z0-9'-])([a-z][a-z-]*[a-z]) $")
_BROKEN_HYPHEN = re.compile(r"(?<=[a-z])-\s+(?!(?:or|and|to)\b)(?=[a-z])")  # "Peutz- Jeghers", not "cardio- and"


def qualified(rules: Rules, low: str, start: int, mod: str, names: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    """Where the condition named at ``start`` starts and its ``names``, with "chronic" put back where it is part of
    the name and a narrowing word of ``site_qualifiers`` written right before it (when no modifier ``mod`` was
    read) put on each name; a condition a lab item may read in its sense ("hepatic metabolic disorder") is left
    as found; a hyphen written with a space after it is joined ("peutz-jeghers syndrome")."""
    names = chronic_kept(rules, low, start, tuple(_BROKEN_HYPHEN.sub("-", n) for n in names))
    if mod or names[0].startswith("chronic ") or names[0] in rules.lab_conditions:  # a lab item may read it
        return start, names
    m = _WORD_BEFORE.search(low, max(0, start - 30), start)
    if m is None or m.group(1) not in rules.site_qualifiers:
        return start, names
    word = m.group(1)
    return m.start(1), tuple(n if n.startswith(word + " ") else f"{word} {n}" for n in names)


def paired(rules: Rules, before: str, name: str, base: str) -> tuple[str, ...]:
    """The one word paired with a condition before a slash or its modifier ("esophageal/gastric varices" ->
    "esophageal varices"; "primary or acquired immunodeficiency" -> "primary immunodeficiency"), or nothing."""
    m = rules.coord_pair.search(before)
    if m is None:
        return ()
    pre = m.group("pre")
    if pre in rules.coord_heads or pre in rules.coord_lead or pre in rules.coord_block:
        return ()
    if base != name and (pre in rules.coord_pair_mods or rules.coord_pair_mod.fullmatch(pre)):
        return (f"{pre} {base}",)  # the modifier's alternative
    if m.group("slash") and len(words := name.split()) == 2:
        return (f"{pre} {words[1]}",)  # "neurologic/neuromuscular disorder"
    return ()
