"""The output file is never an input, never a device or pipe, never shared by two runs, and named in I/O errors."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import IO

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import ConfigError
from extractor.io import writers
from extractor.io.writers import OutputLock, RecordWriter, check_output

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Inclusion Criteria:\n* ECOG 0-1\n* Age >= 18 years\n"
runner = CliRunner()


def _records(n: int, prefix: str = "NCT") -> str:
    return "".join(json.dumps({"nct_id": f"{prefix}{i:05d}", "eligibility_criteria": TEXT}) + "\n" for i in range(n))


def _input(tmp_path: Path, n: int = 3, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(_records(n), encoding="utf-8")
    return path


def _extract(*args: str) -> tuple[int, str]:
    res = runner.invoke(app, ["extract", *args, "--no-cache", "--workers", "0", "-q"])
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.stderr


def _cli(*args: str, timeout: float = 60, stdin: IO[bytes] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real entry point in a subprocess (real stdio, a real second process)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "from extractor.cli import main; main()", "extract", *args, "--no-cache", "-q"],
        capture_output=True,
        timeout=timeout,
        env=env,
        stdin=stdin,
        check=False,
    )


# ------------------------------------------------------------------------------------------ output == input


@pytest.mark.parametrize("overwrite", [True, False])
def test_output_that_is_the_input_is_refused(tmp_path: Path, overwrite: bool) -> None:
    inp = _input(tmp_path)
    before = inp.read_bytes()
    code, err = _extract(str(inp), "-o", str(inp), *(["--overwrite"] if overwrite else []))
    assert code == 2, err
    assert "is also an input" in err and str(inp) in err
    assert inp.read_bytes() == before  # nothing truncated, nothing appended


def test_output_that_is_the_input_through_a_symlink_or_hard_link(tmp_path: Path) -> None:
    inp = _input(tmp_path)
    before = inp.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(inp)
    os.link(inp, tmp_path / "hard.jsonl")
    for out in ("link.jsonl", "hard.jsonl"):
        code, err = _extract(str(inp), "-o", str(tmp_path / out), "--overwrite")
        assert code == 2 and "is also an input" in err and out in err, err
    assert inp.read_bytes() == before


def test_output_inside_an_input_directory_or_matched_by_an_input_glob(tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    _input(d)
    for args in (
        [str(d), "-o", str(d / "out.jsonl")],  # does not exist yet: the directory scan would pick it up
        [str(d), "-o", str(d / "sub" / "out.csv")],
        [str(d / "*.jsonl"), "-o", str(d / "new.jsonl")],
        [str(tmp_path / "**" / "*.jsonl"), "-o", str(d / "deep.jsonl")],
    ):
        code, err = _extract(*args)
        assert code == 2 and "is also an input" in err and args[-1] in err, (args, err)
        assert not Path(args[-1]).exists()
    # what the readers would not pick up is fine: another extension, a hidden file, a sibling directory
    for out in (d / "out.log", d / ".out.jsonl", tmp_path / "out.jsonl"):
        code, err = _extract(str(d), "-o", str(out))
        assert code == 0, err
        assert len(out.read_text().splitlines()) == 3


def test_output_that_is_the_redirected_stdin(tmp_path: Path) -> None:
    inp = _input(tmp_path)
    before = inp.read_bytes()
    with inp.open("rb") as stdin:
        res = _cli("-", "-o", str(inp), "--workers", "0", stdin=stdin)
    assert res.returncode == 2 and b"is also an input" in res.stderr, res.stderr
    assert inp.read_bytes() == before


# ------------------------------------------------------------------------------------------ not a regular file


def test_non_regular_outputs_are_refused(tmp_path: Path) -> None:
    inp = _input(tmp_path)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    (tmp_path / "dir.jsonl").mkdir()
    for out, what in ((fifo, "FIFO"), (Path("/dev/full"), "character device"), (tmp_path / "dir.jsonl", "directory")):
        t0 = time.monotonic()
        code, err = _extract(str(inp), "-o", str(out))
        assert code == 2 and str(out) in err and what in err and "not a regular file" in err, err
        assert time.monotonic() - t0 < 10


def test_dev_stdout_into_a_pipe_is_refused_and_dash_still_works(tmp_path: Path) -> None:
    inp = _input(tmp_path)
    res = _cli(str(inp), "-o", "/dev/stdout", "--workers", "0", timeout=30)  # used to hang
    assert res.returncode == 2 and b"/dev/stdout" in res.stderr and b"use -o -" in res.stderr, res.stderr
    assert res.stdout == b""
    res = _cli(str(inp), "-o", "-", "--workers", "0", timeout=30)
    assert res.returncode == 0, res.stderr
    assert [json.loads(x)["trial_id"] for x in res.stdout.splitlines()] == ["NCT00000", "NCT00001", "NCT00002"]


def test_record_writer_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        RecordWriter(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        writers.scan_output(fifo, "jsonl")


# ------------------------------------------------------------------------------------------------ locking


def test_second_run_on_the_same_output_fails_at_once(tmp_path: Path) -> None:
    """Run A holds the output (its input is a pipe kept open); run B on the same output fails at once."""
    inp = _input(tmp_path, 50)
    out = tmp_path / "out.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-c", "from extractor.cli import main; main()", "extract", "-", "-o", str(out)]
    a = subprocess.Popen(
        [*cmd, "--no-cache", "-q", "--workers", "0"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert a.stdin is not None
        a.stdin.write(_records(20, "A").encode())
        a.stdin.flush()
        deadline = time.monotonic() + 60
        while not out.exists():  # A creates the output only once it holds the lock
            assert a.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        t0 = time.monotonic()
        b = _cli(str(inp), "-o", str(out), "--workers", "0")
        assert b.returncode == 2, b.stderr
        assert b"another run is writing" in b.stderr and str(out).encode() in b.stderr
        assert b"pid " + str(a.pid).encode() in b.stderr
        assert time.monotonic() - t0 < 30  # no waiting for A
        a.stdin.write(_records(20, "B").encode())
        a.stdin.close()
        assert a.wait(60) == 0
    finally:
        if a.poll() is None:
            a.kill()
            a.wait()
        assert a.stderr is not None
        a.stderr.close()
    records = json.loads(out.read_text())  # one valid array: one "[", one "]"
    ids = [r["trial_id"] for r in records]
    assert len(ids) == len(set(ids)) == 40
    assert not (tmp_path / ".out.json.lock").exists()  # the lock file goes away with the run
    # and once A is done, B runs (and resumes A's output)
    b = _cli(str(inp), "-o", str(out), "--workers", "0")
    assert b.returncode == 0, b.stderr
    assert len(json.loads(out.read_text())) == 90


def test_lock_is_per_output_and_released(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    probe = [
        sys.executable,
        "-c",
        "import sys; from extractor.io.writers import OutputLock; from extractor.errors import ConfigError\n"
        "try:\n    OutputLock(sys.argv[1]).acquire()\nexcept ConfigError as e:\n    sys.exit(str(e))\n",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with OutputLock(out) as lock:
        assert lock.held
        (tmp_path / "alias.jsonl").symlink_to(out)
        for path in (out, tmp_path / "alias.jsonl"):  # two spellings of one output share one lock
            res = subprocess.run([*probe, str(path)], capture_output=True, text=True, env=env, check=False)
            assert res.returncode == 1 and "another run is writing" in res.stderr and str(path) in res.stderr
        other = subprocess.run([*probe, str(tmp_path / "other.jsonl")], env=env, check=False)
        assert other.returncode == 0
        with OutputLock(out):  # re-entrant within one process (the CLI holds it, its writer takes it again)
            pass
        assert lock.held
    assert not lock.held
    res = subprocess.run([*probe, str(out)], capture_output=True, text=True, env=env, check=False)
    assert res.returncode == 0, res.stderr


def test_forked_children_do_not_inherit_the_lock(tmp_path: Path) -> None:
    """A pool worker that outlives its parent must not keep the output locked (POSIX record locks)."""
    out = tmp_path / "out.jsonl"
    lock = OutputLock(out).acquire()
    with warnings.catch_warnings():  # Python >= 3.12 warns about fork() in a process with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        time.sleep(5)
        os._exit(0)
    try:
        lock.release()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        code = "import sys; from extractor.io.writers import OutputLock; OutputLock(sys.argv[1]).acquire()"
        res = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, env=env, check=False)
        assert res.returncode == 0, res.stderr
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


# ------------------------------------------------------------------------------------------------ I/O errors


def test_enospc_names_the_file_and_keeps_what_was_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inp = _input(tmp_path, 5)
    out = tmp_path / "out.jsonl"
    real_write = os.write
    calls = {"n": 0}

    def write(fd: int, data: bytes | memoryview) -> int:
        if bytes(data[:17]) == b'{"schema_version"':
            calls["n"] += 1
            if calls["n"] > 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    code, err = _extract(str(inp), "-o", str(out))
    assert code == 2, err  # the output cannot be written: exit 2 (extractor/cli/exitcodes.py)
    assert "No space left on device" in err and str(out) in err, err
    assert "Traceback" not in err
    ids = [json.loads(x)["trial_id"] for x in out.read_text().splitlines()]
    assert ids == ["NCT00000", "NCT00001"]
    assert not (tmp_path / ".out.jsonl.lock").exists()
    monkeypatch.undo()
    code, err = _extract(str(inp), "-o", str(out))  # the rerun resumes
    assert code == 0, err
    assert len(out.read_text().splitlines()) == 5


def test_every_writer_os_error_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    w = RecordWriter(out, "json")
    w.write_body('{"schema_version":1,"trial_id":"T1"}')

    def fail(*a: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "write", fail)
    with pytest.raises(OSError, match=r"out\.json") as info:
        w.write_body('{"schema_version":1,"trial_id":"T2"}')
    assert info.value.errno == errno.EIO and info.value.filename == str(out)
    monkeypatch.setattr(os, "fsync", fail)
    fd = w._fd
    with pytest.raises(OSError, match=r"out\.json"):
        w.close()  # no closing "]" after a failed write; the descriptor is closed all the same
    with pytest.raises(OSError):
        os.fstat(fd)
    monkeypatch.undo()
    assert out.read_text() == '[{"schema_version":1,"trial_id":"T1"}\n'


def test_broken_pipe_on_stdout_stays_a_broken_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pipe:
        def write(self, data: bytes) -> int:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

        def flush(self) -> None:
            pass

    class Out:
        buffer = Pipe()

        def flush(self) -> None:
            pass

    monkeypatch.setattr(sys, "stdout", Out())
    w = RecordWriter(None)
    with pytest.raises(BrokenPipeError, match="<stdout>"):
        w.write_body("{}")


# ------------------------------------------------------------------------------------------------ library


def test_check_output_unit(tmp_path: Path) -> None:
    inp = _input(tmp_path)
    check_output(tmp_path / "out.jsonl", [str(inp)])
    check_output(tmp_path / "out.jsonl", [str(tmp_path / "missing.jsonl")])  # the reader reports it
    with pytest.raises(ConfigError, match="is also an input") as info:
        check_output(inp, [str(tmp_path)])
    assert info.value.context["file"] == str(inp)
