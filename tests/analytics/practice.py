"""A simulated practice synced into a real warehouse, then modelled by dbt.

``build_warehouse`` runs the real source over HTTP against the simulator into a DuckDB
file or a PostgreSQL database, then ``pipelines.transform.run_transform`` (dbt build),
with or without a PHI policy (``SyncOptions.phi_policy``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import dlt
import pytest

from pipelines.analytics.transform import TransformResult, run_transform
from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.run import run_sync
from simulator.contract import JsonRecord
from sources.spruce.phi import PhiPolicy
from tests.fixtures.destinations import DestinationName

TOKEN = "test-token"
HASH_KEY = "analytics-test-hmac-key-0123456789"
# Soft deletes and contact deletions before the sync: models must flag and drop them.
PRACTICE_CHANGES = {"deleted_items": 6, "deleted_contacts": 3, "edited_items": 3}
# One window for the whole history: windowing is the source's concern, not the models'.


@dataclass(frozen=True)
class Practice:
    """The simulator's organization as a perfect sync must see it."""

    base_url: str
    webhook_endpoint_id: str
    # Thousands of records: kept out of reprs, which pytest prints on failures.
    truth: Mapping[str, list[JsonRecord]] = field(repr=False)
    deleted_item_ids: frozenset[str] = field(repr=False)


@dataclass
class Warehouse:
    """A synced and modelled destination, queried through dlt's SQL client."""

    destination: DestinationName
    pipeline: dlt.Pipeline = field(repr=False)
    pipelines_dir: Path
    duckdb_path: Path | None
    transform: TransformResult = field(repr=False)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        """The rows of ``sql`` as dicts (models live in schema ``spruce_analytics``)."""
        with self.pipeline.sql_client() as client, client.execute_query(sql) as cursor:
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def sync_options(root: Path, destination: DestinationName) -> SyncOptions:
    """Options of a test sync whose every file stays under ``root``."""
    return SyncOptions(destination=destination,
                       pipelines_dir=root / "pipelines", duckdb_path=root / "warehouse.duckdb")


def build_warehouse(
    root: Path,
    destination: DestinationName,
    dsn: str | None,
    practice: Practice,
    policy: PhiPolicy | None,
) -> Warehouse:
    """Sync ``practice`` into a fresh destination and build the models on it."""
    options = replace(sync_options(root, destination), phi_policy=policy,
                      webhook_endpoint_id=practice.webhook_endpoint_id)
    with _sync_environment(root, dsn):
        run_sync(options, api_token=TOKEN, base_url=practice.base_url)
    pipeline = _bound_pipeline(options, dsn)
    return Warehouse(destination, pipeline, root / "pipelines",
                     options.duckdb_path if destination == "duckdb" else None,
                     run_transform(pipeline))


def _bound_pipeline(options: SyncOptions, dsn: str | None) -> dlt.Pipeline:
    """The synced pipeline with its credentials bound (tests clear the environment)."""
    destination = (dlt.destinations.postgres(credentials=dsn) if dsn
                   else dlt.destinations.duckdb(credentials=str(options.duckdb_path)))
    return dlt.pipeline(pipeline_name=pipeline_name_of(options),
                        pipelines_dir=str(options.pipelines_dir),
                        destination=destination, dataset_name=options.dataset_name)


@contextmanager
def _sync_environment(root: Path, dsn: str | None) -> Iterator[None]:
    """What the CLI would provide: dlt's secrets, no telemetry, no stray project config."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("DLT_PROJECT_DIR", str(root))
        patch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
        patch.setenv("SOURCES__SPRUCE__PHI_HASH_KEY", HASH_KEY)
        if dsn:
            patch.setenv("DESTINATION__POSTGRES__CREDENTIALS", dsn)
        yield

