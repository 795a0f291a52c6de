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

Per command:

* ``extract``: 0, 1, 2, 130 as above. The code describes the output: "records that are errors" counts this run's
  error records and degraded records (an LLM call failed and its items kept the rules result) plus the error records
  an earlier run left in the output and this one kept (resume without ``--retry-errors``), against the records in
  the output after the run; the circuit breaker gives 1 even with ``--allow-errors`` (trials were left undone). An
  output that cannot be written (disk full, no permission; the message names the file) is a 2, like any input or
  option the run cannot use. A reader that closes the pipe (``extract ... | head``) ends the run quietly with 141,
  as SIGPIPE ends any Unix filter.
* ``eval``: 0 the gate passed (or no baseline) and no prediction is an error; 1 error (or degraded) records among
  the scored predictions, of ``--pred`` or of ``--backend``, over ``--max-error-rate`` (``--allow-errors`` opts out;
  they are scored as misses either way); 2 could not run (bad option; unreadable gold, predictions or baseline);
  3 the gate failed; 130 interrupted. Order: 2 and 130 first (no result), then 3 (the gate failed, whatever the
  errors), then 1. With ``--backend llm|hybrid`` the circuit breaker stops a run whose server is unreachable: the
  trials left are ``TransportError`` records ("not attempted"), so such a run exits 1 quickly.
* ``batch submit`` / ``status``: 0, 2 (bad option or configuration, a missing input path, unreadable state, the
  provider refused or could not be reached; for ``status`` an ``--out-dir`` that does not exist), 130. ``status``
  on an existing ``--out-dir`` with nothing submitted says so and exits 0 (there is nothing to report).
* ``batch collect``: 0; 1 error records over ``--max-error-rate`` (``--allow-errors`` opts out); 2 (as for
  ``status``, and an ``--out-dir`` from which nothing was submitted: waiting would not help); 3 submitted batches
  are still pending and none has finished (each is named on stderr; try again later; a poller tells it apart from
  1 and 2); 130 (rerun: collect resumes its output).
* ``schema``: 0, 2 (a bad option, or an ``-o`` file that cannot be written).
* ``match``: 0; 1 error records in the criteria file over ``--max-error-rate`` (``--allow-errors`` opts out; they
  are counted and left out of the ranking); 2 (a bad option or date, an unreadable patient, bundle or criteria
  file, the file and field named; an ``-o`` that cannot be written); 130.
* ``view``: 0; 2 (a bad option, an unreadable criteria or patient file, a trial not in the file, an error record,
  records written without ``--include-text``, an ``-o`` that cannot be written); 130.

Every command's ``--help`` ends with :data:`EXIT_HELP`.
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
