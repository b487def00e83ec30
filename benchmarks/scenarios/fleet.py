"""Scenario 11 (issue 15): a fleet of 50 organizations, 8 at a time, each on its own budget.

One simulator process serves every organization (``simulator.fleet``: its own seeded data,
token and rate limit each; ``settings.FLEET_RATE_LIMITS`` cycles four budgets over them);
``spruce-sync fleet run --json`` syncs them all as one measured command
(`benchmarks.fleet_bench`). Figures:

- wall time against two bounds: the slowest organization's (no fleet can finish before its
  slowest organization's budget lets it) and the sum of every organization's bound over
  the concurrency (8 budget-paced runs at a time at best); an organization's bound is its
  requests x window / limit, as scenario 1's budget utilisation counts it (its first
  window's burst makes the true floor up to one window shorter);
- requests per organization over its own minimum (`request_floor`, from its ground truth):
  the median and the worst;
- the peak memory of the whole fleet: the command and its pool's workers, sampled from
  ``/proc`` together (`benchmarks.process_tree`; ``wait4`` and ``RUSAGE_CHILDREN`` give one
  process's peak only), as summed RSS and as PSS (shared pages split);
- Dagster's per-run overhead: per organization, its ``materialize()`` duration (the JSON
  line's ``duration_s``: loading the fleet file, building the definitions, an ephemeral
  instance, the run) minus the runner's own sync inside it (``figures.sync_duration_s``);
  the median over organizations. A worker's start and its import of Dagster (once a
  worker, before its first organization) are outside both and show in the wall time only.

Every organization must succeed and hold exactly its own ground truth's ids
(`pipelines.fleet.ground_truth.truth_differences`).
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.figures import FigureRow, ScenarioReport, at_most
from benchmarks.fleet_bench import (
    FleetMeasurement,
    OrganizationRun,
    fleet_organizations,
    measured_fleet_run,
    write_fleet_files,
)
from benchmarks.fleet_simulator_process import FleetSimulatorProcess, GroundTruths
from benchmarks.harness import RunResult
from benchmarks.process_tree import TreeMemory
from benchmarks.request_floor import request_ratio, snapshot_from_ground_truth
from benchmarks.rounds import BenchContext
from benchmarks.scenarios.base import scenario_report
from benchmarks.settings import (
    FLEET_CONCURRENCY,
    FLEET_ORGANIZATIONS,
    FLEET_RATE_LIMITS,
    FLEET_SCALE,
    GOAL_REQUEST_RATIO,
    QUICK_FLEET_CONCURRENCY,
    QUICK_FLEET_ORGANIZATIONS,
)
from benchmarks.warehouse import root_records


@dataclass(frozen=True)
class OrganizationFigures:
    """What the scenario derives for one organization after the run."""

    run: OrganizationRun
    request_ratio: float
    truth_differences: int | None  # None: not checked (the organization failed)

    @property
    def dagster_overhead_seconds(self) -> float | None:
        sync = self.run.outcome.get("figures", {}).get("sync_duration_s")
        if not self.run.succeeded or not isinstance(sync, (int, float)):
            return None
        return float(self.run.outcome["duration_s"]) - float(sync)

    @property
    def equal_to_truth(self) -> bool:
        return self.truth_differences == 0

    def to_dict(self) -> dict[str, Any]:
        outcome = self.run.outcome
        return {
            "organization": self.run.slug, "status": outcome.get("status", "no line"),
            "limit": self.run.limit, "window_seconds": self.run.window_seconds,
            "requests": self.run.requests, "throttled": self.run.throttled,
            "request_ratio": self.request_ratio, "rate_bound_s": self.run.rate_bound_seconds,
            "duration_s": outcome.get("duration_s"),
            "sync_duration_s": outcome.get("figures", {}).get("sync_duration_s"),
            "dagster_overhead_s": self.dagster_overhead_seconds,
            "truth_differences": self.truth_differences, "error": outcome.get("error"),
        }  # fmt: skip


@dataclass(frozen=True)
class FleetSync:
    name: str = "fleet"
    title: str = "11. Fleet of 50 organizations"

    def run(self, context: BenchContext) -> ScenarioReport:
        count, concurrency = _size(context)
        organizations = fleet_organizations(count, context.scale_for(FLEET_SCALE))
        project = context.root / self.name
        # a fresh project: what an earlier bench left there (--keep) would make this run incremental
        shutil.rmtree(project, ignore_errors=True)
        fleet_file, config = write_fleet_files(project, organizations, concurrency)
        with FleetSimulatorProcess(organizations) as simulator:
            measured = measured_fleet_run(simulator, project, fleet_file, config,
                                          context.run_timeout_seconds)  # fmt: skip
            truths = simulator.ground_truths()
        figures = organization_figures(measured, truths, fleet_file, config)
        run = fleet_run_result(measured, figures, project)
        described = _described(context, count, concurrency)
        rows = fleet_rows(run, figures, concurrency, measured.process.tree)
        report = scenario_report(self, described, [run], rows)
        report.details = {"organizations": [item.to_dict() for item in figures]}
        return report


def _size(context: BenchContext) -> tuple[int, int]:
    if context.quick:
        return QUICK_FLEET_ORGANIZATIONS, QUICK_FLEET_CONCURRENCY
    return FLEET_ORGANIZATIONS, FLEET_CONCURRENCY


def organization_figures(
    measured: FleetMeasurement, truths: GroundTruths, fleet_file: Path, config: Path
) -> list[OrganizationFigures]:
    """Each organization's request ratio (against its own floor) and ground-truth check."""
    from pipelines.fleet.fleet_file import load_fleet
    from pipelines.fleet.ground_truth import truth_differences

    fleet = load_fleet(fleet_file, config)
    figures = []
    for run in measured.organizations:
        floor = snapshot_from_ground_truth(truths[run.slug]).full_sync_floor
        differences = None
        if run.succeeded:
            options = fleet.organization(run.slug).options
            found = truth_differences(Path(str(options.duckdb_path)), options.dataset_name,
                                      truths[run.slug])  # fmt: skip
            differences = sum(found.values())
        figures.append(OrganizationFigures(run, request_ratio(run.requests_by_operation, floor),
                                           differences))  # fmt: skip
    return figures


