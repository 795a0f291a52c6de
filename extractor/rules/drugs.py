"""The shared drug lexicon (``vocab/drugs.yaml``): agent mentions in text, name keys and class expansion.

Used by the ``prior_therapy`` kind (the agents a criterion names) and by ``diagnosis`` (treatment words that are
not disease names). One trie regex over every generic, brand, code and class name finds the mentions; spaces and
hyphens inside a name match any run of them or none ("T-DM1" == "tdm1" == "t dm1"); :func:`agent_key` is the
lookup key of a matched name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from operator import attrgetter

from extractor.rules.grammar import any_in, phrase_alt
from extractor.rules.prefilter import required_literals
from extractor.vocab import vocabulary
from extractor.vocab.schemas import Drugs

__all__ = ["Agent", "agent_classes", "agent_key", "find_agents", "is_class", "lookup", "name_alt", "trigger_words"]

_GAP = r"[\s\-]*"  # a space / hyphen run inside a name: any run of them, or none
_ELIDED = r"\d[a-z]\d{0,2}(?![a-z0-9])"  # an enzyme after the first of a list, its "cyp" left out ("or 2d6")
_ELIDED_DIGIT = r"\s*/\s*\d{1,2}(?![a-z0-9])"  # "cyp3a4/5": the last digit of the enzyme before it replaced
_ELIDED_DIGIT_NAME = r"\s*/\s*(\d{1,2})(?![a-z0-9])"


def agent_key(text: str) -> str:
    """Lookup key of a name: lower case without spaces and hyphens ("T-DM1" -> "tdm1")."""
    return text.lower().replace(" ", "").replace("-", "").replace("\t", "").replace("\n", "")


def name_alt(names: Iterable[str]) -> str:
    """Regex alternation (a trie) of lexicon names, for lower-cased text: a space / hyphen run inside a name
    matches any run of spaces and hyphens, or none (no word boundaries added)."""
    return phrase_alt(names, space=_GAP, hyphen=_GAP)


@dataclass
class Agent:
    """One agent mention: its span in the item and the name reported (generic name or class)."""

    start: int
    end: int
    name: str
    neg: bool = False  # named through a negated phrase ("treatment-naive", "previously untreated")
    qualified: tuple[str, ...] = ()  # the names reported for a class written with qualifiers (prior_therapy)


@dataclass(frozen=True)
class _Lexicon:
    # every name (group 1), word-bounded: the character before the name is matched, not looked behind at, so the
    # search skips ahead to the next non-word character (a leading look-behind tries the trie at every character);
    # searched in the text after one space (see _find_agents)
    rx: re.Pattern[str]
    table: dict[str, str]  # key -> generic / class name ("!" + class for a negated phrase)
    exact: dict[str, str]  # a lexicon name as written (lower case) -> the same name as ``table`` gives: no key built
    extra: list[tuple[str, re.Pattern[str], str]]  # (literal gate, pattern, class) for free-word phrasings
    # ``extra`` as searched: a pattern without leading literal words is gated by a literal its every match holds
    # (``required_literals``), so it is not run on every item ("car t-cell therapy" opens with a look-behind); the
    # patterns of one gate in a row are grouped under it (one test), in order
    scan: list[tuple[str, list[tuple[re.Pattern[str], str]]]]
    suffix_rx: re.Pattern[str]  # INN stems of unknown drug names, reversed: see _unknown_names
    classes: dict[str, tuple[str, ...]]  # generic name -> its classes


_GATE = re.compile(r"[a-z]*(?: [a-z]+)?")  # a pattern's leading literal words ("bone marrow"): its cheap test


@cache
def _lexicon() -> _Lexicon:
    data = vocabulary(Drugs)
    table: dict[str, str] = {}
    words: list[str] = []
    for generic, spec in data.drugs.items():
        for alias in [generic, *spec.aliases]:
            table.setdefault(agent_key(alias), generic)
            words.append(alias)
    for cls, aliases in data.classes.items():
        for alias in aliases:
            table.setdefault(agent_key(alias), cls)
            words.append(alias)
    for cls, aliases in data.negated.items():
        for alias in aliases:
            table.setdefault(agent_key(alias), "!" + cls)  # "treatment-naive": the class, negated
            words.append(alias)
    rx = re.compile(r"[^a-z0-9-](" + name_alt(words) + r")(?![a-z0-9])")
    extra = []
    for name, pats in data.patterns.items():
        for p in pats:
            gate = _GATE.match(p)
            lead = gate.group() if gate else ""
            if p[len(lead) : len(lead) + 1] in ("?", "*", "{"):
                lead = lead[:-1]  # "interferons?": the last letter is optional, not part of every match
            extra.append((lead, re.compile(p), name))
    scan: list[tuple[str, list[tuple[re.Pattern[str], str]]]] = []
    for lead, prx, name in extra:
        test = lead or _literal_gate(prx)
        if scan and scan[-1][0] == test:
            scan[-1][1].append((prx, name))
        else:
            scan.append((test, [(prx, name)]))
    suffix_rx = re.compile(r"[^a-z0-9](?=(" + name_alt(x[::-1] for x in data.generic_suffixes) + "))")
    classes = {generic: tuple(spec.classes) for generic, spec in data.drugs.items()}
    exact = {w.lower(): table[agent_key(w)] for w in words}
    return _Lexicon(rx, table, exact, extra, scan, suffix_rx, classes)


def _literal_gate(rx: re.Pattern[str]) -> str:
    """A literal every match of ``rx`` holds (its most selective one-literal set), or "" (no test)."""
    return next((c[0] for c in required_literals(rx) if len(c) == 1), "")


def agent_classes(name: str) -> tuple[str, ...]:
    """The classes of a generic drug name ("trastuzumab" -> anti-her2 therapy, monoclonal antibody); ``()`` for
    a class name or an unknown name."""
    return _lexicon().classes.get(name, ())


def lookup(name: str) -> str | None:
    """The name the lexicon reports for a written name ("her2-targeted therapy" -> anti-her2 therapy), or None
    (also for a negated phrase)."""
    found = _lexicon().table.get(agent_key(name))
    return None if found is None or found.startswith("!") else found


def is_class(name: str) -> bool:
    """Whether a reported name is a class of the lexicon (``classes:``), not a drug."""
    return name in vocabulary(Drugs).classes


_SEP = re.compile(r"[\s\-]+")


@cache
def trigger_words() -> tuple[str, ...]:
    """Word starts that every agent mention begins with: a one-word name itself; a longer name's first two words,
    spaced and joined ("st john", "stjohn"; "t dm1", "tdm1"), as the name matches with a space or hyphen run
    between its words or none (a first word alone, "st" or "low", would start half the items); the gate of each
    pattern; and the words the cytochrome P450 phrases start from."""
    data = vocabulary(Drugs)
    names = [n for g, spec in data.drugs.items() for n in (g, *spec.aliases)]
    names += [n for group in (data.classes, data.negated) for aliases in group.values() for n in aliases]
    out: set[str] = {"cyp", "cytochrome"}
    for name in names:
        words = _SEP.split(name.strip().lower())
        if len(words) == 1:
            out.add(words[0])
        else:
            out.update((words[0] + " " + words[1], words[0] + words[1]))
    for _gate, _rx, _name in _lexicon().extra:
        out.add(_gate)
    out.discard("")
    return tuple(sorted(out))


_START = attrgetter("start")
_LAST: list[tuple[str, list[Agent]]] = []  # one-entry memo: prior_therapy and diagnosis look up the same item


def find_agents(lower: str) -> list[Agent]:
    """Every agent mention in lower-cased text, longest match first, non-overlapping, in order."""
    last = _LAST[0] if _LAST else None  # read once: another thread may replace it
    if last is not None and last[0] is lower:
        return list(last[1])
    found = _find_agents(lower)
    _LAST[:] = [(lower, found)]
    return list(found)


@dataclass(frozen=True)
class _Phrases:
    """The coordinated-phrase patterns, compiled from ``phrases`` of ``vocab/drugs.yaml``."""

    coordination: re.Pattern[str]
    heads: tuple[str, ...]
    paired_head: re.Pattern[str]
    pairs: dict[str, str]
    cyp_phrase: re.Pattern[str]
    cyp_one_enzyme: re.Pattern[str]
    cyp_one_head: re.Pattern[str]
    cyp_gate: tuple[str, ...]  # substrings every phrase holds one of: cyp, cytochrome or a transporter's literal


@cache
def _phrases() -> _Phrases:
    p = vocabulary(Drugs).phrases
    strength, sep, sens = p.cyp_strength, p.cyp_separator, p.cyp_sensitive
    head = f"(?:{strength})?{p.cyp_head}"
    one = p.cyp_enzyme.replace("(\\d", "(?:\\d", 1)
    first = f"(?:{one}|{p.transporter})"  # an enzyme or a drug transporter ("P-gp") in its place
    # "CYP1A2 or 2D6", "CYP2C9, 2C19, and 3A4", "CYP3A4/5": a later enzyme written without its prefix (one name group)
    enzymes = first + "(?:" + sep + "(?:" + first + "|" + _ELIDED + ")|" + _ELIDED_DIGIT + ")*"
    heads = head + "(?:" + sep + head + ")*"
    phrase = (
        rf"(?<![a-z0-9])(?:(?P<s>{strength})?(?P<q>{sens})?(?P<e1>{enzymes})(?:\s+transporters?)?\)?[\s-]*(?P<h1>{heads})"
        rf"|(?P<h2>{heads})\s+(?:of|for)\s+(?:the\s+)?(?P<e2>{enzymes})(?:\s+transporters?)?"
        rf"|{p.cyp_metabolized}(?P<e3>{enzymes})(?:\s+(?:enzymes?|pathway))?)(?![a-z0-9])"
    )
    return _Phrases(
        coordination=re.compile(p.coordination),
        heads=tuple(p.heads),
        paired_head=re.compile(p.paired_head),
        pairs=dict(p.pairs),
        cyp_phrase=re.compile(phrase),
        cyp_one_enzyme=re.compile(
            f"{p.cyp_enzyme}|(?<![a-z0-9])({_ELIDED})|{_ELIDED_DIGIT_NAME}|(?<![a-z0-9])({p.transporter})"
        ),
        cyp_one_head=re.compile(f"(?P<s>{strength})?(?P<q>{sens})?(?P<h>inhibitor|inducer|substrate)"),
        cyp_gate=("cyp", "cytochrome", *required_literals(re.compile(p.transporter))[0]),
    )


def _enzyme_names(rx: re.Pattern[str], enzymes: str) -> list[str]:
    """The enzymes of a coordinated list, an elided one completed from the one before it ("cyp3a4/5" -> 3a4, 3a5;
    "cyp1a2 or 2d6" -> 1a2, 2d6)."""
    out: list[str] = []
    for e in rx.finditer(enzymes):
        name = e.group(1) or e.group(2)
        if e.group(4):  # a transporter: its name ("p-glycoprotein (p-gp)" -> p-gp)
            name = _transporter(e.group(4))
        elif name is None:  # a bare digit after a slash: the same family and subfamily
            if not out or not out[-1][:1].isdigit():
                continue
            name = out[-1][:2] + e.group(3)
        out.append(name)
    return out


def _transporter(text: str) -> str:
    """The name of a transporter as written: p-gp (P-glycoprotein, MDR1), bcrp, oatp1b1, oatp1b3."""
    if text.startswith("oatp"):
        return text[:7]
    return "bcrp" if text.startswith(("b", "bcrp")) else "p-gp"


_HEAD_WORD = re.compile(r"(?:^|[\s-])([a-z]+)$")
_COORDINATOR_ENDS = (",", "or", "and", "/")  # how the text before a coordinated mention ends (``coordination``)


def _coordinated_targets(lower: str, found: list[Agent], table: dict[str, str]) -> None:
    """'PD-1, PD-L1, or CTLA-4 inhibitors', 'endocrine or biologic agents', 'topical or inhaled corticosteroids':
    the head word also applies to the bare words before it that make a known name with it."""
    ph = _phrases()
    for a in list(found):
        head = _HEAD_WORD.search(lower, a.start, a.end)
        if head is None or not head.group(1).startswith(ph.heads):
            continue
        tails = [" " + head.group(1)]
        if a.name.endswith("inhibitor") and head.group(1) != "inhibitor":
            tails.append(" inhibitor")
        pos = a.start
        for _ in range(5):
            if not lower[max(0, pos - 12) : pos].rstrip().endswith(_COORDINATOR_ENDS):
                break  # the pattern needs a coordinator right before the mention: a cheap test first
            m = ph.coordination.search(lower, max(0, pos - 75), pos)
            if m is None:
                break
            name = next((n for t in tails if (n := table.get(agent_key(m.group(1) + t))) is not None), None)
            if name is None or any(x.start <= m.start(1) < x.end for x in found):
                break
            found.append(Agent(m.start(1), m.end(1), name))
            pos = m.start(1)


def _paired_heads(lower: str, found: list[Agent], table: dict[str, str]) -> None:
    """'strong CYP3A4 inhibitors or inducers', 'GnRH agonist or antagonist': the other head word names the same
    target's other class."""
    names = _table_names()
    ph = _phrases()
    for a in list(found):
        head = a.name.rpartition(" ")[2]
        m = ph.paired_head.match(lower, a.end) if head in ph.pairs else None
        if m is None or not m.group(1).startswith(ph.pairs[head]):
            continue
        other = a.name[: -len(head)] + ph.pairs[head]
        if other.startswith("strong ") and lower.endswith("moderate ", m.start(), m.start(1)):
            other = "moderate " + other.removeprefix("strong ")  # "strong X inhibitors or moderate inducers"
        if other in names and all(x.end <= m.start(1) or x.start >= m.end() for x in found):
            found.append(Agent(m.start(1), m.end(), other))


