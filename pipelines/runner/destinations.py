"""Destinations: which dlt destination a run writes to, with which loader, and where.

DuckDB (one file, owner-only) uses dlt's parquet loader (PERF-NOTES: 4x faster than the
default insert-values); PostgreSQL takes its credentials from dlt's usual
``DESTINATION__POSTGRES__CREDENTIALS``; dlt loads its rows as insert-values and its Arrow
tables as csv by COPY (`postgres_copy`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import dlt
from dlt.common.destination import Destination as DltDestination
from dlt.common.destination import TLoaderFileFormat
from dlt.common.pipeline import get_dlt_pipelines_dir

from pipelines.configuration.dlt_settings import in_project
from pipelines.configuration.options import SyncOptions
from pipelines.runner.errors import DestinationUnreachable, first_line
from pipelines.runner.postgres_copy import PostgresByCopy
from pipelines.settings import DEFAULT_DUCKDB_FILE, DUCKDB_MEMORY_LIMIT, LOADER_FILE_FORMATS
from sources.spruce.exceptions import ConfigurationError

# What DuckDB says when another process holds the file: that is a busy destination (retry);
# any other failure to open it is a path the operator must fix.
LOCK_CONFLICT = "Could not set lock"


@dataclass(frozen=True)
class Target:
    """A run's destination and what to call it in a summary (never a password)."""

    destination: DltDestination[Any, Any]
    # None: dlt picks a format per kind of item (see settings.LOADER_FILE_FORMATS).
    loader_file_format: TLoaderFileFormat | None
    location: str
    # dlt's parallel load jobs into one DuckDB file can deadlock inside DuckDB (seen here:
    # every load worker waiting on dlt's connection-pool lock while one hangs in DuckDB);
    # DuckDB serializes writes anyway, so one worker loses nothing.
    load_workers: int | None = None


def duckdb_path(options: SyncOptions) -> Path:
    """The DuckDB file of a run, absolute (a relative one is in the project folder)."""
    return in_project(options.duckdb_path or DEFAULT_DUCKDB_FILE)


def pipelines_dir(options: SyncOptions) -> Path:
    """dlt's working folder for this pipeline's packages and local state."""
    return in_project(options.pipelines_dir or get_dlt_pipelines_dir())


def build_target(options: SyncOptions) -> Target:
    """The dlt destination chosen by ``options.destination``."""
    if options.destination == "duckdb":
        path = duckdb_path(options)
        if path.stem == options.dataset_name:
            raise ConfigurationError(
                f"The DuckDB file {path.name!r} is named like the dataset"
                f" {options.dataset_name!r}; DuckDB cannot tell its catalog from the schema."
                " Rename one of them (e.g. duckdb_path: spruce_sync.duckdb)."
            )
        _make_folder(path.parent)
        return Target(
            dlt.destinations.duckdb(credentials=str(path)), LOADER_FILE_FORMATS["duckdb"], str(path),
            load_workers=1,
        )
    return Target(PostgresByCopy(destination_name="postgres"), LOADER_FILE_FORMATS["postgres"], "")


@contextmanager
def run_target(options: SyncOptions) -> Iterator[Target]:
    """The target of one run. A DuckDB file is opened once and held until the run ends:
    left to dlt, every load job and every warehouse query opens and closes the file (a
    checkpoint each time), which took 44% of a first sync's main thread in a profile. The
    file is locked for the run's duration; DuckDB allows one writing process anyway."""
    target = build_target(options)
    if options.destination != "duckdb":
        yield target
        return
    connection = open_duckdb(Path(target.location))
    owner_only(Path(target.location))
    try:
        yield replace(target, destination=dlt.destinations.duckdb(credentials=connection))
    finally:
        connection.close()


def open_duckdb(path: Path) -> Any:
    """A connection to the DuckDB file; a file held by another process is unreachable."""
    import duckdb

    try:
        return duckdb.connect(str(path), config={"memory_limit": DUCKDB_MEMORY_LIMIT})
    except duckdb.Error as error:
        if LOCK_CONFLICT not in str(error):
            raise ConfigurationError(
                f"Cannot create or open the DuckDB file {path}: {first_line(error)}."
                " Choose a duckdb_path in a folder this user can write."
            ) from None
        raise DestinationUnreachable(
            f"Cannot open the DuckDB file {path}: {type(error).__name__}: {first_line(error)}."
            " Check that no other process (a running sync, an open DuckDB shell) holds it."
        ) from None


def owner_only(path: Path) -> None:
    """Take group and other access off a DuckDB file (and its WAL) made before the run:
    a file created by a version or command that left it readable must not fill with PHI."""
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _make_folder(folder: Path) -> None:
    """The DuckDB file's folder, owner-only when new; a path that cannot be one is the
    operator's to fix."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise ConfigurationError(
            f"Cannot create the folder {folder} for the DuckDB file: {error.strerror}."
            " Choose a duckdb_path in a folder this user can write."
        ) from None


def describe_postgres(pipeline: dlt.Pipeline) -> str:
    """``postgres://user@host:port/database, schema <dataset>``, without the password."""
    credentials: Any = pipeline.destination_client().config.credentials
    return (
        f"postgres://{credentials.username}@{credentials.host}:{credentials.port}"
        f"/{credentials.database}, schema {pipeline.dataset_name}"
    )


def location(pipeline: dlt.Pipeline, target: Target) -> str:
    """Where a run's data is: the DuckDB file, or the PostgreSQL server and schema."""
    return target.location or describe_postgres(pipeline)
