"""The item text the thresholds are read from: HTML entities and full-width signs read as signs ("&gt;", "＞") and
ULN multiples written in words read as digits ("five times higher than the upper limit of normal" -> "> 5 x ...
upper limit of normal"; "x1.5 ULN" -> "1.5x ULN"), each padded to its length so offsets stay those of the item."""

from __future__ import annotations

import re

from extractor.kinds._lab_rules import RULES

__all__ = ["readable"]


def _multiple(m: re.Match[str]) -> str:
    cmp = m.group("cmp")
    sign = "" if not cmp else ">=" if " or " in cmp else ">"
    out = f"{sign}{RULES.word_multiple_numbers[m.group('n')]} x"
    return out + " " * (len(m.group(0)) - len(out))


def _x_after(m: re.Match[str]) -> str:
    return m.group("n") + m.group("gap") + "x"


def readable(text: str) -> str:
    """``text`` (lower case) with HTML entity signs, full-width signs, word ULN multiples and a multiple's leading "x"
    read, at the same length."""
    if not text.isascii():
        for wide, sign in RULES.wide_signs.items():
            text = text.replace(wide, sign)
    if "&" in text:
        entities = RULES.html_entities
        text = RULES.html_entity.sub(lambda e: entities[e.group(1)] + " " * (len(e.group(0)) - 1), text)
    if "times" in text or "fold" in text:
        text = RULES.word_multiple.sub(_multiple, text)
    if "x" in text or "×" in text:
        text = RULES.x_before_multiple.sub(_x_after, text)
    return text
