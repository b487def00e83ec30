"""Figures of a scenario: medians over runs, one row per figure with its goal."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.harness import RunResult
from benchmarks.run_spec import PipelineKind

Value = float | int | str | None


@dataclass(frozen=True)
class FigureRow:
    """One line of the results table: a figure for each pipeline, and its goal."""

    figure: str
    ours: Value = None
    baseline: Value = None
    raw: Value = None
    goal: str = ""
    met: bool | None = None  # None: no goal, or not measurable in this run

    @classmethod
    def of(
        cls, figure: str, values: Sequence[Value], goal: str = "", met: bool | None = None
    ) -> FigureRow:
        """A row from one value per pipeline in the scenario's order (ours, baseline[, raw])."""
        ours, baseline, raw = (*values, None, None, None)[:3]
        return cls(figure, ours, baseline, raw, goal, met)


@dataclass
class ScenarioReport:
    """Everything a scenario measured: its settings, every run, and its figure rows."""

    name: str
    title: str
    settings: dict[str, Any]
    runs: list[RunResult] = field(default_factory=list)
    figures: list[FigureRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What a scenario measured beyond its runs (the fleet's: one entry per organization).
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "settings": self.settings,
            "runs": [run.to_dict() for run in self.runs],
            "figures": [asdict(row) for row in self.figures],
            "notes": self.notes,
            "details": self.details,
        }


def median_of(runs: Sequence[RunResult], value: Callable[[RunResult], float]) -> float | None:
    """Median over the runs that succeeded; None when none did."""
    values = [value(run) for run in runs if run.ok]
    return statistics.median(values) if values else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def at_most(value: float | None, goal: float) -> bool | None:
    return None if value is None else value <= goal


def at_least(value: float | None, goal: float) -> bool | None:
    return None if value is None else value >= goal


def budget_utilisation(run: RunResult, window_seconds: float, per_window: float) -> float:
    """Wall time over the time the rate budget needs for the run's requests (1.0: the
    run went exactly as fast as ``per_window`` requests a window allow)."""
    budget_seconds = run.requests * window_seconds / per_window
    return run.wall_seconds / budget_seconds if budget_seconds else math.inf


def throttled_row(groups: Sequence[Sequence[RunResult]]) -> FigureRow:
    """Throttled responses, the worst run of each pipeline; the goal (0) is ours to meet."""
    throttled = [worst(group, lambda run: run.throttled) for group in groups]
    met = None if throttled[0] is None else throttled[0] == 0
    return FigureRow.of("throttled responses (max of runs)", throttled, goal="0", met=met)


def utilisation_row(
    groups: Sequence[Sequence[RunResult]], utilisation: Callable[[RunResult], float], goal: float
) -> FigureRow:
    """Budget utilisation (see ``budget_utilisation``), medians side by side."""
    medians = side_by_side(groups, utilisation)
    return FigureRow.of("budget utilisation (wall / budget time)", medians,
                        goal=f"<= {goal}", met=at_most(medians[0], goal))  # fmt: skip


def side_by_side(
    groups: Sequence[Sequence[RunResult]], value: Callable[[RunResult], float]
) -> tuple[float | None, ...]:
    """The median of ``value`` for each group of runs (ours, baseline[, raw])."""
    return tuple(median_of(runs, value) for runs in groups)


def medians_row(
    figure: str, groups: Sequence[Sequence[RunResult]], value: Callable[[RunResult], float]
) -> FigureRow:
    """A row with no goal: the median of ``value`` for each group of runs."""
    return FigureRow.of(figure, side_by_side(groups, value))


def worst(runs: Sequence[RunResult], value: Callable[[RunResult], int]) -> int | None:
    """The largest value over every run (failed ones too): for figures whose goal is 0."""
    return max((value(run) for run in runs), default=None)


def id_check_rows(differences: Mapping[PipelineKind, int | None]) -> list[FigureRow]:
    """The rows proving (or not) that the other pipelines loaded the same ids as ours.

    One row for the columns (baseline, raw), one more for the sequential baseline when it
    ran (its count in the baseline column); none when ours ran alone.
    """
    columns: tuple[PipelineKind, ...] = ("baseline", "raw")
    rows = []
    if compared := [differences[name] for name in columns if name in differences]:
        baseline, raw = differences.get("baseline"), differences.get("raw")
        figure = "ids differing from ours (root tables)"
        rows.append(FigureRow(figure, 0, baseline, raw, goal="0", met=_none_differ(compared)))
    if "baseline_sequential" in differences:
        sequential = differences["baseline_sequential"]
        figure = "ids differing from ours: rest_api sequential"
        rows.append(FigureRow(figure, 0, sequential, goal="0", met=_none_differ([sequential])))
    return rows


def _none_differ(differences: Sequence[int | None]) -> bool | None:
    """True when every comparison found 0; None when one of them could not be made."""
    if any(value is None for value in differences):
        return None
    return not any(differences)
