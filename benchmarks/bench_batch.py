"""Batch CLI benchmarks: print figures (not timed tests).

    python benchmarks/bench_batch.py [--corpus ../shared/corpus/trials.jsonl] [--only rules,llm,cache,runner]

1. rules: ``extractor extract CORPUS --backend rules --workers 2`` end to end (read, extract, write): trials/s and
   peak resident memory of the process tree (CLI + workers, sampled from /proc).
2. llm: 1,000 trials, ``--backend llm --concurrency 32`` against the loopback fake server answering instantly
   with ``{"criteria": []}`` (target < 10 s); plus the runner alone with a no-op async extract (its own overhead).
3. cache: a finished LLM run over the whole corpus, then the same run into a new file with the cache
   (target < 3 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CLI = [sys.executable, "-c", "from extractor.cli import main; main()"]


def _tree_rss_kb(pid: int) -> int:
    total = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


CPU: dict[str, float] = {"last": 0.0}


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_cli(args: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Run the CLI; return (wall seconds, peak tree RSS in MB, stderr). CPU["last"]: its CPU seconds."""
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*CLI, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env or os.environ.copy(),
        cwd=ROOT,
    )
    peak = 0
    err_chunks: list[str] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read() if proc.stderr else ""))
    reader.start()
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kb(proc.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    CPU["last"] = _children_cpu() - cpu0
    reader.join()
    if proc.stderr:
        proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"CLI failed ({proc.returncode}): {''.join(err_chunks)[-2000:]}")
    return wall, peak // 1024, "".join(err_chunks)


def _summary(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())


def bench_rules(corpus: Path, tmp: Path) -> None:
    n = sum(1 for _ in corpus.open())
    s = tmp / "rules-summary.json"
    wall, peak, _ = run_cli(
        [
            "extract",
            str(corpus),
            "-o",
            str(tmp / "rules.jsonl"),
            "--backend",
            "rules",
            "--workers",
            "2",
            "--no-cache",
            "--quiet",
            "--summary",
            str(s),
        ]
    )
    summ = _summary(s)
    print(
        f"rules, 2 workers, {n} trials end to end: {wall:.2f} s wall, {n / wall:.0f} trials/s "
        f"(engine {summ['trials_per_s']} trials/s after start-up), peak RSS {peak} MB (CLI + workers), "
        f"CPU {CPU['last']:.1f} s"
    )
    # the same in-process, for reference: the extraction itself
    wall1, peak1, _ = run_cli(
        [
            "extract",
            str(corpus),
            "-o",
            str(tmp / "rules1.jsonl"),
            "--backend",
            "rules",
            "--workers",
            "1",
            "--no-cache",
            "--quiet",
        ]
    )
    print(
        f"rules, in-process (1 worker): {wall1:.2f} s wall, {n / wall1:.0f} trials/s, peak RSS {peak1} MB, "
        f"CPU {CPU['last']:.1f} s"
    )


def _server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fake_openai_server.py")], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(10)
    if proc.stdout:
        proc.stdout.close()


def bench_llm(corpus: Path, tmp: Path) -> None:
    inp = tmp / "llm1000.jsonl"
    with corpus.open() as src, inp.open("w") as dst:
        for i, line in enumerate(src):
            if i == 1000:
                break
            dst.write(line)
    srv, url = _server()
    try:
        env = {**os.environ, "OPENAI_BASE_URL": url}
        s = tmp / "llm-summary.json"
        wall, peak, _ = run_cli(
            [
                "extract",
                str(inp),
                "-o",
                str(tmp / "llm.jsonl"),
                "--backend",
                "llm",
                "--concurrency",
                "32",
                "--no-cache",
                "--quiet",
                "--summary",
                str(s),
            ],
            env,
        )
        summ = _summary(s)
        calls = int(summ["llm_calls"])  # type: ignore[call-overload]
        print(
            f"llm path, 1000 trials ({calls} requests), concurrency 32, instant fake server: {wall:.2f} s wall "
            f"({summ['ok']} ok, {summ['error']} errors), {1000 * wall / max(calls, 1):.1f} ms per request "
            f"end to end, peak RSS {peak} MB, "
            f"client CPU {CPU['last']:.1f} s = {1000 * CPU['last'] / max(calls, 1):.1f} ms CPU per request"
        )
    finally:
        _stop(srv)


def bench_runner_overhead(corpus: Path, tmp: Path) -> None:
    """The batch engine alone: read, triage, bounded async, write, with an extract function that does nothing."""
    from extractor.batch import BatchRunner, RunOptions
    from extractor.io import RecordWriter, read_inputs
    from extractor.llm.config import LLMConfig
    from extractor.models import CriteriaSet, Provenance, Trial

    async def noop(trial: Trial) -> CriteriaSet:
        await asyncio.sleep(0)
        return CriteriaSet(
            trial_id=trial.trial_id,
            source_text=trial.text,
            provenance=Provenance(backend="llm", library_version="bench"),
        )

    opts = RunOptions(backend="llm", llm=LLMConfig(base_url="http://127.0.0.1:9/v1"), concurrency=32)
    t0 = time.perf_counter()
    c0 = time.process_time()
    with RecordWriter(tmp / "noop.jsonl") as w:
        s = BatchRunner(opts, w, extract_fn=noop).run(read_inputs([str(corpus)]), handle_sigint=False)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(
        f"runner alone (no-op async extract, concurrency 32): {s.ok} trials in {wall:.2f} s, "
        f"{1000 * wall / max(s.ok, 1):.2f} ms per trial, {1000 * cpu / max(s.ok, 1):.2f} ms CPU per trial"
    )


def bench_cache(corpus: Path, tmp: Path) -> None:
    n = sum(1 for _ in corpus.open())
    srv, url = _server()
    try:
        env = {**os.environ, "OPENAI_BASE_URL": url}
        cache = str(tmp / "cache.sqlite")
        wall1, _, _ = run_cli(
            [
                "extract",
                str(corpus),
                "-o",
                str(tmp / "c1.jsonl"),
                "--backend",
                "llm",
                "--concurrency",
                "32",
                "--cache",
                cache,
                "--quiet",
            ],
            env,
        )
        s = tmp / "cache-summary.json"
        wall2, peak, _ = run_cli(
            [
                "extract",
                str(corpus),
                "-o",
                str(tmp / "c2.jsonl"),
                "--backend",
                "llm",
                "--cache",
                cache,
                "--quiet",
                "--summary",
                str(s),
            ],
            env,
        )
        summ = _summary(s)
        print(
            f"cache: first llm run over {n} trials {wall1:.2f} s; rerun into a new file from the cache "
            f"{wall2:.2f} s wall ({summ['cached']} cached, engine {summ['wall_s']} s), peak RSS {peak} MB, "
            f"CPU {CPU['last']:.1f} s"
        )
        wall3, _, _ = run_cli(
            ["extract", str(corpus), "-o", str(tmp / "c2.jsonl"), "--backend", "llm", "--cache", cache, "--quiet"], env
        )
        print(f"resume of the finished output (every trial skipped): {wall3:.2f} s wall")
    finally:
        _stop(srv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "trials.jsonl")
    parser.add_argument("--only", default="rules,runner,llm,cache")
    args = parser.parse_args()
    which = set(args.only.split(","))
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start, "
        f"python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "rules" in which:
            bench_rules(args.corpus, tmp)
        if "runner" in which:
            bench_runner_overhead(args.corpus, tmp)
        if "llm" in which:
            bench_llm(args.corpus, tmp)
        if "cache" in which:
            bench_cache(args.corpus, tmp)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
