"""A list after "including, but not limited to" goes on the rule's own agents (members, not an exception), so its
"but" opens no clause (5 non-gold trials: "must not have received X including, but not limited to, Y and Z")."""

from __future__ import annotations

import re

__all__ = ["not_limited"]

_NOT_LIMITED = re.compile(r"but\s+(?:are\s+|is\s+)?not\s+limited\s+to\b")


def not_limited(lower: str, pos: int) -> bool:
    """The break word at ``pos`` is the "but" of "but (are) not limited to"."""
    return _NOT_LIMITED.match(lower, pos) is not None
