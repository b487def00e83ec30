"""The settings a dlt user gives dlt itself, read with dlt's own providers.

``DESTINATION__DUCKDB__CREDENTIALS``, ``PIPELINE_NAME``, ``DATASET_NAME``, ``PIPELINES_DIR``
and the same keys in ``.dlt/config.toml`` or ``.dlt/secrets.toml`` set the run's options
as they set any dlt pipeline's. dlt's providers rank the environment over ``.dlt/``; the
CLI ranks both over the YAML profile and below its own flags::

    flag > environment > .dlt/*.toml > YAML profile > default

A relative path resolves against the project folder (``DLT_PROJECT_DIR``, which the CLI
sets to the folder holding ``.dlt/``), not the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# SyncOptions field -> the key dlt reads for the same setting.
DLT_KEYS: Mapping[str, str] = {
    "pipeline_name": "pipeline_name",
    "dataset_name": "dataset_name",
    "pipelines_dir": "pipelines_dir",
    "duckdb_path": "destination.duckdb.credentials",
}
# dlt's connection-string form of a DuckDB file: duckdb:///relative or duckdb:////absolute.
DUCKDB_SCHEME = "duckdb:///"


def dlt_settings() -> dict[str, Any]:
    """The options dlt's configuration sets (only those it sets)."""
    import dlt

    # dlt.config asks every provider: the environment, secrets.toml, then config.toml.
    found: dict[str, Any] = {option: dlt.config.get(key) for option, key in DLT_KEYS.items()}
    if found["duckdb_path"] is not None:
        found["duckdb_path"] = duckdb_file(found["duckdb_path"])
    return {option: value for option, value in found.items() if value not in (None, "")}


def duckdb_file(credentials: object) -> str | None:
    """The file of dlt's DuckDB credentials: a path, ``duckdb:///path``, or a table with a
    ``database`` key; None for what names no file (``:memory:``, a connection)."""
    if isinstance(credentials, Mapping):
        credentials = credentials.get("database")
    if not isinstance(credentials, str) or credentials.startswith(":"):
        return None
    return credentials.removeprefix(DUCKDB_SCHEME)


def project_dir() -> Path:
    """The folder relative paths of the configuration resolve against."""
    return Path(os.environ.get("DLT_PROJECT_DIR") or Path.cwd()).resolve()


def in_project(path: Path | str) -> Path:
    """``path`` made absolute against the project folder."""
    return (project_dir() / Path(path).expanduser()).resolve()
