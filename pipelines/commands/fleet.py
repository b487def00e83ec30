"""``spruce-sync fleet``: many organizations, one Dagster partition each.

``fleet run`` materializes the fleet in-process (no Dagster daemon), for cron users;
``fleet demo`` does the same for a simulated fleet, with no token and no server. Both print
one summary per organization (one JSON line each with ``--json``) and exit with the worst
organization's code. Only typer is imported here: Dagster loads inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.commands.reporting import command_session
from pipelines.commands.shared import BaseUrlOption, DebugOption, JsonOption
from pipelines.settings import CONFIG_ENV, FLEET_FILE_VARIABLE

if TYPE_CHECKING:
    from pipelines.fleet.run_outcome import OrganizationOutcome

fleet_app = typer.Typer(help="Sync many Spruce organizations, one partition each.",
                        no_args_is_help=True)  # fmt: skip

FleetFileOption = Annotated[Path | None, typer.Option(
    "--fleet", envvar=FLEET_FILE_VARIABLE,
    help="The fleet file. Default: config/fleet.yaml of the project.")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", "-c", envvar=CONFIG_ENV,
    help="The profiles (a YAML file or a folder). Default: config/ of the project.")]
OrganizationsOption = Annotated[str | None, typer.Option(
    "--organizations", metavar="SLUGS", help="Only these organizations, comma-separated.")]
DemoSizeOption = Annotated[int, typer.Option(
    "--organizations", min=1, max=50, help="How many simulated organizations.")]
FolderOption = Annotated[Path, typer.Option(
    "--folder", help="Where the demo's fleet file, DuckDB files and dlt files go.")]


@fleet_app.command("run")
def fleet_run(
    fleet_file: FleetFileOption = None,
    config_path: ConfigOption = None,
    organizations: OrganizationsOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Sync every organization of the fleet file (or --organizations), concurrently."""
    with command_session(json_output, debug):
        require_dagster()
        from pipelines.fleet.fleet_file import load_fleet
        from pipelines.fleet.fleet_run import refuse_missing_tokens, run_fleet

        fleet = load_fleet(fleet_file, config_path)
        if organizations:
            fleet = fleet.selected([slug.strip() for slug in organizations.split(",")])
        refuse_missing_tokens(fleet)
        report_outcomes(run_fleet(fleet, config_path, base_url), json_output)


@fleet_app.command("demo")
def fleet_demo(
    organizations: DemoSizeOption = 3,
    folder: FolderOption = Path("spruce-fleet-demo"),
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Run a simulated fleet end to end: each organization synced and checked against its
    own ground truth. No token, no server, no network."""
    with command_session(json_output, debug):
        require_dagster()
        from pipelines.fleet.demo import run_demo

        report_outcomes(run_demo(organizations, folder.resolve()), json_output)


def require_dagster() -> None:
    """A configuration error (exit 2) saying what to install when Dagster is missing: a
    plain ``pip install .`` does not bring it."""
    import importlib.util

    from pipelines.configuration.errors import ConfigError

    if any(importlib.util.find_spec(name) is None for name in ("dagster", "dagster_dlt")):
        raise ConfigError("the fleet runs on Dagster, which is not installed: "
                          "pip install '.[dagster]' (or 'spruce-sync[dagster]')")


def report_outcomes(outcomes: list[OrganizationOutcome], json_output: bool) -> None:
    """One summary per organization; exits with the worst organization's code."""
    from pipelines.fleet.run_outcome import worst_exit_code
    from pipelines.output.documents import print_fleet_outcome

    for outcome in outcomes:
        print_fleet_outcome(outcome.to_dict(), json_output)
    code = worst_exit_code([outcome.exit_code for outcome in outcomes])
    if code:
        raise typer.Exit(code)
