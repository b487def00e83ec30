"""What a command prints: results on stdout (rich, or JSON with ``--json``), errors on
stderr, so that stdout stays parseable."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from rich.markup import escape
from rich.text import Text

from pipelines.output.consoles import stderr_console, stdout_console
from pipelines.output.figures import to_json
from pipelines.output.render import render_mapping, render_summary, render_table
from pipelines.runner.failures import ExitCode
from pipelines.settings import MAX_MESSAGE_CHARS


def print_summary(summary: Mapping[str, Any], json_output: bool) -> None:
    """The end-of-run summary on stdout."""
    if json_output:
        sys.stdout.write(to_json(summary) + "\n")
        return
    stdout_console().print(render_summary(summary))



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



_ERROR_PREFIXES = {
    ExitCode.CONFIG: "configuration error",
    ExitCode.AUTH: "authentication failed",
    ExitCode.DESTINATION: "destination unreachable",
    ExitCode.RATE_BUDGET: "rate budget exhausted",
    ExitCode.BUSY: "another run is in progress",
    ExitCode.FAILURE: "failed",
}


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
