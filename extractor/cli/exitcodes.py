"""The exit codes of every ``extractor`` command: one table, documented in the README and in ``--help``.

====  ==============================================================================================
code  meaning
====  ==============================================================================================
0     all done
1     some records are errors (over ``--max-error-rate``; ``--allow-errors`` opts out), or a run
      stopped early on its own (e.g. the LLM circuit breaker)
2     usage error or unreadable input: bad option or configuration, a path that does not exist
3     eval regression (the gate failed), or a provider batch that has not finished yet
130   interrupted (rerun the same command to resume)
====  ==============================================================================================

``extract``: "records that are errors" counts this run's error records and degraded records (an LLM call failed
and its items kept the rules result) against the records it wrote (resumed ones are not counted); the circuit
breaker gives 1 even with ``--allow-errors`` (trials were left undone). An output that cannot be written (disk
full, no permission; the message names the file) is a 2, like any input or option the run cannot use. A reader
that closes the pipe (``extract ... | head``) ends the run quietly with 141, as SIGPIPE ends any Unix filter.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["EXIT_HELP", "ExitCode"]


class ExitCode(IntEnum):
    """Process exit status of an ``extractor`` command."""

    OK = 0
    ERRORS = 1
    USAGE = 2
    REGRESSION = 3
    INTERRUPTED = 130


EXIT_HELP = (
    "Exit codes: 0 all done; 1 some records are errors (see --max-error-rate, --allow-errors); 2 usage error or "
    "unreadable input; 3 eval regression; 130 interrupted."
)
