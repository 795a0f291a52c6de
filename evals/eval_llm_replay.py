"""Eval of the LLM backend on the gold trials, replaying recorded traffic (CI) or recording it (dev).

    python evals/eval_llm_replay.py --baseline evals/baselines/llm.json --report-dir reports/eval-llm   # replay
    python evals/eval_llm_replay.py --record                                                          # record

Replay needs no network and no key: every request is answered from ``evals/cassettes/llm_gold.yaml`` (matched on
its body; a prompt or schema change makes replay fail until the cassette is re-recorded). Only the gold
trials listed in ``evals/cassettes/llm_gold.trials.txt`` (those the cassette was recorded on) are scored.
Recording talks to the real OpenAI-compatible server at ``--base-url`` (see ``evals/record_cassettes.sh``). Exit
codes are those of ``extractor eval``: 0 ok, 3 the gate failed, 2 could not run, 130 interrupted. The eval runs with
``--allow-errors``: the cassettes are of a small local model whose answers may be error records; the baseline
tracks them, and the gate ("no trial newly fails", 3) is what guards them, not exit 1. Since validation is in the
loop (one re-ask per request in the recording, ``EXTRACTOR_VALIDATION_RETRIES=1``), the model's bad criteria are
rejected one by one instead of failing their request: the current recording has no error record.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import vcr
from vcr.record_mode import RecordMode

HERE = Path(__file__).resolve().parent
CASSETTE = HERE / "cassettes" / "llm_gold.yaml"
#: The gold trials the cassette was recorded on (the gold set has grown since; the others have no recording).
TRIALS = HERE / "cassettes" / "llm_gold.trials.txt"
#: The recorded run's settings: replay must send byte-identical requests.
RECORDED = {
    "OPENAI_BASE_URL": "http://127.0.0.1:8766/v1",
    "EXTRACTOR_MODEL": "gemma-3-270m",
    "EXTRACTOR_MAX_TOKENS": "512",
    "EXTRACTOR_ANSWER_BUDGET": "1000000",  # the recording planned chunks by item count alone, not by answer size
    "EXTRACTOR_INSTRUCTOR_MODE": "json_schema",
    "EXTRACTOR_TIMEOUT": "900",  # recording: grammar-constrained decoding on a CPU takes minutes per answer
    "EXTRACTOR_VALIDATION_RETRIES": "1",  # one targeted re-ask per request: a recording within half an hour
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--record", action="store_true", help="record against the live server (overwrites the cassette)")
    p.add_argument("--base-url", default=RECORDED["OPENAI_BASE_URL"])
    p.add_argument("--baseline", type=Path, default=None)
    p.add_argument("--report-dir", type=Path, default=Path("reports/eval-llm"))
    p.add_argument("--backend", default="llm", choices=["llm", "hybrid"])
    p.add_argument("--update-baseline", action="store_true")
    args = p.parse_args()
    if not args.record and not CASSETTE.exists():
        print(f"no cassette at {CASSETTE}: record it first (evals/record_cassettes.sh)", file=sys.stderr)
        return 2
    os.environ.update({**RECORDED, "OPENAI_BASE_URL": args.base_url})
    if not args.record:
        os.environ["EXTRACTOR_ATTEMPTS"] = "1"  # a request missing from the cassette fails at once, not after retries
    os.environ.pop("OPENAI_API_KEY", None)  # never recorded, never needed for replay
    recorder = vcr.VCR(
        record_mode=RecordMode.ALL if args.record else RecordMode.NONE,
        match_on=["method", "scheme", "host", "port", "path", "query", "body"],
        filter_headers=["authorization", "x-api-key", "openai-organization", "openai-project"],
        decode_compressed_response=True,
    )
    from extractor.cli import app

    cli = ["eval", "--backend", args.backend, "--report-dir", str(args.report_dir), "--trials", f"@{TRIALS}"]
    cli.append("--allow-errors")  # error records by design (see the module docstring): the gate guards them
    if args.baseline:
        cli += ["--baseline", str(args.baseline)]
    if args.update_baseline:
        cli.append("--update-baseline")
    CASSETTE.parent.mkdir(parents=True, exist_ok=True)
    with recorder.use_cassette(str(CASSETTE)):
        try:  # without standalone mode the command's exit code (typer.Exit) is returned, not raised
            return int(app(cli, standalone_mode=False) or 0)
        except SystemExit as e:  # typer.Exit is turned into SystemExit by click in some paths
            return int(e.code or 0)
        except Exception as e:  # click.exceptions.Exit carries the exit code
            code = getattr(e, "exit_code", None)
            if code is None:
                raise
            return int(code)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
