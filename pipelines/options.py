"""What one sync is asked to do: the seam between the CLI/YAML layer and the pipeline.

The CLI builds a ``SyncOptions`` from ``config/*.yaml`` and its flags; ``pipelines.sync``
runs it. Secrets are not here: the API token and Postgres credentials reach the source
and the destination through dlt's secrets (``.dlt/secrets.toml`` or environment
variables such as ``SOURCES__SPRUCE__API_TOKEN``), or are passed explicitly by tests.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from sources.spruce.phi import PhiPolicy

# Every entry point imports this seam before dlt: dlt's telemetry (which would send
# metadata out) is off unless the operator switches it on.
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

Destination = Literal["duckdb", "postgres"]
SchemaContract = Literal["evolve", "freeze", "discard_row", "discard_value"]


@dataclass(frozen=True)
class SyncOptions:
    """Everything about a run that is not a secret. Defaults are the documented ones."""

    destination: Destination = "duckdb"
    dataset_name: str = "spruce"
    pipeline_name: str = "spruce_sync"
    # dlt's working folder (load packages, local state); None = dlt's default.
    pipelines_dir: Path | None = None
    # The DuckDB file; None = ``spruce_sync.duckdb`` in the working directory (its name
    # must differ from the dataset's: DuckDB confuses a catalog and a schema of one name).
    duckdb_path: Path | None = None
    # Resources to sync; empty = all of them.
    resources: tuple[str, ...] = ()
    # Resources whose tables and cursors are reset before this run.
    full_refresh: tuple[str, ...] = ()
    # Requests in flight at once (items of many conversations), all through one limiter.
    concurrency: int = 8
    # Re-read this far behind the conversation cursor (eventual consistency).
    lookback: timedelta = timedelta(minutes=10)
    # The cursor never advances past run start minus this.
    settle: timedelta = timedelta(minutes=2)
    # Share of the organization's rate budget left for the practice's other integrations.
    reserve_share: float = 0.2
    # Length of Spruce's rate-limit windows (60 s and a day; a simulator may shorten them).
    rate_window: timedelta = timedelta(seconds=60)
    daily_rate_window: timedelta = timedelta(days=1)
    # Page size per list operation (operationId -> size); default: the largest allowed.
    page_sizes: Mapping[str, int] = field(default_factory=dict)
    # dlt schema contract per table; tables not named evolve.
    schema_contracts: Mapping[str, SchemaContract] = field(default_factory=dict)
    # When set, the endpoint's event log is synced and applied to the tables.
    webhook_endpoint_id: str | None = None
    # A long sync is loaded and committed in windows, each ending after the conversations
    # page that reaches this many conversations or this much time.
    window_conversations: int = 2_000
    window_duration: timedelta = timedelta(minutes=5)
    # Backfill: a time window for conversations and items that leaves the cursor alone.
    backfill_since: datetime | None = None
    backfill_until: datetime | None = None
    # Columns to drop, hash, redact or generalize before anything reaches disk
    # (``sources.spruce.phi.parse_phi_policy``); None = keep everything.
    phi_policy: PhiPolicy | None = None
