"""``spruce-sync demo``: a simulated practice synced and questioned, with no token."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipelines.commands.reporting import command_session
from pipelines.commands.shared import DebugOption, JsonOption
from pipelines.configuration.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.configuration.options import SyncOptions

log = logging.getLogger("spruce_sync")

FolderOption = Annotated[
    Path, typer.Option("--folder", help="Where the demo's DuckDB file and dlt files go.")
]
SeedOption = Annotated[int, typer.Option(help="Seed of the simulated practice.")]
ScaleOption = Annotated[
    str, typer.Option(help="Size of the simulated practice: tiny, small, demo, medium.")
]


def demo(
    folder: FolderOption = Path("spruce-demo"),
    seed: SeedOption = 7,
    scale: ScaleOption = "demo",
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Sync a simulated practice into a local DuckDB file and answer analysts' questions.

    Runs Spruce's simulator in this process: no token, no server, no network needed.
    Running it again syncs incrementally into the same file.
    """
    with command_session(json_output, debug):
        from pipelines.analytics import practice
        from pipelines.commands.sync import with_progress
        from pipelines.output.documents import print_demo

        practice.check_scale(scale)
        options = practice.demo_options(folder.resolve())
        summary = with_progress(
            lambda stats: practice.sync_simulated_practice(options, seed, scale, stats))
        questions = practice.questions(modelled=_built_models(options))
        answers = practice.analyst_answers(practice.demo_database(options), questions=questions)
        print_demo(summary.to_dict(), [answer.to_dict() for answer in answers], json_output)


def _built_models(options: SyncOptions) -> bool:
    """Build the analysts' models on the demo's file; False (and why) without dbt."""
    from pipelines.commands.transform import build_models

    try:
        build_models(options, select=None)
    except ConfigError as missing:
        log.info("answering from the raw tables only: %s", missing)
        return False
    return True
