"""The markdown table of a bench run: one row per figure, ours beside the others.

The baseline column is rest_api with parallelized item listings; the sequential
configuration, where a scenario runs it, has rows of its own (ours beside it).
"""

from __future__ import annotations

from benchmarks.figures import FigureRow, ScenarioReport, Value
from benchmarks.harness import RunResult

HEADER = (
    "| scenario | figure | ours | rest_api (parallelized items) | raw bound | goal | met |\n"
    "|---|---|---|---|---|---|---|"
)
_MET = {True: "yes", False: "**no**", None: ""}


def markdown_table(reports: list[ScenarioReport]) -> str:
    """The table, then one line per failed run (its error's last line)."""
    lines = [HEADER]
    for report in reports:
        for index, row in enumerate(report.figures):
            lines.append(_line(report.title if index == 0 else "", row))
    failures = [_failure(report, run) for report in reports for run in report.runs if not run.ok]
    return "\n".join(lines + ([""] + failures if failures else []))


def _failure(report: ScenarioReport, run: RunResult) -> str:
    last_line = next(iter(reversed(run.error.strip().splitlines())), "no error output")
    return f"- failed: {report.name} / {run.pipeline} / {run.label}: {last_line[:300]}"


def _line(title: str, row: FigureRow) -> str:
    cells = [
        title,
        row.figure,
        *(format_value(value) for value in (row.ours, row.baseline, row.raw)),
    ]
    cells += [row.goal, _MET[row.met]]
    return "| " + " | ".join(cells) + " |"


def format_value(value: Value) -> str:
    """Three significant figures, thousands separated; blank when not measured."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
