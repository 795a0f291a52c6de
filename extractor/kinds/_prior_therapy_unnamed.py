"""A washout of a therapy the lexicon does not name (ptrec3): exclusion "Treatment with efgartigimod within 8 weeks
prior to screening", "Treatment with plasma exchange within 8 weeks", "Receipt of any vaccine within 30 days prior to
the first dose", "Therapy with an anti-PCSK9 agent within 90 days of study entry" (about 11 non-gold corpus trials
left `other`). The item opens with the treatment; its name is the words between "with / of" and "within": the
lexicon's agents in it where it finds some, else the name as written (articles dropped, a list split at "or (other)",
a plural last word made singular, "investigational ..." -> "investigational agent"); "any of the following" (a
lead-in) names none. One criterion, excluded, ``within_weeks`` the written time. Runs only where the extractor left
the item without a ``prior_therapy`` criterion. Also a washout since the last therapy with none named ("At least two
weeks since last dose of prior treatment"): no agent. Patterns: ``treated.unnamed`` / ``since_last`` of
``prior_therapy.yaml``."""

from __future__ import annotations

import re
from typing import TypeVar

from extractor.kinds._prior_therapy_numbers import weeks_of
from extractor.models.criteria import CriterionBase
from extractor.rules.drugs import find_agents
from extractor.rules.grammar import number_value
from extractor.rules.item import ItemContext

__all__ = ["unnamed", "written_names"]

C = TypeVar("C", bound=CriterionBase)

_SPLIT = re.compile(r"\s*(?:,\s*(?:or\s+|and\s+)?|\s(?:and/or|or|and)\s+)(?:other\s+)?")
_ARTICLE = re.compile(r"^(?:(?:an?|any|the|all)\s+)+")
_NONE = re.compile(r"\bfollowing\b")


def written_names(name: str) -> list[str] | None:
    """The agents a treatment's written name gives (``None``: a name too short to read, "ET", "IO")."""
    if _NONE.search(name):
        return []
    known = [a.name for a in find_agents(name) if not a.neg]
    if known:
        return list(dict.fromkeys(known))
    out: list[str] = []
    for written in _SPLIT.split(name):
        part = _ARTICLE.sub("", written.strip())
        if part.startswith("investigational"):
            part = "investigational agent"
        head, _, last = part.rpartition(" ")
        if last.endswith("s") and not last.endswith(("ss", "us", "is")):
            part = f"{head} {last[:-1]}".strip()
        if len(part) < 4:
            return None
        if part not in out:
            out.append(part)
    return out or None


def unnamed(ctx: ItemContext, rx: tuple[re.Pattern[str], re.Pattern[str]], out: list[C], model: type[C]) -> list[C]:
    """``out`` and the washout criterion of an exclusion item that opens with an unnamed treatment (``rx[0]``), or of
    an item that opens with the time since the last therapy, none named (``rx[1]``: no agent)."""
    lower = ctx.lower
    m = rx[0].match(lower) if ctx.is_exclusion else None
    names = written_names(m.group("name")) if m is not None else None
    if m is None or names is None:
        m, names = rx[1].match(lower), []
        if m is None:
            return out
    n = number_value(m.group("n") or m.group("n2"))
    if n is None:
        return out
    weeks = weeks_of(n, m.group("u") or m.group("u2") or "")
    end = lower.find(".", m.end())
    end = len(ctx.clean.rstrip(" .;")) if end < 0 else end
    return [*out, ctx.make(model, 0, end, agents=names, requirement="excluded", within_weeks=weeks)]
