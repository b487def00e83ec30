"""What every scenario offers the command line, and the steps most scenarios share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from benchmarks.figures import FigureRow, ScenarioReport, id_check_rows
from benchmarks.harness import RunResult
from benchmarks.rounds import BenchContext, full_sync_rounds, id_differences, workspaces_for
from benchmarks.run_spec import PipelineKind
from benchmarks.settings import BENCH_TOKEN, SEED
from benchmarks.simulator_process import SimulatorProcess
from simulator import SimulatorSettings


class Scenario(Protocol):
    """A scenario: a name for ``--only``, a title for the table, and a run."""

    # Read-only, so that frozen dataclasses satisfy the protocol.
    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    def run(self, context: BenchContext) -> ScenarioReport:
        """Start a simulator, measure the runs, return the figures."""
        ...


def bench_settings(context: BenchContext, scenario_scale: str) -> SimulatorSettings:
    """A simulator with the bench's seed and token, at the scale this bench run asks for.

    Scenarios add their rate limit or faults with ``dataclasses.replace``.
    """
    scale = context.scale_for(scenario_scale)
    return SimulatorSettings(seed=SEED, scale=scale, tokens=(BENCH_TOKEN,))


def full_syncs(
    scenario: Scenario,
    context: BenchContext,
    settings: SimulatorSettings,
    pipelines: Sequence[PipelineKind],
) -> list[RunResult]:
    """Every round of full syncs of ``pipelines``, against one simulator started for them."""
    with SimulatorProcess(settings) as simulator:
        workspace = workspaces_for(context, scenario.name)
        return full_sync_rounds(simulator, context, pipelines, workspace)


def scenario_report(
    scenario: Scenario, described: dict[str, Any], runs: list[RunResult], figures: list[FigureRow]
) -> ScenarioReport:
    """The report of ``runs``: the scenario's own figures, then the rows comparing ids
    (none when ours ran alone).

    ``described`` is what the results file shows as the scenario's settings.
    """
    report = ScenarioReport(scenario.name, scenario.title, described, runs)
    report.figures = [*figures, *id_check_rows(id_differences(runs))]
    return report
