"""Scenario 7: the same small full sync of ours, 20 times in a row, each into a new DuckDB file.

Issue 14: against an independent server a small full sync sometimes took 35 s instead of
about 4: a request waited out its read timeout and was retried. A median hides one slow
run in twenty, so the figures are the slowest run over the median, and the requests ours
retried after a timeout, which it counts itself (`run_report`): the simulator may never
have seen the request that stalled. The simulator answers with scenario 3's latency.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks.figures import FigureRow, ScenarioReport, at_most, ratio
from benchmarks.harness import RunResult, measured_run
from benchmarks.request_floor import RequestFloor, request_ratio
from benchmarks.rounds import BenchContext, workspaces_for
from benchmarks.scenarios.base import bench_settings, scenario_report
from benchmarks.settings import (
    CONSECUTIVE_SCALE,
    CONSECUTIVE_SYNCS,
    GOAL_SLOWEST_OVER_MEDIAN,
    GOAL_TIMEOUT_RETRIES,
    JITTER_SECONDS,
    LATENCY_SECONDS,
    QUICK_CONSECUTIVE_SYNCS,
)
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.warehouse import id_mismatches
from simulator import FaultSettings


@dataclass(frozen=True)
class ConsecutiveSyncs:
    name: str = "consecutive_syncs"
    title: str = f"7. {CONSECUTIVE_SYNCS} consecutive small full syncs"

    def run(self, context: BenchContext) -> ScenarioReport:
        """One simulator, then the syncs one after another (``--repeats`` does not apply)."""
        faults = FaultSettings(latency_seconds=LATENCY_SECONDS, jitter_seconds=JITTER_SECONDS)
        settings = replace(bench_settings(context, CONSECUTIVE_SCALE), faults=faults)
        syncs = QUICK_CONSECUTIVE_SYNCS if context.quick else CONSECUTIVE_SYNCS
        workspace = workspaces_for(context, self.name)
        with SimulatorProcess(settings) as simulator:
            floor = simulator.listing_snapshot().full_sync_floor
            runs = [measured_run(simulator, workspace("ours", index), "full")
                    for index in range(syncs)]  # fmt: skip
        described = {
            "scale": settings.scale,
            "syncs": syncs,
            "latency_s": f"{LATENCY_SECONDS} + up to {JITTER_SECONDS}",
        }
        report = scenario_report(self, described, runs, _figures(runs, floor))
        report.notes.append("wall s in order: " + ", ".join(f"{run.wall_seconds:.2f}"
                                                            for run in runs))  # fmt: skip
        return report


def _figures(runs: list[RunResult], floor: RequestFloor) -> list[FigureRow]:
    done = [run for run in runs if run.ok]
    walls = [run.wall_seconds for run in done]
    median, slowest = (statistics.median(walls), max(walls)) if walls else (None, None)
    spread = ratio(slowest, median)
    timeouts = _total(runs, lambda run: run.timeout_retries)
    worst = max((request_ratio(run.requests_by_operation, floor) for run in done), default=None)
    other_ids = _runs_with_other_ids(done)
    return [
        FigureRow("syncs completed", len(done), goal=str(len(runs)), met=len(done) == len(runs)),
        FigureRow("median wall s", median),
        FigureRow("slowest wall s", slowest),
        FigureRow("slowest / median wall", spread, goal=f"<= {GOAL_SLOWEST_OVER_MEDIAN}",
                  met=at_most(spread, GOAL_SLOWEST_OVER_MEDIAN)),
        FigureRow("requests retried for a timeout (all syncs)", timeouts,
                  goal=str(GOAL_TIMEOUT_RETRIES), met=at_most(timeouts, GOAL_TIMEOUT_RETRIES)),
        FigureRow("requests retried, any cause (all syncs)",
                  _total(runs, lambda run: run.retries)),
        FigureRow("requests / minimum (worst sync)", worst),
        FigureRow("syncs loading other ids than the first", other_ids, goal="0",
                  met=None if other_ids is None else other_ids == 0),
    ]  # fmt: skip


def _total(runs: Sequence[RunResult], value: Callable[[RunResult], int | None]) -> int | None:
    """The sum over the runs that reported ``value``; None when a run reported nothing (a
    failed run writes no report, and a total without it would understate)."""
    values = [value(run) for run in runs]
    known = [number for number in values if number is not None]
    return sum(known) if values and len(known) == len(values) else None


def _runs_with_other_ids(done: Sequence[RunResult]) -> int | None:
    """How many runs loaded ids (root tables) other than the first run's."""
    if not done:
        return None
    first = Path(done[0].duckdb_path)
    return sum(1 for run in done[1:] if any(id_mismatches(first, Path(run.duckdb_path)).values()))
