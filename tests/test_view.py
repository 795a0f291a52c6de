"""The viewer page (extractor.view.render_view), read back with the standard library's HTML parser: one mark per
located criterion, nested and crossing spans, escaping, statuses, reasons, registry criteria apart, errors."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

import extractor
from extractor.errors import ConfigError, InputError
from extractor.models import CriteriaSet, Evidence, OutputRecord, Provenance
from extractor.models.match import CriterionMatch, MatchResult
from extractor.view import render_view

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class _Page(HTMLParser):
    """Marks (attributes and the text inside each), list items, ids, tags seen, and all text."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict[str, str]] = []
        self.items: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.text = ""
        self._open: list[int] = []  # indices of open marks
        self.inside: dict[int, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "mark":
            self.marks.append(a)
            self._open.append(len(self.marks) - 1)
        elif tag == "li" and "crit" in a.get("class", ""):
            self.items.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self.text += data
        for i in self._open:
            self.inside[i] = self.inside.get(i, "") + data


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _set(text: str, spans: list[tuple[str, int, int]]) -> CriteriaSet:
    """A criteria set of ``other`` criteria over ``text`` (kind, start, end)."""
    crit = [
        extractor.Other(polarity="inclusion", evidence=Evidence(text=text[s:e], start=s, end=e))
        if kind == "other"
        else extractor.PerformanceStatus(
            polarity="inclusion", evidence=Evidence(text=text[s:e], start=s, end=e), scale="ECOG", max=1
        )
        for kind, s, e in spans
    ]
    prov = Provenance(backend="rules", library_version="0")
    return CriteriaSet(trial_id="T1", source_text=text, criteria=crit, provenance=prov)


def test_a_real_extraction_has_one_mark_per_criterion_coloured_by_kind() -> None:
    cs = extractor.extract((EXAMPLES / "seed-001.txt").read_text(encoding="utf-8"), trial_id="seed-001")
    page = _parse(render_view(cs))
    firsts = [m for m in page.marks if "part" not in m["class"].split()]
    assert len(firsts) == len(cs.criteria) > 5
    assert {m["id"] for m in firsts} == {f"c{i}" for i in range(len(cs.criteria))}
    for m in firsts:
        c = cs.criteria[int(m["data-c"])]
        assert f"k-{c.kind}" in m["class"].split() and c.kind in m["title"]
        assert page.inside[page.marks.index(m)] == c.evidence.text  # the mark holds exactly the evidence
    assert page.text.count("ECOG 0-1") == 2  # once in the text, once in the list's quote
    assert {"script", "link", "img", "iframe"}.isdisjoint(page.tags)
    assert "http://" not in render_view(cs) and "https://" not in render_view(cs)


def test_nested_and_crossing_spans() -> None:
    text = "abcdefghijklmnopqrstuvwxyz"
    cs = _set(text, [("other", 0, 10), ("performance_status", 2, 5), ("other", 8, 14), ("other", 2, 5)])
    page = _parse(render_view(cs))
    by_c = {
        m["data-c"]: [page.inside[i] for i, x in enumerate(page.marks) if x["data-c"] == m["data-c"]]
        for m in page.marks
    }
    assert by_c == {"0": ["abcdefghij"], "1": ["cde"], "2": ["ij", "klmn"], "3": ["cde"]}
    assert [m["id"] for m in page.marks if "id" in m] == ["c0", "c1", "c3", "c2"]  # one id per criterion
    assert sum("part" in m["class"].split() for m in page.marks) == 1
    outer = next(m for m in page.marks if m.get("id") == "c0")
    assert "d2" in outer["class"].split()  # two levels nest inside it: its underline sits lowest
    assert text in page.text


def test_text_is_escaped() -> None:
    text = "Inclusion:\n* <script>alert(1)</script> & ECOG <= 1"
    cs = _set(text, [("performance_status", 12, len(text))])
    html = render_view(cs)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; ECOG &lt;= 1" in html
    assert _parse(html).inside[0] == text[12:]


def _match(cs: CriteriaSet) -> MatchResult:
    statuses = ["met", "not_met", "unknown", "not_evaluable"]
    cms = [
        CriterionMatch(status=statuses[i % 4], reason=f"reason {i}: ANC 1.2 < 1.5 x 10^9/L", criterion=c)
        for i, c in enumerate(cs.criteria)
    ]
    reg = extractor.Sex(polarity="inclusion", evidence=Evidence(text="FEMALE", start=0, end=6), sex="female")
    cms.append(
        CriterionMatch(status="met", reason="registry sex FEMALE; patient female", criterion=reg, source="registry")
    )
    return MatchResult(
        trial_id=cs.trial_id,
        patient_id="p1",
        assessed_on=date(2026, 12, 1),
        verdict="ineligible",
        criteria=cms,
        blocking=[i for i, m in enumerate(cms) if m.status == "not_met"],
        unknown=[i for i, m in enumerate(cms) if m.status == "unknown"],
        not_evaluable=[i for i, m in enumerate(cms) if m.status == "not_evaluable"],
    )


def test_with_a_match_result_statuses_reasons_verdict_and_registry_criteria() -> None:
    text = "ECOG 0-1. ANC >= 1.5. Age >= 18. No brain metastases. Consent."
    cs = _set(text, [("performance_status", 0, 8), ("other", 10, 20), ("other", 22, 31), ("other", 33, 52)])
    mr = _match(cs)
    html = render_view(cs, mr)
    page = _parse(html)
    assert [m["class"].split()[2] for m in page.marks] == ["s-met", "s-not_met", "s-unknown", "s-not_evaluable"]
    assert [m["title"] for m in page.marks][1] == "other (inclusion) - not_met: reason 1: ANC 1.2 < 1.5 x 10^9/L"
    assert "reason 1: ANC 1.2 &lt; 1.5 x 10^9/L" in html  # escaped in the page, read back by the parser
    assert {"verdict", "blocking", "unknown", "registry-criteria"} <= page.ids
    assert "Verdict: ineligible" in page.text and "1 not met, 1 unknown, 1 for a person to judge" in page.text
    assert "registry sex FEMALE; patient female" in page.text
    assert "l4" in page.ids and "c4" not in page.ids  # the registry criterion is listed, never marked
    assert [i["id"] for i in page.items] == ["l0", "l1", "l2", "l3", "l4"]


def test_output_record_needs_its_text_and_must_not_be_an_error() -> None:
    cs = _set("ECOG 0-1", [("performance_status", 0, 8)])
    rec = OutputRecord(trial_id="T1", criteria=cs.criteria, provenance=cs.provenance, source_text=cs.source_text)
    assert 'id="c0"' in render_view(rec)
    with pytest.raises(InputError, match="--include-text"):
        render_view(rec.model_copy(update={"source_text": None}))
    bad = OutputRecord.model_validate({"trial_id": "T1", "error": {"type": "InputError", "message": "empty"}})
    with pytest.raises(InputError, match="error record"):
        render_view(bad)


def test_a_match_for_another_trial_is_refused() -> None:
    cs = _set("ECOG 0-1", [("performance_status", 0, 8)])
    with pytest.raises(ConfigError, match="for trial T2"):
        render_view(cs, _match(cs).model_copy(update={"trial_id": "T2"}))


def test_a_criterion_whose_span_is_not_in_the_text_is_listed_not_marked() -> None:
    cs = _set("ECOG 0-1", [("performance_status", 0, 8)])
    moved = cs.criteria[0].model_copy(update={"evidence": Evidence(text="ECOG 0-2", start=0, end=8)})
    page = _parse(render_view(cs.model_copy(update={"criteria": [moved]})))
    assert page.marks == [] and "span not found in the text" in page.text
