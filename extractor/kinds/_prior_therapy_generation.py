"""A drug generation written before a class the other readings name bare, re-read from the quote (issue 11, round
29; GUIDE third round: qualifiers are kept, "second-generation antiandrogen").

"second-generation androgen receptor (AR) inhibitor", "first-generation AR antagonists", "third-generation epidermal
growth factor receptor tyrosine kinase inhibitor (EGFR TKI)": the class the generation phrase names keeps the
generation ("second-generation androgen receptor inhibitor", "third-generation egfr tki"); "first- or
second-generation EGFR TKI" gives one name per generation (a qualifier that covers a list goes to every entry); a
class also written bare ("antiandrogens (including first-generation antiandrogens, ...)") stays beside it.
About 8 non-gold corpus trials name the class bare or with one generation of two.

Patterns: ``requalified.generation`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from extractor.rules.drugs import lookup
from extractor.rules.ruledata import Pattern

__all__ = ["GenerationRules", "generation"]

_ABBREV = re.compile(r"\(\s*([a-z0-9][a-z0-9 \-]{0,10}?)\s*\)")
_WORDS = re.compile(r"[\s\-]+")


class GenerationRules(BaseModel):
    """``requalified.generation``: the generation phrase (groups ``g1`` / ``g2``), where the class after it ends."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    phrase: Pattern
    stop: Pattern


def generation(rules: GenerationRules, low: str, agents: list[str]) -> list[str]:
    """``agents`` with the class each generation phrase of ``low`` names carrying its generation(s)."""
    out = list(agents)
    for m in rules.phrase.finditer(low):
        gens = [f"{g}-generation" for g in (m.group("g1"), m.group("g2")) if g]
        end = rules.stop.search(low, m.end(), m.end() + 100)
        phrase = low[m.end() : end.start() if end else m.end() + 100]
        at, name = _named(phrase, out, gens)
        if at is None:
            continue
        names = [f"{g} {name}" for g in gens]
        if all(n in out for n in names):
            continue
        new = [n for n in names if n == out[at] or n not in out]
        bare = re.search(r"(?<![(\-])\b" + re.escape(out[at]) + r"s?\b", low)  # also written as a class of its own
        if bare is not None and "generation" not in low[max(0, bare.start() - 12) : bare.start()]:
            new.insert(0, out[at])
        out[at : at + 1] = new
    return out


def _named(phrase: str, agents: list[str], gens: list[str]) -> tuple[int | None, str]:
    """The index of the class among ``agents`` that ``phrase`` (the words after a generation) names, bare or with
    one of ``gens``, and the name it is written as: the lexicon's name of the words with an abbreviation in
    parentheses removed, else the abbreviation's, else the agent whose head noun and first letter the phrase writes."""
    abbrevs = [a.strip() for a in _ABBREV.findall(phrase)]
    words = _WORDS.split(_ABBREV.sub(" ", phrase).strip())[:8]
    if not words or not words[0]:
        return None, ""
    written = next((n for k in range(len(words), 0, -1) if (n := lookup(" ".join(words[:k]))) is not None), None)
    for name in filter(None, [written, *(lookup(a) for a in abbrevs)]):
        head = name.split()[-1]
        for i, a in enumerate(agents):
            if a in (f"{g} {name}" for g in gens):
                return i, name
            if "generation" in a:
                continue
            if a == name or (a.split()[-1] == head and a.split()[0] in (name.split()[0], *abbrevs)):
                return i, name
    head = words[-1].rstrip("s")
    for i, a in enumerate(agents):
        parts = a.split()
        if "generation" not in a and len(parts) > 1 and parts[-1] == head and parts[0][0] == words[0][0]:
            return i, a
    return None, ""
