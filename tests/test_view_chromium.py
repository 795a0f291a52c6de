"""The viewer page checked in headless Chromium (Debian's /usr/bin/chromium driven by playwright; it never downloads a
browser): a real rules extraction of a bundled example trial plus a constructed match result, a screenshot, and the
page's elements, computed colours, hover titles and console asserted. Skips when Chromium (or playwright) is absent
locally; fails in CI (``CI=true``), where ``.ci/run`` installs Chromium. ``EXTRACTOR_CHROMIUM`` names another binary."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import extractor
from extractor.models import CriteriaSet
from extractor.models.match import CriterionMatch, MatchResult
from extractor.view import render_view

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI must have it: .ci/run installs Chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, launched once for the module (playwright gives it a new, empty --user-data-dir of its own)."""
    binary = os.environ.get("EXTRACTOR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(binary).exists():
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=binary, args=FLAGS)
        yield b
        b.close()


STATUS_BY_KIND = {
    "age": ("met", "Patient is 58 years old (born 1968-04-12); the trial asks for at least 18."),
    "her2": ("met", "HER2 IHC 3+ (2023-11-10) meets IHC 3+ or ISH ratio >= 2.0."),
    "brain_metastases": ("unknown", "Brain metastases present; stability since treatment not recorded."),
    "prior_therapy": ("not_met", "Trial requires prior taxane and trastuzumab; no taxane on record."),
    "performance_status": ("met", "ECOG 1 (2026-11-24) is within 0-1."),
    "other": ("not_evaluable", "A person must judge this item."),
}


def _match(cs: CriteriaSet) -> MatchResult:
    cms = [
        CriterionMatch(
            status=STATUS_BY_KIND.get(c.kind, ("unknown", f"No {c.kind} data on record."))[0],
            reason=STATUS_BY_KIND.get(c.kind, ("unknown", f"No {c.kind} data on record."))[1],
            criterion=c,
        )
        for c in cs.criteria
    ]
    sex = extractor.Sex(polarity="inclusion", evidence=extractor.Evidence(text="ALL", start=0, end=3), sex="all")
    cms.append(CriterionMatch(status="met", reason="Registry: all sexes.", criterion=sex, source="registry"))
    by = {s: [i for i, m in enumerate(cms) if m.status == s] for s in ("not_met", "unknown", "not_evaluable")}
    return MatchResult(
        trial_id=cs.trial_id,
        patient_id="example-her2-mbc",
        assessed_on=date(2026, 12, 1),
        verdict="ineligible",
        criteria=cms,
        blocking=by["not_met"],
        unknown=by["unknown"],
        not_evaluable=by["not_evaluable"],
    )


def test_viewer_page_in_headless_chromium(browser: Any, tmp_path: Path) -> None:
    from PIL import Image

    cs = extractor.extract((EXAMPLES / "seed-001.txt").read_text(encoding="utf-8"), trial_id="seed-001")
    mr = _match(cs)
    page_file = tmp_path / "view.html"
    page_file.write_text(render_view(cs, mr), encoding="utf-8")

    page = browser.new_page(viewport=VIEWPORT)
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else 0
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri(), wait_until="load")

    png = tmp_path / "view.png"
    page.screenshot(path=str(png))
    with Image.open(png) as img:
        assert img.format == "PNG" and img.size == (VIEWPORT["width"], VIEWPORT["height"])
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50  # text, highlights, badges: not a blank page
    # one mark per criterion with a span (the rest of a crossing span is a "part" without an id)
    located = [i for i, m in enumerate(mr.criteria) if m.source == "text"]
    assert page.locator("mark[id]").count() == len(located) == len(cs.criteria)
    for i in located:
        cm = mr.criteria[i]
        kind, status = cm.criterion.kind, cm.status
        mark = page.locator(f"#c{i}")
        assert mark.get_attribute("class").split()[:3] == ["c", f"k-{kind}", f"s-{status}"]
        assert mark.get_attribute("title") == f"{kind} ({cm.criterion.polarity}) - {status}: {cm.reason}"
    # the computed background of a met and a not_met criterion differ
    met = page.locator("mark.s-met").first.evaluate("e => getComputedStyle(e).backgroundColor")
    not_met = page.locator("mark.s-not_met").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert met != not_met and "rgb" in met
    # kind colours: two kinds' underlines differ
    underline = "e => getComputedStyle(e).borderBottomColor"
    assert len({page.locator(f"mark.k-{k}").first.evaluate(underline) for k in ("her2", "age")}) == 2
    # reasons beside the text, the verdict with the blocking criterion on top, registry criteria apart
    reason = STATUS_BY_KIND["prior_therapy"][1]
    assert page.locator("#criteria li.s-not_met .reason").first.inner_text() == reason
    assert reason in page.locator("#verdict #blocking").inner_text()
    assert page.locator("#verdict h2").inner_text() == "Verdict: ineligible"
    assert page.locator("#registry-criteria li").count() == 1
    # hovering a mark shows its title and outlines it
    her2 = page.locator("mark.k-her2").first
    her2.hover()
    assert her2.evaluate("e => e.matches(':hover') && getComputedStyle(e).outlineStyle") == "solid"
    assert all(u.startswith("file://") for u in requests), requests  # self-contained: nothing fetched
    assert problems == []
    page.close()
