"""Qualified class names of the ``prior_therapy`` kind: a class keeps the qualifiers written with it.

GUIDE, third round: an agent keeps a written qualifier that narrows which treatment counts (site, purpose, route,
mechanism, strength, type), normalised and in the text's order ("palliative non-CNS radiotherapy", "systemic
immunosuppressive medication", "therapeutic oral or IV antibiotics" -> therapeutic oral antibiotics, therapeutic
intravenous antibiotics; "radiation to the brain" -> brain radiotherapy). For a mention whose lexicon name is one of
the class ``heads`` (also a mention that holds its own qualifiers: "red blood cell transfusion", "IV antibiotics"),
the qualifier words written right before it are read backwards, over words that do not narrow it ("cytotoxic",
"standard") and over coordinated qualifiers ("oral or IV": one name each), up to the first other word or agent; a
site "to the <site>" right after it goes last. A regimen acronym reports its drugs ("FOLFOX" -> leucovorin,
fluorouracil, oxaliplatin). The agent keeps its lexicon name (the kind's filters read it); the
names it reports are in ``Agent.qualified``. Word lists: ``agents.qualifiers`` in ``prior_therapy.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from itertools import product

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_sitelists import before_abbreviation, site_list
from extractor.rules.drugs import Agent, lookup, name_alt
from extractor.rules.ruledata import Pattern

__all__ = ["QualifierRules", "qualify", "reported"]


class QualifierRules(BaseModel):
    """``agents.qualifiers``: the class names a qualifier narrows, the qualifier words (written -> reported), the
    words passed over, the sites read after a head, the coordinators between qualifiers."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    heads: frozenset[str]
    words: dict[str, str]  # written form -> reported form ("" = as written)
    skip: tuple[str, ...]  # words that do not narrow a class: passed over, not reported
    sites_after: dict[str, str]  # "<head> to the <site>" -> the site's qualifier
    site_gap: str  # a regex: the words passed over between "to" and the site ("a", "the current", "metastatic")
    coordinator: str  # a regex ending where the qualifier after it starts ("oral or IV")
    frames: dict[str, str]  # a generic class that frames a list -> the qualifier it gives ("systemic treatment with")
    frame_gap: Pattern  # the words between a frame and the first entry
    list_gap: Pattern  # the words between two entries of a list (parentheses removed)
    replacement: Pattern  # a replacement after the head ("corticosteroid replacement therapy")
    outside: Pattern  # a site excluded after the head ("for non-CNS disease", "outside of the brain"): n / n2
    frame_heads: frozenset[str]  # the heads a frame qualifies (not the kinds of the framing class)
    own_head: Pattern  # a mention that ends with its own generic noun keeps its qualifiers to itself
    purpose: frozenset[str]  # reported qualifiers a list passes on to every entry
    route: frozenset[str]  # ... to every entry that is not a local therapy
    local: frozenset[str]  # heads that are local therapies
    distinct: frozenset[str]  # heads whose qualified names are mentions of their own (operations by site)
    regimens: dict[str, tuple[str, ...]]  # a regimen acronym -> the drugs it reports ("folfox")

    @cached_property
    def before(self) -> re.Pattern[str]:
        """A qualifier (or a skipped word) that ends, with the spaces / hyphen after it, where the search ends."""
        return re.compile(r"(?<![a-z0-9-])(?P<n>non-?)?(?P<q>" + name_alt([*self.words, *self.skip]) + r")[\s\-]*$")

    @cached_property
    def coord(self) -> re.Pattern[str]:
        return re.compile(self.coordinator + "$")

    @cached_property
    def after(self) -> re.Pattern[str]:
        return re.compile(r"\s+to\s+" + self.site_gap + r"(?P<q>" + name_alt(self.sites_after) + r")(?![a-z0-9])")

    @cached_property
    def spelled(self) -> dict[str, str]:
        """Written qualifier (spaces / hyphens as one space) -> reported form."""
        out = {_key(w): (r or w) for w, r in self.words.items()}
        out.update({_key(w): "" for w in self.skip})
        return out

    @cached_property
    def sites(self) -> dict[str, str]:
        return {_key(w): (r or w) for w, r in self.sites_after.items()}


_KEY_SEP = re.compile(r"[\s\-]+")


def _key(text: str) -> str:
    return _KEY_SEP.sub(" ", text.strip())


