"""Oracle eval: the LLM path's ceiling, measured with a server that answers with the gold labels (a perfect model).

    python evals/eval_oracle.py --baseline evals/baselines/oracle.json --report-dir reports/eval-oracle   # gate
    python evals/eval_oracle.py --runs llm/json_schema,hybrid/json_schema                              # a subset
    python evals/eval_oracle.py --baseline evals/baselines/oracle.json --update-baseline                # rewrite

Every gold trial goes through ``llm`` and ``hybrid`` in each instructor mode (json_schema, tools, md_json) at the
shipped defaults (``LLMConfig(base_url=..., mode=...)``, default model, its context window and answer limit from
the known-model table), against :class:`extractor.testing.oracle.OracleServer` (loopback; its context window is the
model's), plus a noisy run (``llm/json_schema/noisy``: 20% of criteria get a changed number or a paraphrased
quote, 20% of first tries carry a criterion of no known kind; a re-ask fixes the criteria it names) that shows
re-asks, rejections and flagged numbers, and a limits run
(``llm/json_schema/limits``: answers cut at 2,048 tokens and a 9,000-token server context the planner is not told
about) that shows cut answers and context-length refusals split until they fit (only an item that alone exceeds the
context is lost, and only that item). Each run is scored with the
project's eval (strict matching); whatever a run loses is lost to chunking, limits, routing, parsing or grounding.

Prints per-run micro F1 with calls, re-asks, rejections, flagged numbers and tokens, and per-kind strict F1 (the
ceilings); writes
``summary.md`` / ``summary.json`` and one standard report directory per run (``report.md``, ``report.json``,
``junit.xml``, ``report.html``, ``predictions.jsonl``) under ``--report-dir``. Gates each run against its entry in
the baseline with the eval's gate (:func:`extractor.evals.compare_all`). Exit codes as ``extractor eval``
(:mod:`extractor.cli.exitcodes`): 0 ok; 3 the gate failed (or a run has no baseline entry); 2 could not run;
130 interrupted. No network beyond 127.0.0.1, no key; settings are ``LLMConfig``'s defaults, never the environment's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor import aextract  # noqa: E402
from extractor.cli.exitcodes import ExitCode  # noqa: E402
from extractor.errors import ExtractorError  # noqa: E402
from extractor.evals import (  # noqa: E402
    Baseline,
    EvalResult,
    GoldCase,
    build_report,
    load_gold,
    make_baseline,
    records_jsonl,
    render_reports,
    score,
    write_reports,
)
from extractor.evals.goldtool import sha256  # noqa: E402
from extractor.llm.client import close_clients  # noqa: E402
from extractor.llm.config import LLMConfig, Mode  # noqa: E402
from extractor.models import ErrorInfo, OutputRecord  # noqa: E402
from extractor.testing.oracle import OracleServer, OracleStats  # noqa: E402

BackendName = Literal["llm", "hybrid"]
MODES: tuple[Mode, ...] = ("json_schema", "tools", "md_json")
NOISE = 0.2
NOISE_SEED = 12


@dataclass(frozen=True)
class Run:
    """One oracle run: backend, instructor mode, noise, and (for the limits run) settings off the defaults."""

    backend: BackendName
    mode: Mode
    noise: float = 0.0
    tag: str = ""
    settings: tuple[tuple[str, int], ...] = ()
    """LLMConfig fields set for this run (the defaults otherwise)."""
    oracle_context: int | None = None
    """The oracle's context window (default: the config's)."""

    @property
    def name(self) -> str:
        return f"{self.backend}/{self.mode}" + (f"/{self.tag}" if self.tag else "")


RUNS = (
    *(Run(b, m) for b in ("llm", "hybrid") for m in MODES),
    Run("llm", "json_schema", NOISE, tag="noisy"),
    # limits the planner does not know about: answers cut at 2,048 tokens, a server context of 9,000 tokens while
    # the config says 1M; requests are split until they fit (one item alone exceeds 9,000 tokens: it alone fails)
    Run(
        "llm",
        "json_schema",
        tag="limits",
        settings=(("max_tokens", 2048), ("answer_budget", 1_000_000), ("context_window", 1_000_000)),
        oracle_context=9000,
    ),
)


_COUNTS = re.compile(r"\[\s*((?:-?\d+,\s*)*-?\d+)\s*\]")
"""A JSON list of integers spread over lines (per-trial counts): written on one line."""


class OracleBaseline(BaseModel):
    """``evals/baselines/oracle.json``: one eval baseline per run."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    created: str | None = None
    runs: dict[str, Baseline] = Field(default_factory=dict)


@dataclass
class Outcome:
    """A finished run: its scores, records and the oracle's counters."""

    run: Run
    result: EvalResult
    records: list[OutputRecord]
    stats: OracleStats
    seconds: float
    config: LLMConfig


