"""Scenario 8 (issue 14): a full sync under 5-s rate windows, with no rate configuration.

Spruce documents 60-s windows; this simulator refills every 5 s and ours is told nothing
about it (no ``rate_window``), so it must learn the window from the refills it sees.
Utilisation is wall time over the time the budget needs for the requests made,
``wall / (requests x window / limit)``; ours runs with no reserve, as in scenario 1. Only
ours runs: the baseline reads no rate headers, so the window's length changes nothing for
it (scenario 1 shows what it does under a limit).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from benchmarks.figures import (
    FigureRow,
    ScenarioReport,
    budget_utilisation,
    medians_row,
    throttled_row,
    utilisation_row,
)
from benchmarks.harness import RunResult
from benchmarks.rounds import BenchContext, full_sync_rounds, groups_of, workspaces_for
from benchmarks.run_spec import PipelineKind
from benchmarks.scenarios.base import bench_settings, scenario_report
from benchmarks.settings import GOAL_UTILISATION, RATE_LIMITED_SCALE
from benchmarks.simulator_process import SimulatorProcess
from simulator import RateLimitSettings, SimulatorSettings

PIPELINES: tuple[PipelineKind, ...] = ("ours",)
# The window. 30 a window: the small sync (~220 requests) spans seven windows or
# more, ~37 s at the budget's pace, so the first windows' learning weighs as it would in a
# sync of that length (a 60-s pace would take seven minutes).
SHORT_WINDOW_SECONDS = 5.0
SHORT_WINDOW_LIMIT = 30


@dataclass(frozen=True)
class ShortWindowSync:
    name: str = "short_window"
    title: str = "8. 5-s windows, no rate configuration"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = self._simulator_settings(context)
        with SimulatorProcess(settings) as simulator:
            runs = full_sync_rounds(
                simulator,
                context,
                PIPELINES,
                workspaces_for(context, self.name),  # no rate window: ours learns it
                idle_before_seconds=SHORT_WINDOW_SECONDS,
            )
        return scenario_report(self, self._describe(settings), runs, self._figures(runs))

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        rate_limit = RateLimitSettings(limit=SHORT_WINDOW_LIMIT, window_seconds=SHORT_WINDOW_SECONDS)
        return replace(bench_settings(context, RATE_LIMITED_SCALE), rate_limit=rate_limit)

    def _describe(self, settings: SimulatorSettings) -> dict[str, object]:
        return {
            "scale": settings.scale,
            "limit": SHORT_WINDOW_LIMIT,
            "window_seconds": SHORT_WINDOW_SECONDS,
            "ours_rate_window": "not configured (documented 60 s)",
            "ours_reserve_share": 0.0,
        }

    def _utilisation(self, run: RunResult) -> float:
        return budget_utilisation(run, SHORT_WINDOW_SECONDS, SHORT_WINDOW_LIMIT)

    def _figures(self, runs: list[RunResult]) -> list[FigureRow]:
        groups = groups_of(runs, PIPELINES)
        return [
            throttled_row(groups),
            utilisation_row(groups, self._utilisation, GOAL_UTILISATION),
            medians_row("requests", groups, lambda run: run.requests),
            medians_row("wall s", groups, lambda run: run.wall_seconds),
        ]
