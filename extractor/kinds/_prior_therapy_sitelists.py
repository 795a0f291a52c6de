"""Sites and abbreviations around a qualified ``prior_therapy`` class (hooked from ``_prior_therapy_qualifiers``).

GUIDE, third round: a qualifier that covers a list goes to every entry, and "radiation to the brain" is "brain
radiotherapy". A list of sites after the head ("radiation therapy to the chest or abdomen", "radiotherapy to the
skull, spine, thorax, or pelvis") names one agent per site; an abbreviation in parentheses between the qualifiers
and the head ("packed red blood cell (pRBC) transfusion") is passed over.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractor.rules.drugs import name_alt

__all__ = ["before_abbreviation", "site_list"]

_ABBREVIATION = re.compile(r"\(\s*[a-z][a-z0-9-]{0,7}\s*\)\s*$")


def before_abbreviation(lower: str, pos: int, floor: int) -> int:
    """Where the qualifiers of a head end: before a parenthesised abbreviation right before ``pos``, else ``pos``."""
    if pos - floor < 4 or lower[pos - 2 : pos].strip()[-1:] != ")":
        return pos
    m = _ABBREVIATION.search(lower, max(floor, pos - 14), pos)
    return m.start() if m is not None else pos


@lru_cache(maxsize=8)
def _next_site(coordinator: str, names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(coordinator + r"(?:the\s+)?(?P<q>" + name_alt(list(names)) + r")(?![a-z0-9])")


def site_list(coordinator: str, sites: dict[str, str], lower: str, first: re.Match[str]) -> list[str]:
    """The site a "to the <site>" match names and the sites coordinated after it, each once, reported forms."""
    key = _key(first.group("q"))
    out = [sites[key]]
    rx = _next_site(coordinator, tuple(sorted(sites)))
    pos = first.end()
    while (m := rx.match(lower, pos)) is not None:
        site = sites[_key(m.group("q"))]
        if site not in out:
            out.append(site)
        pos = m.end()
    return out


def _key(text: str) -> str:
    return re.sub(r"[\s\-]+", " ", text.strip())
