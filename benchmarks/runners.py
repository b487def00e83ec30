"""What a run can measure: our pipeline, the rest_api baselines, the raw bound.

Imported only inside the child process, so that the parent never pays for ``import dlt``
and each figure covers exactly one pipeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.run_spec import PipelineKind, RunSpec

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions


def run_ours(spec: RunSpec, api_token: str) -> None:
    """This project's pipeline, through its public seam (``pipelines.runner.run``); its
    retries go to ``spec.report_path`` when the spec names one."""
    from benchmarks.run_report import RunReport, TimeoutRetries
    from pipelines.runner.run import run_sync

    with TimeoutRetries() as timeouts:
        summary = run_sync(_ours_options(spec), api_token=api_token, base_url=spec.base_url)
    if spec.report_path is not None:
        RunReport(summary.retries, timeouts.count).write(Path(spec.report_path))


def _ours_options(spec: RunSpec) -> SyncOptions:
    from pipelines.configuration.options import SyncOptions

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
    return options


def run_baseline(spec: RunSpec, api_token: str) -> None:
    """rest_api with parallelized item listings: what a competent user configures."""
    from benchmarks.baseline import run_baseline as run_rest_api

    run_rest_api(spec.base_url, api_token, spec.duckdb_file, Path(spec.pipelines_dir))


def run_baseline_sequential(spec: RunSpec, api_token: str) -> None:
    """rest_api fetching the items of one conversation at a time (dlt's default)."""
    from benchmarks.baseline import run_baseline as run_rest_api

    run_rest_api(
        spec.base_url, api_token, spec.duckdb_file, Path(spec.pipelines_dir), parallelized=False
    )


def run_raw(spec: RunSpec, api_token: str) -> None:
    from benchmarks.raw_bound import run_raw_bound

    run_raw_bound(spec.base_url, api_token, spec.duckdb_file, spec.concurrency)


RUNNERS: dict[PipelineKind, Callable[[RunSpec, str], None]] = {
    "ours": run_ours,
    "baseline": run_baseline,
    "baseline_sequential": run_baseline_sequential,
    "raw": run_raw,
}
