"""``spruce-sync demo``: a simulated practice synced into a local DuckDB file, then queried.

Everything happens in this process and under one folder: the simulator serves a seeded
organization on a loopback port, the real pipeline syncs it over HTTP into
``<folder>/spruce-demo.duckdb`` (dlt's working files in ``<folder>/pipelines``), and the
analysts' questions (`questions`) are answered from the loaded tables, and from the
analysts' models when dbt is installed. No token, no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipelines.analytics.questions import (
    ANALYST_QUESTIONS,
    MODEL_QUESTIONS,
    AnalystAnswer,
    AnalystQuestion,
    answer_questions,
)
from pipelines.configuration.errors import ConfigError
from pipelines.configuration.options import SyncOptions
from pipelines.runner.summary import RunSummary
from pipelines.settings import DEMO_DATASET, DEMO_DUCKDB_FILE, DEMO_PIPELINE, DEMO_TOKEN
from sources.spruce.stats import RunStats


def questions(modelled: bool) -> tuple[AnalystQuestion, ...]:
    """The raw-table questions, and the models' ones when the models were built."""
    return ANALYST_QUESTIONS + MODEL_QUESTIONS if modelled else ANALYST_QUESTIONS


def demo_options(folder: Path) -> SyncOptions:
    """The demo's pipeline: its own name, file and working folder, all under ``folder``."""
    return SyncOptions(
        pipeline_name=DEMO_PIPELINE,
        dataset_name=DEMO_DATASET,
        duckdb_path=folder / DEMO_DUCKDB_FILE,
        pipelines_dir=folder / "pipelines",
    )


def demo_database(options: SyncOptions) -> Path:
    """The DuckDB file the demo loaded."""
    return Path(options.duckdb_path or DEMO_DUCKDB_FILE)


def check_scale(scale: str) -> None:
    """Refuse an unknown simulator scale before anything starts."""
    from simulator.data.scales import SCALES

    if scale not in SCALES:
        raise ConfigError(f"unknown demo scale {scale!r}; the scales are: {', '.join(SCALES)}")


def sync_simulated_practice(
    options: SyncOptions, seed: int, scale: str, stats: RunStats
) -> RunSummary:
    """Serve a seeded practice on loopback and sync it; returns the run's summary."""
    from pipelines.runner.run import run_sync
    from simulator import Simulator, SimulatorSettings

    settings = SimulatorSettings(seed=seed, scale=scale, tokens=(DEMO_TOKEN,))
    with Simulator(settings).running() as base_url:
        return run_sync(options, api_token=DEMO_TOKEN, base_url=base_url, stats=stats)


def analyst_answers(
    duckdb_path: Path,
    dataset: str = DEMO_DATASET,
    questions: Sequence[AnalystQuestion] = ANALYST_QUESTIONS,
) -> list[AnalystAnswer]:
    """Answer each question from the DuckDB file (opened read-only)."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:

        def run_query(sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            cursor = connection.execute(sql)
            return [column[0] for column in cursor.description], cursor.fetchall()

        return answer_questions(run_query, questions, dataset)
