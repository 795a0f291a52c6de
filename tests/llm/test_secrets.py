"""The API key never leaks: not on stderr (openai / instructor / httpx loggers), not in exceptions, records or logs.

The hostile setup: a server that echoes the Authorization header back (in error bodies and in the model's answer),
for ``sk-``, ``gsk_`` and plain keys. A leak is any 8-character piece of the key's secret part, so a truncated tail
(``sk-abc...xyz``) counts too.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import httpx2
import pytest

import extractor
from extractor.errors import ExtractorError, LLMError
from extractor.llm import LLMConfig
from extractor.llm.secrets import RedactingFilter, display_url, redact_secrets
from extractor.models import OutputRecord, Trial
from tests.llm._support import completion

TEXT = (
    "Inclusion Criteria:\n* ECOG performance status 0-1\n* Willing to keep a daily symptom diary on paper\n\n"
    "Exclusion Criteria:\n* Known active brain metastases\n"
)
KEYS = {
    "sk": "sk-test-Q7xVb2Lm9TzR4kWp8NcY3HsJ6FgD1AeU",
    "gsk": "gsk_R4kWp8NcY3HsJ6FgD1AeUQ7xVb2Lm9TzZZ",
    "plain": "Wp8NcY3HsJ6FgD1AeUQ7xVb2Lm9TzR4kQQ",
}


def leaks(text: str, key: str) -> list[str]:
    """Every 8-character piece of ``key`` (past its public prefix) found in ``text``."""
    secret = key.split("-", 1)[-1] if key.startswith("sk-") else key.removeprefix("gsk_")
    return sorted({secret[i : i + 8] for i in range(len(secret) - 7) if secret[i : i + 8] in text})


def _echo_body(request: httpx2.Request) -> str:
    return f"Authorization was: {request.headers.get('authorization')}"


_completion = completion


def echo_401(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(401, json={"error": {"message": _echo_body(request), "type": "invalid_request_error"}})


def echo_503(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(503, headers={"retry-after": "0"}, json={"error": {"message": _echo_body(request)}})


def echo_invalid(request: httpx2.Request) -> httpx2.Response:
    """Valid JSON that fails validation; the echoed key sits in a long string (pydantic truncates it with ...)."""
    bad = {"criteria": [{"kind": "age", "item": 0, "quote": "x " * 40 + _echo_body(request) + " y" * 40}]}
    return httpx2.Response(200, json=_completion(json.dumps({"criteria": "not a list " + json.dumps(bad)})))


def echo_quote(request: httpx2.Request) -> httpx2.Response:
    """A valid answer whose quote is the echoed key: rejected, and the rejection must not carry the key."""
    answer = {"criteria": [{"kind": "other", "item": 0, "quote": _echo_body(request)}]}
    return httpx2.Response(200, json=_completion(json.dumps(answer)))


def echo_not_json(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(200, json=_completion("here you go " + _echo_body(request) + " ..." + "z" * 300))


def _cfg(key: str) -> LLMConfig:
    return LLMConfig(
        base_url="http://127.0.0.1:9/v1",
        api_key=key,  # type: ignore[arg-type]
        model="m",
        transport_attempts=2,
        validation_retries=1,
    )


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Like logging's last resort: writes to whatever ``sys.stderr`` is at the time (capsys's)."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


@pytest.fixture
def stderr_logging() -> Any:
    """What an unconfigured CLI shows: warnings and errors of any logger on stderr."""
    handler = _Stderr()
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


@pytest.mark.parametrize("kind", sorted(KEYS))
@pytest.mark.parametrize(
    ("backend", "handler"),
    [
        ("llm", echo_401),
        ("llm", echo_503),
        ("llm", echo_invalid),
        ("llm", echo_not_json),
        ("llm", echo_quote),
        ("hybrid", echo_503),
        ("hybrid", echo_invalid),
    ],
)
def test_key_never_leaks(
    kind: str,
    backend: str,
    handler: Any,
    capsys: pytest.CaptureFixture[str],
    stderr_logging: None,
) -> None:
    key = KEYS[kind]
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    trial = Trial(trial_id="T1", text=TEXT)
    seen: list[str] = []
    try:
        result = extractor.extract(trial, backend=backend, llm=_cfg(key), http_client=client)  # type: ignore[arg-type]
    except ExtractorError as e:
        assert isinstance(e, LLMError)
        seen += [str(e), repr(e), json.dumps(e.to_dict()), e.last_output or ""]
        seen.append("".join(traceback.format_exception(e)))  # the cause chain too
        seen.append(extractor_error_record(e, trial))
    else:
        seen.append(OutputRecord.from_result(result, trial, text_sha256="0" * 64).model_dump_json())
    err = capsys.readouterr().err
    seen.append(err)
    for text in seen:
        assert leaks(text, key) == [], text[:2000]


def extractor_error_record(e: ExtractorError, trial: Trial) -> str:
    from extractor.io.writers import error_record

    return error_record(e, trial_id=trial.trial_id).model_dump_json()


def test_the_echo_server_really_echoes(capsys: pytest.CaptureFixture[str], stderr_logging: None) -> None:
    """The test above is meaningful: the key does reach the answer (else nothing could leak)."""
    seen: list[str] = []

    def spy(request: httpx2.Request) -> httpx2.Response:
        seen.append(_echo_body(request))
        return echo_401(request)

    client = httpx2.AsyncClient(transport=httpx2.MockTransport(spy))
    with pytest.raises(LLMError):
        extractor.extract(TEXT, backend="llm", llm=_cfg(KEYS["plain"]), http_client=client)
    assert KEYS["plain"] in seen[0]


def test_filter_redacts_messages_args_and_tracebacks() -> None:
    key = KEYS["plain"]
    record = logging.LogRecord("openai._base_client", logging.ERROR, __file__, 1, "got %s", (f"Bearer {key}",), None)
    try:
        raise ValueError(f"boom {key}")
    except ValueError as e:
        record.exc_info = (type(e), e, e.__traceback__)
    assert RedactingFilter(lambda: [key]).filter(record)
    text = logging.Formatter().format(record)
    assert leaks(text, key) == [] and "boom" in text and "got" in text


def test_redaction_happens_before_truncation() -> None:
    key = KEYS["plain"]
    text = "x" * 30 + key + "y" * 30
    assert leaks(redact_secrets(text, [key]), key) == []
    # a tail or head left by someone else's truncation ("abc...xyz") is masked too
    assert leaks(redact_secrets(f"{key[:20]}...{key[-23:]}", [key]), key) == []
    assert redact_secrets("ECOG 0-1, ANC >= 1.5", [key]) == "ECOG 0-1, ANC >= 1.5"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:pa55w0rd@llm.example.org/v1", "https://llm.example.org/v1"),
        ("http://token@127.0.0.1:8766/v1", "http://127.0.0.1:8766/v1"),
        ("https://host/v1?api_key=abcdef123456&x=1", "https://host/v1?api_key=***&x=1"),
        ("http://127.0.0.1:8766/v1", "http://127.0.0.1:8766/v1"),
    ],
)
def test_display_url_strips_credentials(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_cli_banner_and_stderr_carry_no_credentials(tmp_path: Path) -> None:
    from tests.batch.conftest import cli, synthetic, write_jsonl

    inp = write_jsonl(tmp_path / "in.jsonl", synthetic(3))
    key = KEYS["sk"]
    env = {
        **os.environ,
        "OPENAI_API_KEY": key,
        # credentials in the URL: nothing listens on port 9, so every call fails fast (connection refused)
        "OPENAI_BASE_URL": "http://someuser:Hunter2Secret@127.0.0.1:9/v1",
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "EXTRACTOR_ATTEMPTS": "1",
    }
    res = cli("extract", str(inp), "--backend", "llm", "-o", str(tmp_path / "out.jsonl"), "--no-cache", env=env)
    assert "backend llm" in res.stderr and "127.0.0.1:9/v1" in res.stderr
    assert "Hunter2Secret" not in res.stderr + res.stdout and "someuser" not in res.stderr
    assert leaks(res.stderr + res.stdout + (tmp_path / "out.jsonl").read_text(), key) == []
