"""The oracle: a loopback OpenAI-compatible server that answers with the gold labels (a perfect model).

Test and eval tooling (``evals/eval_oracle.py``, ``tests/llm/test_limits.py``), never used by the library at
runtime. Each ``POST /v1/chat/completions`` is answered with the gold criteria of the items it was sent: the server
reads the trial id and the framed items (``<items>`` ... ``</items>``, one JSON object a line) from the user
message (a message naming no known trial is matched by its items' texts), finds the gold criteria whose evidence
starts inside each item, and answers each as the model is asked to (kind fields + ``item`` + ``quote`` = the gold
evidence text; a time field as written, ``{"value": 28, "unit": "days"}``, found in the quote by the rules' duration
grammar, else gold's own value and unit). So the pipeline's score against it is its ceiling:
whatever is lost is lost to chunking, limits, routing, parsing or grounding, not to the model.

Like a real server it

* answers in the request's instructor mode: ``tools`` (a tool call), ``json_schema`` (JSON content) or ``md_json``
  (JSON in a fenced block);
* counts tokens (``len(text) / 4``, rounded up; the prompt is the messages plus the schema or tools sent) and
  reports them in ``usage``, and keeps totals in :attr:`OracleServer.stats`;
* honours ``max_tokens`` (or ``max_completion_tokens``): an answer over it is cut there, ``finish_reason: length``;
* with a ``context_window``: a prompt over it gets HTTP 400 with OpenAI's error body (``code:
  context_length_exceeded``; openai raises ``BadRequestError``), and an answer is also cut where prompt + answer
  reach the window.

``noise`` (a probability, seeded by ``seed``: the same request always gets the same answer) makes it an imperfect
model: a criterion gets a changed number or a paraphrased quote (ASCII symbols, or an inserted word), and a first
try of a request gets a criterion of no known kind. A re-ask (a request of more than two messages) is answered like
a model that fixes only what it was told: the first answer again, with the criteria the re-ask messages name
(``criterion N (item ...``: :mod:`extractor.llm.schema`'s targeted errors) replaced by the gold ones.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import random
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from extractor.evals.gold import GoldCase
from extractor.llm.schema import DURATION_FIELDS
from extractor.models import BASE_FIELDS
from extractor.rules.grammar import TIME_UNIT, number_pattern, number_value, to_weeks, unit_key
from extractor.segment import segment
from extractor.testing.server import LoopbackServer

__all__ = ["OracleServer", "OracleStats", "count_tokens"]

_TRIAL_LINE = re.compile(r'^Trial id[^:\n]*:\s*(".*")\s*$', re.MULTILINE)
_ITEMS = re.compile(r"<items>\n?(.*?)</items>", re.DOTALL)
_SYMBOLS = {"≥": ">=", "≤": "<=", "×": "x", "µ": "u", "μ": "u"}
_NAMED = re.compile(r"criterion (\d+) \(item")
_UNIT_NAMES = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
_WEEKS_IN = {"weeks": 1.0, "months": to_weeks(1, "months"), "years": to_weeks(1, "years")}


@functools.cache
def _duration() -> re.Pattern[str]:
    """A duration as written: a number, or a range ("22 and 28", "7-14": its low end, the prompt's convention), an
    optional "calendar", a time unit."""
    num = number_pattern()
    return re.compile(
        rf"(?P<n>{num})(?:\s*(?:-|–|to|and)\s*{num})?\s*(?:-\s*)?(?:calendar\s+)?{TIME_UNIT}(?![a-z])", re.IGNORECASE
    )


def as_written(kind: str, fields: dict[str, Any], quote: str) -> dict[str, Any]:
    """``fields`` with each time field (:data:`~extractor.llm.schema.DURATION_FIELDS`) as the quote writes it: the
    duration in the quote that converts to gold's value (within 10%), else gold's value in the field's unit."""
    out = dict(fields)
    for (k, name), unit in DURATION_FIELDS.items():
        value = out.get(name) if k == kind else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        written = {"value": value, "unit": unit}
        for m in _duration().finditer(quote):
            n = number_value(m.group("n"))
            if n is None:
                continue
            weeks = to_weeks(n, m.group("unit"))
            if math.isclose(weeks, value * _WEEKS_IN[unit], rel_tol=0.1):
                written = {"value": int(n) if n == int(n) else n, "unit": _UNIT_NAMES[unit_key(m.group("unit"))]}
                break
        out[name] = written
    return out


def count_tokens(text: str) -> int:
    """The oracle's token count of ``text``: one token per four characters, rounded up."""
    return (len(text) + 3) // 4


@dataclass
class OracleStats:
    """What the oracle was asked and answered (totals over its lifetime)."""

    requests: int = 0
    answered: int = 0
    reasks: int = 0
    truncated: int = 0
    context_errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counters by name."""
        return asdict(self)


class OracleServer(LoopbackServer):
    """The oracle (see the module docstring). Use as a context manager, or :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        gold: Sequence[GoldCase],
        *,
        context_window: int | None = None,
        noise: float = 0.0,
        seed: int = 0,
        port: int = 0,
    ) -> None:
        super().__init__(_Handler, port)
        self.context_window = context_window
        self.noise = noise
        self.seed = seed
        self.stats = OracleStats()
        self._answers: dict[str, dict[int, list[dict[str, Any]]]] = {}
        self._texts: dict[str, dict[int, str]] = {}
        for case in gold:
            self._index(case)
        self._lock = threading.Lock()

    def _index(self, case: GoldCase) -> None:
        items = segment(case.text).items
        answers: dict[int, list[dict[str, Any]]] = {it.index: [] for it in items}
        for c in case.gold.criteria:
            ev = c.evidence
            item = next((it for it in items if it.start <= ev.start < it.end), None)
            if item is None:
                continue
            fields = c.model_dump(mode="json", exclude=set(BASE_FIELDS) - {"kind"}, exclude_none=True)
            kind = fields.pop("kind")
            fields = as_written(kind, fields, ev.text)
            answers[item.index].append({"kind": kind, "item": item.index, "quote": ev.text, **fields})
        self._answers[case.trial_id] = answers
        self._texts[case.trial_id] = {it.index: it.text for it in items}

    # -- the model ---------------------------------------------------------------------------------------------

    def criteria_for(self, trial_id: str, item: int) -> list[dict[str, Any]]:
        """The answer's criteria for one item of a gold trial (empty for an unknown trial or item)."""
        return [dict(c) for c in self._answers.get(trial_id, {}).get(item, [])]

    def _find_trial(self, items: Sequence[tuple[int, str]]) -> str | None:
        """The gold trial holding every one of ``items`` (item number, text), when the message names none."""
        for trial_id, texts in self._texts.items():
            if items and all(texts.get(index) == text for index, text in items):
                return trial_id
        return None

    def gold_answer(self, user: str) -> dict[str, Any]:
        """The perfect answer to a user message: the gold criteria of the items it holds (the trial is the one the
        message names, else the one whose items these are)."""
        trial_id, items = _parse_user(user)
        if trial_id not in self._answers:
            trial_id = self._find_trial(items)
        answers = self._answers.get(trial_id or "", {})
        texts = self._texts.get(trial_id or "", {})
        out: list[dict[str, Any]] = []
        for index, text in items:
            if texts.get(index) == text:
                out += [dict(c) for c in answers.get(index, [])]
        return {"criteria": out}

    def _noisy(self, answer: dict[str, Any], user: str, fixed: set[int]) -> dict[str, Any]:
        """The noisy first answer to ``user``, with the criteria numbered in ``fixed`` (named by re-asks) gold."""
        key = hashlib.sha256(f"{self.seed}\0{user}".encode()).hexdigest()
        gold = answer["criteria"]
        if gold and random.Random(key).random() < self.noise:
            noisy = [dict(gold[0], kind="not_a_kind"), *gold[1:]]  # fails validation: instructor re-asks
        else:
            noisy = []
            for n, c in enumerate(gold):
                rng = random.Random(f"{key}:{n}")
                noisy.append(_perturb(c, rng) if rng.random() < self.noise else c)
        return {"criteria": [gold[n] if n in fixed else c for n, c in enumerate(noisy)]}

    def completion(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Status and JSON body answering one chat-completions request."""
        messages = body.get("messages") or []
        user = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
        schema = body.get("tools") or body.get("response_format") or {}
        prompt = count_tokens(json.dumps(messages, ensure_ascii=False)) + count_tokens(
            json.dumps(schema, ensure_ascii=False)
        )
        first_try = len(messages) <= 2
        with self._lock:
            self.stats.requests += 1
            self.stats.reasks += not first_try
            self.stats.prompt_tokens += prompt
        if self.context_window is not None and prompt > self.context_window:
            with self._lock:
                self.stats.context_errors += 1
            return 400, {
                "error": {
                    "message": f"This model's maximum context length is {self.context_window} tokens. However, your "
                    f"messages resulted in {prompt} tokens. Please reduce the length of the messages.",
                    "type": "invalid_request_error",
                    "param": "messages",
                    "code": "context_length_exceeded",
                }
            }
        answer = self.gold_answer(user)
        if self.noise:
            answer = self._noisy(answer, user, _named(messages[2:]))
        text = json.dumps(answer, ensure_ascii=False)
        limit = int(body.get("max_completion_tokens") or body.get("max_tokens") or 1_000_000)
        if self.context_window is not None:
            limit = min(limit, self.context_window - prompt)
        finish = "stop"
        if count_tokens(text) > limit:
            text, finish = text[: max(0, limit) * 4], "length"
        completion = min(count_tokens(text), max(0, limit))
        with self._lock:
            self.stats.answered += 1
            self.stats.truncated += finish == "length"
            self.stats.completion_tokens += completion
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}],
            }
        elif (body.get("response_format") or {}).get("type") != "json_schema":
            message["content"] = f"```json\n{text}\n```" if finish == "stop" else f"```json\n{text}"
        return 200, {
            "id": "chatcmpl-oracle",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "oracle"),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }


def _named(messages: Sequence[dict[str, Any]]) -> set[int]:
    """The criterion numbers re-ask messages name (``criterion 3 (item 4, lab): ...``)."""
    text = " ".join(str(m.get("content")) for m in messages if isinstance(m.get("content"), str))
    return {int(n) for n in _NAMED.findall(text)}


def _parse_user(user: str) -> tuple[str | None, list[tuple[int, str]]]:
    """The trial id and the (item number, text) pairs framed in a user message."""
    trial_id: str | None = None
    if m := _TRIAL_LINE.search(user):
        try:
            value = json.loads(m.group(1))
            trial_id = value if isinstance(value, str) else None
        except json.JSONDecodeError:
            trial_id = None
    items: list[tuple[int, str]] = []
    block = _ITEMS.search(user)
    for line in (block.group(1) if block else "").splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and isinstance(obj.get("item"), int) and isinstance(obj.get("text"), str):
            items.append((obj["item"], obj["text"]))
    return trial_id, items


def _perturb(c: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A changed number (when the criterion has one, half the time) or else a paraphrased quote."""
    out = dict(c)
    numbers = sorted(k for k, v in c.items() if isinstance(v, int | float) and not isinstance(v, bool) and k != "item")
    if numbers and rng.random() < 0.5:
        k = rng.choice(numbers)
        out[k] = c[k] * 3 + 7 if isinstance(c[k], int) else round(c[k] * 3 + 0.7, 2)
        return out
    quote = str(c["quote"])
    if any(s in quote for s in _SYMBOLS):
        for s, ascii_ in _SYMBOLS.items():
            quote = quote.replace(s, ascii_)
    else:
        head, _, tail = quote.partition(" ")
        quote = f"{head} the {tail}" if tail else f"the {head}"
    out["quote"] = quote
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OracleServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.path.endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            self._send(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
            return
        self._send(*self.server.completion(body))
