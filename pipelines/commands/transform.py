"""``spruce-sync transform``: the analysts' dbt models on what a profile loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from pipelines.commands.reporting import command_session
from pipelines.commands.shared import CommonFlags, profile_options
from pipelines.configuration.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions

SelectOption = Annotated[
    str | None, typer.Option(help="dbt selection, e.g. `response_times+` (default: all).")
]


@profile_options
def transform(common: CommonFlags, select: SelectOption = None) -> None:
    """Build the analysts' models (dbt) from the loaded tables, then run their tests.

    The models land in the `spruce_analytics` schema beside the raw dataset. Needs dbt:
    `pip install '.[dbt]'`.
    """
    with command_session(common.json_output, common.debug):
        from pipelines.output.documents import print_report

        print_report("transform", build_models(common.options(), select), common.json_output)


def build_models(options: SyncOptions, select: str | None) -> dict[str, Any]:
    """dbt build on the pipeline's destination; what it built and tested."""
    from pipelines.analytics.transform import require_dbt, run_transform
    from pipelines.runner.destinations import build_target
    from pipelines.runner.naming import named
    from pipelines.runner.pipeline import build_pipeline

    require_dbt()  # a missing extra is the first thing to fix, before any warehouse check
    options = named(options)
    pipeline = build_pipeline(options, build_target(options))
    pipeline.sync_destination()  # the schema as last loaded, also on a fresh machine
    if not pipeline.default_schema_name:
        raise ConfigError(
            f"pipeline {pipeline.pipeline_name!r} has loaded nothing into its destination yet: "
            "run `spruce-sync run` first, with the same --profile"
        )
    result = run_transform(pipeline, select=select)
    return {"analytics_schema": result.analytics_schema, "models": result.count("model"),
            "tests": result.count("test")}
