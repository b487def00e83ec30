"""The dlt pipeline of a run: how it is built, run, checked and cleaned up after a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dlt
from dlt.common.pipeline import LoadInfo
from dlt.common.schema.typing import TSchemaContractDict
from dlt.extract.source import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from pipelines.configuration.options import SchemaContract, SyncOptions, pipeline_name_of
from pipelines.runner import warehouse
from pipelines.runner.destinations import Target, pipelines_dir
from pipelines.runner.errors import DestinationUnreachable, first_line
from pipelines.runner.failures import causes, unwrap
from pipelines.runner.interruptions import stop_at_safe_points
from pipelines.runner.postgres_copy import mark_row_csv_files
from pipelines.settings import STALE_FILE_FORMAT

# dlt's DestinationConnectionError puts the driver's message after this phrase.
DLT_REASON_MARKER = "The actual reason given is: "


def build_pipeline(options: SyncOptions, target: Target) -> dlt.Pipeline:
    """The dlt pipeline of ``options`` (telemetry off, uncompressed intermediate files)."""
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    # PERF-NOTES: compressing intermediate files costs 6 s of 6.4 s extract for 200k items.
    os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
    # A loaded package's files are a copy of patient data: delete them once loaded; and so
    # is what a merge stages in <dataset>_staging: empty it after each successful load.
    os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
    os.environ.setdefault("LOAD__TRUNCATE_STAGING_DATASET", "true")
    mark_row_csv_files()
    return dlt.pipeline(
        pipeline_name=pipeline_name_of(options),
        pipelines_dir=str(pipelines_dir(options)),
        destination=target.destination,
        dataset_name=options.dataset_name,
    )


def run_pipeline(
    pipeline: dlt.Pipeline, source: DltSource, target: Target, refresh: bool
) -> LoadInfo:
    """``pipeline.run`` with dlt's step wrapper taken off the error."""
    if target.loader_file_format is None:
        forget_stale_file_formats(pipeline)
    options: dict[str, Any] = {"loader_file_format": target.loader_file_format}
    if refresh:
        options["refresh"] = "drop_resources"
    try:
        with load_workers(target.load_workers), stop_at_safe_points():
            return pipeline.run(source, **options)
    except PipelineStepFailed as failed:
        forget_trace(pipeline)
        raise unwrap(failed) from None


def forget_stale_file_formats(pipeline: dlt.Pipeline) -> None:
    """Take the loader format that older code stored on every table off the schema.

    A table's ``file_format`` hint is forced on every kind of item (dlt 1.31's normalize
    worker), so with it Arrow tables would be converted back to rows for insert-values;
    without it dlt writes each kind of item in its own best format. Nothing else sets it.
    """
    if not pipeline.default_schema_name:
        return
    for table in pipeline.default_schema.tables.values():
        if table.get("file_format") == STALE_FILE_FORMAT:
            del table["file_format"]


def finish_pending_package(pipeline: dlt.Pipeline, target: Target) -> list[str]:
    """Normalize and load what an interrupted run left; the load ids (none if nothing)."""
    if not pipeline.has_pending_data:
        return []
    try:
        with load_workers(target.load_workers), stop_at_safe_points():
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
    except destination_errors() as error:
        raise DestinationUnreachable(
            f"Cannot open the destination {pipeline.destination.destination_name}:"
            f" {_driver_reason(error)}. For PostgreSQL check"
            " DESTINATION__POSTGRES__CREDENTIALS and that the server runs; for DuckDB that no"
            " other process (a running sync, an open DuckDB shell) holds the file."
        ) from None


def _driver_reason(error: BaseException) -> str:
    """The driver's own words, without dlt's generic advice about credentials."""
    cause = list(causes(error))[-1]
    text = first_line(cause)
    if DLT_REASON_MARKER in text:
        text = text.split(DLT_REASON_MARKER, 1)[1].split(" See also ", 1)[0]
    return f"{type(cause).__name__}: {text.rstrip('.')}"


def destination_errors() -> tuple[type[BaseException], ...]:
    """What opening a destination raises when it is down or held: dlt's wrappers, the
    drivers' own. Missing credentials are not among them: they are a configuration error."""
    import duckdb
    import psycopg2
    from dlt.destinations.exceptions import DatabaseException, DestinationConnectionError

    return (DatabaseException, DestinationConnectionError, duckdb.Error, psycopg2.Error)
