"""The ``spruce-sync`` command line: run, backfill, status, check, demo, simulator.

Each command builds ``SyncOptions`` from ``config/*.yaml`` (a profile) and its flags,
then calls ``pipelines.sync``. Errors become one line on stderr and an exit code from
``pipelines.exit_codes``; the API token is masked in everything printed. Heavy imports
(dlt, the source, the simulator's server) happen inside the commands, so that a usage
or configuration error is reported at once.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn
from urllib.parse import urlsplit

import typer

from pipelines import config, progress
from pipelines.exit_codes import ExitCode, classify
from pipelines.options import SyncOptions
from simulator.cli import simulator_app

if TYPE_CHECKING:
    from pipelines.summary import RunSummary
    from sources.spruce.stats import RunStats

log = logging.getLogger("spruce_sync")

app = typer.Typer(
    name="spruce-sync",
    help="Copy a practice's Spruce Health data into DuckDB or PostgreSQL.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    # Tracebacks with local variables would print the API token and patient data.
    pretty_exceptions_enable=False,
)

# --- options shared by the commands ---------------------------------------------------------

ProfileOption = Annotated[
    str,
    typer.Option(
        "--profile",
        "-p",
        envvar=config.PROFILE_ENV,
        help="Profile of config/*.yaml to use (settings not given as flags).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        envvar=config.CONFIG_ENV,
        help="A YAML file or a folder of them. Default: config/ of the project, if any.",
    ),
]
DestinationOption = Annotated[
    Literal["duckdb", "postgres"] | None,
    typer.Option(
        "--destination",
        "-d",
        help="Where the data lands. Postgres credentials come from .dlt/secrets.toml "
        "or DESTINATION__POSTGRES__CREDENTIALS.",
    ),
]
DatasetOption = Annotated[
    str | None, typer.Option("--dataset", help="Dataset (Postgres schema) for the tables.")
]
DuckdbOption = Annotated[
    Path | None,
    typer.Option(
        "--duckdb-path", help="The DuckDB file (default: the profile's, else spruce_sync.duckdb)."
    ),
]
ResourcesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--resources",
        "-r",
        metavar="NAMES",
        help="Resources to sync, comma-separated or repeated (default: the profile's, or all).",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Spruce API base URL (default: the sources.spruce.base_url setting, else Spruce's). "
        "Must be https unless it is a loopback address.",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout, for schedulers.")
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Log at debug level; show the traceback of a failure.")
]


def _parse_when(text: str) -> datetime:
    try:
        return config.parse_instant(text)
    except config.ConfigError as error:
        raise typer.BadParameter(str(error)) from None


SinceOption = Annotated[
    datetime,
    typer.Option(
        "--since",
        parser=_parse_when,
        metavar="DATE",
        help="Start of the window: YYYY-MM-DD (midnight UTC) or an RFC 3339 time.",
    ),
]
UntilOption = Annotated[
    datetime | None,
    typer.Option(
        "--until",
        parser=_parse_when,
        metavar="DATE",
        help="End of the window (exclusive); default: now.",
    ),
]
FullRefreshOption = Annotated[
    list[str] | None,
    typer.Option(
        "--full-refresh",
        metavar="RESOURCE",
        help="Drop this resource's tables and cursor, then load it whole (repeatable).",
    ),
]


# --- errors and secrets ------------------------------------------------------------------------


class Masked:
    """Values that must never be printed (the API token), and the means to scrub text."""

    def __init__(self) -> None:
        self._values: list[str] = []

    def add(self, value: str) -> str:
        """Remember ``value`` as secret (unless it is too short to be one) and return it."""
        if len(value) >= MIN_MASKED_LENGTH:
            self._values.append(value)
        return value

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for value in self._values:
            text = text.replace(value, "***")
        return text


class _ScrubFilter(logging.Filter):
    """Masks secrets in log records: defence in depth, the source never logs them."""

    def __init__(self, masked: Masked) -> None:
        super().__init__()
        self.masked = masked

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.masked.scrub(record.getMessage()), None
        return True


@contextmanager
def reported_errors(masked: Masked, json_output: bool, debug: bool) -> Iterator[None]:
    """Turn any failure into one message on stderr and its exit code (never a traceback)."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException):
        raise
    except (Exception, KeyboardInterrupt) as error:
        code, cause = classify(error)
        if debug and code is ExitCode.FAILURE:
            log.exception("traceback of the failure")
        message = masked.scrub(progress.error_message(code, cause))
        progress.print_error(code, message, cause, json_output)
        raise typer.Exit(int(code)) from None


