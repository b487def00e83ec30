"""The options every profile-driven command shares, declared once.

``@profile_options`` adds ``--profile``, ``--config``, ``--destination``, ``--dataset``,
``--duckdb-path``, ``--json`` and ``--debug`` to a command and hands them to it as one
`CommonFlags` argument named ``common``. Only typer is imported here: ``--help`` and a
usage error never wait for dlt.
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

import typer

from pipelines.settings import CONFIG_ENV, DEFAULT_CONFIG_DIR, DEFAULT_PROFILE, PROFILE_ENV

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout, for schedulers.")
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Log at debug level; show the traceback of a failure.")
]
ResourcesOption = Annotated[
    list[str] | None,
    typer.Option("--resources", "-r", metavar="NAMES",
                 help="Resources to sync, comma-separated or repeated "
                 "(default: the profile's, or all)."),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url",
                 help="Spruce API base URL (default: the sources.spruce.base_url setting, "
                 "else Spruce's). Must be https unless it is a loopback address."),
]


@dataclass(frozen=True)
class CommonFlags:
    """The shared options as the user gave them (None: not given)."""

    profile: Annotated[str, typer.Option(
        "--profile", "-p", envvar=PROFILE_ENV,
        help="Profile of config/*.yaml to use (settings not given as flags).")] = DEFAULT_PROFILE
    config_path: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar=CONFIG_ENV,
        help="A YAML file or a folder of them. Default: config/ of the project, if any.")] = None
    destination: Annotated[Literal["duckdb", "postgres"] | None, typer.Option(
        "--destination", "-d",
        help="Where the data lands. Postgres credentials come from .dlt/secrets.toml "
        "or DESTINATION__POSTGRES__CREDENTIALS.")] = None
    dataset: Annotated[str | None, typer.Option(
        "--dataset", help="Dataset (Postgres schema) for the tables.")] = None
    duckdb_path: Annotated[Path | None, typer.Option(
        "--duckdb-path",
        help="The DuckDB file (default: the profile's, else spruce_sync.duckdb).")] = None
    json_output: JsonOption = False
    debug: DebugOption = False

    def options(self, **overrides: Any) -> SyncOptions:
        """The profile's options, dlt's settings over them, the flags over both.

        A path given as a flag is relative to the working directory, as a shell user
        expects; one in the profile or dlt's settings to the project folder.
        """
        from pipelines.configuration.dlt_settings import dlt_settings
        from pipelines.configuration.profiles import load_options, with_overrides

        options = load_options(self.config_path or _default_config_dir(), self.profile)
        options = with_overrides(options, **dlt_settings())
        flag_path = self.duckdb_path.resolve() if self.duckdb_path else None
        return with_overrides(options, destination=self.destination, dataset_name=self.dataset,
                              duckdb_path=flag_path, **overrides)


def _default_config_dir() -> Path | None:
    folder = Path(os.environ.get("DLT_PROJECT_DIR", ".")) / DEFAULT_CONFIG_DIR
    return folder if folder.is_dir() else None


def profile_options(command: Callable[..., None]) -> Callable[..., None]:
    """``command(common: CommonFlags, ...)`` as typer sees it: its own options plus the
    shared ones, each a keyword parameter."""
    own = inspect.signature(command)
    hints = get_type_hints(command, include_extras=True)
    kept = [parameter.replace(annotation=hints[parameter.name])
            for parameter in own.parameters.values() if parameter.name != "common"]
    shared = get_type_hints(CommonFlags, include_extras=True)
    added = [inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=field.default,
                               annotation=shared[field.name]) for field in fields(CommonFlags)]

    @functools.wraps(command)
    def with_common(**given: Any) -> None:
        common = CommonFlags(**{field.name: given.pop(field.name) for field in fields(CommonFlags)})
        command(common=common, **given)

    parameters = [*kept, *added]
    with_common.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]  # read by typer
    with_common.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_common
