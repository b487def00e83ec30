"""The live view of a run on a terminal: a table per resource with the run's totals."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.console import Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from pipelines.output.consoles import stderr_console
from pipelines.output.logs import LiveCounters, periodic_log_lines, totals_text
from pipelines.settings import LIVE_REFRESH_PER_S


@contextmanager
def live_progress(stats: LiveCounters) -> Iterator[None]:
    """Show ``stats`` while the block runs: a live table on a terminal, else log lines."""
    console = stderr_console()
    if console.is_terminal:
        with Live(get_renderable=lambda: progress_table(stats.snapshot()), console=console,
                  refresh_per_second=LIVE_REFRESH_PER_S, transient=True):
            yield
        return
    with periodic_log_lines(stats):
        yield



def progress_table(snapshot: Mapping[str, Any]) -> RenderableType:
    """The live view: one row per resource, then the run's totals."""
    table = Table(title="spruce-sync: syncing", title_justify="left")
    for column in ("resource", "pages", "rows", "requests"):
        table.add_column(column, justify="left" if column == "resource" else "right")
    for name, counts in snapshot.get("resources", {}).items():
        table.add_row(name, *(str(counts.get(key, 0)) for key in ("pages", "rows", "requests")))
    return Group(table, Text(totals_text(snapshot.get("totals", {}))))

