"""A small OpenAI-compatible fake server (stdlib only, loopback only) for tests and benchmarks.

Speaks ``POST /v1/chat/completions`` (answers instantly), ``POST /v1/files`` (multipart upload),
``GET /v1/files/{id}``, ``GET /v1/files/{id}/content``, ``POST /v1/batches`` and ``GET /v1/batches/{id}``. A batch
runs when created: every request line of its input file is answered by ``responder`` and the output file is
ready; ``polls_until_done`` keeps it ``in_progress`` for that many status reads first; ``delay_s`` slows every
answer down.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from extractor.testing.server import LoopbackServer

EMPTY_ANSWER = '{"criteria": []}'
Responder = Callable[[dict[str, Any]], str | None]
"""Request body -> message content; None answers with a 500 error for that request."""


def empty_responder(body: dict[str, Any]) -> str | None:
    """Every request gets ``{"criteria": []}``."""
    return EMPTY_ANSWER


class FakeOpenAI(LoopbackServer):
    """The server: state lives on it; start with :meth:`start`, stop with :meth:`stop`."""

    def __init__(self, responder: Responder = empty_responder, port: int = 0) -> None:
        super().__init__(_Handler, port)
        self.responder = responder
        self.files: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.chat_calls = 0
        self.polls_until_done = 0
        self.delay_s = 0.0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}-{next(self._ids)}"

    # -- the model ---------------------------------------------------------------------------------------

    def completion(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.delay_s:
            time.sleep(self.delay_s)
        content = self.responder(body)
        if content is None:
            return 500, {"error": {"message": "fake server error", "type": "server_error"}}
        prompt = len(json.dumps(body.get("messages", []))) // 4
        completion = len(content) // 4
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": content}}],
            }
        return 200, {
            "id": self.new_id("chatcmpl"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
        }

    def run_batch(self, batch: dict[str, Any]) -> None:
        lines = self.files[batch["input_file_id"]]["content"].decode().splitlines()
        out, errors = [], []
        for line in lines:
            req = json.loads(line)
            status, body = self.completion(req["body"])
            entry = {
                "id": self.new_id("batch_req"),
                "custom_id": req["custom_id"],
                "response": {"status_code": status, "request_id": "req", "body": body},
                "error": None,
            }
            (out if status == 200 else errors).append(json.dumps(entry))
        batch["request_counts"] = {"total": len(lines), "completed": len(out), "failed": len(errors)}
        batch["output_file_id"] = (
            self.add_file("batch_output.jsonl", "\n".join(out).encode() + b"\n", "batch_output") if out else None
        )
        batch["error_file_id"] = (
            self.add_file("batch_errors.jsonl", "\n".join(errors).encode() + b"\n", "batch_output") if errors else None
        )
        batch["status"], batch["completed_at"] = "completed", int(time.time())

    def add_file(self, filename: str, content: bytes, purpose: str) -> str:
        fid = self.new_id("file")
        self.files[fid] = {
            "id": fid,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
            "content": content,
        }
        return fid


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeOpenAI

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any] | bytes) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "application/octet-stream" if isinstance(payload, bytes) else "application/json"
        )
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_POST(self) -> None:
        srv = self.server
        srv.requests.append(("POST", self.path))
        raw = self._body()
        if self.path.endswith("/chat/completions"):
            with srv._lock:
                srv.chat_calls += 1
            self._send(*srv.completion(json.loads(raw)))
        elif self.path.endswith("/files"):
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
            parts = {p.get_param("name", header="content-disposition"): p for p in msg.iter_parts()}
            file_part = parts["file"]
            purpose = parts["purpose"].get_content().strip()
            content = file_part.get_payload(decode=True)
            fid = srv.add_file(file_part.get_filename() or "upload.jsonl", content, purpose)
            self._send(200, {k: v for k, v in srv.files[fid].items() if k != "content"})
        elif self.path.endswith("/batches"):
            req = json.loads(raw)
            if req.get("input_file_id") not in srv.files:
                self._send(400, {"error": {"message": "no such file", "type": "invalid_request_error"}})
                return
            bid = srv.new_id("batch")
            batch = {
                "id": bid,
                "object": "batch",
                "endpoint": req["endpoint"],
                "input_file_id": req["input_file_id"],
                "completion_window": req["completion_window"],
                "status": "validating",
                "created_at": int(time.time()),
                "metadata": req.get("metadata"),
                "polls": srv.polls_until_done,
            }
            srv.batches[bid] = batch
            self._send(200, _public(batch))
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_GET(self) -> None:
        srv = self.server
        srv.requests.append(("GET", self.path))
        parts = self.path.split("?")[0].rstrip("/").split("/")
        if len(parts) >= 4 and parts[-2] == "batches" and parts[-1] in srv.batches:
            batch = srv.batches[parts[-1]]
            if batch["status"] in ("validating", "in_progress"):
                if batch["polls"] > 0:
                    batch["polls"] -= 1
                    batch["status"] = "in_progress"
                else:
                    srv.run_batch(batch)
            self._send(200, _public(batch))
        elif parts[-1] == "content" and parts[-2] in srv.files:
            self._send(200, srv.files[parts[-2]]["content"])
        elif parts[-2] == "files" and parts[-1] in srv.files:
            self._send(200, {k: v for k, v in srv.files[parts[-1]].items() if k != "content"})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})


def _public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if k != "polls"}
