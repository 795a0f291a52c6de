"""A hepatitis infection's past treatment (``prior_therapy``): a step of the concomitant pass.

"HCV RNA negative due to prior treatment or natural resolution are eligible", "in response to a successful prior
course of anti-HCV therapy ... are permitted", "with the exception of patients who have been successfully treated for
hepatitis B/C": ``<hbv|hcv> antiviral therapy``, allowed after a permission ("eligible", "permitted", "exception");
required after a demand that names the therapy ("must have completed curative anti-HCV therapy"; "curative" kept).
A demand with the verb only ("must have been treated and cured") and a treated infection described as excluded give
nothing: the infection's fact. Being on treatment now ("currently on treatment, eligible if the viral load is
undetectable") is the infection's control, no therapy (as HIV on ART). The virus is the phrase's, else the
sentence's nearest. Patterns: ``conmed.treated`` of ``prior_therapy.yaml``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from extractor.rules.ruledata import Pattern

__all__ = ["TreatedRules", "treated_names"]


class TreatedRules(BaseModel):
    """``conmed.treated`` of ``prior_therapy.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    gate: tuple[str, ...]
    phrase: Pattern
    virus: Pattern
    required: Pattern
    allowed: Pattern
    therapy: Pattern


def _viruses(r: TreatedRules, text: str) -> list[str]:
    """``hbv`` / ``hcv`` for each virus the text names ("hepatitis B/C": both), in order."""
    out: list[str] = []
    for m in r.virus.finditer(text):
        for v in ("hbv" if m.group("b") else "", "hcv" if m.group("c") or m.group("bc") else ""):
            if v and v not in out:
                out.append(v)
    return out


def treated_names(r: TreatedRules, lower: str, s: int, e: int) -> tuple[list[str], str]:
    """The antiviral therapies a sentence ``[s, e)`` says were given and its requirement ("" when it states none)."""
    names: list[str] = []
    requirement = ""
    for m in r.phrase.finditer(lower, s, e):
        viruses = _viruses(r, m.group(0))
        if not viruses:  # the nearest virus of the sentence: before the phrase, else after it
            before = _viruses(r, lower[s : m.start()])
            viruses = before[-1:] or _viruses(r, lower[m.end() : e])[:1]
        if not viruses:
            continue
        if r.required.search(lower, max(s, m.start() - 40), m.end()):
            if not r.therapy.search(m.group(0)):
                continue  # "must have been treated and cured": the infection's fact (tune gold), no therapy named
            requirement = requirement or "required"
        elif r.allowed.search(lower, s, e):
            requirement = requirement or "allowed"
        else:
            continue
        qual = "curative " if m.group("q") or m.group("q2") else ""
        names.extend(n for n in (f"{qual}{v} antiviral therapy" for v in viruses) if n not in names)
    return (names, requirement) if names else ([], "")
