"""Runs repeated in interleaved rounds, so that noise hits every pipeline alike.

Round r runs each pipeline once (ours, baseline, raw) in a fresh workspace; a pipeline
whose first run failed or took longer than ``REPEAT_UNDER_SECONDS`` is not repeated,
which keeps the suite inside its 15 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.harness import RunResult, Workspace, measured_run
from benchmarks.run_spec import PIPELINE_KINDS, PipelineKind
from benchmarks.settings import (
    QUICK_RUN_TIMEOUT_SECONDS,
    QUICK_SCALE,
    REPEAT_UNDER_SECONDS,
    RUN_TIMEOUT_SECONDS,
)
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.warehouse import id_mismatches


@dataclass(frozen=True)
class BenchContext:
    """Where a bench writes, how often it repeats, and whether it is the quick smoke run."""

    root: Path
    repeats: int
    quick: bool = False
    # Every scenario at this simulator scale instead of its own (None: the scenario's).
    scale: str | None = None
    # Ours' first-sync window in days for a what-if run (None: the project's default).
    ours_window_conversations: int | None = None

    def folder(self, scenario: str, pipeline: PipelineKind, round_index: int) -> Path:
        return self.root / scenario / f"{pipeline}-{round_index}"

    def scale_for(self, scenario_scale: str) -> str:
        if self.quick:
            return QUICK_SCALE
        return self.scale or scenario_scale

    @property
    def run_timeout_seconds(self) -> float:
        return QUICK_RUN_TIMEOUT_SECONDS if self.quick else RUN_TIMEOUT_SECONDS


WorkspaceFactory = Callable[[PipelineKind, int], Workspace]


def full_sync_rounds(
    simulator: SimulatorProcess,
    context: BenchContext,
    pipelines: Sequence[PipelineKind],
    workspace: WorkspaceFactory,
    idle_before_seconds: float = 0.0,
) -> list[RunResult]:
    """Full syncs of each pipeline, ``context.repeats`` rounds, each into a new workspace.

    ``idle_before_seconds``: a pause before each run, so that a rate window the previous
    run spent has reset; each run then starts on the budget of the scenario, not on what
    the benchmark's own previous run left of it (which reads as another integration's).
    """
    runs: list[RunResult] = []
    for round_index in range(context.repeats):
        for pipeline in pipelines:
            earlier = [run for run in runs if run.pipeline == pipeline]
            if earlier and not worth_repeating(earlier):
                continue
            time.sleep(0.0 if context.quick else idle_before_seconds)
            runs.append(measured_run(simulator, workspace(pipeline, round_index), "full"))
    return runs


def worth_repeating(earlier: Sequence[RunResult]) -> bool:
    """Repeat while every earlier run succeeded in under a minute."""
    return all(run.ok and run.wall_seconds < REPEAT_UNDER_SECONDS for run in earlier)


def runs_of(
    runs: Sequence[RunResult], pipeline: PipelineKind, label: str = "full"
) -> list[RunResult]:
    return [run for run in runs if run.pipeline == pipeline and run.label == label]


def groups_of(
    runs: Sequence[RunResult], pipelines: Sequence[PipelineKind]
) -> list[list[RunResult]]:
    """The full-sync runs of each pipeline, in the order of ``pipelines`` (a figure's columns)."""
    return [runs_of(runs, pipeline) for pipeline in pipelines]


def id_differences(runs: Sequence[RunResult]) -> dict[PipelineKind, int | None]:
    """Per other pipeline, ids (all root tables) that differ from ours' first good run.

    None when either side has no successful run to compare.
    """
    reference = next((run for run in runs if run.pipeline == "ours" and run.ok), None)
    differences: dict[PipelineKind, int | None] = {}
    for pipeline in PIPELINE_KINDS:
        if pipeline == "ours":
            continue
        other = next((run for run in runs if run.pipeline == pipeline and run.ok), None)
        if any(run.pipeline == pipeline for run in runs):
            differences[pipeline] = _differing(reference, other)
    return differences


def _differing(reference: RunResult | None, other: RunResult | None) -> int | None:
    if reference is None or other is None:
        return None
    return sum(id_mismatches(Path(reference.duckdb_path), Path(other.duckdb_path)).values())


def workspaces_for(
    context: BenchContext, scenario: str, rate_window_seconds: float | None = None
) -> WorkspaceFactory:
    """A fresh workspace per pipeline and round under the scenario's folder."""

    def workspace(pipeline: PipelineKind, round_index: int) -> Workspace:
        folder = context.folder(scenario, pipeline, round_index)
        return Workspace(
            pipeline,
            folder,
            rate_window_seconds=rate_window_seconds,
            timeout_seconds=context.run_timeout_seconds,
            window_conversations=context.ours_window_conversations if pipeline == "ours" else None,
        )

    return workspace
