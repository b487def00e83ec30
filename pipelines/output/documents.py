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

SUCCEEDED = "succeeded"


def print_document(document: Mapping[str, Any], status: str = SUCCEEDED) -> None:
    """One JSON document on one line of stdout, ``status`` first: what a scheduler appends
    to a ``.jsonl`` file and parses line by line."""
    sys.stdout.write(to_json({"status": status, **document}) + "\n")
    sys.stdout.flush()


def print_summary(summary: Mapping[str, Any], json_output: bool) -> None:
    """The end-of-run summary on stdout."""
    if json_output:
        print_document(summary)
        return
    stdout_console().print(render_summary(summary))


def print_report(title: str, report: Mapping[str, Any], json_output: bool) -> None:
    """A result on stdout: JSON for schedulers, else scalars as lines and tables for the rest."""
    if json_output:
        print_document(report)
        return
    stdout_console().print(render_mapping(title, report))


def print_demo(
    summary: Mapping[str, Any], answers: list[Mapping[str, Any]], json_output: bool
) -> None:
    """The demo's run summary, then each analyst question with its answer."""
    if json_output:
        print_document({"summary": summary, "answers": answers})
        return
    console = stdout_console()
    console.print(render_summary(summary))
    for answer in answers:
        console.print(render_table(answer["question"], answer["rows"]))
    console.print(Text(f"The data is in {summary.get('location')}; "
                       f"open it with: duckdb {summary.get('location')}"))



def print_fleet_outcome(outcome: Mapping[str, Any], json_output: bool) -> None:
    """One organization's outcome: a JSON line (``status`` first), or a titled summary."""
    if json_output:
        document = {key: value for key, value in outcome.items() if key != "status"}
        print_document(document, status=str(outcome["status"]))
        return
    stdout_console().print(render_mapping(f"organization {outcome['organization']}", outcome))


def print_error(
    code: ExitCode, message: str, cause: BaseException, json_output: bool
) -> None:
    """The message on stderr; with ``--json`` also a JSON error document on stdout."""
    stderr_console().print(f"[bold red]error[/bold red] ({int(code)}): {escape(message)}",
                           soft_wrap=True)
    if json_output:
        document: dict[str, Any] = {"exit_code": int(code), "error": message}
        resume_at = getattr(cause, "resume_at", None)
        if resume_at is not None:
            document["resume_at"] = resume_at
        print_document(document, status="failed")