def qualify(rules: QualifierRules, lower: str, agents: list[Agent]) -> list[Agent]:
    """The agents with ``qualified`` set where a class head is written with qualifiers (see the module doc)."""
    out = list(agents)
    shared: dict[int, list[str]] = {}  # agent index -> the qualifiers it passes on along a list
    for i, a in enumerate(agents):
        if a.name in rules.regimens:  # a regimen acronym reports its drugs
            out[i] = replace(a, qualified=rules.regimens[a.name])
            continue
        if a.name in rules.frames:
            shared[i] = [rules.frames[a.name]]  # "systemic treatment with (either) X or Y": systemic X, systemic Y
        base, inner = _own(rules, lower, a)
        alternatives = _alternatives(rules, lower[a.start : a.end])
        if alternatives is not None:  # "major thoracic or abdominal surgery": one name per alternative
            base, inner = alternatives[0], []
        if base not in rules.heads or _unwritten(rules, lower, a, base):
            continue
        floor = agents[i - 1].end if i else 0
        groups = _before(rules, lower, before_abbreviation(lower, a.start, floor), floor, bool(inner))
        if alternatives is not None:
            groups += alternatives[1]
        if not groups and not inner and i:
            carried = _carried(rules, lower, agents, i, shared=shared, base=base)
            if carried:
                groups = [[w] for w in carried]
        own = [g[0] for g in groups if len(g) == 1] + inner
        if own:
            shared[i] = own
        if inner:
            if groups and len(groups[-1]) > 1 and groups[-1][-1] is _PENDING:
                groups[-1][-1] = inner[0]  # "oral or IV antibiotics": the mention's own word ends the alternatives
                inner = inner[1:]
            groups += [[w] for w in inner]
        held = base.split()  # a word the name holds is no qualifier of it ("systemic cancer therapy")
        groups = [[w for w in g if w is not _PENDING and w not in held] for g in groups]
        groups = [g for g in groups if g]
        m = rules.after.match(lower, a.end) if " to " in lower[a.end : a.end + 5] else None
        if m is not None:
            groups.append(site_list(rules.coordinator, rules.sites, lower, m))
        elif ("non" in lower[a.end : a.end + 30] or "outside" in lower[a.end : a.end + 12]) and (
            o := rules.outside.match(lower, a.end)
        ):
            site = _key(o.group("n") or o.group("n2"))
            groups.append(["non-" + _OUTSIDE.get(site, site)])
        tail = ""
        if " replacement" in lower[a.end : a.end + 13] and rules.replacement.match(lower, a.end):
            tail = " replacement therapy"
        if not groups and not tail:
            continue
        names: list[str] = []
        for combo in product(*groups):
            written = " ".join([*(w for w in combo if w), base]) + tail
            found = lookup(written)  # the lexicon's own name of it ("systemic corticosteroids"), not its base
            name = found if found is not None and found != base else written
            if name not in names:
                names.append(name)
        if names != [a.name]:
            out[i] = replace(a, qualified=tuple(names))
    return out


def _carried(
    rules: QualifierRules, lower: str, agents: list[Agent], i: int, *, shared: dict[int, list[str]], base: str
) -> list[str]:
    """The qualifiers a list passes on to its entry ``i`` ("systemic steroids or other immunosuppressive agents",
    "curative surgery or radiation"): those of the entry before it (a parenthesis between passed over) that may
    qualify this head: a purpose always, a route only a systemic class (not "systemic chemotherapy or
    radiotherapy" -> systemic radiotherapy)."""
    a = agents[i]
    for j in range(i - 1, max(-1, i - 3), -1):
        gap = _PARENS.sub(" ", lower[agents[j].end : a.start])
        frame = agents[j].name in rules.frames
        if (rules.frame_gap if frame else rules.list_gap).fullmatch(gap) is None:
            continue
        if frame and base not in rules.frame_heads:
            return []  # "systemic therapy with chemotherapy or immunotherapy": the kinds of the class, as written
        if not frame and rules.own_head.search(lower, agents[j].start, agents[j].end):
            return []  # "systemic steroid therapy or any immunosuppressive medication": bound to its own head
        words = shared.get(j, [])
        return [w for w in words if w in rules.purpose or (w in rules.route and base not in rules.local)]
    return []


def _unwritten(rules: QualifierRules, lower: str, a: Agent, base: str) -> bool:
    """Whether a head named by a qualifier word is written without it ("prostate cancer treatment" is the lexicon's
    systemic therapy: no head for "prostate"); only "systemic therapy" written as such takes qualifiers."""
    first = base.split(maxsplit=1)[0]
    return first in rules.spelled and first not in lower[a.start : a.end]


_OUTSIDE = {"central nervous system": "cns"}
_PARENS = re.compile(r"\([^()]*\)")


def reported(agents: list[Agent]) -> list[str]:
    """The names the agents report: a qualified class's names, else the lexicon's name; each once."""
    return list(dict.fromkeys(n for a in agents for n in a.qualified or (a.name,)))


_PENDING = "\0"  # a coordinator read, its qualifier not yet


def _own(rules: QualifierRules, lower: str, a: Agent) -> tuple[str, list[str]]:
    """The class a mention names without its own leading qualifiers, and those qualifiers ("iv antibiotics" ->
    antibiotics, [intravenous]; "red blood cell transfusion" -> transfusion, [red blood cell]); the mention's name
    and [] when it holds none."""
    base, inner = _split(rules, _KEY_SEP.split(lower[a.start : a.end].strip()))
    if inner and lower[max(0, a.start - 4) : a.start] == "non-":  # "non-autologous bone marrow transplant"
        inner[0] = _negated(rules, inner[0])
    if base is None:  # a name the lexicon gives a coordinated word ("topical" in "topical or inhaled steroids")
        base, inner = _split(rules, a.name.split())
    return (a.name, []) if base is None else (base, inner)


