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
    medians_row,
    ratio,
    side_by_side,
)
from benchmarks.harness import RunResult
from benchmarks.rounds import BenchContext, groups_of
from benchmarks.run_spec import PipelineKind
from benchmarks.scenarios.base import bench_settings, full_syncs, scenario_report
from benchmarks.settings import CPU_SCALE, GOAL_CPU_SPEEDUP, GOAL_PEAK_RSS_MB, GOAL_RAW_FACTOR

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline", "raw")


@dataclass(frozen=True)
class CpuBoundSync:
    name: str = "cpu_bound"
    title: str = "4. CPU-bound full sync"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = bench_settings(context, CPU_SCALE)
        runs = full_syncs(self, context, settings, PIPELINES)
        return scenario_report(self, {"scale": settings.scale}, runs, _figures(runs))


def _records_per_second(run: RunResult) -> float:
    return run.records / run.wall_seconds


def _cpu_per_100k(run: RunResult) -> float:
    return run.cpu_seconds * 100_000 / run.records if run.records else float("inf")


def _figures(runs: list[RunResult]) -> list[FigureRow]:
    groups = groups_of(runs, PIPELINES)
    speed = side_by_side(groups, _records_per_second)
    versus_baseline, raw_factor = ratio(speed[0], speed[1]), ratio(speed[2], speed[0])
    rss = side_by_side(groups, lambda run: run.peak_rss_mb)
    return [
        medians_row("records loaded (contacts, conversations, items)", groups,
                    lambda run: run.records),
        medians_row("wall s", groups, lambda run: run.wall_seconds),
        FigureRow.of("records/s end to end", speed),
        FigureRow("records/s: ours / baseline", versus_baseline, goal=f">= {GOAL_CPU_SPEEDUP}x",
                  met=at_least(versus_baseline, GOAL_CPU_SPEEDUP)),
        FigureRow("records/s: raw bound / ours", raw_factor, goal=f"<= {GOAL_RAW_FACTOR}x",
                  met=at_most(raw_factor, GOAL_RAW_FACTOR)),
        medians_row("CPU s per 100k records", groups, _cpu_per_100k),
        FigureRow.of("peak RSS MB", rss, goal=f"< {GOAL_PEAK_RSS_MB:.0f}",
                     met=at_most(rss[0], GOAL_PEAK_RSS_MB)),
        medians_row("requests", groups, lambda run: run.requests),
    ]  # fmt: skip
