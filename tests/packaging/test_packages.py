"""pyproject.toml names every package the wheel ships; the tree is held to the list.

The packages are listed, not found (pyproject.toml says why), so a new package missing
from the list would install without its modules: this fails first, in seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, under its older name
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[2]
# The folders of the project's code (what `packages.find` included before the list).
CODE_ROOTS = ("pipelines", "sources", "simulator")


def _setuptools_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, Any] = tomllib.load(file)["tool"]["setuptools"]
    return config


def _dotted(folder: Path) -> str:
    return ".".join(folder.relative_to(ROOT).parts)


def _code_packages() -> set[str]:
    """Every folder of the code roots that holds a module, with or without __init__.py."""
    return {_dotted(module.parent) for root in CODE_ROOTS
            for module in (ROOT / root).rglob("*.py") if "__pycache__" not in module.parts}


def test_every_code_package_is_listed() -> None:
    config = _setuptools_config()
    assert set(config["packages"]) - set(config["package-dir"]) == _code_packages()


def test_each_data_package_is_a_listed_folder_with_an_init() -> None:
    config = _setuptools_config()
    for package, folder in config["package-dir"].items():
        assert package in config["packages"], package
        # regular, not namespace: the editable finder maps only those
        assert (ROOT / folder / "__init__.py").is_file(), folder


def test_every_package_data_pattern_matches_files() -> None:
    config = _setuptools_config()
    for package, patterns in config["package-data"].items():
        folder = ROOT / config["package-dir"][package]
        empty = [pattern for pattern in patterns
                 if not any(path.is_file() for path in folder.glob(pattern))]
        assert empty == [], f"{package}: {empty} match nothing in {folder}"
