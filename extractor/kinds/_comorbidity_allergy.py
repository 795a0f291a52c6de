"""Hypersensitivity of the ``comorbidity`` kind (its rules are ``comorbidity.yaml``): "hypersensitivity / allergy /
intolerance to X" -> "hypersensitivity to X", one entry per object X named; an object before the cue ("contrast
allergy"); without one, "hypersensitivity"; an intolerance of a therapy or of no named object is no condition."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractor.kinds.comorbidity import Rules

__all__ = ["allergies"]


def _singular(rules: Rules, words: list[str]) -> list[str]:
    last = words[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith(rules.plural_keep):
        words = [*words[:-1], last[:-1]]
    return words


def _shared_heads(rules: Rules, parts: list[list[str]]) -> list[list[str]]:
    """A one-word modifier part takes the head of the next part when that one starts with a modifier too ("chimeric or
    humanized antibodies" -> "chimeric antibodies", "humanized antibodies")."""
    mods = rules.object_modifiers
    for i in range(len(parts) - 2, -1, -1):
        nxt = parts[i + 1]
        if len(parts[i]) == 1 and parts[i][0] in mods and len(nxt) >= 2 and nxt[0] in mods:
            parts[i] = [parts[i][0], *nxt[1:]]
    return parts


def _objects(rules: Rules, low: str, start: int, end: int) -> list[str]:
    """The noun phrases of a hypersensitivity object ``low[start:end]``, one per coordinated part."""
    out: list[str] = []
    lead = rules.object_lead_words
    text = rules.object_study.sub(r"study \g<noun>", rules.object_excipients_of.sub(" ", low[start:end]))
    parts: list[list[str]] = []
    for part in rules.object_split.split(text):
        words = rules.object_junk.sub(" ", part).split()
        while words and (words[0] in lead or (words[0] in rules.object_lead_with and words[1:2] == ["with"])):
            del words[: 2 if words[0] in rules.object_lead_with else 1]
        while words and words[-1] in rules.object_tail_words:
            words.pop()
        parts.append(words)
    for words in _shared_heads(rules, parts):
        if words and len(words) <= rules.object_max_words and rules.object_drop.isdisjoint(words):
            name = " ".join(_singular(rules, words))
            if name not in out:
                out.append(name)
    return out


def allergies(rules: Rules, low: str, starts: list[int]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Each hypersensitivity named: (start, end, names), "hypersensitivity to X" per object X (``starts``: where the
    conditions found begin; an object ends before one)."""
    out: list[tuple[int, int, tuple[str, ...]]] = []
    cues = list(rules.hypersensitivity.finditer(low))
    for m in cues:
        start = m.start()
        if rules.reason_before.search(low, max(0, start - 50), start):
            continue  # what a medication treats or prevents ("premedication for hypersensitivity reactions")
        if m.group(0).startswith("intoleran") and rules.intolerance_failure.search(low, max(0, start - 120), start):
            continue  # "failed or intolerant to imatinib": a treatment history
        names: list[str] = []
        end = m.end()
        lead = rules.object_lead.match(low, end)
        if lead is not None:
            stop = rules.object_end.search(low, lead.end())
            st = rules.object_study.search(low, lead.end(), lead.end() + 80)
            if st is not None and stop is not None and st.start() <= stop.start() < st.end():
                stop = rules.object_end.search(low, st.end())  # "the agents used in this study": one name
            obj_end = stop.start() if stop is not None else len(low)
            # an object ends before the next condition or the next cue ("to riliprubart, or severe allergic ...")
            later = [c.start() for c in cues if c.start() >= lead.end()]
            obj_end = min([obj_end, *(s for s in starts if s >= lead.end()), *later])
            objects = _objects(rules, low, lead.end(), obj_end)
            bare = m.group(0).startswith(rules.no_bare)
            if bare and any(not rules.therapy_objects.isdisjoint(o.split()) for o in objects):
                continue  # "intolerant to available therapies": a treatment history, no condition
            if objects:
                names = [rules.hypersensitivity_to.format(o) for o in objects]
                end = obj_end
        if not names:
            pre = rules.pre_object.search(low, max(0, start - 40), start)
            if pre is not None:
                if rules.reason_before.search(low, max(0, pre.start() - 50), pre.start()):
                    continue  # "corticosteroids for a contrast allergy"
                names, start = [rules.hypersensitivity_to.format(" ".join(pre.group("obj").split()))], pre.start()
            elif not m.group(0).startswith(rules.no_bare):
                names = [rules.hypersensitivity_name]
        if names:
            out.append((start, end, tuple(names)))
    return out
