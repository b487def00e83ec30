"""The ``spruce-sync`` command line: run, backfill, status, check, transform, demo, webhooks, fleet,
simulator.

Each command (``pipelines.commands``) builds `SyncOptions` from ``config/*.yaml`` (a
profile) and its flags, then calls the runner. Errors become one line on stderr and an
exit code (`pipelines.runner.failures`); secrets are masked in everything printed. This
module imports only typer: dlt, the source and the simulator's server load inside the
commands that need them, so ``--help`` answers at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from typer.exceptions import TyperException

from pipelines.commands.demo import demo
from pipelines.commands.fleet import fleet_app
from pipelines.commands.inspect import check, status
from pipelines.commands.sync import backfill, run
from pipelines.commands.transform import transform
from pipelines.commands.webhooks import webhooks_app
from pipelines.runner.interruptions import interrupt_on_sigterm
from simulator.cli import simulator_app

# click's code for a usage error (a bad flag or value), which `ExitCode.CONFIG` shares.
USAGE_ERROR = 2

app = typer.Typer(
    name="spruce-sync",
    help="Copy a practice's Spruce Health data into DuckDB or PostgreSQL.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    # Tracebacks with local variables would print the API token and patient data.
    pretty_exceptions_enable=False,
)
for command in (run, backfill, status, check, transform, demo):
    app.command()(command)
app.add_typer(simulator_app, name="simulator", help="Serve a simulated Spruce API locally.")
app.add_typer(webhooks_app, name="webhooks", help="Receive Spruce's webhooks; apply them.")
app.add_typer(fleet_app, name="fleet", help="Sync many organizations, one Dagster partition each.")


def locate_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` with a ``.dlt`` folder (not the home one)."""
    for folder in (start, *start.parents):
        if (folder / ".dlt").is_dir() and folder != Path.home():
            return folder
    return None


def main() -> None:
    """Console-script entry point: the exit code of the command, 2 for a usage error."""
    if "DLT_PROJECT_DIR" not in os.environ:
        project = locate_project(Path.cwd())
        if project is not None:
            # dlt reads .dlt/ of the working directory only; this finds it from a subfolder.
            os.environ["DLT_PROJECT_DIR"] = str(project)
    # SIGTERM from a scheduler ends the run like Ctrl-C: nothing half-committed, exit 130.
    interrupt_on_sigterm()
    sys.exit(_run_app(sys.argv[1:]))


def _run_app(arguments: list[str]) -> int:
    """click's standalone mode, except that a usage error with ``--json`` also prints its
    JSON document: a scheduler parsing stdout sees every failure."""
    try:
        outcome = app(args=arguments, standalone_mode=False)
    except TyperException as error:  # click's usage errors, as typer vendors them
        _show(error)
        if "--json" in arguments and error.exit_code == USAGE_ERROR:
            from pipelines.output.documents import print_document

            print_document({"exit_code": USAGE_ERROR, "error": error.format_message()},
                           status="failed")
        return error.exit_code
    except typer.Abort:
        return 130
    return outcome if isinstance(outcome, int) else 0


def _show(error: TyperException) -> None:
    """The usage line and the error on stderr, as click's standalone mode prints them."""
    show = getattr(error, "show", None)  # click's ClickException has it, typer's base not
    if callable(show):
        show()
    else:
        typer.echo(f"Error: {error.format_message()}", err=True)


if __name__ == "__main__":
    main()
