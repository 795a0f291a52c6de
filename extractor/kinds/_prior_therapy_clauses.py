"""Clauses of the ``prior_therapy`` kind: phrase sets, sentence and clause spans, parentheses, the item's cue flags,
and each agent's mode (allowed / excluded / exception) and negation.

A clause starts at a contrast or exception word (``clauses.breaks`` in ``prior_therapy.yaml``). An agent's mode and
negation come from the kind's own cues in the one context pass (negated, permitted, exception, required), kept to
the agent's clause and parenthesis; an exception's scope ends at a ")" (or, when it counts a treatment, at the next
comma).
"""

from __future__ import annotations

import itertools
import re
from functools import cached_property
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from extractor.kinds._prior_therapy_including import not_limited
from extractor.kinds._prior_therapy_numbers import LineInfo, within
from extractor.rules.context import Modifier
from extractor.rules.drugs import Agent, name_alt
from extractor.rules.grammar import Sentences, any_in, sentence_spans
from extractor.rules.item import ItemContext
from extractor.rules.ruledata import Pattern

if TYPE_CHECKING:
    from extractor.kinds.prior_therapy import Rules

__all__ = [
    "ClauseRules",
    "Flags",
    "Phrases",
    "agent_mode",
    "clause_mode",
    "clause_spans",
    "closed_paren",
    "exception_span",
    "negated",
    "paren_open",
    "phrase_anchors",
    "self_negation_end",
    "split_sentences",
    "trim",
]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Phrases(_Data):
    """A phrase set: ``stems`` match at a word start and may go on, ``words`` end at a word end."""

    stems: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @cached_property
    def rx(self) -> re.Pattern[str]:
        """The compiled phrase set (for lower-cased text)."""
        alts = []
        if self.stems:
            alts.append(name_alt(self.stems))
        if self.words:
            alts.append("(?:" + name_alt(self.words) + ")(?![a-z0-9])")
        return re.compile(r"(?<![a-z0-9])(?:" + "|".join(alts) + ")")

    @cached_property
    def anchors(self) -> tuple[str, ...]:
        """Substrings one of which every match contains (each phrase's first word): a cheap necessary test."""
        return phrase_anchors((*self.stems, *self.words))[0]

    def maybe(self, text: str) -> bool:
        """False when no phrase can match in ``text`` (True says little: check with :attr:`rx`)."""
        return any_in(self.anchors, text)


