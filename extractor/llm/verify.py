"""Checking the LLM's typed numbers against the quote they came from.

A number in a criterion's typed fields (``min_years``, ``value``, ``max_lines``, ...) is *supported* when it

1. appears in the quote: digits (``1,500`` = 1500, ``1.5``, ``1,5`` = 1.5), number words of
   ``extractor/vocab/numbers.yaml`` (``two``), ordinals (``second`` = 2) or Roman numerals I-IV (``NYHA III``); or
2. follows from such a number by one documented conversion:

   * time units: days, weeks, months, years into each other (x or / 7, 12, 52, 4, 4.33, 4.345, 30, 30.44, 365,
     365.25), within 2 % (``12 weeks`` -> ``min_months: 2.77``; ``3 months`` -> 13 weeks);
   * percent <-> fraction and unit prefixes: x or / 10, 100, 1000, 10^6, 10^9 (``1,500/mm3`` -> ``1.5`` x10^9/L);
   * a strict bound turned into an inclusive integer bound, or a section's rule into the patient's rule: +/- 1 for
     integer fields (exclusion ``NYHA III/IV`` -> ``nyha_max: 2``; ``more than 2 lines`` -> ``min_lines: 3``); or
3. is 0 (the floor of a scale: ``ECOG <= 1`` -> ``min: 0``).

Anything else (the quote ``Age`` carrying ``min_years: 99``) is unsupported: the backend rejects the criterion with
the reason, as it does for a quote that is not in the text. Strings and booleans are not checked.

A supported number that is not *written* in the quote (:func:`unwritten_numbers`: only a conversion reaches it) is
kept but flagged (``provenance.flagged``): the model is asked for numbers and units as written, and the program
converts durations itself (:mod:`extractor.llm.schema`), so a converted number is the model's own arithmetic.
Cases 1 (as written), 3 and the +/- 1 step of case 2 (the prompt's conventions) are not flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from extractor.vocab import load

__all__ = ["CONVERSIONS", "quote_numbers", "unsupported_numbers", "unwritten_numbers"]

_TIME = (7.0, 12.0, 52.0, 4.0, 4.33, 4.345, 30.0, 30.44, 365.0, 365.25)
_SCALE = (10.0, 100.0, 1000.0, 1e6, 1e9)
CONVERSIONS: tuple[float, ...] = tuple(sorted({*_TIME, *(1 / f for f in _TIME), *_SCALE, *(1 / f for f in _SCALE)}))
"""Factors a quoted number may be multiplied by (see the module docstring)."""
_REL_TOL = 0.02

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_SPACED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])")
"""Thousands grouped by spaces (``100 000``)."""
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


@cache
def _number_words() -> dict[str, float]:
    words = load("numbers") or {}
    return {str(k).lower(): float(v) for k, v in words.items()}


def _digit_values(token: str) -> Iterator[float]:
    if "," in token and "." not in token:
        head, *rest = token.split(",")
        if all(len(r) == 3 for r in rest):
            yield float(head + "".join(rest))  # 1,500
        if len(rest) == 1:
            yield float(f"{head}.{rest[0]}")  # 1,5 (decimal comma)
        return
    try:
        yield float(token.replace(",", ""))
    except ValueError:
        return


def quote_numbers(quote: str) -> set[float]:
    """The numbers a quote states (digits, ``1,500``, ``100 000``, number words, ordinals, Roman numerals I-IV)."""
    found: set[float] = set()
    for m in _DIGITS.finditer(quote):
        found.update(_digit_values(m.group()))
    found.update(float(m.group().replace(" ", "")) for m in _SPACED.finditer(quote))
    words = _number_words()
    for m in _WORDS.finditer(quote):
        w = m.group().lower()
        for part in (w, *w.split("-")):
            if part in words:
                found.add(words[part])
            elif part in _ORDINALS:
                found.add(float(_ORDINALS[part]))
            elif part in _ROMAN and m.group().isupper():
                found.add(float(_ROMAN[part]))
    return found


def _close(a: float, b: float, rel: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-9)


def supported(value: float, quoted: Iterable[float], *, integer: bool) -> bool:
    """True when ``value`` is one of ``quoted``, or follows from one by a documented conversion."""
    if value == 0:
        return True
    for n in quoted:
        if _close(value, n, 1e-9):
            return True
        if integer and n == int(n) and abs(value - n) == 1:
            return True
        if any(_close(value, n * f, _REL_TOL) for f in CONVERSIONS):
            return True
    return False


def _numbers(fields: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, float, bool]]:
    for name, value in fields.items():
        path = f"{prefix}{name}"
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int | float):
            yield path, float(value), isinstance(value, int)
        elif isinstance(value, dict):
            yield from _numbers(value, f"{path}.")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                if isinstance(v, int | float) and not isinstance(v, bool):
                    yield f"{path}[{i}]", float(v), isinstance(v, int)
                elif isinstance(v, dict):
                    yield from _numbers(v, f"{path}[{i}].")


def unsupported_numbers(fields: dict[str, Any], quote: str) -> list[str]:
    """``field=value`` for every typed number in ``fields`` that ``quote`` does not support (empty: all fine)."""
    quoted = quote_numbers(quote)
    return [
        f"{path}={value:g}"
        for path, value, integer in _numbers(fields)
        if not supported(value, quoted, integer=integer)
    ]


def unwritten_numbers(fields: dict[str, Any], quote: str) -> list[str]:
    """``field=value`` for every typed number in ``fields`` that ``quote`` does not state as written: not one of its
    numbers, not 0, not an integer one step off a stated one (the ``>``/``<`` convention)."""
    quoted = quote_numbers(quote)
    return [
        f"{path}={value:g}"
        for path, value, integer in _numbers(fields)
        if not (
            value == 0
            or any(_close(value, n, 1e-9) for n in quoted)
            or (integer and any(n == int(n) and abs(value - n) == 1 for n in quoted))
        )
    ]
