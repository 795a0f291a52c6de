"""A condition negated inside a permission ("HIV positive, but without clinical evidence of an immunocompromised state,
are eligible", "no evidence of pre-existing retinopathy may be allowed", "permitted in the absence of active autoimmune
disease"): the permission admits those without it, so the effective rule excludes it (GUIDE.md, the effective-rule
convention). The negation must come before the condition in its sentence with no clause break between
(``comorbidity.yaml``'s ``permit_negation_break``): "GvHD not requiring immunosuppression or grade 2 skin GvHD are
acceptable" admits both."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules
    from extractor.rules.context import ContextResult

__all__ = ["negated_in_permission"]


def negated_in_permission(
    rules: Rules, context: ContextResult, low: str, *, kind: str, sentence_start: int, span: tuple[int, int]
) -> bool:
    """Whether a negation cue of the sentence starting at ``sentence_start`` reaches the condition named at ``span``
    from before it, with no clause break in between."""
    start, end = span
    return any(
        sentence_start <= c.cue_start
        and c.cue_end <= start
        and c.covers(start, end)
        and rules.permit_negation_break.search(low, c.cue_end, start) is None
        for c in context.cues("negated", kind=kind)
    )
