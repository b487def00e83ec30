"""Scenarios 5 and 6: after a full sync, ~1% of conversations change; then nothing does.

Each round starts a fresh simulator (same seed, same data), runs a full sync of ours
and of the baseline, advances the data, runs each once more (incremental), then once
more again (no change). Shares are of the same round's full sync.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

from benchmarks.figures import FigureRow, ScenarioReport, at_most
from benchmarks.harness import RunResult, Workspace, measured_run
from benchmarks.request_floor import RequestFloor, change_floor, request_ratio
from benchmarks.rounds import BenchContext, runs_of, workspaces_for, worth_repeating
from benchmarks.run_spec import PipelineKind
from benchmarks.scenarios.base import bench_settings, scenario_report
from benchmarks.settings import (
    CHANGED_SHARE,
    GOAL_INCREMENTAL_EXCESS,
    INCREMENTAL_SCALE,
    INCREMENTAL_TIMEOUT_FACTOR,
    NEW_ITEMS_PER_CHANGED_CONVERSATION,
    QUICK_RUN_TIMEOUT_SECONDS,
)
from benchmarks.simulator_process import SimulatorProcess
from simulator import SimulatorSettings

PIPELINES: tuple[PipelineKind, ...] = ("ours", "baseline")


@dataclass(frozen=True)
class RoundResult:
    runs: list[RunResult]
    floors: dict[str, RequestFloor]  # label -> floor
    change_summary: dict[str, object]


@dataclass(frozen=True)
class IncrementalSyncs:
    name: str = "incremental"
    title: str = "5-6. Incremental and no-change runs"

    def run(self, context: BenchContext) -> ScenarioReport:
        settings = bench_settings(context, INCREMENTAL_SCALE)
        rounds: list[RoundResult] = []
        for round_index in range(context.repeats):
            if rounds and not worth_repeating(rounds[0].runs):
                break
            rounds.append(self._round(context, settings, round_index))
        runs = [run for result in rounds for run in result.runs]
        described = {"scale": settings.scale, "changed_share": CHANGED_SHARE}
        report = scenario_report(self, described, runs, _figures(rounds))
        report.notes.append(f"change applied each round: {rounds[0].change_summary}")
        return report

    def _round(
        self, context: BenchContext, settings: SimulatorSettings, round_index: int
    ) -> RoundResult:
        """A fresh simulator (same seed, same data) for a full, incremental and no-change run."""
        workspace = workspaces_for(context, self.name)
        workspaces = [workspace(pipeline, round_index) for pipeline in PIPELINES]
        with SimulatorProcess(settings) as simulator:
            runs = _runs_after(simulator, workspaces, "full", [])
            before = simulator.listing_snapshot()
            summary = simulator.advance(_change(len(before.conversation_marks)))
            after = simulator.listing_snapshot()
            runs += _runs_after(simulator, workspaces, "incremental", runs)
            runs += _runs_after(simulator, workspaces, "no-change", runs)
        floors = {
            "incremental": change_floor(before, after),
            "no-change": change_floor(after, after),
        }
        return RoundResult(runs, floors, _summarise(summary))


def _runs_after(
    simulator: SimulatorProcess, workspaces: list[Workspace], label: str, earlier: list[RunResult]
) -> list[RunResult]:
    """One run per workspace, except where an earlier run of that pipeline failed."""
    failed = {run.pipeline for run in earlier if not run.ok}
    return [
        measured_run(simulator, _bounded(workspace, earlier), label)
        for workspace in workspaces
        if workspace.pipeline not in failed
    ]


def _bounded(workspace: Workspace, earlier: list[RunResult]) -> Workspace:
    """After its full sync, a pipeline's later runs get a few times that long at most."""
    full = next((run for run in earlier if run.pipeline == workspace.pipeline), None)
    if full is None:
        return workspace
    limit = max(QUICK_RUN_TIMEOUT_SECONDS, INCREMENTAL_TIMEOUT_FACTOR * full.wall_seconds)
    return replace(workspace, timeout_seconds=min(limit, workspace.timeout_seconds))


def _change(conversations: int) -> dict[str, int]:
    """About CHANGED_SHARE of conversations: most get new items, a fifth are new."""
    changed = max(2, math.ceil(conversations * CHANGED_SHARE))
    new_conversations = max(1, changed // 5)
    return {
        "new_items": (changed - new_conversations) * NEW_ITEMS_PER_CHANGED_CONVERSATION,
        "new_conversations": new_conversations,
    }


def _summarise(summary: dict[str, object]) -> dict[str, object]:
    """Counts instead of ids: the report needs sizes, not records."""
    return {
        key: len(value) if isinstance(value, (list, dict)) else value
        for key, value in summary.items()
    }


RoundValue = Callable[[RunResult, RunResult, RequestFloor], float]


def _figures(rounds: list[RoundResult]) -> list[FigureRow]:
    incremental = _label_figures(rounds, "incremental", GOAL_INCREMENTAL_EXCESS)
    return incremental + _label_figures(rounds, "no-change", None)


def _label_figures(rounds: list[RoundResult], label: str, excess: float | None) -> list[FigureRow]:
    def pair(value: RoundValue) -> tuple[float | None, ...]:
        return tuple(_median_over_rounds(rounds, pipeline, label, value) for pipeline in PIPELINES)

    over_floor = pair(lambda run, full, floor: request_ratio(run.requests_by_operation, floor))
    goal = None if excess is None else 1 + excess
    goal_text = "" if goal is None else f"<= {goal:.2f}"
    met = None if goal is None else at_most(over_floor[0], goal)
    return [
        FigureRow.of(f"{label}: requests", pair(lambda run, full, floor: run.requests)),
        FigureRow.of(f"{label}: minimum requests for the change",
                     pair(lambda run, full, floor: _floor_of(run, floor))),
        FigureRow.of(f"{label}: requests / minimum", over_floor, goal=goal_text, met=met),
        FigureRow.of(f"{label}: requests / full sync's",
                     pair(lambda run, full, floor: run.requests / full.requests)),
        FigureRow.of(f"{label}: wall s", pair(lambda run, full, floor: run.wall_seconds)),
        FigureRow.of(f"{label}: wall / full sync's",
                     pair(lambda run, full, floor: run.wall_seconds / full.wall_seconds)),
    ]  # fmt: skip


def _floor_of(run: RunResult, floor: RequestFloor) -> float:
    return sum(floor.get(operation, 0) for operation in run.requests_by_operation)


def _median_over_rounds(
    rounds: list[RoundResult], pipeline: PipelineKind, label: str, value: RoundValue
) -> float | None:
    values = []
    for result in rounds:
        full = _run_of(result, pipeline, "full")
        run = _run_of(result, pipeline, label)
        if full is not None and run is not None and full.ok and run.ok:
            values.append(value(run, full, result.floors[label]))
    return statistics.median(values) if values else None


def _run_of(result: RoundResult, pipeline: PipelineKind, label: str) -> RunResult | None:
    return next(iter(runs_of(result.runs, pipeline, label)), None)
