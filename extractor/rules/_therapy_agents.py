"""Agent vocabulary of the ``therapy`` family: drug / class mentions (one trie regex compiled from
``vocab/drugs.yaml``) and the false-friend words that drop a mention ("hypersensitivity to", "eligible for")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from extractor.vocab import load

_SEP = "\x00"
_SEP_RE = re.compile(r"[\s\-]+")


def _key(text: str) -> str:
    """Lookup key of a name: lower case without spaces and hyphens ("T-DM1" -> "tdm1")."""
    return text.lower().replace(" ", "").replace("-", "").replace("\t", "").replace("\n", "")


def _trie_regex(words: list[str]) -> str:
    """Regex matching any of ``words`` (a trie, so one pass; spaces/hyphens match any run of them or none)."""
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = root
        for ch in re.sub(r"[\s\-]+", _SEP, w.strip().lower()):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        alts = [(r"[\s\-]*" if ch == _SEP else re.escape(ch)) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return emit(root)


def _lex(stems: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> re.Pattern[str]:
    """Fast alternation of literal phrases (a trie): ``stems`` match as word starts, ``words`` as whole words."""
    alts = []
    if stems:
        alts.append(_trie_regex(list(stems)))
    if words:
        alts.append("(?:" + _trie_regex(list(words)) + ")(?![a-z0-9])")
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + ")")


@cache
def _lexicon() -> tuple[
    re.Pattern[str], dict[str, str], list[tuple[str, re.Pattern[str], str]], re.Pattern[str], tuple[str, ...]
]:
    data = load("drugs")
    table: dict[str, str] = {}
    words: list[str] = []
    for generic, spec in data["drugs"].items():
        for alias in [generic, *(spec.get("aliases") or [])]:
            table.setdefault(_key(alias), generic)
            words.append(alias)
    for cls, aliases in data["classes"].items():
        for alias in aliases:
            table.setdefault(_key(alias), cls)
            words.append(alias)
    for cls, aliases in (data.get("negated") or {}).items():
        for alias in aliases:
            table.setdefault(_key(alias), "!" + cls)  # "treatment-naive": the class, negated
            words.append(alias)
    rx = re.compile(r"(?<![a-z0-9-])" + _trie_regex(words) + r"(?![a-z0-9])")
    extra = [
        (re.match(r"[a-z]*", p).group(), re.compile(p), name)  # type: ignore[union-attr]
        for name, pats in (data.get("patterns") or {}).items()
        for p in pats
    ]
    suffixes = tuple(data.get("generic_suffixes") or ())
    srx = re.compile(_trie_regex(list(suffixes)) + r"(?![a-z0-9])")
    return rx, table, extra, srx, suffixes


@dataclass
class _Agent:
    start: int
    end: int
    name: str
    neg: bool = False  # named through a negated phrase ("treatment-naive", "previously untreated")


_LAST: list[tuple[str, list[_Agent]]] = []  # one-entry memo: therapy and disease both look up the same item


def find_agents(lower: str) -> list[_Agent]:
    """Every agent mention in lower-cased text, longest match first, non-overlapping, in order."""
    if _LAST and _LAST[0][0] is lower:
        return list(_LAST[0][1])
    found = _find_agents(lower)
    _LAST[:] = [(lower, found)]
    return list(found)


_COORD = re.compile(r"([a-z0-9][a-z0-9()/-]{1,12})\s*(?:,\s*(?:and/or|or|and)?|and/or|or|and|/)\s*$")


def _coordinated_targets(lower: str, found: list[_Agent], table: dict[str, str]) -> None:
    """'PD-1, PD-L1, or CTLA-4 inhibitors': the class word also applies to the bare targets before it."""
    for a in list(found):
        if not a.name.endswith("inhibitor"):
            continue
        pos = a.start
        for _ in range(4):
            m = _COORD.search(lower, max(0, pos - 30), pos)
            if m is None:
                break
            name = table.get(_key(m.group(1) + " inhibitor"))
            if name is None or any(x.start <= m.start(1) < x.end for x in found):
                break
            found.append(_Agent(m.start(1), m.end(1), name))
            pos = m.start(1)


def _find_agents(lower: str) -> list[_Agent]:
    rx, table, extra, srx, _suffixes = _lexicon()
    found: list[_Agent] = []
    for m in rx.finditer(lower):
        name = table.get(_key(m.group()))
        if name is not None:
            neg = name.startswith("!")
            found.append(_Agent(m.start(), m.end(), name[1:] if neg else name, neg))
    for gate, prx, name in extra:
        if gate not in lower:
            continue
        for m in prx.finditer(lower):
            found = [a for a in found if a.end <= m.start() or a.start >= m.end()]
            found.append(_Agent(m.start(), m.end(), name))
    if "inhibitor" in lower:
        _coordinated_targets(lower, found, table)
    if "prior" in lower or "previous" in lower or "treat" in lower or "receiv" in lower:
        for m in srx.finditer(lower):  # unknown INN-like drug names ("ceralasertib"): suffix, then the word start
            start = m.start()
            while start > 0 and lower[start - 1].isalpha():
                start -= 1
            if m.start() - start < 3 or (start > 0 and lower[start - 1] in "-0123456789"):
                continue
            if all(a.end <= start or a.start >= m.end() for a in found):
                found.append(_Agent(start, m.end(), lower[start : m.end()]))
    found.sort(key=lambda a: a.start)
    return found


_FALSE_FRIEND = _lex(
    stems=(
        "hypersensitiv",
        "allerg",
        "contraindicat",
        "sensitivity to",
        "candidates for",
        "candidate for",
        "eligible for",
        "eligible to",
        "suitable for",
        "appropriate for",
        "amenable to",
        "planned",
        "planning",
        "plan to",
        "plans to",
        "scheduled",
        "will receiv",
        "will be receiv",
        "to receive ",
        "to be receive",
        "to be treated",
        "to undergo",
        "that undergo",
        "who undergo",
        "undergoing",
        "will undergo",
        "concurrent",
        "concomitant",
        "simultaneous",
        "toxicit",
        "adverse",
        "side effect",
        "complication",
        "due to",
        "related to",
        "attributed",
        "induced by",
        "recovered from",
        "recovery from",
        "recover from",
        "resolution",
        "resolved",
        "unable to",
        "inability",
        "refus",
        "declin",
        "unwilling",
        "willing",
        "requir",
        "need for",
        "need ",
        "needs ",
        "indicated for",
        "indication for",
        "standard of care",
        "physician's choice",
        "physicians choice",
        "investigator's choice",
        "anticipat",
        "expected to",
        "intend",
        "candidate",
        "fit for",
        "access to",
        "option",
        "available",
        "response to",
        "reaction",
        "infusion",
        "mixed with",
        "dose of study",
        "effects of",
        "effect of",
        "prior to ",
        "time of",
        "feasib",
        "provide",
        "consultation",
        "starting",
        "start of",
        "initiation of",
        "initiating",
        "first dose of",
        "in combination with",
        "combined with",
        "explained by",
        "receiving study",
    ),
)
_AFTER_FF = re.compile(
    r"[\s-]*(?:induced|related|associated|pneumonitis|fields?|dermatitis|recall|necrosis|injury|exposure|"
    r"oncolog\w*|damage|port|planning|toxicit\w*|is\s+(?:planned|indicated|required|feasible)|candidates?|naive\s+to|"
    r"infusion|product|manufactur\w*|must\s+be\s+feasible)"
)
_BRAIN = re.compile(
    r"(?:brain|cns|cerebral|intracranial|leptomening\w*)\s+(?:\w+\s+){0,2}?(?:metast|lesion|disease)|"
    r"(?:metastas[ie]s|lesions?)\s+(?:to|in|of)\s+(?:the\s+)?(?:brain|cns)"
)
_LOCAL_AGENTS = frozenset({"radiotherapy", "surgery", "major surgery", "minor surgery", "corticosteroid"})


def _keep(lower: str, s: int, a: _Agent, brain: bool) -> bool:
    if brain and (a.name in _LOCAL_AGENTS or a.neg):
        return False
    ff = None
    for m in _FALSE_FRIEND.finditer(lower, max(s, a.start - 70), a.start):
        ff = m
    between = lower[ff.end() : a.start] if ff is not None else ""
    if ff is not None and ". " not in between and ";" not in between and ")" not in between:
        return False
    return not _AFTER_FF.match(lower, a.end)
