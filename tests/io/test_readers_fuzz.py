"""Fuzz the readers (issue 9): random bytes, random JSON and random CSV, in files of every supported extension.

Properties: :func:`read_inputs` never raises; every string it yields, and every error record made of what it
yields, encodes as UTF-8; known-good records placed before and after the garbage all come out, unchanged.

For CSV the good rows use characters ``csv.writer`` never quotes: a stray quote in a garbage row that a later
row's quote closes again is legal CSV (the merged rows are one field), which no reader can tell from intent.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractor.errors import InputError
from extractor.io import error_record, read_inputs
from extractor.models import Trial

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXTENSIONS = [".txt", ".md", ".json", ".jsonl", ".ndjson", ".csv"]

# text of good records: anything but surrogates, NUL and text that is all whitespace
GOOD_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40).map(
    lambda s: "Inclusion: " + s
)
CSV_SAFE_TEXT = st.text(st.sampled_from("abcXYZ019 ;:-+<>=/()%µ≥é\t"), max_size=30).map(lambda s: "ECOG " + s)
GARBAGE = st.binary(max_size=200) | st.text(max_size=80).map(lambda s: s.encode("utf-8", "surrogatepass"))


def _json_scalar() -> st.SearchStrategy[str]:
    return st.one_of(
        st.none().map(json.dumps),
        st.booleans().map(json.dumps),
        st.integers().map(json.dumps),
        st.floats(allow_nan=False).map(json.dumps),
        st.text().map(json.dumps),  # lone surrogates come out as \\udxxx escapes
        st.integers(4000, 5000).map(lambda n: "9" * n),  # too long for int() past 4300 digits
        st.integers(0, 3000).map(lambda n: "[" * n + "]" * n),  # past the recursion limit
    )


JSON_VALUE = st.recursive(
    _json_scalar(),
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.dictionaries(st.text(max_size=8), inner, max_size=4).map(
            lambda d: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in d.items()) + "}"
        )
    ),
    max_leaves=12,
)
JSON_RECORD = st.one_of(
    JSON_VALUE,
    st.tuples(JSON_VALUE, JSON_VALUE, JSON_VALUE).map(
        lambda t: f'{{"nct_id": {t[0]}, "eligibility_criteria": {t[1]}, "extra": {t[2]}}}'
    ),
)


def _read(path: Path) -> list[Trial | InputError]:
    items = list(read_inputs([str(path)]))
    for item in items:
        rec = item.model_dump_json() if isinstance(item, Trial) else error_record(item).model_dump_json()
        rec.encode("utf-8")
    return items


def _assert_all_good(items: list[Trial | InputError], good: dict[str, str]) -> None:
    got = {(i.trial_id, i.text) for i in items if isinstance(i, Trial)}
    assert set(good.items()) <= got


def _interleave(good: list[bytes], garbage: list[bytes]) -> bytes:
    out = [g + b"\n" for g in garbage[:1]]
    for i, line in enumerate(good):
        out.append(line + b"\n")
        out.extend(g + b"\n" for g in garbage[i + 1 : i + 2])
    out.extend(g + b"\n" for g in garbage[len(good) + 1 :])
    return b"".join(out)


@FUZZ
@given(data=st.binary(max_size=400), ext=st.sampled_from(EXTENSIONS), gz=st.sampled_from(["", ".gz", ".gz-raw"]))
def test_random_bytes_never_raise(data: bytes, ext: str, gz: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"f{ext}{'.gz' if gz else ''}"
        path.write_bytes(gzip.compress(data) if gz == ".gz" else data)
        _read(path)
        list(read_inputs(["-"], stdin=io.BytesIO(data)))


@FUZZ
@given(
    texts=st.lists(GOOD_TEXT, min_size=1, max_size=4),
    garbage=st.lists(GARBAGE, max_size=5),
    ext=st.sampled_from([".jsonl", ".ndjson", ".jsonl.gz"]),
)
def test_jsonl_garbage_lines_lose_no_good_record(texts: list[str], garbage: list[bytes], ext: str) -> None:
    good = {f"G{i}": t for i, t in enumerate(texts)}
    lines = [json.dumps({"nct_id": k, "eligibility_criteria": v}).encode() for k, v in good.items()]
    data = _interleave(lines, [g.replace(b"\n", b" ") for g in garbage])
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"f{ext}"
        path.write_bytes(gzip.compress(data) if ext.endswith(".gz") else data)
        _assert_all_good(_read(path), good)


@FUZZ
@given(
    texts=st.lists(GOOD_TEXT, min_size=1, max_size=4),
    others=st.lists(JSON_RECORD, max_size=5),
    one_line=st.booleans(),
    page=st.booleans(),
)
def test_json_documents_with_odd_values_lose_no_good_record(
    texts: list[str], others: list[str], one_line: bool, page: bool
) -> None:
    good = {f"G{i}": t for i, t in enumerate(texts)}
    elements = [json.dumps({"nct_id": k, "eligibility_criteria": v}) for k, v in good.items()]
    for i, other in enumerate(others):
        elements.insert((i * 2) % (len(elements) + 1), other)
    array = "[" + ("," if one_line else ",\n").join(elements) + "]"
    doc = f'{{"totalCount": 1, "studies": {array}}}' if page else array
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.json"
        path.write_text(doc, encoding="utf-8")
        items = _read(path)
    _assert_all_good(items, good)
    # errors of records without an id are named after their place (file:line, file:line#n), each its own name
    names = [error_record(e).trial_id for e in items if isinstance(e, InputError)]
    placed = [n for n in names if n.startswith(f"{path}:")]
    assert len(set(placed)) == len(placed)


@FUZZ
@given(
    texts=st.lists(CSV_SAFE_TEXT, min_size=1, max_size=4),
    garbage=st.lists(GARBAGE, max_size=4),
    crlf=st.booleans(),
)
@example(texts=["ECOG "], garbage=[b'"', b'"'], crlf=False)  # a lone quote line must not swallow the next row
def test_csv_garbage_rows_lose_no_good_record(texts: list[str], garbage: list[bytes], crlf: bool) -> None:
    good = {f"G{i}": t for i, t in enumerate(texts)}
    rows = [f"{k},{v}".encode() for k, v in good.items()]
    body = _interleave(rows, garbage)
    if crlf:
        body = body.replace(b"\n", b"\r\n")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "f.csv"
        path.write_bytes(b"nct_id,eligibility_criteria\n" + body)
        _assert_all_good(_read(path), good)