def _record(case: GoldCase, result: Any) -> OutputRecord:
    if isinstance(result, BaseException):
        info = result.to_dict() if isinstance(result, ExtractorError) else {"type": type(result).__name__}
        return OutputRecord(
            trial_id=case.trial_id,
            text_sha256=sha256(case.text),
            error=ErrorInfo(type=str(info["type"]), message=str(result)[:2000], attempts=info.get("attempts") or None),
        )
    return OutputRecord(
        trial_id=case.trial_id,
        text_sha256=sha256(case.text),
        criteria=result.criteria,
        rejected=result.rejected,
        items=result.items,
        provenance=result.provenance,
    )


async def _extract_all(cases: list[GoldCase], run: Run, config: LLMConfig, concurrency: int) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(case: GoldCase) -> Any:
        async with gate:
            try:
                return await aextract(case.text, backend=run.backend, trial_id=case.trial_id, llm=config)
            except Exception as e:  # a failed trial is data (an error record), never the end of the run
                return e

    try:
        return await asyncio.gather(*(one(c) for c in cases))
    finally:
        await close_clients()


def run_one(run: Run, cases: list[GoldCase], all_gold: list[GoldCase], concurrency: int) -> Outcome:
    """Serve the oracle, extract every case with ``run``'s backend and mode, score."""
    settings: dict[str, Any] = dict(run.settings)
    probe = LLMConfig(base_url="http://127.0.0.1:1/v1", mode=run.mode, **settings)
    context = run.oracle_context or probe.context_window
    t0 = time.perf_counter()
    with OracleServer(all_gold, context_window=context, noise=run.noise, seed=NOISE_SEED) as oracle:
        config = LLMConfig(base_url=oracle.base_url, mode=run.mode, **settings)
        results = asyncio.run(_extract_all(cases, run, config, concurrency))
        stats = oracle.stats
    records = [_record(c, r) for c, r in zip(cases, results, strict=True)]
    result = score({r.trial_id: r for r in records}, cases, label=run.name)
    return Outcome(run, result, records, stats, time.perf_counter() - t0, config)


def _counts(out: Outcome) -> dict[str, Any]:
    ok = [r for r in out.records if r.provenance is not None]
    m = out.result.metrics
    return {
        "micro_f1": round(m.micro.f1, 4),
        "precision": round(m.micro.precision, 4),
        "recall": round(m.micro.recall, 4),
        "seeds_f1": round(out.result.seeds.metrics.micro.f1, 4) if out.result.seeds else None,
        "failed_trials": sum(1 for r in out.records if r.error is not None),
        "degraded_trials": sum(1 for r in ok if r.provenance and r.provenance.errors),
        "llm_calls": sum(r.provenance.llm_calls for r in ok if r.provenance),
        "requests": out.stats.requests,
        "reasks": out.stats.reasks,
        "truncated": out.stats.truncated,
        "context_errors": out.stats.context_errors,
        "rejected": sum(len(r.rejected) for r in out.records),
        "flagged": sum(len(r.provenance.flagged) for r in ok if r.provenance),
        "prompt_tokens": out.stats.prompt_tokens,
        "completion_tokens": out.stats.completion_tokens,
        "max_tokens": out.config.max_tokens,
        "context_window": out.config.context_window,
        "seconds": round(out.seconds, 1),
    }


def summary_markdown(outcomes: list[Outcome], failures: dict[str, list[str]]) -> str:
    """The summary: one row per run, then strict F1 per kind (rows) and run (columns)."""
    lines = [
        "# Oracle eval: the LLM path's ceiling (a server answering with the gold labels)",
        "",
        "| run | micro F1 | P | R | failed | degraded | calls | requests | re-asks | truncated | context errors "
        "| rejected | flagged | prompt tok | completion tok | gate |",
        "| --- |" + " ---: |" * 14 + " --- |",
    ]
    for out in outcomes:
        c = _counts(out)
        gate = "FAILED" if failures.get(out.run.name) else "ok"
        lines.append(
            f"| {out.run.name} | {c['micro_f1']:.3f} | {c['precision']:.3f} | {c['recall']:.3f} | "
            f"{c['failed_trials']} | {c['degraded_trials']} | {c['llm_calls']} | {c['requests']} | {c['reasks']} | "
            f"{c['truncated']} | {c['context_errors']} | {c['rejected']} | {c['flagged']} | {c['prompt_tokens']:,} | "
            f"{c['completion_tokens']:,} | {gate} |"
        )
    kinds: list[str] = []
    for out in outcomes:
        kinds += [k.kind for k in out.result.kinds if k.gold and k.kind not in kinds]
    lines += ["", "Strict F1 per kind (corpus trials):", ""]
    lines.append("| kind | gold | " + " | ".join(o.run.name for o in outcomes) + " |")
    lines.append("| --- | ---: |" + " ---: |" * len(outcomes))
    for kind in kinds:
        first = outcomes[0].result.kind(kind)
        cells = []
        for out in outcomes:
            km = out.result.kind(kind)
            cells.append(f"{km.f1:.3f}" if km is not None else "–")
        lines.append(f"| {kind} | {first.gold if first else ''} | " + " | ".join(cells) + " |")
    for name, reasons in failures.items():
        lines += ["", f"Gate failed for {name}:", *(f"- {r}" for r in reasons)]
    return "\n".join(lines) + "\n"


