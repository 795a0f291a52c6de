"""Criteria text -> sections and items with character offsets (deterministic).

Handles the ClinicalTrials.gov API v2 markdown layout (``Inclusion Criteria:`` headings, ``* `` bullets, nested
and numbered lists, cohort sub-headings, backslash escapes), the legacy textblock layout (``  -  `` bullets with
hard-wrapped continuation lines) and text with no headings at all (every paragraph is an item, polarity
inclusion). Every item's ``text`` is ``source[start:end]`` verbatim; polarity comes from the section heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor._segment_flat import adopt_flat_entries
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
# a number or small letter after a bullet ("* 1. text", "* a) text"); a capital is an initial ("* H. pylori")
_NUMBER_AFTER_BULLET = re.compile(r"^(?:\d{1,3}|\(?[a-z]|\(?(?:i{1,3}|iv|vi{0,3}|ix|x))\\?[.)][ \t]+(?=\S)")
_ESCAPE = re.compile(r"\\(?=[<>=*_\-\[\]().#+!|~`{}&'\"])")


def _number_after_bullet(raw: str) -> str:
    """The list number or letter after a line's symbol bullet ("* 1. text" -> "1. "), else ""."""
    bullet = _BULLET.match(raw)
    if bullet is None or bullet.group("marker")[-1].isalnum() or bullet.group("marker")[-1] in ".)":
        return ""
    number = _NUMBER_AFTER_BULLET.match(raw[bullet.end() :])
    return number.group(0).strip() if number else ""


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


_ROMAN = re.compile(r"^\(?(i{1,3}|iv|vi{0,3}|ix|x)\\?[.)]$", re.IGNORECASE)


def _marker_class(marker: str) -> tuple[str, int | None]:
    """A marker's list style ("bullet", "1.", "1.1.", "a", "A", "i", "I", "(1)") and its number, when it counts."""
    m = marker.replace("\\", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*[.)]", m):
        parts = m[:-1].split(".")
        return f"num{len(parts)}{m[-1]}", int(parts[-1])
    if re.fullmatch(r"\(\d{1,3}\)", m):
        return "(num)", int(m[1:-1])
    if _ROMAN.match(m):
        return ("roman" if m.strip("(").islower() else "ROMAN") + m[-1], None
    if re.fullmatch(r"\(?[a-zA-Z][.)]", m):
        letter = m.strip("(")[0]
        return ("alpha" if letter.islower() else "ALPHA") + m[-1], ord(letter.lower()) - 96
    return "bullet", None


def _starts_list(lead: Item, marker: str, indent: int, lead_indent: int) -> bool:
    """Whether an entry at ``lead``'s own indent opens the list ``lead`` announces: the lead-in ends with ":" and
    the entry switches list style ("2. ... as follows:" then "i.") or restarts its numbering ("19. ...:", "1.")."""
    if lead.marker is None or indent != lead_indent or not lead.text.endswith(":"):
        return False
    lead_cls, lead_num = _marker_class(lead.marker)
    cls, num = _marker_class(marker)
    if cls != lead_cls:
        return cls != "bullet" or lead_cls != "bullet"
    return num == 1 and lead_num is not None and lead_num > 1


def _sibling_of_lead(lead: Item, run_cls: str, marker: str) -> bool:
    """Whether an entry styled as the lead-in, in a list styled otherwise, is the lead-in's next sibling (at any
    indent: "2. ...:" then "* a", "* b", "    3. ...")."""
    lead_cls = _marker_class(lead.marker or "*")[0]
    return lead_cls != run_cls and _marker_class(marker)[0] == lead_cls


def segment(text: str) -> Segmentation:
    """Split criteria text into sections and items. Never raises on any string input."""
    lines = _lines(text)
    base_indent = min((ln.indent for ln in lines if ln.stripped), default=0)
    # letters after bullets make a list only when two lines have one and one starts a list ("a", "i"); else they
    # are initials ("* h. pylori infection", "* e. coli sepsis")
    letters = [n for ln in lines if (n := _number_after_bullet(ln.raw)) and not n[0].isdigit()]
    lettered = len(letters) >= 2 and any(n.strip("(\\.)") in ("a", "i") for n in letters)
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

    run: list[tuple[int, int, str, int | None]] = []  # (lead index, indent, list style, last number) of a flat list

    def open_item(start: int, end: int, indent: int, content_indent: int, marker: str | None) -> None:
        nonlocal current
        prev = stack[-1] if stack else None
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        if marker is None or (run and _sibling_of_lead(items[run[-1][0]], run[-1][2], marker)):
            run.clear()
        elif run and indent <= run[-1][1]:
            lead, r_indent, r_cls, r_num = run[-1]
            cls, num = _marker_class(marker)
            if r_cls.lower().startswith("alpha") and r_num is not None and marker.strip("(\\.)") == chr(96 + r_num + 1):
                cls, num = r_cls, r_num + 1  # "h." then "i.": the next letter, not a roman numeral
            if indent == r_indent and cls == r_cls and (num is None or r_num is None or num == r_num + 1):
                parent = lead
                run[-1] = (lead, r_indent, r_cls, num)
            else:
                run.clear()
        lead_in = prev is not None and prev[1] == len(items) - 1
        if (
            marker is not None
            and not run
            and prev is not None
            and lead_in
            and _starts_list(items[prev[1]], marker, indent, prev[0])
        ):
            parent = prev[1]
            run.append((parent, indent, *_marker_class(marker)))
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
            run.clear()
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
            text_start = content_start
            if nested is None and not marker[-1].isalnum() and marker[-1] not in ".)":
                number = _NUMBER_AFTER_BULLET.match(rest)  # "* 1. text": the item's text starts after its number
                text_start += number.end() if number and (lettered or rest[0].isdigit()) else 0
            if content_start >= len(line.raw):  # a bare marker line
                blank_before = False
                continue
            open_item(line.start + text_start, line.end, bullet.start("marker"), content_start, marker)
            blank_before = False
            continue
        if _is_subheading(line, base_indent) and (current is None or blank_before):
            close()
            stack.clear()
            run.clear()
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
    return Segmentation(text=text, sections=sections, items=adopt_flat_entries(text, items))