def fleet_run_result(
    measured: FleetMeasurement, figures: Sequence[OrganizationFigures], project: Path
) -> RunResult:
    """The fleet's one run: ok when the command succeeded and every organization holds
    its ground truth; its figures are the whole process tree's and every organization's."""
    process, organizations = measured.process, measured.organizations
    rows: dict[str, int] = {}
    operations: dict[str, int] = {}
    for organization in organizations:
        for table, count in organization.outcome.get("rows_per_table", {}).items():
            rows[table] = rows.get(table, 0) + int(count)
        for operation, count in organization.requests_by_operation.items():
            operations[operation] = operations.get(operation, 0) + count
    wrong = [item for item in figures if not item.equal_to_truth]
    return RunResult(
        pipeline="ours", label="fleet", ok=process.returncode == 0 and not wrong,
        wall_seconds=process.wall_seconds, cpu_seconds=process.cpu_seconds,
        peak_rss_mb=process.tree.peak_rss_mb if process.tree else process.peak_rss_mb,
        requests=sum(item.requests for item in organizations),
        throttled=sum(item.throttled for item in organizations), bad_requests=0,
        neighbour_requests=0, requests_by_operation=operations, rows=rows,
        records=root_records(rows), duckdb_path=str(project / "warehouse"),
        error=process.stderr_tail + "".join(_wrong(item) for item in wrong),
    )  # fmt: skip


def _wrong(item: OrganizationFigures) -> str:
    if item.truth_differences is None:
        return f"\n{item.run.slug}: {item.run.outcome.get('error') or 'no outcome line'}"
    return f"\n{item.run.slug}: {item.truth_differences} ids differ from its ground truth"


def fleet_rows(
    run: RunResult, figures: Sequence[OrganizationFigures], concurrency: int,
    tree: TreeMemory | None,
) -> list[FigureRow]:  # fmt: skip
    """The scenario's rows, in the order the issue asks for them."""
    bounds = [item.run.rate_bound_seconds for item in figures]
    slowest, shared = max(bounds, default=0.0), sum(bounds) / concurrency
    ratios = [item.request_ratio for item in figures]
    overheads = [value for item in figures if (value := item.dagster_overhead_seconds) is not None]
    return [
        *_check_rows(run, figures),
        FigureRow("wall s (the whole fleet run)", run.wall_seconds),
        FigureRow("slowest organization's rate bound s (requests x window / limit)", slowest),
        FigureRow(f"sum of rate bounds / {concurrency} s", shared),
        FigureRow("wall / max(slowest bound, sum / concurrency)",
                  run.wall_seconds / max(slowest, shared) if bounds else None),
        *_ratio_rows(ratios),
        *_memory_rows(run, tree),
        FigureRow("Dagster per-run overhead s (median: materialize - sync)",
                  statistics.median(overheads) if overheads else None),
    ]  # fmt: skip


def _check_rows(run: RunResult, figures: Sequence[OrganizationFigures]) -> list[FigureRow]:
    failed = sum(not item.run.succeeded for item in figures)
    differing = sum(not item.equal_to_truth for item in figures)
    return [
        FigureRow(f"organizations failed (of {len(figures)})", failed, goal="0", met=failed == 0),
        FigureRow("organizations whose ids differ from their ground truth", differing,
                  goal="0", met=differing == 0),
        FigureRow("throttled responses (every organization)", run.throttled, goal="0",
                  met=run.throttled == 0),
    ]  # fmt: skip


def _ratio_rows(ratios: Sequence[float]) -> list[FigureRow]:
    median = statistics.median(ratios) if ratios else None
    worst = max(ratios, default=None)
    goal = f"<= {GOAL_REQUEST_RATIO}"
    return [
        FigureRow("requests / minimum, per organization (median)", median, goal=goal,
                  met=at_most(median, GOAL_REQUEST_RATIO)),
        FigureRow("requests / minimum, per organization (worst)", worst, goal=goal,
                  met=at_most(worst, GOAL_REQUEST_RATIO)),
    ]  # fmt: skip


def _memory_rows(run: RunResult, tree: TreeMemory | None) -> list[FigureRow]:
    """The tree's peaks (its RSS is the run's ``peak_rss_mb``) and its CPU."""
    return [
        FigureRow("peak RSS MB (the fleet's processes, summed)", run.peak_rss_mb),
        FigureRow("peak PSS MB (the same, shared pages split)", tree.peak_pss_mb if tree else None),
        FigureRow("processes at once (the command, its workers, helpers)",
                  tree.most_processes if tree else None),
        FigureRow("CPU s (the command and its workers)", run.cpu_seconds),
    ]  # fmt: skip


def _described(context: BenchContext, count: int, concurrency: int) -> dict[str, object]:
    return {
        "organizations": count, "concurrency": concurrency,
        "scale": context.scale_for(FLEET_SCALE),
        "budgets_cycled": [{"limit": limit, "window_seconds": window}
                           for limit, window in FLEET_RATE_LIMITS],
        "reserve_share": 0.0, "command": "spruce-sync fleet run --json",
    }  # fmt: skip
