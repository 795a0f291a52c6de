"""The worker-process side of the rules backend: one trial -> an :class:`_Outcome` (a formatted record, picklable),
under a per-trial time budget (SIGALRM, :func:`_set_budget`), in workers that ignore SIGINT and die with their
parent (:func:`_worker_init`). The in-process path of small runs uses the same functions."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from extractor.batch.cache import dump_result
from extractor.errors import TrialTimeoutError
from extractor.io.writers import OutputFormat, error_record, format_record
from extractor.models import CriteriaSet, OutputRecord, Trial

# ------------------------------------------------------------------------------------------------ outcomes


@dataclass
class _Outcome:
    """One processed trial, ready to write (picklable: crosses the process boundary)."""

    trial_id: str
    body: str
    ok: bool
    kinds: dict[str, int] = field(default_factory=dict)
    cache_value: str | None = None
    error_type: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_calls: int = 0
    rejected: int = 0
    reasks: int = 0
    flagged: int = 0


def _outcome(
    trial: Trial,
    sha: str,
    result: CriteriaSet | BaseException,
    fmt: OutputFormat,
    include_text: bool,
    *,
    cacheable: bool = True,
) -> _Outcome:
    if isinstance(result, BaseException):
        rec = error_record(
            result, trial_id=trial.trial_id, source=trial.source, registry=trial.registry, text_sha256=sha
        )
        assert rec.error is not None
        return _Outcome(trial.trial_id, format_record(rec, fmt), ok=False, error_type=rec.error.type)
    rec = OutputRecord.from_result(result, trial, text_sha256=sha, include_text=include_text)
    usage = result.provenance.usage
    return _Outcome(
        trial.trial_id,
        format_record(rec, fmt),
        ok=True,
        kinds=dict(Counter(c.kind for c in result.criteria)),
        cache_value=dump_result(result) if cacheable else None,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        llm_calls=result.provenance.llm_calls,
        rejected=len(result.rejected),
        reasks=result.provenance.reasks,
        flagged=len(result.provenance.flagged),
    )


class _Expired(BaseException):
    """Raised by SIGALRM inside a trial. Not an ``Exception``, so the rules' per-family ``except Exception`` lets it
    through; :func:`_rules_one` turns it into a :class:`TrialTimeoutError`."""


@dataclass
class _Watchdog:
    """This process's per-trial budget, and the trial it currently times (None between trials)."""

    budget_s: float | None = None
    trial_id: str | None = None
    warm: bool = False


_WATCHDOG = _Watchdog()


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _WATCHDOG.trial_id is not None:  # a late alarm after the trial ended is ignored
        raise _Expired


def _set_budget(budget_s: float | None) -> Callable[[], None]:
    """Time every trial this process runs with ``budget_s``; return the undo. SIGALRM works in the main thread
    only: elsewhere (and without a budget) trials run untimed."""
    main = threading.current_thread() is threading.main_thread()
    if budget_s is None or not main or not hasattr(signal, "setitimer"):
        return lambda: None
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _WATCHDOG.budget_s = budget_s

    def undo() -> None:
        _WATCHDOG.budget_s = None
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)

    return undo


def _rules_one(trial: Trial, sha: str, fmt: OutputFormat, include_text: bool, cacheable: bool = True) -> _Outcome:
    """One trial through the rules backend; ``cacheable=False`` (a run without a cache) skips the cache value."""
    from extractor.api import extract

    budget = _WATCHDOG.budget_s
    result: CriteriaSet | BaseException
    try:
        try:
            if budget is not None and not _WATCHDOG.warm:
                _warm_up()  # loading the vocabularies and units (1-2 s) is not this trial's time
            if budget is not None:  # the alarm is one-shot, and raises only while trial_id is set: inside this try
                _WATCHDOG.trial_id = trial.trial_id
                signal.setitimer(signal.ITIMER_REAL, budget)
            result = extract(trial, backend="rules")
        finally:
            if budget is not None:
                _WATCHDOG.trial_id = None
                signal.setitimer(signal.ITIMER_REAL, 0)
    except _Expired:
        result = TrialTimeoutError(
            f"the rules backend took longer than the per-trial budget of {budget:g} s", trial_id=trial.trial_id
        )
    except Exception as e:  # a batch never dies on one record
        result = e
    return _safe_outcome(trial, sha, result, fmt, include_text, cacheable=cacheable)


def _safe_outcome(
    trial: Trial,
    sha: str,
    result: CriteriaSet | BaseException,
    fmt: OutputFormat,
    include_text: bool,
    *,
    cacheable: bool = True,
) -> _Outcome:
    """The outcome of a trial; a result that cannot be turned into a record becomes an error record."""
    try:
        return _outcome(trial, sha, result, fmt, include_text, cacheable=cacheable)
    except Exception as e:
        return _outcome(trial, sha, e, fmt, include_text)


#: Touches every kind and both sections, so each kind's lazily built patterns and context scanners exist before
#: the pool forks (forked workers share them instead of each building its own).
_WARM_UP_TEXT = (
    "Inclusion Criteria:\n* Age >= 18 years; women\n* ECOG 0-1; life expectancy >= 12 weeks\n"
    "* HER2-positive (IHC 3+), ER-positive, EGFR mutation not allowed, metastatic breast cancer, stage IV\n"
    "* No more than 5 metastatic lesions; measurable disease per RECIST 1.1\n"
    "* Prior trastuzumab required; no more than 2 prior lines of chemotherapy\n"
    "* ANC >= 1.5 x 10^9/L; LVEF >= 50%; BMI >= 18.5 kg/m2\n* Signed informed consent\n\n"
    "Exclusion Criteria:\n* Untreated brain metastases, except stable for 4 weeks\n* Pregnant or breastfeeding\n"
    "* Other malignancy within 5 years, except basal cell carcinoma\n* Known HIV or hepatitis B infection\n"
)


def _warm_up() -> None:
    from extractor.api import extract

    extract(_WARM_UP_TEXT, trial_id="warm-up")
    _WATCHDOG.warm = True


def _worker_init(budget_s: float | None = None, parent_pid: int | None = None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    if parent_pid is not None:
        _exit_with_parent(parent_pid)
    _set_budget(budget_s)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker when its parent dies, kill -9 included: the kernel's parent-death signal on Linux, else a
    thread that polls the parent's pid."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0:
                if os.getppid() != parent_pid:  # the parent died before the signal was armed
                    os._exit(1)
                return
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)
