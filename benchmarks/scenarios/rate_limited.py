"""Scenarios 1 and 2: a full sync under a short rate-limit window, alone or with a neighbour.

Budget utilisation is wall time over the time the budget needs for the requests made:
``wall / (requests x window / available)``, where ``available`` is the window's limit
minus what the neighbour spends. Ours runs with no reserve here: the figure measures how
fully it can use what the organization lets it have.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from benchmarks.figures import (
    FigureRow,
    ScenarioReport,
    at_most,
    id_check_row,
    side_by_side,
    worst,
)
from benchmarks.harness import RunResult
from benchmarks.request_floor import RequestFloor, request_ratio
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
    GOAL_REQUEST_RATIO,
    GOAL_UTILISATION,
    RATE_LIMIT,
    RATE_LIMITED_SCALE,
    RATE_WINDOW_SECONDS,
    SEED,
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
        report = ScenarioReport(self.name, self.title, self._describe(settings), runs)
        report.figures = self._figures(runs, floor) + [id_check_row(id_differences(runs))]
        return report

    def _simulator_settings(self, context: BenchContext) -> SimulatorSettings:
        rate_limit = RateLimitSettings(
            limit=RATE_LIMIT,
            window_seconds=RATE_WINDOW_SECONDS,
            noisy_neighbour_share=self.neighbour_share,
        )
        scale = context.scale_for(RATE_LIMITED_SCALE)
        return SimulatorSettings(
            seed=SEED, scale=scale, tokens=(BENCH_TOKEN,), rate_limit=rate_limit
        )

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
        budget_seconds = run.requests * RATE_WINDOW_SECONDS / self.available_per_window
        return run.wall_seconds / budget_seconds if budget_seconds else math.inf

    def _figures(self, runs: list[RunResult], floor: RequestFloor) -> list[FigureRow]:
        pair = (runs_of(runs, "ours"), runs_of(runs, "baseline"))
        throttled = tuple(worst(group, lambda run: run.throttled) for group in pair)
        ratios = side_by_side(pair, lambda run: request_ratio(run.requests_by_operation, floor))
        utilisation = side_by_side(pair, self._utilisation)
        return [
            FigureRow("throttled responses (max of runs)", *throttled, goal="0",
                      met=None if throttled[0] is None else throttled[0] == 0),
            FigureRow("requests / minimum requests", *ratios, goal=f"<= {GOAL_REQUEST_RATIO}",
                      met=at_most(ratios[0], GOAL_REQUEST_RATIO)),
            FigureRow("budget utilisation (wall / budget time)", *utilisation,
                      goal=f"<= {GOAL_UTILISATION}", met=at_most(utilisation[0], GOAL_UTILISATION)),
            FigureRow("requests", *side_by_side(pair, lambda run: run.requests)),
            FigureRow("wall s", *side_by_side(pair, lambda run: run.wall_seconds)),
        ]  # fmt: skip
