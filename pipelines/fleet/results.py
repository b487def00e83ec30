"""What one organization's sync reports to Dagster: a materialization per table, with the
rows it loaded and the run's figures (requests, throttled responses, rate-limit wait, the
completeness check)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dagster import AssetKey, MaterializeResult, MetadataValue

from pipelines.runner.summary import RunSummary


def materializations(summary: RunSummary, keys: Sequence[AssetKey]) -> Iterator[MaterializeResult[None]]:
    """One result per asset key; the key's last part is the table (its child tables,
    ``<table>__<field>``, count with it)."""
    figures = run_figures(summary)
    for key in keys:
        rows = table_rows(summary.rows_per_table, key.path[-1])
        metadata = {"rows_loaded": MetadataValue.int(rows), **figures}
        yield MaterializeResult(asset_key=key, metadata=metadata)


def table_rows(rows_per_table: Mapping[str, int], table: str) -> int:
    """Rows the run loaded into ``table`` and its child tables."""
    return sum(count for name, count in rows_per_table.items()
               if name == table or name.startswith(f"{table}__"))  # fmt: skip


def run_figures(summary: RunSummary) -> dict[str, Any]:
    """The run's figures as Dagster metadata (the same for every table of the run)."""
    return {
        "requests": MetadataValue.int(summary.requests),
        "throttled": MetadataValue.int(summary.throttled),
        "rate_limit_wait_s": MetadataValue.float(summary.rate_limit_wait_s),
        "completeness_gaps": MetadataValue.int(len(summary.completeness_gaps)),
        "windows": MetadataValue.int(summary.windows),
        "sync_duration_s": MetadataValue.float(summary.duration_s),
        "location": MetadataValue.text(summary.location),
        "dataset": MetadataValue.text(summary.dataset_name),
    }
