"""Prompt templates as files: ``prompts/<name>/<version>/{system.j2,user.j2,meta.yaml}``.

One loader renders them with Jinja2's ``StrictUndefined`` (a missing variable is an error, not an empty string).
Installed wheels carry the prompts as ``extractor/_prompts``; in a source checkout the top-level ``prompts/`` is
used. Every rendered prompt records its name and the sha256 of its template files (provenance, cache keys).

Data never goes into a prompt raw: :func:`frame_json` turns the trial id and each item into one line of JSON (a
newline, quote or backslash in the text is escaped, so a text cannot start a new item or close its string), with
the sequences that chat templates or tag-style delimiters give a meaning escaped too (``<|im_start|>``,
``<start_of_turn>``, ``</items>``, ``[INST]``); decoding the JSON gives back the exact text.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
import yaml

from extractor.errors import PromptError

__all__ = ["Prompt", "RenderedPrompt", "frame_json", "load_prompt", "prompts_root"]

_FILES = ("system.j2", "user.j2")


def prompts_root() -> Traversable:
    """Directory holding the prompt templates (wheel package data, else the checkout's ``prompts/``)."""
    packaged = resources.files("extractor").joinpath("_prompts")
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "prompts"
    if checkout.is_dir():
        return checkout
    raise PromptError("prompt templates not found (neither extractor/_prompts nor prompts/)")


# "<" opening a tag or a special token (<|im_start|>, <start_of_turn>, </items>, <s>), "|>" closing one, and
# Llama-2 style [INST] / [/INST] / <<SYS>> markers: written as JSON unicode escapes, which decode to the same text.
_MARKUP = re.compile(r"<(?=[|/!A-Za-z_][^<>\s]{0,40}>)|<(?=\|)|\|(?=>)|\[(?=/?INST\])|<(?=<SYS>>)|>(?=>)")


def frame_json(value: object) -> str:
    """``value`` as one line of JSON, with chat-template and tag markup escaped (``\\u003c`` for ``<``...)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return _MARKUP.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class RenderedPrompt:
    """The messages of one request plus the prompt's identity."""

    name: str
    sha256: str
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        """OpenAI chat messages."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


@dataclass(frozen=True)
class Prompt:
    """A loaded, versioned prompt template."""

    name: str
    version: str
    sha256: str
    variables: tuple[str, ...]
    _system: jinja2.Template
    _user: jinja2.Template

    @property
    def id(self) -> str:
        """``name/version``, as recorded in provenance."""
        return f"{self.name}/{self.version}"

    def render(self, **variables: Any) -> RenderedPrompt:
        """Render both templates; raises PromptError on a missing or unexpected variable."""
        unexpected = set(variables) - set(self.variables)
        if unexpected:
            raise PromptError(f"prompt {self.id} got unexpected variables: {sorted(unexpected)}")
        try:
            return RenderedPrompt(
                self.id, self.sha256, self._system.render(**variables).strip(), self._user.render(**variables).strip()
            )
        except jinja2.UndefinedError as e:
            raise PromptError(f"prompt {self.id}: {e.message}") from e


@cache
def load_prompt(name: str = "extract_criteria", version: str = "v2") -> Prompt:
    """Load ``prompts/<name>/<version>`` (cached)."""
    folder = prompts_root().joinpath(name).joinpath(version)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=False)
    digest = hashlib.sha256()
    sources: dict[str, str] = {}
    for fname in (*_FILES, "meta.yaml"):
        entry = folder.joinpath(fname)
        if not entry.is_file():
            raise PromptError(f"prompt {name}/{version} has no {fname}")
        text = entry.read_text(encoding="utf-8")
        sources[fname] = text
        digest.update(fname.encode() + b"\0" + text.encode("utf-8") + b"\0")
    meta = yaml.safe_load(sources["meta.yaml"]) or {}
    try:
        system, user = env.from_string(sources["system.j2"]), env.from_string(sources["user.j2"])
    except jinja2.TemplateSyntaxError as e:
        raise PromptError(f"prompt {name}/{version}: template syntax error: {e}") from e
    return Prompt(name, version, digest.hexdigest(), tuple(meta.get("variables", ())), system, user)
