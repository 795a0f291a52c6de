"""Check the eval's HTML report in headless Chromium: render it, take screenshots, assert the key elements.

    python evals/check_report_html.py [--report-dir DIR] [--chromium /usr/bin/chromium]

Without ``--report-dir`` it first runs ``extractor eval --backend rules`` into a temporary directory. Chromium is
Debian's package (``apt-get install chromium``); it runs with no network access of its own. Writes
``report.png`` (top of the page) and ``report-trial.png`` (the worst trial's section) beside the report, and exits
non-zero when an element is missing or a link points nowhere.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


class _Dom(HTMLParser):
    """Collects ids, in-page links, element counts by tag.class, and the order of trial sections."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.count: dict[str, int] = {}
        self.sections: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        for cls in a.get("class", "").split() or [""]:
            key = f"{tag}.{cls}" if cls else tag
            self.count[key] = self.count.get(key, 0) + 1
        if tag == "section" and "trial" in a.get("class", ""):
            self.sections.append(a.get("id", ""))


def _chromium(binary: str, profile: Path, *args: str) -> str:
    cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise SystemExit(f"chromium failed ({done.returncode}): {done.stderr[-500:]}")
    return done.stdout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--report-dir", type=Path)
    p.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = p.parse_args()
    if not Path(args.chromium).exists():
        print(f"no Chromium at {args.chromium}: apt-get install chromium", file=sys.stderr)
        return 2
    out = args.report_dir
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="eval-html-"))
        cli = "import sys; from extractor.cli import main; sys.argv[0] = 'extractor'; main()"
        run = [sys.executable, "-c", cli, "eval", "--backend", "rules", "--report-dir", str(out)]
        subprocess.run(run, check=True, stdout=subprocess.DEVNULL)
    page = (out / "report.html").resolve()
    with tempfile.TemporaryDirectory() as profile:
        dom_text = _chromium(args.chromium, Path(profile), "--dump-dom", page.as_uri())
        dom = _Dom()
        dom.feed(dom_text)
        problems = []
        for element in ("gate", "headline", "kinds", "trials"):
            if element not in dom.ids:
                problems.append(f"no element with id {element!r}")
        if not dom.sections:
            problems.append("no trial sections")
        for key in ("mark.g", "td.st", "span.bar", "table.pairs"):
            if not dom.count.get(key):
                problems.append(f"no {key} element")
        dangling = sorted({link for link in dom.links if link not in dom.ids})
        if dangling:
            problems.append(f"{len(dangling)} links point nowhere, e.g. {dangling[:3]}")
        shots = [(out / "report.png", page.as_uri())]
        if dom.sections:
            shots.append((out / "report-trial.png", f"{page.as_uri()}#{dom.sections[0]}"))
        for png, url in shots:
            _chromium(
                args.chromium,
                Path(profile),
                "--window-size=1300,1800",
                "--virtual-time-budget=20000",
                f"--screenshot={png}",
                url,
            )
            if not png.exists() or png.stat().st_size < 10_000:
                problems.append(f"screenshot {png} missing or blank")
    print(
        f"{page}: {len(dom.sections)} trial sections (worst first: {', '.join(dom.sections[:3])}), "
        f"{dom.count.get('mark.g', 0) + dom.count.get('mark.gp', 0)} gold spans highlighted, "
        f"{len(dom.links)} in-page links, screenshots {', '.join(str(s) for s, _ in shots)}"
    )
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
