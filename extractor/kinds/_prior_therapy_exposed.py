"""A prior therapy the lexicon does not name, with no washout (ptother): "Prior treatment with riliprubart",
"Patient had prior treatment with perillyl alcohol", "Prior exposure to any BTK protein degraders", "Prior therapy
with golcadomide <= 4 weeks prior to registration", "must not have received prior exposure to tegavivint" (about 25
non-gold corpus trials left `other`). The item opens with "(current or) prior / previous treatment / therapy /
exposure / use with / to"; its name is the words after it up to the end of the clause, parentheses dropped
("HAI/floxuridine (FUDR)"), cut before a tail ("at any time", "for the cohort ...", "as described ...", a window);
the lexicon's agents in it where it finds some, else the name as written (``_prior_therapy_unnamed``). A lead-in
("... with the following therapies:") names none. Not an intolerance ("discontinued due to an AE": comorbidity).
One criterion: excluded in an exclusion item or after a negation, else required; ``within_weeks`` the written
window. Runs only where the extractor left the item without a ``prior_therapy`` criterion. Pattern:
``treated.exposed`` of ``prior_therapy.yaml``."""

from __future__ import annotations

import re
from typing import TypeVar

from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.kinds._prior_therapy_unnamed import written_names
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import number_value
from extractor.rules.item import ItemContext

__all__ = ["exposed"]

C = TypeVar("C", bound=CriterionBase)

_PARENS = re.compile(r"\s*\([^()]*\)?")
_ABBR = re.compile(r"\s*\((?P<a>[a-z][a-z0-9-]{1,7})\)")
_TAIL = re.compile(
    r"(?:,|\s(?:at\s+any\s+time|for|as|in\s+the|including|prior\s+to|before|within|or\s+within)\b|\s*(?:≤|<|\\?<=?))"
)
_WINDOW = re.compile(r"(?:within|≤|\\?<=?|<)\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<u>days?|weeks?|months?)\b")
_NEGATED = re.compile(r"\b(?:not|no|never)\b")


def _abbreviated(rest: str) -> str:
    """``rest`` with an expansion the lexicon knows by its parenthesised abbreviation written as that abbreviation
    ("anti-vascular endothelial growth factor (VEGF) therapy" -> "anti-vegf therapy"); else ``rest``."""
    m = _ABBR.search(rest)
    if m is None:
        return rest
    words = rest[: m.start()].split(" ")
    for k in range(1, min(6, len(words)) + 1):
        anti = "anti-" if words[-k].startswith("anti-") else ""
        candidate = " ".join([*words[:-k], f"{anti}{m.group('a')}"]) + rest[m.end() :]
        if any(not a.neg for a in find_agents(candidate)):
            return candidate
    return rest


def exposed(ctx: ItemContext, rx: tuple[re.Pattern[str], re.Pattern[str]], out: list[C], model: type[C]) -> list[C]:
    """``out`` and the criterion of an item that opens with a prior therapy by a name the lexicon lacks (``rx[0]``;
    ``rx[1]``: an intolerance or other reading that is not this)."""
    lower = ctx.lower
    m = rx[0].match(lower)
    if m is None or rx[1].search(lower):
        return out
    rest = m.group("rest")
    end = m.start("rest") + len(rest)
    name = _TAIL.split(_PARENS.sub("", _abbreviated(rest)), maxsplit=1)[0].strip()
    names = [] if lower.rstrip().endswith(":") and "following" in name else written_names(name)
    if names is None:
        return out
    names = [f"{n[:-2]}y" if n.endswith("ie") else n for n in names]  # "therapies": the plural's singular
    w = _WINDOW.search(lower, m.start("rest"))
    n = number_value(w.group("n")) if w is not None else None
    weeks = weeks_of(n, w.group("u")) if w is not None and n is not None else None
    negated = _NEGATED.search(lower, 0, m.start("rest")) is not None
    requirement = "excluded" if ctx.is_exclusion or negated else "required"
    return [*out, ctx.make(model, 0, end, agents=names, requirement=requirement, within_weeks=weeks)]
