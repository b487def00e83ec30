"""What the CLI shows: live progress, plain log lines, the end summary, errors.

On a terminal a run shows a live table on stderr (per resource: pages, rows, requests;
totals: retries, throttled responses, rate-limit wait). Elsewhere (cron, CI) the same
figures go out as a plain log line every ``LOG_INTERVAL_S`` seconds. Results go to
stdout, as tables or, with ``--json``, as one JSON document for schedulers; errors and
progress go to stderr so that stdout stays parseable.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from pipelines.exit_codes import ExitCode

LOG_INTERVAL_S = 15.0
LIVE_REFRESH_PER_S = 4
PLAIN_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log a line per request at INFO: the live progress already counts them.
CHATTY_LOGGERS = ("httpx", "httpcore")

log = logging.getLogger("spruce_sync.progress")


class LiveCounters(Protocol):
    """What progress needs from ``pipelines.sync.RunStats``: a consistent copy."""

    def snapshot(self) -> Mapping[str, Any]: ...


def stderr_console() -> Console:
    """A console on the current stderr (looked up per call: tests swap the streams)."""
    return Console(stderr=True, highlight=False)


def stdout_console() -> Console:
    """A console on the current stdout; wide when not a terminal so tables do not wrap."""
    return Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else 160)


# --- logging ------------------------------------------------------------------------------------


def configure_logging(level: int, log_filter: logging.Filter) -> None:
    """Log lines to stderr: rich on a terminal, plain text elsewhere; ``log_filter`` on all."""
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler(console=stderr_console(), show_path=False)
        # Rich shows time, level and place itself; basicConfig's default would repeat them.
        handler.setFormatter(logging.Formatter("%(message)s"))
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(PLAIN_LOG_FORMAT))
    handler.addFilter(log_filter)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))


# --- live progress ------------------------------------------------------------------------------


@contextmanager
def live_progress(stats: LiveCounters) -> Iterator[None]:
    """Show ``stats`` while the block runs: a live table on a terminal, else log lines."""
    console = stderr_console()
    if console.is_terminal:
        with Live(get_renderable=lambda: progress_table(stats.snapshot()), console=console,
                  refresh_per_second=LIVE_REFRESH_PER_S, transient=True):
            yield
        return
    with _periodic_log_lines(stats):
        yield


@contextmanager
def _periodic_log_lines(stats: LiveCounters) -> Iterator[None]:
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(LOG_INTERVAL_S):
            log.info("progress: %s", progress_line(stats.snapshot()))

    reporter = threading.Thread(target=report, name="progress-log", daemon=True)
    reporter.start()
    try:
        yield
    finally:
        stop.set()
        reporter.join()


def progress_table(snapshot: Mapping[str, Any]) -> RenderableType:
    """The live view: one row per resource, then the run's totals."""
    table = Table(title="spruce-sync: syncing", title_justify="left")
    for column in ("resource", "pages", "rows", "requests"):
        table.add_column(column, justify="left" if column == "resource" else "right")
    for name, counts in snapshot.get("resources", {}).items():
        table.add_row(name, *(str(counts.get(key, 0)) for key in ("pages", "rows", "requests")))
    return Group(table, Text(_totals_text(snapshot.get("totals", {}))))


def progress_line(snapshot: Mapping[str, Any]) -> str:
    """The same figures as one log line."""
    resources = snapshot.get("resources", {})
    parts = [
        f"{name} {counts.get('pages', 0)} pages {counts.get('rows', 0)} rows"
        for name, counts in resources.items()
    ]
    return "; ".join([*parts, _totals_text(snapshot.get("totals", {}))])


def _totals_text(totals: Mapping[str, Any]) -> str:
    return ", ".join(_total(key, value) for key, value in totals.items())


def _total(key: str, value: object) -> str:
    if key.endswith("_s"):  # seconds: `rate_limit_wait_s` reads "rate limit wait 1.5 s"
        return f"{key.removesuffix('_s').replace('_', ' ')} {_plain(value)} s"
    return f"{key.replace('_', ' ')} {_plain(value)}"


# --- results ------------------------------------------------------------------------------------


def print_summary(summary: Mapping[str, Any], json_output: bool) -> None:
    """The end-of-run summary on stdout."""
    if json_output:
        sys.stdout.write(to_json(summary) + "\n")
        return
    stdout_console().print(render_summary(summary))


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
    return (f"{kind} finished in {_plain(summary.get('duration_s'))} s: "
            f"{summary.get('windows')} window(s), {loads} load(s)")


def _where(summary: Mapping[str, Any]) -> str:
    return (f"data: {summary.get('destination')} {summary.get('location')}, "
            f"dataset {summary.get('dataset_name')}")


def _traffic(summary: Mapping[str, Any]) -> str:
    return (f"requests {summary.get('requests')}, retries {summary.get('retries')}, "
            f"throttled {summary.get('throttled')}, "
            f"rate-limit wait {_plain(summary.get('rate_limit_wait_s'))} s")


