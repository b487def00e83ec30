"""`spruce-sync demo`: from nothing to a loaded DuckDB file and printed answers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipelines.analytics.questions import ANALYST_QUESTIONS, MODEL_QUESTIONS, AnalystQuestion
from simulator import Simulator, SimulatorSettings
from tests.cli.conftest import SpruceSync, assert_no_leak

QUESTIONS = ("Messages per day", "Inbound vs outbound", "The busiest conversations")


def _directions(seed: int, scale: str) -> Counter[str]:
    """Inbound/outbound/none counts of the practice the demo simulates, from ground truth."""
    truth = Simulator(SimulatorSettings(seed=seed, scale=scale)).ground_truth()
    return Counter(item["direction"] for item in truth["conversation_items"])


def test_the_demo_loads_a_duckdb_file_and_answers_from_it(
    spruce_sync_process: SpruceSync, tmp_path: Path
) -> None:
    result = spruce_sync_process("demo", "--folder", "demo", "--scale", "tiny", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    database = tmp_path / "demo" / "spruce-demo.duckdb"
    assert document["summary"]["location"] == str(database)
    with duckdb.connect(str(database), read_only=True) as connection:
        items = connection.execute("SELECT count(*) FROM spruce.conversation_items").fetchone()
    assert items is not None and items[0] > 0
    answers = {answer["question"]: answer["rows"] for answer in document["answers"]}
    assert all(any(title.startswith(q) for title in answers) for q in QUESTIONS)
    for question in MODEL_QUESTIONS:  # dbt is in the test extras: the models were built
        assert answers[question.question], question.question
    split = {row["direction"]: row["messages"] for row in answers["Inbound vs outbound"]}
    assert split == dict(_directions(seed=7, scale="tiny"))
    assert_no_leak(result, "demo-token")


def test_running_the_demo_again_syncs_incrementally_and_prints_the_answers(
    spruce_sync_process: SpruceSync,
) -> None:
    assert spruce_sync_process("demo", "--folder", "demo", "--scale", "tiny").exit_code == 0
    again = spruce_sync_process("demo", "--folder", "demo", "--scale", "tiny")
    assert again.exit_code == 0, again.output
    assert "sync finished in" in again.stdout
    for question in QUESTIONS:
        assert question in again.stdout
    assert "spruce-demo.duckdb" in again.stdout


@pytest.mark.parametrize("question", ANALYST_QUESTIONS, ids=lambda q: q.question[:24])
def test_the_readme_shows_the_queries_the_demo_runs(question: AnalystQuestion) -> None:
    readme = " ".join((Path(__file__).resolve().parents[2] / "README.md").read_text().split())
    assert " ".join(question.sql.format(dataset="spruce").split()) in readme
