"""Criteria text -> sections and items with character offsets (deterministic).

Handles the ClinicalTrials.gov API v2 markdown layout (``Inclusion Criteria:`` headings, ``* `` bullets, nested
and numbered lists, cohort sub-headings, backslash escapes), the legacy textblock layout (``  -  `` bullets with
hard-wrapped continuation lines) and text with no headings at all (every paragraph is an item, polarity
inclusion). Every item's ``text`` is ``source[start:end]`` verbatim; polarity comes from the section heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.models.criteria import Polarity
from extractor.models.segmentation import Item, Section, Segmentation

__all__ = ["clean_text", "segment"]

_HEADWORD = re.compile(r"\b(inclusion|exclusion|eligibility|ineligibility)s?\b", re.IGNORECASE)
_CRITERIA = re.compile(r"^\s*(?:criteria|criterion)\b", re.IGNORECASE)
_SENTENCE_WORDS = frozenset(
    (
        "must meet meets met have has had should will be are is all any per see protocol satisfy fulfil "
        "fulfill patients patient participants subjects who not no "
    ).split()
)
_BULLET = re.compile(
    r"""^(?P<indent>[ \t]*)
    (?P<marker>[*•·▪◦‣⁃●○■□➢►–—-]|\\-|\\\*|
       \d{1,3}(?:\.\d{1,3})*\\?[.)]|\(\d{1,3}\)|
       \(?[a-zA-Z]\\?[.)]|\(?(?:i{1,3}|iv|vi{0,3}|ix|x)\\?[.)])
    (?P<gap>[ \t]+|$)""",
    re.VERBOSE,
)
_NESTED_MARKER = re.compile(r"^(?:[•·▪◦‣⁃●○■□➢►]|\\-|-)[ \t]+")
_ESCAPE = re.compile(r"\\(?=[<>=*_\-\[\]().#+!|~`{}&'\"])")


def clean_text(text: str) -> str:
    """Same-length normalisation for matching: markdown escapes and line breaks become spaces.

    Offsets into the result are offsets into ``text``, so matches map straight back to verbatim evidence.
    """
    return _ESCAPE.sub(" ", text).replace("\r", " ").replace("\n", " ").replace("\t", " ")


class _Line:
    __slots__ = ("end", "indent", "raw", "start", "stripped")

    def __init__(self, start: int, end: int, raw: str) -> None:
        self.start, self.end, self.raw = start, end, raw
        self.stripped = raw.strip()
        self.indent = len(raw) - len(raw.lstrip(" \t"))


@dataclass
class _Open:
    start: int
    end: int
    indent: int  # indent of the marker (or text) that opened it
    content_indent: int
    depth: int
    parent: int | None
    marker: str | None
    polarity: Polarity
    section: str | None
    cohort: str | None


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


def _heading(stripped: str) -> tuple[Polarity, str] | None:
    """Classify a line as an inclusion/exclusion heading; return (polarity, inline text after the colon)."""
    if len(stripped) > 200:
        return None
    low = stripped.lower()
    if "clusion" not in low and "ligib" not in low:  # cheap test first: most lines are no heading
        return None
    bullet = _BULLET.match(stripped)
    body = stripped[bullet.end() :] if bullet else stripped
    body = body.lstrip("*-•\\ \t")
    m = _HEADWORD.search(body)
    if not m:
        return None
    prefix, suffix = body[: m.start()], body[m.end() :]
    prefix_words = re.findall(r"[A-Za-z]+", prefix)
    crit = _CRITERIA.match(suffix)
    tail = suffix[crit.end() :] if crit else suffix
    colon = tail.find(":")
    after = tail[colon + 1 :].strip() if colon >= 0 else ""
    before_colon = tail[:colon] if colon >= 0 else tail
    if re.search(r"(?:\(|\bsee)\s*$", prefix, re.IGNORECASE):
        return None
    if crit:
        sentence_like = any(w.lower() in _SENTENCE_WORDS for w in prefix_words)
        if colon < 0:
            if sentence_like or len(prefix_words) > 6 or len(before_colon.split()) > 10 or "." in before_colon:
                return None
        elif len(before_colon.split()) > 25 or (sentence_like and len(prefix_words) > 12):
            return None
    elif colon < 0 or before_colon.strip() or len(prefix_words) > 3:
        return None
    word = m.group(1).lower()
    polarity: Polarity = "exclusion" if word.startswith(("exclusion", "ineligib")) else "inclusion"
    return polarity, after


_PLAIN_HEADING_WORDS = frozenset(
    (
        "key main major general additional selected specific other study subject subjects patient patients "
        "participant participants principal the inclusion exclusion eligibility ineligibility inclusions "
        "exclusions criteria criterion for all "
    ).split()
)


def _heading_cohort(heading: str) -> str | None:
    """A heading such as "Inclusion Criteria for Part B" also names a cohort; a plain one does not."""
    words = re.findall(r"[A-Za-z0-9]+", heading)
    return heading if any(w.lower() not in _PLAIN_HEADING_WORDS for w in words) else None


def _is_subheading(line: _Line, base_indent: int) -> bool:
    s = line.stripped
    if not s.endswith(":") or len(s) > 90 or line.indent > base_indent + 3:
        return False
    if _BULLET.match(line.raw):
        return False
    return len(s.split()) <= 8


def segment(text: str) -> Segmentation:
    """Split criteria text into sections and items. Never raises on any string input."""
    lines = _lines(text)
    base_indent = min((ln.indent for ln in lines if ln.stripped), default=0)
    sections: list[Section] = []
    items: list[Item] = []
    polarity: Polarity = "inclusion"
    section: str | None = None
    cohort: str | None = None
    current: _Open | None = None
    stack: list[tuple[int, int]] = []  # (marker indent, item index) of open list items
    blank_before = True

    def close() -> None:
        nonlocal current
        if current is None:
            return
        start, end = current.start, current.end
        body = text[start:end]
        stripped_end = start + len(body.rstrip())
        if stripped_end > start:
            items.append(
                Item(
                    index=len(items),
                    text=text[start:stripped_end],
                    start=start,
                    end=stripped_end,
                    polarity=current.polarity,
                    section=current.section,
                    cohort=current.cohort,
                    depth=current.depth,
                    parent=current.parent,
                    marker=current.marker,
                )
            )
            stack.append((current.indent, len(items) - 1))
        current = None

    def open_item(start: int, end: int, indent: int, content_indent: int, marker: str | None) -> None:
        nonlocal current
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        depth = items[parent].depth + 1 if parent is not None else 0
        current = _Open(start, end, indent, content_indent, depth, parent, marker, polarity, section, cohort)

    for line in lines:
        s = line.stripped
        if not s:
            blank_before = True
            continue
        head = _heading(s)
        if head is not None and not (
            current is not None and not blank_before and line.indent > current.indent and not _BULLET.match(line.raw)
        ):
            close()
            stack.clear()
            pol, after = head
            polarity = pol
            lead = line.start + line.indent
            heading_text = s if not after else s[: len(s) - len(after)].rstrip()
            section = heading_text.rstrip(": ").lstrip("*-•\\ ").strip() or heading_text
            cohort = _heading_cohort(section)
            sections.append(Section(heading=heading_text, start=lead, end=lead + len(heading_text), polarity=pol))
            if after.strip():
                a_start = line.start + line.raw.rindex(after)
                open_item(a_start, a_start + len(after), line.indent, line.indent, None)
            blank_before = False
            continue
        bullet = _BULLET.match(line.raw)
        if bullet:
            close()
            marker = bullet.group("marker")
            content_start = bullet.end()
            # "* • text": a second marker inside the first counts as part of the marker
            rest = line.raw[content_start:]
            nested = _NESTED_MARKER.match(rest)
            if nested:
                content_start += nested.end()
            if content_start >= len(line.raw):  # a bare marker line
                blank_before = False
                continue
            open_item(line.start + content_start, line.end, bullet.start("marker"), content_start, marker)
            blank_before = False
            continue
        if _is_subheading(line, base_indent) and (current is None or blank_before):
            close()
            stack.clear()
            lead = line.start + line.indent
            cohort = s.rstrip(":").strip()
            sections.append(Section(heading=s, start=lead, end=lead + len(s), polarity=None))
            blank_before = False
            continue
        if current is not None and not blank_before:
            current.end = line.end  # hard-wrapped continuation line
            continue
        if (
            current is not None
            and blank_before
            and current.marker is not None
            and line.indent >= current.content_indent > 0
        ):
            current.end = line.end  # indented paragraph continuing a bullet (markdown lazy continuation)
            blank_before = False
            continue
        close()
        open_item(line.start + line.indent, line.end, line.indent, line.indent, None)
        blank_before = False
    close()
    return Segmentation(text=text, sections=sections, items=items)