# Secrets besides the token that the CLI masks wherever they might be echoed.
OTHER_SECRETS = ("sources.spruce.phi_hash_key", "destination.postgres.credentials")
# Shorter values are not masked: replacing every "abc" in the output would garble it, and
# such a value is a placeholder rather than a secret.
MIN_MASKED_LENGTH = 6


def _mask_configured_secrets(masked: Masked) -> None:
    """Mask the hash key and the Postgres DSN and password, if configured."""
    import dlt

    for key in OTHER_SECRETS:
        value: object = dlt.secrets.get(key)
        if isinstance(value, str):
            masked.add(value)
            masked.add(urlsplit(value).password or "")


def _api_token() -> str:
    """The token from dlt's secrets (``.dlt/secrets.toml`` or the environment)."""
    import dlt

    token: object = dlt.secrets.get("sources.spruce.api_token")
    if not token:
        raise config.ConfigError(
            "no Spruce API token: put it in .dlt/secrets.toml as [sources.spruce] "
            "api_token = \"...\" or set SOURCES__SPRUCE__API_TOKEN "
            "(see .dlt/secrets.toml.example)"
        )
    return str(token)


def _options(
    config_path: Path | None,
    profile: str,
    destination: str | None,
    dataset: str | None,
    duckdb_path: Path | None,
    **overrides: Any,
) -> SyncOptions:
    """The profile's options with the flags the user gave on top."""
    location = config_path or _default_config_dir()
    return config.with_overrides(
        config.load_options(location, profile),
        destination=destination,
        dataset_name=dataset,
        duckdb_path=duckdb_path,
        **overrides,
    )


def _default_config_dir() -> Path | None:
    folder = Path(os.environ.get("DLT_PROJECT_DIR", ".")) / config.DEFAULT_CONFIG_DIR
    return folder if folder.is_dir() else None


# --- commands ------------------------------------------------------------------------------------


