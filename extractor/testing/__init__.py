"""Test and eval tooling shipped with the package (not used by the library at runtime).

:mod:`extractor.testing.oracle` is a loopback OpenAI-compatible server that answers with the gold labels (a
perfect model), used by the tests and by ``evals/eval_oracle.py``;
:mod:`extractor.testing.examples` builds the smallest valid criterion of any kind from its model.
"""
