"""``evals/external_lct.py``: the brat parser, fact reading and the matcher, on small synthetic brat documents."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "evals" / "external_lct.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("external_lct", _SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["external_lct"] = mod  # dataclasses look their module up while the file runs
    spec.loader.exec_module(mod)
    return mod


lct = _load()


class Brat:
    """Builds a brat ``.ann`` against a text, finding offsets by quote (``nth`` occurrence at or after ``after``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = []
        self.n = {"T": 0, "E": 0, "A": 0}

    def _id(self, prefix: str) -> str:
        self.n[prefix] += 1
        return f"{prefix}{self.n[prefix]}"

    def t(self, typ: str, quote: str, after: int = 0, attr: tuple[str, str] | None = None) -> str:
        start = self.text.index(quote, after)
        tid = self._id("T")
        self.lines.append(f"{tid}\t{typ} {start} {start + len(quote)}\t{quote}")
        if attr:
            self.lines.append(f"{self._id('A')}\t{attr[0]} {tid} {attr[1]}")
        return tid

    def e(self, typ: str, trigger: str, *args: str) -> str:
        eid = self._id("E")
        self.lines.append(f"{eid}\t{typ}:{trigger} {' '.join(args)}".rstrip())
        return eid

    def comparison(self, quote: str, op: tuple[str, str] | None, values: list[str], unit: str | None = None) -> str:
        """An Eq-Comparison over ``quote``: optional (operator text, LCT value), values, temporal unit."""
        at = self.text.index(quote)
        trig = self.t("Eq-Comparison", quote, at)
        args = []
        if op:
            args.append("Operator:" + self.t("Eq-Operator", op[0], at, ("Eq-Operator-Value", op[1])))
        for i, v in enumerate(values):
            args.append(f"Value{i + 1 if i else ''}:" + self.t("Eq-Value", v, at + quote.index(v, 0)))
        if unit:
            args.append("Temporal-Unit:" + self.t("Eq-Temporal-Unit", unit, at, ("Eq-Temporal-Unit-Value", "year")))
        return self.e("Eq-Comparison", trig, *args)

    def age(self, word: str, comp: str, after: int = 0) -> str:
        return self.e("Age", self.t("Age", word, after), f"Numeric-Filter:{comp}")

    def ps(self, name: str, comp: str | None) -> str:
        obs, nm = self.t("Observation", name), self.t("Observation-Name", name)
        return self.e("Observation", obs, f"Name:{nm}", *([f"Numeric-Filter:{comp}"] if comp else []))

    @property
    def ann(self) -> str:
        return "\n".join(self.lines) + "\n"

    def write(self, folder: Path, doc: str) -> Path:
        (folder / f"{doc}.txt").write_text(self.text, encoding="utf-8", newline="")
        path = folder / f"{doc}.ann"
        path.write_text(self.ann, encoding="utf-8")
        return path


TEXT = (
    "Inclusion Criteria:\n"
    "  -  Age 18 to 75 years\n"
    "  -  ECOG performance status 0-1\n"
    "Exclusion Criteria:\n"
    "  -  Age under 18 years\n"
    "  -  Infants younger than 6 months\n"
)


def _doc() -> Brat:
    b = Brat(TEXT)
    b.age("Age", b.comparison("18 to 75 years", ("to", "BETWEEN"), ["18", "75"], "years"))
    b.ps("ECOG performance status", b.comparison("0-1", ("-", "BETWEEN"), ["0", "1"]))
    excl = TEXT.index("Exclusion")
    b.age("Age", b.comparison("under 18 years", ("under", "LT"), ["18"], "years"), after=excl)
    return b


def _pred(kind: str, quote: str, polarity: str, lo: float | None, hi: float | None, *, scale: str | None = None) -> Any:
    start = TEXT.index(quote)
    return lct.Pred(kind, start, start + len(quote), quote, polarity, lo, hi, scale)


def _facts(b: Brat) -> list[Any]:
    items = lct.section_polarity(b.text)
    return [
        lct.with_polarity(f, lct.polarity_at(items, f.start)) for f in lct.facts_of("d", b.text, lct.parse_ann(b.ann))
    ]


def test_parse_ann_entities_events_attributes_relations() -> None:
    ann = lct.parse_ann(
        "T1\tAge 0 3;10 15\tAge years\n"
        "T2\tEq-Operator 4 6\t>=\n"
        "E1\tAge:T1 Numeric-Filter:E2 Value2:T2\n"
        "A1\tEq-Operator-Value T2 GTEQ\n"
        "R1\tAnd Arg1:E1 Arg2:E3\n"
        "#1\tAnnotatorNotes T1\tnote\n"
        "\n"
    )
    t1 = ann.entities["T1"]
    assert t1.spans == ((0, 3), (10, 15)) and (t1.start, t1.end) == (0, 15) and t1.text == "Age years"
    assert ann.events["E1"].type == "Age" and ann.events["E1"].trigger == "T1"
    assert ann.events["E1"].role("Value") == ["T2"]  # "Value2" is a Value
    assert ann.attributes["T2"] == {"Eq-Operator-Value": "GTEQ"}
    assert ann.relations == [("R1", "And", "E1", "E3")]


def test_age_range_and_ecog_range_are_read() -> None:
    facts = _facts(_doc())
    age, ps, excl = facts
    assert (age.kind, age.op, age.values, age.unit, age.polarity) == ("age", "range", (18.0, 75.0), "year", "inclusion")
    assert TEXT[age.start : age.end] == "Age 18 to 75 years"
    assert lct.effective_bounds(age, "inclusion") == (18.0, 75.0)
    assert (ps.kind, ps.scale, ps.op, ps.values) == ("performance_status", "ECOG", "range", (0.0, 1.0))
    assert lct.effective_bounds(ps, "inclusion") == (None, 1)  # ECOG 0 is the scale's end: dropped
    assert (excl.op, excl.polarity) == ("<", "exclusion")
    assert lct.effective_bounds(excl, "exclusion") == (18.0, None)  # "age under 18" excluded -> min 18


def test_exclusion_under_18_matches_min_18() -> None:
    facts = _facts(_doc())
    preds = [
        _pred("age", "Age 18 to 75 years", "inclusion", 18, 75),
        _pred("performance_status", "ECOG performance status 0-1", "inclusion", 0, 1, scale="ECOG"),
        _pred("age", "Age under 18 years", "exclusion", 18, None),
    ]
    res = lct.score_doc("d", TEXT, facts, preds)
    assert len(res.found) == 3 and not res.misses and not res.unmatched
    # the same fact read as an inclusion rule would be a maximum: the section matters
    assert not lct.bounds_agree(facts[2], _pred("age", "Age under 18 years", "inclusion", 18, None))


def test_misses_and_unmatched_predictions() -> None:
    facts = _facts(_doc())
    preds = [
        _pred("age", "Age 18 to 75 years", "inclusion", 18, None),  # max 75 missing: a wrong-bounds miss
        _pred("performance_status", "ECOG performance status 0-1", "inclusion", 0, 1, scale="Karnofsky"),
        _pred("age", "Infants younger than 6 months", "exclusion", 0.5, None),  # no LCT fact on that line
    ]
    res = lct.score_doc(
        "d", TEXT, facts, preds, others=[("other", TEXT.index("Age under"), TEXT.index("Age under") + 3)]
    )
    cats = {(m.kind, m.category) for m in res.misses}
    assert cats == {("age", "wrong_bounds"), ("performance_status", "wrong_scale"), ("age", "no_prediction")}
    gave = next(m.rules_gave for m in res.misses if m.category == "no_prediction")
    assert gave == ["other"]
    assert [p.text for p in res.unmatched] == ["Infants younger than 6 months"]
    summary = lct.summarise([res])
    assert summary["kinds"]["age"]["recall"] == 0.0 and summary["kinds"]["overall"]["unmatched_predictions"] == 1


def test_extra_prediction_bound_is_allowed_for_split_age_facts() -> None:
    text = "Inclusion Criteria:\n  -  Age >= 18 and <= 80 years\n"
    b = Brat(text)
    b.age("Age", b.comparison(">= 18", (">=", "GTEQ"), ["18"]))
    b.age("Age", b.comparison("<= 80 years", ("<=", "LTEQ"), ["80"], "years"))
    facts = _facts(b)
    start = text.index("Age")
    pred = lct.Pred("age", start, len(text) - 1, text[start:-1], "inclusion", 18, 80)
    assert len(lct.score_doc("d", text, facts, [pred]).found) == 2


def test_discontinuous_span_and_same_line_match() -> None:
    text = "Inclusion Criteria:\n  -  Patients (age, in years) at least 21\n"
    b = Brat(text)
    a, y = text.index("age"), text.index("years")
    b.lines.append(f"T90\tAge {a} {a + 3};{y} {y + 5}\tage years")
    comp = b.comparison("at least 21", ("at least", "GTEQ"), ["21"])
    b.e("Age", "T90", f"Numeric-Filter:{comp}")
    (fact,) = _facts(b)
    assert (fact.start, fact.end) == (a, text.index("21") + 2) and fact.values == (21.0,)
    # evidence elsewhere on the same line still counts
    pred = lct.Pred("age", text.index("Patients"), text.index("Patients") + 8, "Patients", "inclusion", 21, None)
    assert lct.score_doc("d", text, [fact], [pred]).found == [fact]
    lines = lct.Lines("a\r\nb\rc\nd")
    assert [lines.of(i, i + 1).start for i in (0, 3, 5, 7)] == [0, 1, 2, 3]


def test_performance_status_mapping() -> None:
    text = (
        "Inclusion Criteria:\n  -  WHO performance status <= 2\n  -  Karnofsky 70-100\n"
        "Exclusion Criteria:\n  -  ECOG >= 2\n"
    )
    b = Brat(text)
    b.ps("WHO performance status", b.comparison("<= 2", ("<=", "LTEQ"), ["2"]))
    b.ps("Karnofsky", b.comparison("70-100", ("-", "BETWEEN"), ["70", "100"]))
    b.ps("ECOG", b.comparison(">= 2", (">=", "GTEQ"), ["2"]))
    who, kps, ecog = _facts(b)
    assert (who.scale, lct.effective_bounds(who, "inclusion")) == ("ECOG", (None, 2))
    assert (kps.scale, lct.effective_bounds(kps, "inclusion")) == ("Karnofsky", (70, None))
    assert (ecog.polarity, lct.effective_bounds(ecog, "exclusion")) == ("exclusion", (None, 1))

    def pred(quote: str, pol: str, lo: int | None, hi: int | None, scale: str) -> Any:
        s = text.index(quote)
        return lct.Pred("performance_status", s, s + len(quote), quote, pol, lo, hi, scale)

    assert lct.bounds_agree(who, pred("WHO performance status <= 2", "inclusion", 0, 2, "ECOG"))  # WHO = ECOG
    assert lct.bounds_agree(kps, pred("Karnofsky 70-100", "inclusion", 70, None, "Karnofsky"))
    assert lct.bounds_agree(ecog, pred("ECOG >= 2", "exclusion", 0, 1, "ECOG"))
    assert not lct.bounds_agree(ecog, pred("ECOG >= 2", "exclusion", 0, 2, "ECOG"))


def test_not_scoreable_facts_are_counted_apart() -> None:
    text = "Inclusion Criteria:\n  -  Age at onset\n  -  poor performance status\nExclusion Criteria:\n  -  Age 1-17\n"
    b = Brat(text)
    onset = b.t("Eq-Comparison", "onset")
    rec = b.t("Eq-Temporal-Recency", "onset")
    b.age("Age", b.e("Eq-Comparison", onset, f"Temporal-Recency:{rec}"))
    b.ps("performance status", None)
    b.age("Age", b.comparison("1-17", ("-", "BETWEEN"), ["1", "17"]), after=text.index("Exclusion"))
    facts = _facts(b)
    assert [f.problem for f in facts] == [
        "no number annotated",
        "no number annotated",
        "exclusion range (complement is not one interval)",
    ]
    res = lct.score_doc("d", text, facts, [])
    assert not res.misses
    overall = lct.summarise([res])["kinds"]["overall"]
    assert (overall["scoreable"], overall["not_scoreable"], overall["recall"]) == (0, 3, None)


def test_months_and_operator_text_fallbacks() -> None:
    text = "Inclusion Criteria:\n  -  age 6 months or older\n"
    b = Brat(text)
    at = text.index("6 months")
    trig = b.t("Eq-Comparison", "6 months or older")
    op = b.t("Eq-Operator", "or older")  # no Eq-Operator-Value attribute: the text decides
    val = b.t("Eq-Value", "6", at)
    unit = b.t("Eq-Temporal-Unit", "months")
    b.age("age", b.e("Eq-Comparison", trig, f"Operator:{op}", f"Value:{val}", f"Temporal-Unit:{unit}"))
    (fact,) = _facts(b)
    assert (fact.op, fact.unit) == (">=", "month")
    assert lct.effective_bounds(fact, "inclusion") == (0.5, None)
    assert [lct.operator_of(t) for t in ("≥", "less than", "younger than", "between", "no more than")] == [
        ">=",
        "<",
        "<",
        "range",
        "<=",
    ]


def test_run_end_to_end_on_a_tmp_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _doc().write(tmp_path, "batch0__NCT00000000")
    out = tmp_path / "out" / "figures.json"
    assert lct.main(["--lct", str(tmp_path), "--json", str(out), "--show-misses"]) == 0
    assert "performance_status" in capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["documents"] == 1 and figures["kinds"]["overall"]["scoreable"] == 3


def test_missing_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lct.main(["--lct", str(tmp_path / "nope")]) == 2
    assert "not found" in capsys.readouterr().err
