"""The rules engine's shape, checked: one module per kind, rule knowledge in data, no private cross-imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from extractor.kinds import ORDER, REGISTRY

KINDS_DIR = Path(__file__).resolve().parents[2] / "extractor" / "kinds"
_RE_CALLS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def _tree(kind: str) -> ast.Module:
    return ast.parse((KINDS_DIR / f"{kind}.py").read_text(encoding="utf-8"))


def test_every_kind_is_one_module_with_its_spec() -> None:
    modules = sorted(p.stem for p in KINDS_DIR.glob("*.py") if not p.stem.startswith("_"))
    assert modules == sorted(ORDER)
    assert [spec.name for spec in REGISTRY.values()] == list(ORDER)
    assert all(spec.extract is not None for name, spec in REGISTRY.items() if name != "other")


@pytest.mark.parametrize("kind", ORDER)
def test_no_regex_literal_in_a_kind_module(kind: str) -> None:
    """Patterns live in the kind's rule file or the grammar, not as ``re.<fn>("...")`` literals in code."""
    found = []
    for node in ast.walk(_tree(kind)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_CALLS
            and node.args
            and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
        ):
            found.append(f"line {node.lineno}: re.{node.func.attr}(...)")
    assert not found, found


@pytest.mark.parametrize("kind", ORDER)
def test_no_private_import_from_another_kind_or_old_family(kind: str) -> None:
    bad = []
    for node in ast.walk(_tree(kind)):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module
            private = [a.name for a in node.names if a.name.startswith("_")]
            if mod.startswith("extractor.kinds.") and private:
                bad.append(f"{mod}: {private}")
            if mod.startswith("extractor.rules._"):
                bad.append(mod)
    assert not bad, bad
