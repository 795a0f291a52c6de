"""The item text the thresholds are read from: HTML entities and full-width signs read as signs ("&gt;", "＞") and
ULN multiples written in words read as digits ("five times higher than the upper limit of normal" -> "> 5 x ...
upper limit of normal"), each padded to its length so offsets stay those of the item."""

from __future__ import annotations

import re

from extractor.kinds._lab_rules import RULES

__all__ = ["readable"]


def _multiple(m: re.Match[str]) -> str:
    cmp = m.group("cmp")
    sign = "" if not cmp else ">=" if " or " in cmp else ">"
    out = f"{sign}{RULES.word_multiple_numbers[m.group('n')]} x"
    return out + " " * (len(m.group(0)) - len(out))


def readable(text: str) -> str:
    """``text`` (lower case) with HTML entity signs, full-width signs and word ULN multiples read, at the same
    length."""
    if not text.isascii():
        for wide, sign in RULES.wide_signs.items():
            text = text.replace(wide, sign)
    if "&" in text:
        entities = RULES.html_entities
        text = RULES.html_entity.sub(lambda e: entities[e.group(1)] + " " * (len(e.group(0)) - 1), text)
    if "times" in text or "fold" in text:
        text = RULES.word_multiple.sub(_multiple, text)
    return text