def _cyp_phrases(lower: str, found: list[Agent], table: dict[str, str]) -> list[Agent]:
    """Cytochrome P450 phrases with coordinated enzymes and heads: one agent per enzyme and head ("strong CYP3A4
    inhibitors or inducers" -> strong cyp3a4 inhibitor, strong cyp3a4 inducer). A strength word ("strong", "potent",
    "moderate") stays with its heads and the heads after it, "sensitive" with a substrate ("sensitive cyp3a4
    substrate"); "strong or moderate" names both ("strong cyp3a4
    inducer", "moderate cyp3a4 inducer": GUIDE, third round); a strength the lexicon has no name for gives the
    plain class. Names the lexicon lacks are left out; the phrase's other mentions are replaced."""
    ph = _phrases()
    for m in ph.cyp_phrase.finditer(lower):
        enzymes = m.group("e1") or m.group("e2") or m.group("e3")
        heads_text = m.group("h1") or m.group("h2") or "substrate"  # "metabolized by <enzyme>": its substrates
        strength = m.group("s") or ""
        names: list[str] = []
        for h in ph.cyp_one_head.finditer(heads_text):
            strength = h.group("s") or strength
            words = strength.replace("/", " ").split()  # "strong/moderate": both
            if h.group("h") == "substrate" and (h.group("q") or m.group("q")):
                words = ["sensitive"]  # "sensitive" narrows a substrate only
            for enzyme in _enzyme_names(ph.cyp_one_enzyme, enzymes):
                base = f"{'cyp' if enzyme[:1].isdigit() else ''}{enzyme} {h.group('h')}"
                hits = [n for w in words if (n := table.get(agent_key(f"{w} {base}"))) is not None]
                plain = table.get(agent_key(base))
                if not hits and plain is not None:  # no strength the lexicon names: the plain class
                    hits = [plain]
                names.extend(n for n in hits if n not in names)
        if names:
            found = [a for a in found if a.end <= m.start() or a.start >= m.end()]
            found += [Agent(m.start(), m.end(), n) for n in names]
    return found


