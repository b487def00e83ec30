"""Scenario 4: a full sync with no limit and no latency, at the largest scale that fits.

Here the machine is the limit: records per second end to end, CPU seconds per 100k
records and peak RSS, for ours, the baseline and the raw lower bound, side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.figures import (
    FigureRow,
    ScenarioReport,
    at_least,
    at_most,
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
    CPU_SCALE,
    GOAL_CPU_SPEEDUP,
    GOAL_PEAK_RSS_MB,
    GOAL_RAW_FACTOR,
    SEED,
)
from benchmarks.simulator_process import SimulatorProcess
from simulator import SimulatorSettings

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline", "raw")


@dataclass(frozen=True)
class CpuBoundSync:
    name: str = "cpu_bound"
    title: str = "4. CPU-bound full sync"

    def run(self, context: BenchContext) -> ScenarioReport:
        scale = context.scale_for(CPU_SCALE)
        settings = SimulatorSettings(seed=SEED, scale=scale, tokens=(BENCH_TOKEN,))
        with SimulatorProcess(settings) as simulator:
            runs = full_sync_rounds(
                simulator, context, PIPELINES, workspaces_for(context, self.name)
            )
        report = ScenarioReport(self.name, self.title, {"scale": scale}, runs)
        report.figures = _figures(runs) + [id_check_row(id_differences(runs))]
        return report


def _records_per_second(run: RunResult) -> float:
    return run.records / run.wall_seconds


def _cpu_per_100k(run: RunResult) -> float:
    return run.cpu_seconds * 100_000 / run.records if run.records else float("inf")


def _figures(runs: list[RunResult]) -> list[FigureRow]:
    groups = tuple(runs_of(runs, pipeline) for pipeline in PIPELINES)
    speed = side_by_side(groups, _records_per_second)
    versus_baseline, raw_factor = ratio(speed[0], speed[1]), ratio(speed[2], speed[0])
    rss = side_by_side(groups, lambda run: run.peak_rss_mb)
    return [
        FigureRow("records loaded (contacts, conversations, items)",
                  *side_by_side(groups, lambda run: run.records)),
        FigureRow("wall s", *side_by_side(groups, lambda run: run.wall_seconds)),
        FigureRow("records/s end to end", *speed),
        FigureRow("records/s: ours / baseline", versus_baseline, goal=f">= {GOAL_CPU_SPEEDUP}x",
                  met=at_least(versus_baseline, GOAL_CPU_SPEEDUP)),
        FigureRow("records/s: raw bound / ours", raw_factor, goal=f"<= {GOAL_RAW_FACTOR}x",
                  met=at_most(raw_factor, GOAL_RAW_FACTOR)),
        FigureRow("CPU s per 100k records", *side_by_side(groups, _cpu_per_100k)),
        FigureRow("peak RSS MB", *rss, goal=f"< {GOAL_PEAK_RSS_MB:.0f}",
                  met=at_most(rss[0], GOAL_PEAK_RSS_MB)),
        FigureRow("requests", *side_by_side(groups, lambda run: run.requests)),
    ]  # fmt: skip
