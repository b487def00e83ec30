"""Scenario 3: a full sync where every response takes 50 ms +- 20 ms and nothing limits.

Only concurrency across independent listings (the items of many conversations) can beat
latency; the figure is the baseline's wall time over ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.figures import (
    FigureRow,
    ScenarioReport,
    at_least,
    id_check_row,
    ratio,
    side_by_side,
)
from benchmarks.harness import RunResult
from benchmarks.rounds import (
    BenchContext,
    full_sync_rounds,
    id_differences,
    runs_of,
    workspaces_for,
)
from benchmarks.run_spec import PipelineKind
from benchmarks.settings import (
    BENCH_TOKEN,
    GOAL_LATENCY_SPEEDUP,
    JITTER_SECONDS,
    LATENCY_SCALE,
    LATENCY_SECONDS,
    SEED,
)
from benchmarks.simulator_process import SimulatorProcess
from simulator import FaultSettings, SimulatorSettings

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline")


@dataclass(frozen=True)
class LatencyBoundSync:
    name: str = "latency_bound"
    title: str = "3. Latency-bound full sync"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = self._simulator_settings(context)
        with SimulatorProcess(settings) as simulator:
            runs = full_sync_rounds(
                simulator, context, PIPELINES, workspaces_for(context, self.name)
            )
        described = {
            "scale": settings.scale,
            "latency_s": LATENCY_SECONDS,
            "jitter_s": JITTER_SECONDS,
        }
        report = ScenarioReport(self.name, self.title, described, runs)
        report.figures = _figures(runs) + [id_check_row(id_differences(runs))]
        return report

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        faults = FaultSettings(latency_seconds=LATENCY_SECONDS, jitter_seconds=JITTER_SECONDS)
        scale = context.scale_for(LATENCY_SCALE)
        return SimulatorSettings(seed=SEED, scale=scale, tokens=(BENCH_TOKEN,), faults=faults)


def _figures(runs: list[RunResult]) -> list[FigureRow]:
    pair = (runs_of(runs, "ours"), runs_of(runs, "baseline"))
    wall = side_by_side(pair, lambda run: run.wall_seconds)
    speedup = ratio(wall[1], wall[0])
    return [
        FigureRow("wall s", *wall),
        FigureRow("speed-up: baseline wall / ours", speedup, goal=f">= {GOAL_LATENCY_SPEEDUP}x",
                  met=at_least(speedup, GOAL_LATENCY_SPEEDUP)),
        FigureRow("requests", *side_by_side(pair, lambda run: run.requests)),
        FigureRow("records loaded", *side_by_side(pair, lambda run: run.records)),
        FigureRow("peak RSS MB", *side_by_side(pair, lambda run: run.peak_rss_mb)),
    ]  # fmt: skip
