"""The dlt pipeline of a run: how it is built, run, checked and cleaned up after a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.common.schema.typing import TSchemaContractDict
from dlt.extract.source import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines.configuration.options import SchemaContract, SyncOptions
from pipelines.runner import warehouse
from pipelines.runner.destinations import Target, pipelines_dir
from pipelines.runner.errors import DestinationUnreachable, first_line
from pipelines.runner.failures import unwrap


def build_pipeline(options: SyncOptions, target: Target) -> dlt.Pipeline:
    """The dlt pipeline of ``options`` (telemetry off, uncompressed intermediate files)."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # PERF-NOTES: compressing intermediate files costs 6 s of 6.4 s extract for 200k items.
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    # A loaded package's files are a copy of patient data: delete them once loaded.
    os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
    return dlt.pipeline(
        pipeline_name=options.pipeline_name,
        pipelines_dir=str(pipelines_dir(options)),
        destination=target.destination,
        dataset_name=options.dataset_name,
    )


def run_pipeline(
    pipeline: dlt.Pipeline, source: DltSource, target: Target, refresh: bool
) -> LoadInfo:
    """``pipeline.run`` with dlt's step wrapper taken off the error."""
    try:
        with load_workers(target.load_workers):
            if refresh:
                return pipeline.run(source, loader_file_format=target.loader_file_format,
                                    refresh="drop_resources")
            return pipeline.run(source, loader_file_format=target.loader_file_format)
    except PipelineStepFailed as failed:
        forget_trace(pipeline)
        raise unwrap(failed) from None


def finish_pending_package(pipeline: dlt.Pipeline, target: Target) -> list[str]:
    """Normalize and load what an interrupted run left; the load ids (none if nothing)."""
    if not pipeline.has_pending_data:
        return []
    try:
        with load_workers(target.load_workers):
            pipeline.normalize()  # the format of this rare recovery: dlt's default
            return list(pipeline.load().loads_ids)
    except PipelineStepFailed as failed:
        forget_trace(pipeline)
        raise unwrap(failed) from None


def forget_trace(pipeline: dlt.Pipeline) -> None:
    """Delete dlt's pickled trace of a failed run: its exception messages can hold a
    record (a contract violation carries the offending row), i.e. patient data."""
    (Path(pipeline.working_dir) / "trace.pickle").unlink(missing_ok=True)


@contextmanager
def load_workers(workers: int | None) -> Iterator[None]:
    """dlt's ``load.workers`` for the block, unless the operator configured it."""
    if workers is None or "LOAD__WORKERS" in os.environ:
        yield
        return
    os.environ["LOAD__WORKERS"] = str(workers)
    try:
        yield
    finally:
        os.environ.pop("LOAD__WORKERS", None)


def table_contract(mode: SchemaContract) -> TSchemaContractDict:
    """A per-table contract governs its columns and their types; the table itself may be
    created (a bare mode would also apply to tables: ``discard_value`` never creates it)."""
    return TSchemaContractDict(tables="evolve", columns=mode, data_type=mode)


def check_destination(pipeline: dlt.Pipeline) -> None:
    """Fail before any API request when the warehouse cannot be opened."""
    try:
        warehouse.ping(pipeline)
    except _destination_errors() as error:
        raise DestinationUnreachable(
            f"Cannot open the destination {pipeline.destination.destination_name}:"
            f" {type(error).__name__}: {first_line(error)}. For PostgreSQL check"
            " DESTINATION__POSTGRES__CREDENTIALS and that the server runs; for DuckDB that no"
            " other process holds the file."
        ) from None


def _destination_errors() -> tuple[type[BaseException], ...]:
    """What opening a destination raises: dlt's wrappers, the drivers' own, the OS's."""
    import duckdb
    import psycopg2
    from dlt.common.configuration.exceptions import ConfigFieldMissingException
    from dlt.destinations.exceptions import DatabaseException, DestinationConnectionError

    return (
        ConfigFieldMissingException, DatabaseException, DestinationConnectionError,
        duckdb.Error, psycopg2.Error, OSError,
    )


@contextmanager
def owner_only_files() -> Iterator[None]:
    """Files created during the run (the DuckDB file, load packages) are owner-only: PHI."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)