_ALT = re.compile(r"\s+(?:or|and/or)\s+")


def _alternatives(rules: QualifierRules, mention: str) -> tuple[str, list[list[str]]] | None:
    """A mention that holds coordinated qualifiers before its head ("major thoracic or abdominal surgery",
    "major esophageal or gastric surgery"): the head and the qualifier groups, alternatives together ([major],
    [thoracic, abdominal]); None when the mention holds no such list."""
    parts = _ALT.split(mention.strip())
    if len(parts) < 2:
        return None
    groups: list[list[str]] = []
    for k, part in enumerate(parts):
        words = _KEY_SEP.split(part.strip())
        if k < len(parts) - 1:  # an alternative before a coordinator: qualifiers only, the last one coordinated
            read = _qualifier_words(rules, words)
            if not read:
                return None
            *lead, last = read
            if k == 0:
                groups += [[w] for w in lead]
                groups.append([last])
            elif lead:
                return None
            else:
                groups[-1].append(last)
            continue
        base, inner = _split(rules, words)
        if base is None or not inner:
            return None
        groups[-1].append(inner[0])
        groups += [[w] for w in inner[1:]]
    return (base, [g for g in groups if all(g)]) if base is not None else None


def _qualifier_words(rules: QualifierRules, words: list[str]) -> list[str]:
    """The reported qualifiers of a run made only of qualifier words (longest first); [] when another word is in it."""
    out: list[str] = []
    i = 0
    while i < len(words):
        j = next((j for j in range(len(words), i, -1) if " ".join(words[i:j]) in rules.spelled), 0)
        if not j:
            return []
        out.append(rules.spelled[" ".join(words[i:j])])
        i = j
    return out


def _negated(rules: QualifierRules, word: str) -> str:
    """A qualifier written with "non(-)" before it: its own word where it has one ("noncovalent"), else "non-<word>"."""
    return rules.spelled.get("non" + word) or "non-" + word


def _split(rules: QualifierRules, words: list[str]) -> tuple[str | None, list[str]]:
    """A head class and the qualifiers before it, from the words of a name; (None, []) when it is no such name."""
    inner: list[str] = []
    i = 0
    while i < len(words) - 1:
        j = next((j for j in range(len(words) - 1, i, -1) if " ".join(words[i:j]) in rules.spelled), 0)
        if not j:
            break
        word = rules.spelled[" ".join(words[i:j])]
        if word:
            inner.append(word)
        i = j
        found = lookup(" ".join(words[i:]))
        if found is not None and found in rules.heads:
            return found, inner
    if inner and i == len(words) - 1:  # "allogeneic HCT", "allo-SCT", "autologous transplant": an abbreviation
        found = lookup(" ".join(words))  # or a bare noun the lexicon names only with its qualifier
        if found is not None and found in rules.heads:  # a word the name holds is no qualifier ("systemic therapy")
            return found, [w for w in inner if w not in found.split()]
    return None, []


def _before(rules: QualifierRules, lower: str, pos: int, floor: int, inner: bool) -> list[list[str]]:
    """The qualifier groups written right before ``pos`` (after ``floor``), in text order; a group of several holds
    coordinated alternatives ("oral or IV"); a coordinator right before ``pos`` leaves a pending alternative."""
    groups: list[list[str]] = []  # nearest first
    pending, listed = False, inner  # a mention with its own qualifier is an entry of a list of them
    while pos > floor:
        lo = max(floor, pos - 40)
        m = rules.before.search(lower, lo, pos)
        if m is not None:
            word = rules.spelled.get(_key(m.group("q")), "")
            if word and m.group("n"):  # "non-myelosuppressive", "non-autologous": the negated qualifier
                word = _negated(rules, word)
            pos = m.start()
            if not word:
                if pending:
                    break
                continue  # "systemic cytotoxic therapy": "cytotoxic" does not narrow it
            if pending and groups:
                groups[-1].append(word)
            else:
                groups.append([word])
            pending = False
            continue
        c = rules.coord.search(lower, max(floor, pos - 9), pos)
        if c is None or pending or not (groups or inner):
            break
        if c.group().strip() == ",":
            if not listed:
                break  # "low-dose, non-myelosuppressive radiotherapy": a comma alone lists no alternatives
        else:
            listed = True
        if not groups:
            groups.append([_PENDING])  # the alternative after the coordinator is the mention's own qualifier
        elif len(groups) > 1:  # "chest wall or ipsilateral breast": the alternative of the whole chain
            if any(len(g) > 1 for g in groups):
                break
            groups = [[" ".join(g[0] for g in reversed(groups))]]
        pending = True
        pos = c.start()
    if pending and groups and groups[-1] == [_PENDING]:
        groups.pop()
    groups.reverse()
    return [list(reversed(g)) for g in groups]
