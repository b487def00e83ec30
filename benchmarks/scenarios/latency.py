"""Scenario 3: a full sync where every response takes 30-70 ms and nothing limits.

Only concurrency across independent listings (the items of many conversations) can beat
latency. The figure is the wall time of rest_api with parallelized item listings (what a
competent user sets up) over ours; rest_api fetching items sequentially, dlt's default
and issue 6's baseline, is a second row beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from benchmarks.figures import FigureRow, ScenarioReport, at_least, medians_row, ratio, side_by_side
from benchmarks.harness import RunResult
from benchmarks.rounds import BenchContext, groups_of
from benchmarks.run_spec import PipelineKind
from benchmarks.scenarios.base import bench_settings, full_syncs, scenario_report
from benchmarks.settings import GOAL_LATENCY_SPEEDUP, JITTER_SECONDS, LATENCY_SCALE, LATENCY_SECONDS
from simulator import FaultSettings, SimulatorSettings

# The table's columns (ours, baseline), then the sequential baseline in rows of its own.
PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline", "baseline_sequential")


@dataclass(frozen=True)
class LatencyBoundSync:
    name: str = "latency_bound"
    title: str = "3. Latency-bound full sync"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = self._simulator_settings(context)
        runs = full_syncs(self, context, settings, PIPELINES)
        described = {
            "scale": settings.scale,
            "latency_s": f"{LATENCY_SECONDS} + up to {JITTER_SECONDS}",
            "baseline": "rest_api, parallelized item listings, parquet loader",
            "baseline_sequential": "rest_api, items sequentially, parquet loader",
        }
        return scenario_report(self, described, runs, _figures(runs))

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        faults = FaultSettings(latency_seconds=LATENCY_SECONDS, jitter_seconds=JITTER_SECONDS)
        return replace(bench_settings(context, LATENCY_SCALE), faults=faults)


def _figures(runs: list[RunResult]) -> list[FigureRow]:
    ours, parallel, sequential = groups_of(runs, PIPELINES)
    wall = side_by_side([ours, parallel, sequential], lambda run: run.wall_seconds)
    speedup, over_sequential = ratio(wall[1], wall[0]), ratio(wall[2], wall[0])
    columns = [ours, parallel]
    return [
        FigureRow.of("wall s", wall[:2]),
        FigureRow("speed-up: baseline wall / ours", speedup, goal=f">= {GOAL_LATENCY_SPEEDUP}x",
                  met=at_least(speedup, GOAL_LATENCY_SPEEDUP)),
        FigureRow.of("wall s: ours, rest_api sequential", (wall[0], wall[2])),
        FigureRow("speed-up: rest_api sequential wall / ours", over_sequential),
        medians_row("requests", columns, lambda run: run.requests),
        medians_row("records loaded", columns, lambda run: run.records),
        medians_row("peak RSS MB", columns, lambda run: run.peak_rss_mb),
    ]  # fmt: skip
