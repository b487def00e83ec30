"""The layout ARCHITECTURE.md describes, held against the code: sizes, layers, light CLI."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The packages a newcomer must hold in mind: small modules, short functions.
LIBRARY = ("pipelines", "sources", "simulator")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 30
# A layer and the packages it must never import (data and calls flow one way:
# CLI -> runner -> source -> client -> throttle; the source never sees the simulator).
FORBIDDEN_IMPORTS = {
    "sources": ("pipelines", "simulator"),
    "pipelines/runner": ("pipelines.commands", "pipelines.cli"),
    "pipelines/configuration": ("pipelines.commands", "pipelines.cli", "pipelines.runner"),
    "pipelines/analytics": ("pipelines.commands", "pipelines.cli"),
    "pipelines/output": ("pipelines.commands", "pipelines.cli"),
    "pipelines/webhooks": ("pipelines.commands", "pipelines.cli"),
}


def _modules(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_no_library_module_is_over_300_lines() -> None:
    long = {str(path.relative_to(ROOT)): lines for path in _modules(*LIBRARY)
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_no_library_function_is_over_30_lines() -> None:
    long = {
        f"{path.relative_to(ROOT)}:{function.lineno} {function.name}": lines
        for path in _modules(*LIBRARY)
        for function in _functions(ast.parse(path.read_text(encoding="utf-8")))
        if (lines := (function.end_lineno or function.lineno) - function.lineno + 1)
        > MAX_FUNCTION_LINES
    }
    assert long == {}


@pytest.mark.parametrize(
    ("layer", "forbidden"), sorted(FORBIDDEN_IMPORTS.items()), ids=sorted(FORBIDDEN_IMPORTS)
)
def test_a_layer_imports_nothing_from_the_layers_above_it(
    layer: str, forbidden: tuple[str, ...]
) -> None:
    offending = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _modules(layer)
        for name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if any(name == package or name.startswith(package + ".") for package in forbidden)
    }
    assert offending == set()


def test_importing_the_cli_loads_neither_dlt_nor_uvicorn() -> None:
    probe = (
        "import sys, pipelines.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'dlt', 'uvicorn', 'duckdb'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"
