"""Figures of a scenario: medians over runs, one row per figure with its goal."""

from __future__ import annotations

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

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "settings": self.settings,
            "runs": [run.to_dict() for run in self.runs],
            "figures": [asdict(row) for row in self.figures],
            "notes": self.notes,
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


def id_check_row(differences: Mapping[PipelineKind, int | None]) -> FigureRow:
    """The row proving (or not) that the pipelines loaded the same ids as ours."""
    values = list(differences.values())
    known = [value for value in values if value is not None]
    return FigureRow(
        "ids differing from ours (root tables)",
        0,
        differences.get("baseline"),
        differences.get("raw"),
        goal="0",
        met=None if len(known) < len(values) else not any(known),
    )