def _find_agents(lower: str) -> list[Agent]:
    lex = _lexicon()
    table, exact = lex.table, lex.exact
    found: list[Agent] = []
    spaced, pos, search = " " + lower, 0, lex.rx.search  # the space: a name at the text's start has a character before
    while (m := search(spaced, pos)) is not None:
        text = m.group(1)
        pos = m.end() - 1  # the next name may start right after this one (its character before is this one's last)
        name = exact.get(text) or table.get(agent_key(text))
        if name is not None:
            neg = name.startswith("!")
            found.append(Agent(m.start(1) - 1, pos, name[1:] if neg else name, neg))
    for gate, group in lex.scan:
        if gate not in lower:
            continue
        for prx, name in group:
            for m in prx.finditer(lower):
                if any(a.start <= m.start() and m.end() <= a.end and a.end - a.start > len(m.group()) for a in found):
                    continue  # inside a longer name ("RT" in "craniospinal RT")
                found = [a for a in found if a.end <= m.start() or a.start >= m.end()]
                found.append(Agent(m.start(), m.end(), name))
    if any_in(_phrases().cyp_gate, lower):
        found = _cyp_phrases(lower, found, table)
    if found and (" or " in lower or ", " in lower or "/" in lower or " and " in lower):
        _coordinated_targets(lower, found, table)
    if found and (("inhibitor" in lower and "induc" in lower) or "antagonist" in lower or "device" in lower):
        _paired_heads(lower, found, table)
    if "prior" in lower or "previous" in lower or "treat" in lower or "receiv" in lower:  # text about treatment
        for suffix, end in _unknown_names(lower, lex.suffix_rx):  # INN-like names ("ceralasertib"): word start
            start = suffix
            while start > 0 and lower[start - 1].isalpha():
                start -= 1
            if suffix - start < 3 or (start > 0 and lower[start - 1] in "-0123456789"):
                continue
            if all(a.end <= start or a.start >= end for a in found):
                found.append(Agent(start, end, lower[start:end]))
    if found and any("/" in a.name for a in found):
        found = _split_alternatives(found)
    if len(found) > 1:
        found.sort(key=_START)
    return found


