"""`pipeline_status`: where each resource stands, read from dlt's state and the warehouse.

Reads only: no API request, no write. dlt restores its state from the destination when
the local pipeline folder is missing, so the status is right on a fresh machine too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import dlt

from pipelines.configuration.options import SyncOptions
from pipelines.files import owner_only_files
from pipelines.runner import warehouse
from pipelines.runner.destinations import build_target, location
from pipelines.runner.naming import named
from pipelines.runner.pipeline import build_pipeline, check_destination
from pipelines.settings import ANALYTICS_SCHEMA
from sources.spruce import RESOURCE_NAMES
from sources.spruce.cursors import CURSOR_KEY, parse_timestamp


@dataclass(frozen=True)
class ResourceStatus:
    """One resource: its cursor (if it has one), its last load, what the next run does."""

    name: str
    cursor: str | None
    last_load_id: str | None
    last_load_at: str | None
    next_run: str


@dataclass(frozen=True)
class StatusReport:
    """The pipeline's state: per resource, and rows per table in the warehouse."""

    pipeline_name: str
    destination: str
    dataset_name: str
    resources: list[ResourceStatus] = field(default_factory=list)
    rows_per_table: dict[str, int] = field(default_factory=dict)
    # What the README's purge instructions delete, as this machine has it.
    patient_data: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pipeline_status(options: SyncOptions) -> StatusReport:
    """The status of the pipeline that ``options`` name."""
    options = named(options)
    target = build_target(options)
    with owner_only_files():  # opening a new DuckDB file creates it
        pipeline = build_pipeline(options, target)
        check_destination(pipeline)
    pipeline.sync_destination()  # the state as last committed with a load
    loads = _last_loads(pipeline)
    resources_state = pipeline.state.get("sources", {}).get("spruce", {}).get("resources", {})
    return StatusReport(
        pipeline_name=pipeline.pipeline_name,
        destination=options.destination,
        dataset_name=options.dataset_name,
        resources=[
            _resource_status(name, resources_state.get(name, {}), loads.get(name), options)
            for name in RESOURCE_NAMES
        ],
        rows_per_table=warehouse.row_counts(pipeline),
        patient_data=patient_data_places(pipeline, location(pipeline, target)),
    )


def patient_data_places(pipeline: dlt.Pipeline, warehouse_location: str) -> dict[str, str]:
    """Everywhere this pipeline keeps patient data, as the purge instructions name it."""
    dataset = pipeline.dataset_name
    return {
        "warehouse": warehouse_location,
        "schemas": f"{dataset}, {dataset}_staging (emptied after each load), {ANALYTICS_SCHEMA}",
        "pipeline_folder": str(pipeline.working_dir),
    }


def _resource_status(
    name: str, state: dict[str, Any], load: tuple[str, datetime] | None, options: SyncOptions
) -> ResourceStatus:
    cursor = state.get(CURSOR_KEY)
    return ResourceStatus(
        name=name,
        cursor=cursor,
        last_load_id=load[0] if load else None,
        last_load_at=load[1].astimezone(timezone.utc).isoformat() if load else None,
        next_run=_next_run(name, cursor, options),
    )


def _next_run(name: str, cursor: str | None, options: SyncOptions) -> str:
    if name == "conversations":
        if cursor is None:
            return (
                "first sync: lists every conversation, committed in windows of"
                f" {options.window_conversations:,} conversations or {options.window_duration}"
            )
        start = parse_timestamp(cursor) - options.lookback
        return f"lists conversations active since {start.isoformat()} (cursor - lookback)"
    if name == "conversation_items":
        return "reads the items of changed conversations from their loaded position - lookback"
    if name == "contacts":
        return "reads the whole listing, merges on id, marks contacts gone from it deleted"
    return "reads the whole listing and replaces the table"


def _last_loads(pipeline: dlt.Pipeline) -> dict[str, tuple[str, datetime]]:
    """Per table, the newest completed load that wrote it, with its time."""
    if not pipeline.default_schema_name:
        return {}
    found: dict[str, tuple[str, datetime]] = {}
    with pipeline.sql_client() as client:
        loads_table = client.make_qualified_table_name("_dlt_loads")
        for name in RESOURCE_NAMES:
            if name not in pipeline.default_schema.tables:
                continue
            table = client.make_qualified_table_name(name)
            rows = client.execute_sql(
                f"SELECT l.load_id, l.inserted_at FROM {loads_table} l WHERE l.status = 0"
                f" AND l.load_id = (SELECT max(_dlt_load_id) FROM {table})"
            )
            if rows:
                found[name] = (rows[0][0], rows[0][1])
    return found
