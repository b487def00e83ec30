"""Scenario 3: a full sync where every response takes 50 ms +- 20 ms and nothing limits.

Only concurrency across independent listings (the items of many conversations) can beat
latency; the figure is the baseline's wall time over ours.
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

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline")


@dataclass(frozen=True)
class LatencyBoundSync:
    name: str = "latency_bound"
    title: str = "3. Latency-bound full sync"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = self._simulator_settings(context)
        runs = full_syncs(self, context, settings, PIPELINES)
        described = {
            "scale": settings.scale,
            "latency_s": LATENCY_SECONDS,
            "jitter_s": JITTER_SECONDS,
        }
        return scenario_report(self, described, runs, _figures(runs))

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        faults = FaultSettings(latency_seconds=LATENCY_SECONDS, jitter_seconds=JITTER_SECONDS)
        return replace(bench_settings(context, LATENCY_SCALE), faults=faults)


def _figures(runs: list[RunResult]) -> list[FigureRow]:
    groups = groups_of(runs, PIPELINES)
    wall = side_by_side(groups, lambda run: run.wall_seconds)
    speedup = ratio(wall[1], wall[0])
    return [
        FigureRow.of("wall s", wall),
        FigureRow("speed-up: baseline wall / ours", speedup, goal=f">= {GOAL_LATENCY_SPEEDUP}x",
                  met=at_least(speedup, GOAL_LATENCY_SPEEDUP)),
        medians_row("requests", groups, lambda run: run.requests),
        medians_row("records loaded", groups, lambda run: run.records),
        medians_row("peak RSS MB", groups, lambda run: run.peak_rss_mb),
    ]  # fmt: skip
