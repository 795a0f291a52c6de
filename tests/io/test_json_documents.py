"""JSON documents read by ijson (issue 13): the cases ijson alone gets wrong or crashes on stay error records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from extractor.errors import InputError
from extractor.io import read_inputs
from extractor.models import Trial


def _good(i: int) -> str:
    return f'{{"nct_id": "G{i}", "eligibility_criteria": "Inclusion Criteria:\\n* ECOG 0-{i}"}}'


def test_undecodable_bytes_inside_a_document_name_their_field(tmp_path: Path) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(
        ("[" + _good(0) + ",\n").encode() + b'{"nct_id": "B1", "eligibility_criteria": "caf\xe9 \xff"},\n'
        b'{"nct_id": "B2", "eligibility_criteria": "x", "title": "\xc3"},\n' + (_good(1) + "]").encode()
    )
    items = list(read_inputs([str(path)]))
    assert [i.trial_id for i in items if isinstance(i, Trial)] == ["G0", "G1"]
    errors = [i for i in items if isinstance(i, InputError)]
    assert [(e.trial_id, e.field, e.line) for e in errors] == [("B1", "eligibility_criteria", 2), ("B2", "title", 3)]
    assert "0xe9" in errors[0].message


def test_huge_integers_and_deep_nesting_do_not_crash_the_process(tmp_path: Path) -> None:
    """ijson's C backend segfaults on an integer of 4,301 digits and runs out of memory on 100,000 levels; the
    reader uses its Python backend, in a child process here so that a crash fails the test instead of pytest."""
    path = tmp_path / "in.json"
    path.write_text(
        "[" + ",".join([_good(0), "9" * 4301, "[" * 100_000 + "]" * 100_000, "1e999", _good(1)]) + "]",
        encoding="utf-8",
    )
    code = (
        "import sys; from extractor.io import read_inputs; from extractor.models import Trial\n"
        "items = list(read_inputs([sys.argv[1]]))\n"
        "print(sorted(i.trial_id for i in items if isinstance(i, Trial)), len(items))"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=False, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip() == "['G0', 'G1'] 5"