def _split_alternatives(found: list[Agent]) -> list[Agent]:
    """'PD-1/PD-L1 inhibitors': a class of inline alternatives is one entry each ("pd-1/pd-l1 inhibitor" ->
    pd-1 inhibitor, pd-l1 inhibitor) when both are names of the lexicon."""
    names = _names()
    out = []
    for a in found:
        left, _, right = a.name.partition("/")
        head = right.partition(" ")[2]
        first = f"{left} {head}" if head else ""
        if right and head and " " not in left and first in names and right in names:
            out += [Agent(a.start, a.end, first, a.neg), Agent(a.start, a.end, right, a.neg)]
        else:
            out.append(a)
    return out


@cache
def _table_names() -> frozenset[str]:
    """Every value of the lexicon's table (a negated phrase's class with its "!")."""
    return frozenset(_lexicon().table.values())


@cache
def _names() -> frozenset[str]:
    """Every name the lexicon reports."""
    return frozenset(n.lstrip("!") for n in _lexicon().table.values())


def _unknown_names(lower: str, suffix_rx: re.Pattern[str]) -> list[tuple[int, int]]:
    """(start, end) of each drug-name suffix that ends a run of letters (not followed by a letter or a digit), the
    longest one, in text order: what a forward search for the suffixes followed by a word end finds. The search
    runs on the reversed text from each non-word character, so it skips the letters inside words instead of
    trying the suffixes at each of them (the reversed trie keeps the longest suffix)."""
    n = len(lower) + 1  # reversed span [a, b) -> [n - b, n - a) in the text
    found = [(n - m.end(1), n - m.start(1)) for m in suffix_rx.finditer((lower + " ")[::-1])]
    found.reverse()
    return found