def _state(summary: Mapping[str, Any]) -> str:
    skipped = len(summary.get("skipped_conversations") or [])
    return (f"conversation cursor: {_plain(summary.get('conversation_cursor'))}; "
            f"contacts marked deleted: {summary.get('contacts_marked_deleted', 0)}; "
            f"conversations deleted during the run: {skipped}")


def _completeness(summary: Mapping[str, Any]) -> str:
    gaps = summary.get("completeness_gaps") or []
    if not gaps:
        return "completeness: every listing matched the count Spruce reported"
    return (f"completeness: {len(gaps)} listing(s) differ from Spruce's count "
            "(best effort on Spruce's side; the next run re-reads them)")


_SUMMARY_LINES = (_headline, _where, _traffic, _state, _completeness)


def print_report(title: str, report: Mapping[str, Any], json_output: bool) -> None:
    """A result on stdout: JSON for schedulers, else scalars as lines and tables for the rest."""
    if json_output:
        sys.stdout.write(to_json(report) + "\n")
        return
    stdout_console().print(render_mapping(title, report))


def print_demo(
    summary: Mapping[str, Any], answers: list[Mapping[str, Any]], json_output: bool
) -> None:
    """The demo's run summary, then each analyst question with its answer."""
    if json_output:
        sys.stdout.write(to_json({"summary": summary, "answers": answers}) + "\n")
        return
    console = stdout_console()
    console.print(render_summary(summary))
    for answer in answers:
        console.print(render_table(answer["question"], answer["rows"]))
    console.print(Text(f"The data is in {summary.get('location')}; "
                       f"open it with: duckdb {summary.get('location')}"))


def to_json(document: Mapping[str, Any]) -> str:
    """``document`` as JSON; times as ISO 8601, durations in seconds."""
    return json.dumps(document, default=_json_default, indent=2, sort_keys=False)


def _json_default(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


# Column labels of the reports' mappings of scalars.
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
            scalars.add_row(_label(key), Text(_plain(value)))
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
    table = Table(title=_label(title), title_justify="left")
    for column in columns or ["value"]:
        table.add_column(_label(column))
    for row in rows:
        cells = [row.get(column) for column in columns] if isinstance(row, Mapping) else [row]
        table.add_row(*(Text(_plain(cell)) for cell in cells))
    return table


def _label(key: str) -> str:
    # Only identifiers are relabelled: a question's title stays as written.
    return key if " " in key else key.replace("_", " ")


def _plain(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (Mapping, list)):
        return json.dumps(value, default=_json_default)
    return str(value)


# --- errors ------------------------------------------------------------------------------------

_ERROR_PREFIXES = {
    ExitCode.CONFIG: "configuration error",
    ExitCode.AUTH: "authentication failed",
    ExitCode.DESTINATION: "destination unreachable",
    ExitCode.RATE_BUDGET: "rate budget exhausted",
    ExitCode.BUSY: "another run is in progress",
    ExitCode.FAILURE: "failed",
}
# A message of an unexpected error is cut here: it may quote more than it should.
MAX_MESSAGE_CHARS = 600


def error_message(code: ExitCode, cause: BaseException) -> str:
    """One line (or a few) that says what went wrong and what to do."""
    if code is ExitCode.INTERRUPTED:
        return (
            "interrupted: nothing of the unfinished step was committed; "
            "the next run resumes from the last successful load"
        )
    detail = _missing_settings(cause) or str(cause) or type(cause).__name__
    if code is ExitCode.RATE_BUDGET and getattr(cause, "resume_at", None) is not None:
        detail += f" (resume after {cause.resume_at.isoformat()})"  # type: ignore[attr-defined]
    if code is ExitCode.FAILURE:
        detail = f"{type(cause).__name__}: {detail[:MAX_MESSAGE_CHARS]} (--debug shows more)"
    return f"{_ERROR_PREFIXES[code]}: {detail}"


def _missing_settings(cause: BaseException) -> str | None:
    fields = getattr(cause, "fields", None)
    spec = getattr(cause, "spec_name", None)
    if not fields or not spec:
        return None
    return (
        f"missing {', '.join(map(str, fields))} of {spec}: set it in .dlt/secrets.toml "
        "or the environment (e.g. DESTINATION__POSTGRES__CREDENTIALS for Postgres)"
    )


def print_error(
    code: ExitCode, message: str, cause: BaseException, json_output: bool
) -> None:
    """The message on stderr; with ``--json`` also a JSON error document on stdout."""
    stderr_console().print(f"[bold red]error[/bold red] ({int(code)}): {escape(message)}",
                           soft_wrap=True)
    if json_output:
        document: dict[str, Any] = {"status": "failed", "exit_code": int(code), "error": message}
        resume_at = getattr(cause, "resume_at", None)
        if resume_at is not None:
            document["resume_at"] = resume_at
        sys.stdout.write(to_json(document) + "\n")
