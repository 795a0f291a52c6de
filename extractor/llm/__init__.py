"""LLM backend: client builder, prompt loader, instructor extraction with grounding."""

from extractor.llm.config import LLMConfig

__all__ = ["LLMConfig"]
