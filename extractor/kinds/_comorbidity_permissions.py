"""Permissions and exceptions of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): where a sentence lets
conditions in, and whether an exception cue reaches a condition named after it (GUIDE.md: a permitted condition is a
criterion of its own, ``allowed``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules
    from extractor.rules.context import ContextResult

__all__ = ["excepts", "permit_zone", "permitted"]

_OPEN, _CLOSE = "([", ")]"


def permit_zone(rules: Rules, low: str, s: int, e: int) -> tuple[int, int] | None:
    """Where a sentence ``low[s:e]`` lets conditions in: the subject of a permission ("Subjects with vitiligo, type I
    diabetes ... are permitted to enroll"), with the examples bracketed after it ("... may be included (eg, hearing
    loss)"), or what follows one ("are permitted to enroll if they have vitiligo")."""
    cue = rules.permit_cue.search(low, s, e)
    if cue is None:
        return None
    if cue.group("fwd"):
        return cue.end(), e
    subject = rules.permit_subject.search(low, s, cue.start())
    if subject is None or low.count("(", subject.end(), cue.start()) > low.count(")", subject.end(), cue.start()):
        return None  # no subject, or a permission inside a parenthesis ("(those whose X is controlled may enroll)")
    return subject.end(), cue.end() if cue.group("ex") else cue.start()  # "... may be included (eg, hearing loss)"


def excepts(rules: Rules, low: str, cue_end: int, start: int) -> bool:
    """Whether the exception list opened at ``cue_end`` still runs at ``start``: not when a bracket opened before the
    cue closes in between ("(excluding vascular access) or injury", "[with the exception of diverticulosis], lupus"),
    nor past an entry that starts another excluded one ("except hypothyroidism, uncontrolled diabetes", "excluding
    biopsy, or had traumatic injury")."""
    depth = 0
    for ch in low[cue_end:start]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
            if depth < 0:
                return False
    return rules.exception_list_end.search(low, cue_end, start) is None


def _opened(low: str, s: int, e: int) -> int:
    """How many brackets ("(" or "[") ``low[s:e]`` opens and leaves open."""
    return sum(map(low.count, _OPEN, (s, s), (e, e))) - sum(map(low.count, _CLOSE, (s, s), (e, e)))


def permitted(context: ContextResult, low: str, kind: str, start: int, end: int) -> bool:
    """Whether a permission cue reaches the condition at ``low[start:end]``: not one inside a parenthesis opened after
    the condition, which admits something else ("immunocompromised (patients with splenectomy are allowed)",
    "hyper- or hypothyroidism (subjects requiring medication ... are eligible)")."""
    return any(
        c.covers(start, end) and _opened(low, end, c.cue_start) <= 0 for c in context.cues("permitted", kind=kind)
    )