def _load_baseline(path: Path) -> OracleBaseline:
    try:
        return OracleBaseline.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ExtractorError(f"{path}: cannot read the baseline: {e.strerror or e}") from e
    except ValidationError as e:
        raise ExtractorError(f"{path}: not an oracle baseline: {e.errors()[0]['msg']}") from e


def _write_baseline(path: Path, outcomes: list[Outcome], old: OracleBaseline | None) -> None:
    runs = dict(old.runs) if old else {}
    runs.update({o.run.name: make_baseline(o.result) for o in outcomes})
    new = OracleBaseline(created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), runs=runs)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new.model_dump_json(indent=2, exclude_none=True)
    text = _COUNTS.sub(lambda m: "[" + ", ".join(n.strip() for n in m.group(1).split(",")) + "]", text)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-oracle-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _select_runs(spec: str | None) -> list[Run]:
    if not spec:
        return list(RUNS)
    by_name = {r.name: r for r in RUNS}
    wanted = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in by_name]
    if unknown:
        raise ExtractorError(f"--runs: unknown run(s) {', '.join(unknown)}; choose from {', '.join(by_name)}")
    return [by_name[w] for w in wanted]


def _select_trials(cases: list[GoldCase], spec: str | None) -> list[GoldCase]:
    if not spec:
        return cases
    raw = Path(spec[1:]).read_text(encoding="utf-8").splitlines() if spec.startswith("@") else spec.split(",")
    wanted = {w.strip() for w in raw if w.strip() and not w.startswith("#")}
    unknown = wanted - {c.trial_id for c in cases}
    if unknown:
        raise ExtractorError(f"--trials names trials without gold: {', '.join(sorted(unknown))}")
    return [c for c in cases if c.trial_id in wanted]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--baseline", type=Path, default=None, help="oracle baseline to gate on (or to write)")
    p.add_argument("--report-dir", type=Path, default=Path("reports/eval-oracle"))
    p.add_argument("--update-baseline", action="store_true", help="write this run's results into --baseline")
    p.add_argument("--tolerance", type=float, default=0.02, help="allowed drop of a tracked metric")
    p.add_argument("--runs", default=None, help=f"comma-separated subset of: {', '.join(r.name for r in RUNS)}")
    p.add_argument("--trials", default=None, help="score only these gold trials: ids, or @FILE")
    p.add_argument("--gold", type=Path, default=ROOT / "gold_labels")
    p.add_argument("--concurrency", type=int, default=8)
    args = p.parse_args(argv)
    try:
        runs = _select_runs(args.runs)
        gold = load_gold(args.gold)
        cases = _select_trials(gold, args.trials)
        old = _load_baseline(args.baseline) if args.baseline and args.baseline.exists() else None
        if args.baseline and not args.update_baseline and old is None:
            raise ExtractorError(f"{args.baseline}: baseline not found (write it with --update-baseline)")
        outcomes: list[Outcome] = []
        failures: dict[str, list[str]] = {}
        for run in runs:
            print(f"oracle: {run.name} on {len(cases)} gold trials", file=sys.stderr, flush=True)
            out = run_one(run, cases, gold, args.concurrency)
            outcomes.append(out)
            base = old.runs.get(run.name) if old and not args.update_baseline else None
            report = build_report(out.result, base, args.tolerance)
            if args.baseline and not args.update_baseline:
                if base is None:
                    failures[run.name] = [f"no baseline entry for run {run.name}"]
                elif report.comparison is not None and report.comparison.failed:
                    failures[run.name] = report.comparison.reasons()
            files = render_reports(report, {c.trial_id: c.text for c in cases})
            files["predictions.jsonl"] = records_jsonl(out.records)
            write_reports(files, args.report_dir / run.name.replace("/", "-"))
        text = summary_markdown(outcomes, failures)
        write_reports(
            {
                "summary.md": text,
                "summary.json": json.dumps({o.run.name: _counts(o) for o in outcomes}, indent=2) + "\n",
            },
            args.report_dir,
        )
        if args.update_baseline:
            if args.baseline is None:
                raise ExtractorError("--update-baseline needs --baseline FILE")
            _write_baseline(args.baseline, outcomes, old)
    except ExtractorError as e:
        print(f"eval_oracle: error: {e}", file=sys.stderr)
        return ExitCode.USAGE
    except OSError as e:
        print(f"eval_oracle: error: {getattr(e, 'filename', None) or ''}: {e.strerror or e}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("eval_oracle: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    print(text, end="")
    print(f"reports written to {args.report_dir}", file=sys.stderr)
    if args.update_baseline:
        print(f"baseline written to {args.baseline}", file=sys.stderr)
        return ExitCode.OK
    for name, reasons in failures.items():
        for reason in reasons:
            print(f"eval_oracle: gate failed: {name}: {reason}", file=sys.stderr)
    return ExitCode.REGRESSION if failures else ExitCode.OK


if __name__ == "__main__":
    raise SystemExit(main())