def phrase_anchors(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """The minimal first words of ``phrases`` (a gap inside a phrase may match nothing, so its first word is
    always in the text a phrase matches), and whether every phrase is one word (then the test is exact)."""
    words = [p.lower().replace("-", " ").split() for p in phrases if p.replace("-", " ").strip()]
    firsts = {w[0] for w in words}
    minimal = tuple(sorted(f for f in firsts if not any(o != f and o in f for o in firsts)))
    return minimal, all(len(w) == 1 for w in words)


class ClauseRules(_Data):
    sentences: Sentences  # the one splitter's options this kind reads with
    parenthesis: Pattern
    breaks: tuple[tuple[str, ...], ...]
    naive_after: Pattern
    trailing_or: Pattern
    exception_quantified: Pattern
    exception_list_go_on: Pattern
    exception_subject: Pattern
    exception_end: Pattern
    exception_close: Pattern
    exception_examples: Pattern
    negation_stop: Pattern
    examples_open: Pattern
    naive_object: Pattern
    conjunct_negation: Pattern
    conjunct_list: Pattern
    conjunct_open: Pattern
    plan_gate: tuple[str, ...]
    plan_break: Pattern

    @cached_property
    def break_words(self) -> Phrases:
        """The words that open a clause, as one phrase set."""
        return Phrases(words=tuple(w for words in self.breaks for w in words))


class Flags:
    """Which optional cues occur anywhere in the item, computed on first use (sentences skip searches that
    cannot hit), and the kind's context cues in the item."""

    __slots__ = ("_ctx", "_cues", "_memo", "_tested", "lower", "rules")

    def __init__(self, ctx: ItemContext, rules: Rules) -> None:
        self._ctx = ctx
        self.lower = ctx.lower
        self.rules = rules
        self._memo: dict[str, bool] = {}
        self._cues: dict[str, tuple[Modifier, ...]] = {}
        self._tested: dict[tuple[str, int, int], bool] = {}

    def may_have(self, use: str, s: int, e: int) -> bool:
        """Whether ``[s, e)`` can hold a cue of ``use`` (:attr:`Rules.cue_test`): clauses without one skip the
        context pass."""
        key = (use, s, e)
        found = self._tested.get(key)
        if found is None:
            rx = self.rules.cue_test[use]
            if rx is None:
                return True
            whole = (use, 0, len(self.lower))
            found = self._tested.get(whole)
            if found is None:  # first the item, then the clause
                found = self._tested[whole] = rx.search(self.lower) is not None
            if found and key != whole:
                found = rx.search(self.lower, s, e) is not None
            self._tested[key] = found
        return found

    def cues(self, category: str) -> tuple[Modifier, ...]:
        """The kind's context cues of one category in the item (the one context pass), in text order."""
        found = self._cues.get(category)
        if found is None:
            found = self._cues[category] = self._ctx.context.cues(category, kind="prior_therapy")
        return found

    def _get(self, name: str) -> bool:
        v = self._memo.get(name)
        if v is None:
            if name == "skip":  # the exact test, after the cheap one; each sentence checks again
                skip = self.rules.skip_sentence
                v = skip.maybe(self.lower) and skip.rx.search(self.lower) is not None
            else:
                v = self.rules.flags.has(name, self.lower)
            self._memo[name] = v
        return v

    @property
    def skip(self) -> bool:
        return self._get("skip")

    @property
    def brain(self) -> bool:
        return self._get("brain")

    @property
    def modes(self) -> bool:
        return self._get("modes")

    @property
    def digits(self) -> bool:
        return self._get("digits")

    @property
    def response(self) -> bool:
        return self._get("response")

    @property
    def lines(self) -> bool:
        return self._get("lines")

    @property
    def setting(self) -> bool:
        return self._get("setting")

    @property
    def anchor(self) -> bool:
        return self._get("anchor")


def split_sentences(clean: str, rules: ClauseRules) -> list[tuple[int, int]]:
    """Sentence spans (the one splitter with this kind's options, ``clauses.sentences``); a coordinated plan ("...
    within 28 days, or an anticipated need for major surgery during the study") is a sentence of its own."""
    spans = sentence_spans(clean, rules.sentences)
    low = clean.lower()
    if any_in(rules.plan_gate, low):
        cuts = [m.end() for m in rules.plan_break.finditer(low)]
        spans = [p for s, e in spans for p in _cut(s, e, [c for c in cuts if s < c < e])]
    if len(spans) < 2 or "(" not in clean:
        return spans
    out = [spans[0]]  # a sentence does not end inside a parenthesis ("within 28 days (or 5 half-lives; ...) before")
    for s, e in spans[1:]:
        ps, pe = out[-1]
        if clean.count("(", ps, pe) > clean.count(")", ps, pe) and clean.find(")", s, e) >= 0:
            out[-1] = (ps, e)
        else:
            out.append((s, e))
    return out


def _cut(s: int, e: int, cuts: list[int]) -> list[tuple[int, int]]:
    bounds = [s, *cuts, e]
    return list(itertools.pairwise(bounds))


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " ,;:-–)(":
        s += 1
    while e > s and text[e - 1] in " ,;:-–(":
        e -= 1
    if e > s and text[e - 1] == ")" and text[s:e].count("(") < text[s:e].count(")"):
        e -= 1
    return s, e


def paren_open(lower: str, s: int, pos: int) -> int:
    """Start of the innermost parenthesis open at ``pos`` (or -1), looking back no further than ``s``."""
    depth = 0
    while True:
        o = lower.rfind("(", s, pos)
        if o < 0:
            return -1
        c = lower.rfind(")", o + 1, pos)
        if c >= 0:  # the nearest parenthesis before pos closes one
            depth += 1
            pos = c
        elif depth == 0:
            return o
        else:
            depth -= 1
            pos = o


def exception_span(  # noqa: PLR0917
    flags: Flags,
    rules: ClauseRules,
    lower: str,
    s: int,
    clause: tuple[int, int],
    own: list[Agent],
    others: list[Agent],
) -> tuple[int, int] | None:
    """Where an exception's own criterion is quoted: from the clause that opens at its word, else the parenthesis
    around its first agent ("(excluding placement of vascular access)"), else its cue ("... other than osimertinib"),
    to the end of its scope: the clause end, cut at a new predicate ("excluding tumor biopsy, or had significant
    traumatic injury") and, for a counted exception or one inside the rule's clause, before the rule's next agent
    ("other than a single cycle of XELOX, radiotherapy or surgery"); None for none of them."""
    first = own[0].start
    start = clause[0]
    cues = within(flags.cues("exception"), start, first)
    cut = bool(cues) and rules.exception_quantified.match(lower, cues[-1].cue_end) is not None
    if start <= s:  # no clause opens at the exception word: its parenthesis, else its cue
        o = paren_open(lower, s, first)
        c = lower.find(")", first) if o >= 0 else -1
        if c > 0:
            return o, c + 1
        if not cues:
            return None
        start, cut = cues[-1].cue_start, True
    end = clause[1]
    # the scope of a counted exception, or of one inside the rule's clause, ends at the rule's next agent after a comma
    later = [a.start for a in others if own[-1].end <= a.start < end and "," in lower[own[-1].end : a.start]]
    if later and cut:
        end = start + len(rules.trailing_or.sub("", lower[start : min(later)]))
        ex = rules.exception_examples.search(lower, own[-1].end, end)  # "other than aspirin, including NSAIDs"
        end = ex.start() if ex is not None else end
    m = rules.exception_close.search(lower, own[-1].end, end)
    return start, m.start() if m is not None else end


def closed_paren(lower: str, s: int, pos: int, until: int) -> bool:
    """Whether ``pos`` sits in a parenthesis that closes before ``until``."""
    po = paren_open(lower, s, pos)
    return po >= 0 and lower.find(")", pos, until) >= 0


def clause_spans(rules: ClauseRules, lower: str, s: int, e: int) -> list[tuple[int, int]]:
    """Clause spans of a sentence, cut before contrast / condition words ("..., but no prior X")."""
    out: list[tuple[int, int]] = []
    pos = s
    for m in rules.break_words.rx.finditer(lower, s, e):
        if m.start() > pos and lower[m.start() - 1 : m.start()] != "(":  # "(excluding X)": an aside in the clause
            if lower.startswith("with", m.start()) and paren_open(lower, s, m.start()) >= 0:
                continue  # "(LHRH agonist with or without antiandrogen) is permitted": the aside's own option
            if not_limited(lower, m.start()):
                continue  # "including, but not limited to, X": X is a member of the rule, not a new clause
            out.append((pos, m.start()))
            pos = m.start()
    out.append((pos, e))
    return out


def agent_mode(  # noqa: PLR0917
    flags: Flags,
    rules: ClauseRules,
    lower: str,
    s: int,
    e: int,
    a: Agent,
    exclusion: bool = False,
    memo: dict[tuple[int, int], str] | None = None,
) -> str:
    """exception (after "except", or in an allowed parenthesis) / allowed / excluded (a not-allowed clause) / base.

    "except previously treated with X" names who is left out: X is excluded in an inclusion item. ``memo`` keeps
    the clause's own mode (what its cues outside parentheses say) for its other agents."""
    if not flags.modes or not flags.may_have("modes", s, e):
        return "base"
    exceptions = flags.cues("exception")
    po = paren_open(lower, s, a.start)
    if po >= 0:
        pc = lower.find(")", a.end, e)
        inner = (po + 1, pc if pc >= 0 else e)
        exc = within(exceptions, po, a.start)
        if exc:
            treated = within(flags.cues("required"), exc[0].cue_end, a.start)  # "except previously treated with"
            return "excluded" if not exclusion and treated else "exception"
        if any(m.direction != "forward" for m in within(flags.cues("negated"), *inner)):
            return "excluded"
        if any(m.direction != "forward" or m.cue_end <= a.start for m in within(flags.cues("permitted"), *inner)):
            # "Hb >= 8 g/dL (no transfusion allowed within 7 days)": a negation opening the aside negates it
            opening = [m for m in within(flags.cues("negated"), po, a.start) if not lower[po + 1 : m.cue_start].strip()]
            return "excluded" if opening and opening[0].direction == "forward" else "exception"
    exc = within(exceptions, s, a.start)
    q = rules.exception_quantified.match(lower, exc[-1].cue_end) if exc else None
    if q is not None and "," in lower[q.end() : a.start]:
        exc = []  # "other than a single cycle of XELOX, radiotherapy or surgery": the exception is XELOX alone
    if exc and _in_scope(rules, lower[exc[-1].cue_end : a.start]):
        if not exclusion and within(flags.cues("required"), exc[-1].cue_end, a.start):
            return "excluded"
        return "exception"
    if memo is None:
        return clause_mode(flags, rules, lower, s, e)
    mode = memo.get((s, e))
    if mode is None:
        mode = memo[(s, e)] = clause_mode(flags, rules, lower, s, e)
    return mode


def _in_scope(rules: ClauseRules, between: str) -> bool:
    """Whether an agent after an exception cue is in its scope: the scope ends at a ")" (the cue was in a
    parenthesis), not at one that closes the list's own example parenthesis before a coordinator ("except X (e.g. Y)
    or Z (eg, W)"; not "other than X (eg, Y), such as Z")."""
    own = rules.exception_subject.match(between)  # "except patients who are taking X": the exception's subject
    if ("," in between or "who" in between) and rules.exception_end.search(between, own.end() if own else 0):
        return False  # "except cutaneous melanoma, and has previously received X": a new predicate
    if "," in between and rules.exception_examples.search(between):
        return False  # "other than aspirin, including NSAIDs": the rule's own examples
    if ")" not in between:
        return True
    pos = 0
    while (c := between.find(")", pos)) >= 0:
        if between.count("(", 0, c) <= between.count(")", 0, c) or not rules.exception_list_go_on.match(between, c + 1):
            return False
        pos = c + 1
    return True


def clause_mode(flags: Flags, rules: ClauseRules, lower: str, s: int, e: int) -> str:
    """excluded / allowed / base: what the clause's cues outside parentheses say of its agents."""
    parens = [m.span() for m in rules.parenthesis.finditer(lower, s, e)] if "(" in lower[s:e] else []

    def outside(m: Modifier) -> bool:
        return not any(ps <= m.cue_start < pe for ps, pe in parens)

    if any(m.direction != "forward" and outside(m) for m in within(flags.cues("negated"), s, e)):
        return "excluded"
    if any(outside(m) for m in within(flags.cues("permitted"), s, e)):
        return "allowed"
    return "base"


def negated(flags: Flags, cs: int, a: Agent | None, lines: LineInfo | None) -> bool:
    """Whether the clause negates its agents: a negation before the first agent (not one a line limit consumed);
    an agent's own negation is :func:`self_negated`."""
    lower = flags.lower
    end = a.start if a is not None else (lines.start if lines else cs)
    if end > cs and flags.may_have("negation", cs, end):
        for m in within(flags.cues("negated"), cs, end):
            if m.direction != "forward":
                continue  # "Not allowed: ..." says the clause's mode (excluded), not a negation of its agents
            if a is not None and not m.covers(a.start, a.end):
                continue  # the scope ends before the agent (a clause end, an exception, 60 words)
            if a is not None and flags.rules.clauses.negation_stop.search(lower, m.cue_end, a.start):
                continue  # "Patients without these mutations must have received X": a modal verb ends it
            if lines is not None and any(0 <= st - m.cue_end <= 25 for st in lines.negated_at):
                continue  # "must not have received more than 3 prior lines": the negation belongs to the limit
            return True
    return (  # "must be enrolled prior to any neoadjuvant X"
        a is not None
        and ("enrol" in lower or "regist" in lower)
        and flags.rules.agents.not_yet.search(lower, max(cs, a.start - 80), a.start) is not None
    )


def self_negation_end(rules: ClauseRules, lower: str, a: Agent) -> int:
    """Where the agent's own negation ends ("treatment-naive", "cabozantinib-naive"), or -1: it negates that agent
    alone, not the others of its clause ("must be cabozantinib-naive and have received at least 1 prior systemic
    therapy")."""
    if a.neg:
        return a.end
    m = rules.naive_after.match(lower, a.end)
    return m.end() if m is not None else -1