@app.command()
def run(
    profile: ProfileOption = config.DEFAULT_PROFILE,
    config_path: ConfigOption = None,
    destination: DestinationOption = None,
    dataset: DatasetOption = None,
    duckdb_path: DuckdbOption = None,
    resources: ResourcesOption = None,
    full_refresh: FullRefreshOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """One incremental sync: load what changed since the last successful run."""
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        options = _options(
            config_path, profile, destination, dataset, duckdb_path,
            resources=config.parse_resources(resources or ()),
            full_refresh=config.parse_resources(full_refresh or ()),
        )
        _sync(options, masked.add(_api_token()), base_url, json_output)


@app.command()
def backfill(
    since: SinceOption,
    until: UntilOption = None,
    profile: ProfileOption = config.DEFAULT_PROFILE,
    config_path: ConfigOption = None,
    destination: DestinationOption = None,
    dataset: DatasetOption = None,
    duckdb_path: DuckdbOption = None,
    resources: ResourcesOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Re-load conversations and their items of a time window; the cursor stays put.

    The window selects conversations by their last message time; rows merge into the
    same tables as `run`, so a backfill never duplicates anything.
    """
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        config.check_window(since, until)
        options = _options(
            config_path, profile, destination, dataset, duckdb_path,
            resources=config.parse_resources(resources or ()),
            backfill_since=since,
            backfill_until=until,
        )
        _sync(options, masked.add(_api_token()), base_url, json_output)


@app.command()
def status(
    profile: ProfileOption = config.DEFAULT_PROFILE,
    config_path: ConfigOption = None,
    destination: DestinationOption = None,
    dataset: DatasetOption = None,
    duckdb_path: DuckdbOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Per resource: its cursor, the last successful load, rows per table, the next run."""
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        from pipelines.status import pipeline_status

        options = _options(config_path, profile, destination, dataset, duckdb_path)
        progress.print_report("status", pipeline_status(options).to_dict(), json_output)


@app.command()
def check(
    profile: ProfileOption = config.DEFAULT_PROFILE,
    config_path: ConfigOption = None,
    destination: DestinationOption = None,
    dataset: DatasetOption = None,
    duckdb_path: DuckdbOption = None,
    base_url: BaseUrlOption = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Check the token, the base URL and the destination with one cheap request each.

    Also prints the organization's rate-limit budget as Spruce reports it.
    """
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        from pipelines.sync import check_connection

        options = _options(config_path, profile, destination, dataset, duckdb_path)
        report = check_connection(options, api_token=masked.add(_api_token()), base_url=base_url)
        progress.print_report("check", report.to_dict(), json_output)


@app.command()
def transform(
    profile: ProfileOption = config.DEFAULT_PROFILE,
    config_path: ConfigOption = None,
    destination: DestinationOption = None,
    dataset: DatasetOption = None,
    duckdb_path: DuckdbOption = None,
    select: Annotated[
        str | None, typer.Option(help="dbt selection, e.g. `response_times+` (default: all).")
    ] = None,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Build the analysts' models (dbt) from the loaded tables, then run their tests.

    The models land in the `spruce_analytics` schema beside the raw dataset. Needs dbt:
    `pip install '.[dbt]'`.
    """
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        options = _options(config_path, profile, destination, dataset, duckdb_path)
        result = _transform(options, select)
        progress.print_report("transform", result, json_output)


def _transform(options: SyncOptions, select: str | None) -> dict[str, Any]:
    try:
        from pipelines.transform import run_transform
    except ImportError as missing:
        raise config.ConfigError(
            f"the transform needs dbt ({missing.name} is not installed): pip install '.[dbt]'"
        ) from None
    from pipelines.destinations import build_target
    from pipelines.sync import build_pipeline

    pipeline = build_pipeline(options, build_target(options))
    pipeline.sync_destination()  # the schema as last loaded, also on a fresh machine
    if not pipeline.default_schema_name:
        raise config.ConfigError(
            f"pipeline {options.pipeline_name!r} has loaded nothing into its destination yet: "
            "run `spruce-sync run` first, with the same --profile"
        )
    result = run_transform(pipeline, select=select)
    return {
        "analytics_schema": result.analytics_schema,
        "models": result.count("model"),
        "tests": result.count("test"),
    }


@app.command()
def demo(
    folder: Annotated[
        Path, typer.Option("--folder", help="Where the demo's DuckDB file and dlt files go.")
    ] = Path("spruce-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the simulated practice.")] = 7,
    scale: Annotated[
        str, typer.Option(help="Size of the simulated practice: tiny, small, demo, medium.")
    ] = "demo",
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Sync a simulated practice into a local DuckDB file and answer analysts' questions.

    Runs Spruce's simulator in this process: no token, no server, no network needed.
    Running it again syncs incrementally into the same file.
    """
    masked = _start(debug)
    with reported_errors(masked, json_output, debug):
        from pipelines import demo as practice

        practice.check_scale(scale)
        options = practice.demo_options(folder)
        summary = _with_progress(
            lambda stats: practice.sync_simulated_practice(options, seed, scale, stats)
        )
        modelled = _demo_models(options)
        answers = practice.analyst_answers(
            practice.demo_database(options), questions=practice.questions(modelled)
        )
        progress.print_demo(summary.to_dict(), [answer.to_dict() for answer in answers],
                            json_output)


def _demo_models(options: SyncOptions) -> bool:
    """Build the analysts' models on the demo's file; False (and why) without dbt."""
    try:
        _transform(options, select=None)
    except config.ConfigError as missing:
        log.info("answering from the raw tables only: %s", missing)
        return False
    return True


def _sync(options: SyncOptions, api_token: str, base_url: str | None, json_output: bool) -> None:
    from pipelines.sync import run_sync

    summary = _with_progress(
        lambda stats: run_sync(options, api_token=api_token, base_url=base_url, stats=stats)
    )
    progress.print_summary(summary.to_dict(), json_output)


def _with_progress(start: Callable[[RunStats], RunSummary]) -> RunSummary:
    """Run ``start`` with live counters shown while it works."""
    from pipelines.sync import RunStats

    stats = RunStats()
    with progress.live_progress(stats):
        return start(stats)


# --- process setup ---------------------------------------------------------------------------


def _start(debug: bool) -> Masked:
    """Logging to stderr with secrets masked; the same for every command."""
    masked = Masked()
    progress.configure_logging(logging.DEBUG if debug else logging.INFO, _ScrubFilter(masked))
    _mask_configured_secrets(masked)
    return masked


def locate_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` with a ``.dlt`` folder (not the home one)."""
    for folder in (start, *start.parents):
        if (folder / ".dlt").is_dir() and folder != Path.home():
            return folder
    return None


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    # SIGTERM from a scheduler ends the run like Ctrl-C: nothing half-committed, exit 130.
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    if "DLT_PROJECT_DIR" not in os.environ:
        project = locate_project(Path.cwd())
        if project is not None:
            # dlt reads .dlt/ of the working directory only; this finds it from a subfolder.
            os.environ["DLT_PROJECT_DIR"] = str(project)
    signal.signal(signal.SIGTERM, _interrupt)
    app()


app.add_typer(simulator_app, name="simulator", help="Serve a simulated Spruce API locally.")

if __name__ == "__main__":
    main()
