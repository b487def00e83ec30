"""``spruce-sync demo``: a simulated practice synced into a local DuckDB file, then queried.

Everything happens in this process and under one folder: the simulator serves a seeded
organization on a loopback port, the real pipeline syncs it over HTTP into
``<folder>/spruce-demo.duckdb`` (dlt's working files in ``<folder>/pipelines``), and the
analysts' questions below are answered from the loaded tables, and from the analysts'
models when dbt is installed. No token, no network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.config import ConfigError
from pipelines.options import SyncOptions

DEMO_TOKEN = "demo-token"
DEMO_DUCKDB_FILE = "spruce-demo.duckdb"
DEMO_PIPELINE = "spruce_demo"
DEMO_DATASET = "spruce"


@dataclass(frozen=True)
class AnalystQuestion:
    """A question and the SQL that answers it; ``{dataset}`` names the loaded schema."""

    question: str
    sql: str


# The same queries appear in the README's "Example analyst queries".
ANALYST_QUESTIONS: tuple[AnalystQuestion, ...] = (
    AnalystQuestion(
        "Messages per day, last 14 days with messages (internal notes left out)",
        """
        SELECT CAST(created_at AS DATE) AS day,
               count(*) FILTER (WHERE direction = 'inbound') AS inbound,
               count(*) FILTER (WHERE direction = 'outbound') AS outbound
        FROM {dataset}.conversation_items
        WHERE NOT coalesce(is_internal_note, false)
        GROUP BY day ORDER BY day DESC LIMIT 14
        """,
    ),
    AnalystQuestion(
        "Inbound vs outbound",
        """
        SELECT direction, count(*) AS messages,
               round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS percent
        FROM {dataset}.conversation_items
        GROUP BY direction ORDER BY messages DESC
        """,
    ),
    AnalystQuestion(
        "The busiest conversations",
        """
        SELECT c.id AS conversation, c.type, count(*) AS messages,
               max(i.created_at) AS last_message
        FROM {dataset}.conversation_items AS i
        JOIN {dataset}.conversations AS c ON c.id = i.conversation_id
        GROUP BY c.id, c.type ORDER BY messages DESC, conversation LIMIT 10
        """,
    ),
)


# Answered from the analysts' models (``spruce-sync transform``) when dbt is installed.
MODEL_QUESTIONS: tuple[AnalystQuestion, ...] = (
    AnalystQuestion(
        "How fast do we answer patients, by channel (models: response_times)",
        """
        SELECT channel, count(*) AS inbound_messages,
               count(*) FILTER (WHERE is_answered) AS answered,
               round(median(response_seconds) / 60.0, 1) AS median_minutes_to_reply
        FROM spruce_analytics.response_times
        GROUP BY channel ORDER BY inbound_messages DESC
        """,
    ),
    AnalystQuestion(
        "The slowest first responses (models: conversations_enriched)",
        """
        SELECT conversation_id AS conversation, channel, inbound_count,
               round(first_response_seconds / 3600.0, 1) AS hours_to_first_reply
        FROM spruce_analytics.conversations_enriched
        WHERE first_response_seconds IS NOT NULL
        ORDER BY first_response_seconds DESC, conversation LIMIT 5
        """,
    ),
)


def questions(modelled: bool) -> tuple[AnalystQuestion, ...]:
    """The raw-table questions, and the models' ones when the models were built."""
    return ANALYST_QUESTIONS + MODEL_QUESTIONS if modelled else ANALYST_QUESTIONS


@dataclass(frozen=True)
class Answer:
    """One question's result rows, as plain data."""

    question: str
    rows: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "rows": self.rows}


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


def sync_simulated_practice(options: SyncOptions, seed: int, scale: str, stats: Any) -> Any:
    """Serve a seeded practice on loopback and sync it; returns the run's summary."""
    from pipelines.sync import run_sync
    from simulator import Simulator, SimulatorSettings

    settings = SimulatorSettings(seed=seed, scale=scale, tokens=(DEMO_TOKEN,))
    with Simulator(settings).running() as base_url:
        return run_sync(options, api_token=DEMO_TOKEN, base_url=base_url, stats=stats)


def analyst_answers(
    duckdb_path: Path,
    dataset: str = DEMO_DATASET,
    questions: Sequence[AnalystQuestion] = ANALYST_QUESTIONS,
) -> list[Answer]:
    """Answer each question from the DuckDB file (opened read-only)."""
    import duckdb

    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        return [_answer(connection, question, dataset) for question in questions]


def _answer(connection: Any, question: AnalystQuestion, dataset: str) -> Answer:
    cursor = connection.execute(question.sql.format(dataset=dataset))
    columns = [description[0] for description in cursor.description]
    return Answer(question.question, [dict(zip(columns, row)) for row in cursor.fetchall()])
