"""Scenarios 1 and 2: a full sync under a short rate-limit window, alone or with a neighbour.

Budget utilisation is wall time over the time the budget needs for the requests made:
``wall / (requests x window / available)``, where ``available`` is the window's limit
minus what the neighbour spends. Ours runs with no reserve here: the figure measures how
fully it can use what the organization lets it have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from benchmarks.figures import (
    FigureRow,
    ScenarioReport,
    at_most,
    budget_utilisation,
    medians_row,
    side_by_side,
    throttled_row,
    utilisation_row,
)
from benchmarks.harness import RunResult
from benchmarks.request_floor import RequestFloor, request_ratio
from benchmarks.rounds import BenchContext, full_sync_rounds, groups_of, workspaces_for
from benchmarks.run_spec import PipelineKind
from benchmarks.scenarios.base import bench_settings, scenario_report
from benchmarks.settings import (
    GOAL_REQUEST_RATIO,
    GOAL_UTILISATION,
    RATE_LIMIT,
    RATE_LIMITED_SCALE,
    RATE_WINDOW_SECONDS,
)
from benchmarks.simulator_process import SimulatorProcess
from simulator import RateLimitSettings, SimulatorSettings

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline")


@dataclass(frozen=True)
class RateLimitedSync:
    name: str
    title: str
    neighbour_share: float

    @property
    def available_per_window(self) -> int:
        """What the neighbour leaves of each window (it spends floor(limit x share))."""
        return RATE_LIMIT - math.floor(RATE_LIMIT * self.neighbour_share)

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = self._simulator_settings(context)
        with SimulatorProcess(settings) as simulator:
            floor = simulator.listing_snapshot().full_sync_floor
            runs = full_sync_rounds(
                simulator,
                context,
                PIPELINES,
                workspaces_for(context, self.name, RATE_WINDOW_SECONDS),
                idle_before_seconds=RATE_WINDOW_SECONDS,
            )
        return scenario_report(self, self._describe(settings), runs, self._figures(runs, floor))

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        rate_limit = RateLimitSettings(
            limit=RATE_LIMIT,
            window_seconds=RATE_WINDOW_SECONDS,
            noisy_neighbour_share=self.neighbour_share,
        )
        return replace(bench_settings(context, RATE_LIMITED_SCALE), rate_limit=rate_limit)

    def _describe(self, settings: SimulatorSettings) -> dict[str, object]:
        return {
            "scale": settings.scale,
            "limit": RATE_LIMIT,
            "window_seconds": RATE_WINDOW_SECONDS,
            "neighbour_share": self.neighbour_share,
            "available_per_window": self.available_per_window,
            "ours_reserve_share": 0.0,
        }

    def _utilisation(self, run: RunResult) -> float:
        return budget_utilisation(run, RATE_WINDOW_SECONDS, self.available_per_window)

    def _figures(self, runs: list[RunResult], floor: RequestFloor) -> list[FigureRow]:
        groups = groups_of(runs, PIPELINES)
        ratios = side_by_side(groups, lambda run: request_ratio(run.requests_by_operation, floor))
        return [
            throttled_row(groups),
            FigureRow.of("requests / minimum requests", ratios, goal=f"<= {GOAL_REQUEST_RATIO}",
                         met=at_most(ratios[0], GOAL_REQUEST_RATIO)),
            utilisation_row(groups, self._utilisation, GOAL_UTILISATION),
            medians_row("requests", groups, lambda run: run.requests),
            medians_row("wall s", groups, lambda run: run.wall_seconds),
        ]  # fmt: skip
