"""Results as rich renderables: the run summary, reports of scalars and tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pipelines.output.figures import label, plain


def render_summary(summary: Mapping[str, Any]) -> RenderableType:
    """What a run did, for an operator: where the data is, traffic, rows, completeness."""
    parts: list[RenderableType] = [Text(line(summary)) for line in _SUMMARY_LINES]
    parts.append(render_table("rows loaded per table", summary.get("rows_per_table") or {},
                              labels=("table", "rows")))
    if summary.get("completeness_gaps"):
        parts.append(render_table("completeness gaps", summary["completeness_gaps"]))
    return Group(*parts)


def _headline(summary: Mapping[str, Any]) -> str:
    kind = "backfill" if summary.get("backfill") else "sync"
    loads = len(summary.get("load_ids") or [])
    return (f"{kind} finished in {plain(summary.get('duration_s'))} s: "
            f"{summary.get('windows')} window(s), {loads} load(s)")


def _where(summary: Mapping[str, Any]) -> str:
    return (f"data: {summary.get('destination')} {summary.get('location')}, "
            f"dataset {summary.get('dataset_name')}")


def _traffic(summary: Mapping[str, Any]) -> str:
    return (f"requests {summary.get('requests')}, retries {summary.get('retries')}, "
            f"throttled {summary.get('throttled')}, "
            f"rate-limit wait {plain(summary.get('rate_limit_wait_s'))} s")


def _state(summary: Mapping[str, Any]) -> str:
    skipped = len(summary.get("skipped_conversations") or [])
    return (f"conversation cursor: {plain(summary.get('conversation_cursor'))}; "
            f"contacts marked deleted: {summary.get('contacts_marked_deleted', 0)}; "
            f"conversations deleted during the run: {skipped}")


def _completeness(summary: Mapping[str, Any]) -> str:
    gaps = summary.get("completeness_gaps") or []
    if not gaps:
        return "completeness: every listing matched the count Spruce reported"
    return (f"completeness: {len(gaps)} listing(s) differ from Spruce's count "
            "(best effort on Spruce's side; the next run re-reads them)")


_SUMMARY_LINES = (_headline, _where, _traffic, _state, _completeness)


_TABLE_LABELS = {"rows_per_table": ("table", "rows"), "rate_limit": ("budget", "value")}


def render_mapping(title: str, data: Mapping[str, Any]) -> RenderableType:
    """Scalars as ``key: value`` lines, nested mappings and lists of rows as tables."""
    scalars = Table.grid(padding=(0, 2))
    scalars.add_column(style="bold")
    scalars.add_column()
    parts: list[RenderableType] = [f"[bold]{title}[/bold]", scalars]
    for key, value in data.items():
        if isinstance(value, (Mapping, list)) and value:
            parts.append(render_table(key, value, _TABLE_LABELS.get(key, ("name", "value"))))
        else:
            scalars.add_row(label(key), Text(plain(value)))
    return Group(*parts)


def render_table(
    title: str, rows: Mapping[str, Any] | list[Any], labels: tuple[str, str] = ("name", "value")
) -> RenderableType:
    """A mapping of name -> (mapping | scalar), or a list of mappings, as a table.

    ``labels`` name the key and value columns of a mapping of scalars.
    """
    if isinstance(rows, Mapping):
        key, value_label = labels
        rows = [
            {key: name, **(value if isinstance(value, Mapping) else {value_label: value})}
            for name, value in rows.items()
        ]
    columns = list(dict.fromkeys(key for row in rows if isinstance(row, Mapping) for key in row))
    table = Table(title=label(title), title_justify="left")
    for column in columns or ["value"]:
        table.add_column(label(column))
    for row in rows:
        cells = [row.get(column) for column in columns] if isinstance(row, Mapping) else [row]
        table.add_row(*(Text(plain(cell)) for cell in cells))
    return table
