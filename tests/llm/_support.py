"""Shared helpers of the LLM tests."""

from __future__ import annotations

from typing import Any


def completion(
    content: str, finish: str = "stop", prompt_tokens: int = 10, completion_tokens: int = 5
) -> dict[str, Any]:
    """An OpenAI chat-completion body answering ``content``."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
