"""The status words of a generic catch-all ("serious (severe) and/or uncontrolled medical condition(s)", "serious,
uncontrolled medical disorder", "uncontrolled serious psychiatric illness") say no scope: GUIDE.md reads "serious
(and/or uncontrolled) medical or psychiatric illness" as scope null. The rule is ``comorbidity.yaml``'s
``scope_null``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["blank_catchall"]


def blank_catchall(rules: Rules, text: str) -> str:
    """``text`` with the scope-less status words of a catch-all blanked (same length), before the cues are read."""
    if "serious" not in text and "severe" not in text and "significant" not in text:
        return text
    for m in rules.scope_null.finditer(text):
        text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return text
