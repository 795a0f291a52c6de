"""The status words of a generic catch-all ("serious (severe) and/or uncontrolled medical condition(s)", "serious,
uncontrolled medical disorder", "uncontrolled serious psychiatric illness") say no scope: GUIDE.md reads "serious
(and/or uncontrolled) medical or psychiatric illness" as scope null. Nor do the status words or the window of another
kind's topic ("or active hemorrhage", "pulmonary emboli within 3 months"). The rule is ``comorbidity.yaml``'s
``scope_null``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["blank_catchall"]


def blank_catchall(rules: Rules, text: str) -> str:
    """``text`` with the scope-less status words (a catch-all's, another topic's) blanked (same length), before the
    cues are read."""
    for m in rules.scope_null.finditer(text):
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return text
