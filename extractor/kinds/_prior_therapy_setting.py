"""The disease setting a ``prior_therapy`` sentence names for its therapy (metastatic, adjuvant, neoadjuvant, early,
any): the first setting written in the span; neoadjuvant and adjuvant together are early; a list of settings naming
both an early and an advanced one is any. A setting inside an exception written after the therapy belongs to the
exception's own criterion, not to this one."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_numbers import LineInfo
from extractor.rules.drugs import Agent
from extractor.rules.grammar import any_in
from extractor.rules.ruledata import Pattern

__all__ = ["SettingRules", "setting_of", "therapy_at"]


class SettingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    any: Pattern
    listed: Pattern
    metastatic_words: tuple[str, ...]
    metastatic: Pattern
    neoadjuvant: Pattern
    adjuvant: Pattern
    early: Pattern
    route_before: Pattern
    denied_before: Pattern
    tied_before: Pattern
    tied_in: Pattern
    curative_denied: Pattern
    exception: Pattern
    permission_paren: Pattern


def therapy_at(agents: Sequence[Agent], lines: LineInfo | None) -> int:
    """Where a criterion's therapy is named, for ``setting_of``: its first agent, else the line count a criterion
    without agents states ("metastatic TNBC with disease relapse after 2 to 4 previous lines": the diagnosis before
    it is no setting), else -1."""
    return agents[0].start if agents else lines.start if lines is not None else -1


def setting_of(rules: SettingRules, lower: str, s: int, e: int, first: int = -1) -> str | None:
    """The setting written in ``lower[s:e]``; ``first``: where the therapy is named: a disease written before it is
    the patient's diagnosis, not the therapy's setting ("diagnosis of mCRPC refractory to standard treatment",
    "unresectable advanced solid tumor with progression on 1 prior line"), unless tied to it ("for metastatic
    disease, ...", "in the advanced setting", "second-line")."""
    seg = _unexcepted(rules, lower[s:e], max(0, first - s))
    if ("any " in seg or "regardless" in seg or "adjuvant " in seg) and rules.any.search(seg):
        return "any"
    if ("adjuvant" in seg or "operative" in seg) and _both_listed(rules, seg):
        return "any"
    met = rules.metastatic.search(seg) if any_in(rules.metastatic_words, seg) else None
    while (  # each untied disease before the therapy is skipped, not a tied one after it ("..., including first-line")
        met is not None
        and s + met.start() < first
        and not rules.tied_in.search(met.group())
        and not rules.tied_before.search(seg, max(0, met.start() - 20), met.start())
    ):
        met = rules.metastatic.search(seg, met.end())
    while met is not None and rules.denied_before.search(seg, max(0, met.start() - 60), met.start()):
        met = rules.metastatic.search(seg, met.end())  # "without evidence of metastatic disease"
    adjuvant = "adjuvant" in seg or "operative" in seg
    neo = rules.neoadjuvant.search(seg) if adjuvant else None
    if neo and rules.route_before.search(seg, max(0, neo.start() - 40), neo.start()):
        neo = None  # "intravenous, intraperitoneal, or neoadjuvant": a route list
    adj = rules.adjuvant.search(seg) if adjuvant else None
    early = rules.early.search(seg) if "early" in seg or "curative" in seg else None
    while early is not None and rules.curative_denied.search(seg, max(0, early.start() - 60), early.start()):
        early = rules.early.search(seg, early.end())  # "no other treatment options with curative intent"
    if (
        early is not None
        and s + early.start() < first
        and early.group().startswith("early")
        and not rules.tied_in.search(early.group())
        and not rules.tied_before.search(seg, max(0, early.start() - 20), early.start())
    ):
        early = None  # "early-stage breast cancer who received X": the diagnosis (a curative intent is the therapy's)
    hits = [(m.start(), name) for m, name in ((met, "metastatic"), (neo, "neoadjuvant"), (adj, "adjuvant")) if m]
    if neo and adj:
        hits = [(min(neo.start(), adj.start()), "early")] + ([(met.start(), "metastatic")] if met else [])
    if not hits:
        return "early" if early else None
    hits.sort()
    return hits[0][1]


def _both_listed(rules: SettingRules, seg: str) -> bool:
    """Whether a list of settings in ``seg`` names both an early one ((neo)adjuvant, perioperative) and an advanced
    one (metastatic, advanced, recurrent)."""
    for m in rules.listed.finditer(seg):
        words = m.group("list")
        if ("adjuvant" in words or "operative" in words) and any_in(("metasta", "advanced", "recurrent"), words):
            return True
    return False


def _unexcepted(rules: SettingRules, seg: str, at: int) -> str:
    """``seg`` with what follows an exception cue after ``at`` blanked, same length ("no prior systemic therapy
    (except for adjuvant setting) for metastatic RCC", "no prior chemotherapy for PDAC, aside from first-line X"):
    up to the closing bracket when the cue is inside one, else to the end; also a bracket after ``at`` that permits
    ("(therapy in the adjuvant setting is allowed)")."""
    if "(" in seg:
        for p in rules.permission_paren.finditer(seg, at):
            seg = seg[: p.start()] + " " * (p.end() - p.start()) + seg[p.end() :]
    cue = rules.exception.search(seg, at)
    if cue is None or cue.start() <= at:
        return seg
    opened = seg.rfind("(", at, cue.start())
    close = seg.find(")", cue.end()) if opened > seg.rfind(")", at, cue.start()) else -1
    end = close if close >= 0 else len(seg)
    return seg[: cue.start()] + " " * (end - cue.start()) + seg[end:]
