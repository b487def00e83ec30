"""One measured run: a pipeline in a child process against the running simulator.

The request figures are the difference of the simulator's counters before and after the
run, so runs must not overlap (they never do: the harness runs one at a time).
"""

from __future__ import annotations

import os
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict

from benchmarks.measure import measure_process
from benchmarks.run_report import RunReport
from benchmarks.run_spec import PipelineKind, RunSpec
from benchmarks.settings import BENCH_TOKEN, CONCURRENCY, RUN_TIMEOUT_SECONDS, TOKEN_ENV
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.warehouse import root_records, row_counts
from simulator import Counters

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class RunResult:
    """Every figure of one run of one pipeline."""

    pipeline: PipelineKind
    label: str
    ok: bool
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    requests: int
    throttled: int
    bad_requests: int
    neighbour_requests: int
    requests_by_operation: dict[str, int]
    rows: dict[str, int]
    records: int
    duckdb_path: str
    error: str = ""
    # What ours reports of its own retries (run_report); None for the other pipelines.
    retries: int | None = None
    timeout_retries: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Workspace:
    """One pipeline's DuckDB file and dlt folder; reused across the runs of a sequence."""

    pipeline: PipelineKind
    folder: Path
    concurrency: int = CONCURRENCY
    reserve_share: float = 0.0
    rate_window_seconds: float | None = None
    timeout_seconds: float = RUN_TIMEOUT_SECONDS
    window_conversations: int | None = None

    @property
    def duckdb_path(self) -> Path:
        return self.folder / f"{self.pipeline}.duckdb"

    @property
    def report_path(self) -> Path:
        return self.folder / f"{self.pipeline}-report.json"

    def spec(self, base_url: str) -> RunSpec:
        return RunSpec(
            pipeline=self.pipeline,
            base_url=base_url,
            duckdb_path=str(self.duckdb_path),
            pipelines_dir=str(self.folder / "dlt"),
            concurrency=self.concurrency,
            reserve_share=self.reserve_share,
            rate_window_seconds=self.rate_window_seconds,
            window_conversations=self.window_conversations,
            report_path=str(self.report_path),
        )


def measured_run(simulator: SimulatorProcess, workspace: Workspace, label: str) -> RunResult:
    """Run the workspace's pipeline once and collect its figures."""
    workspace.folder.mkdir(parents=True, exist_ok=True)
    workspace.report_path.unlink(missing_ok=True)  # a sequence reuses its workspace
    spec = workspace.spec(simulator.base_url)
    before = simulator.counters()
    measurement = measure_process(
        [sys.executable, "-m", "benchmarks.child", spec.to_json()],
        _child_environment(),
        workspace.timeout_seconds,
    )
    after = simulator.counters()
    rows = row_counts(workspace.duckdb_path) if workspace.duckdb_path.exists() else {}
    return RunResult(
        pipeline=workspace.pipeline,
        label=label,
        ok=measurement.returncode == 0,
        wall_seconds=measurement.wall_seconds,
        cpu_seconds=measurement.cpu_seconds,
        peak_rss_mb=measurement.peak_rss_mb,
        rows=rows,
        records=root_records(rows),
        duckdb_path=str(workspace.duckdb_path),
        error=measurement.stderr_tail,
        **counter_delta(before, after),
        **_reported_retries(workspace.report_path),
    )


class _RequestFigures(TypedDict):
    """The fields of `RunResult` that the simulator's counters give."""

    requests: int
    throttled: int
    bad_requests: int
    neighbour_requests: int
    requests_by_operation: dict[str, int]


class _RetryFigures(TypedDict):
    """The fields of `RunResult` that ours reports itself (blank for the others)."""

    retries: int | None
    timeout_retries: int | None


def _reported_retries(report_path: Path) -> _RetryFigures:
    report = RunReport.read(report_path)
    if report is None:
        return {"retries": None, "timeout_retries": None}
    return {"retries": report.retries, "timeout_retries": report.timeout_retries}


def counter_delta(before: Counters, after: Counters) -> _RequestFigures:
    """What the simulator counted between two readings: requests, throttles, per operation."""
    operations = {
        operation: count - before.by_operation.get(operation, 0)
        for operation, count in after.by_operation.items()
    }
    return {
        "requests": after.total_requests - before.total_requests,
        "throttled": after.throttled - before.throttled,
        "bad_requests": after.bad_requests - before.bad_requests,
        "neighbour_requests": after.neighbour_requests - before.neighbour_requests,
        "requests_by_operation": {name: count for name, count in operations.items() if count},
    }


def _child_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment[TOKEN_ENV] = BENCH_TOKEN
    environment["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), environment.get("PYTHONPATH")])
    )
    return environment
