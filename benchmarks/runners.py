"""The three things a run can measure: our pipeline, the rest_api baseline, the raw bound.

Imported only inside the child process, so that the parent never pays for ``import dlt``
and each figure covers exactly one pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from benchmarks.run_spec import PipelineKind, RunSpec


def run_ours(spec: RunSpec, api_token: str) -> None:
    """This project's pipeline, through its public seam (``pipelines.runner.run``)."""
    from pipelines.configuration.options import SyncOptions
    from pipelines.runner.run import run_sync

    options = SyncOptions(
        destination="duckdb",
        duckdb_path=spec.duckdb_file,
        pipelines_dir=Path(spec.pipelines_dir),
        concurrency=spec.concurrency,
        reserve_share=spec.reserve_share,
    )
    if spec.rate_window_seconds is not None:
        options = replace(options, rate_window=timedelta(seconds=spec.rate_window_seconds))
    if spec.window_conversations is not None:
        options = replace(options, window_conversations=spec.window_conversations)
    run_sync(options, api_token=api_token, base_url=spec.base_url)


def run_baseline(spec: RunSpec, api_token: str) -> None:
    from benchmarks.baseline import run_baseline as run_rest_api

    run_rest_api(spec.base_url, api_token, spec.duckdb_file, Path(spec.pipelines_dir))


def run_raw(spec: RunSpec, api_token: str) -> None:
    from benchmarks.raw_bound import run_raw_bound

    run_raw_bound(spec.base_url, api_token, spec.duckdb_file, spec.concurrency)


RUNNERS: dict[PipelineKind, Callable[[RunSpec, str], None]] = {
    "ours": run_ours,
    "baseline": run_baseline,
    "raw": run_raw,
}
