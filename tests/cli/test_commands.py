"""The commands against the real simulator over HTTP, a real DuckDB file, a real Postgres."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import psycopg2
import pytest

from pipelines.analytics.questions import ANALYST_QUESTIONS
from simulator import Simulator
from tests.cli.conftest import (
    SECRET_TOKEN,
    SHIPPED_CONFIG,
    SpruceSync,
    assert_no_leak,
    closed_port,
)
from tests.fixtures.postgres import with_password
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory

pytestmark = pytest.mark.usefixtures("project")


@pytest.fixture
def simulator(simulator_factory: SimulatorFactory) -> Simulator:
    """A tiny organization: these tests are about the commands, not about paging through
    a larger one (tests/source does that); each run here is a process, ~1 s less on tiny."""
    return simulator_factory(scale="tiny")


def _env(simulator: Simulator, token: str = TEST_TOKEN) -> dict[str, str]:
    return {"SOURCES__SPRUCE__API_TOKEN": token, "SOURCES__SPRUCE__BASE_URL": simulator.base_url}


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_wrong_token_is_an_authentication_error(
    spruce_sync_process: SpruceSync, simulator: Simulator, command: str
) -> None:
    result = spruce_sync_process(command, env=_env(simulator, SECRET_TOKEN))
    assert result.exit_code == 3, result.output
    assert "authentication failed" in result.stderr
    assert_no_leak(result)


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["run", "check", "status"])
def test_an_unreachable_postgres_is_a_destination_error(
    spruce_sync_process: SpruceSync, simulator: Simulator, postgres_available: bool, command: str
) -> None:
    dsn = f"postgresql://loader:pg-secret-pw@127.0.0.1:{closed_port()}/warehouse"
    env = {**_env(simulator), "DESTINATION__POSTGRES__CREDENTIALS": dsn}
    result = spruce_sync_process(command, "--destination", "postgres", env=env)
    assert result.exit_code == 4, result.output
    assert "destination unreachable" in result.stderr
    assert "DESTINATION__POSTGRES__CREDENTIALS" in result.stderr
    assert_no_leak(result, TEST_TOKEN, "pg-secret-pw")


def test_run_prints_a_json_summary_that_matches_the_loaded_file(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path
) -> None:
    result = spruce_sync_process("run", "--json", "--duckdb-path", "warehouse.duckdb",
                         env=_env(simulator))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    truth = simulator.ground_truth()
    assert summary["rows_per_table"]["contacts"] == len(truth["contacts"])
    assert summary["location"] == str(tmp_path / "warehouse.duckdb")
    with duckdb.connect(summary["location"], read_only=True) as connection:
        loaded = connection.execute("SELECT count(*) FROM spruce.conversations").fetchone()
    assert loaded == (len(truth["conversations"]),)
    assert summary["requests"] > 0 and summary["throttled"] == 0


def test_run_shows_a_readable_summary(spruce_sync_process: SpruceSync, simulator: Simulator) -> None:
    result = spruce_sync_process("run", "--resources", "contacts", env=_env(simulator))
    assert result.exit_code == 0, result.output
    assert "sync finished in" in result.stdout
    assert "rows loaded per table" in result.stdout
    assert f"{len(simulator.ground_truth()['contacts'])}" in result.stdout


def test_status_after_a_run_shows_the_cursor_and_the_rows(
    spruce_sync_process: SpruceSync, simulator: Simulator
) -> None:
    assert spruce_sync_process("run", env=_env(simulator)).exit_code == 0
    result = spruce_sync_process("status", "--json", env=_env(simulator))
    assert result.exit_code == 0, result.output
    status = json.loads(result.stdout)
    conversations = next(r for r in status["resources"] if r["name"] == "conversations")
    assert conversations["cursor"] is not None and conversations["last_load_at"] is not None
    assert status["rows_per_table"]["contacts"] == len(simulator.ground_truth()["contacts"])


def test_check_reports_the_organization_and_its_rate_budget(
    spruce_sync_process: SpruceSync, simulator: Simulator
) -> None:
    result = spruce_sync_process("check", "--json", env=_env(simulator))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["organization_id"] == simulator.organization.organization_id
    assert "rate_limit" in report


@pytest.mark.postgres
def test_the_postgres_profile_loads_and_the_analyst_queries_run_there(
    spruce_sync_process: SpruceSync, simulator: Simulator, postgres_dsn: str, tmp_path: Path
) -> None:
    folder = _shipped_config_with(
        tmp_path, "quick_postgres: {extends: postgres}")
    env = {**_env(simulator), "DESTINATION__POSTGRES__CREDENTIALS": with_password(postgres_dsn)}
    result = spruce_sync_process("run", "--profile", "quick_postgres", "--config", str(folder),
                                 env=env)
    assert result.exit_code == 0, result.output
    with psycopg2.connect(postgres_dsn) as connection, connection.cursor() as cursor:
        for question in ANALYST_QUESTIONS:
            cursor.execute(question.sql.format(dataset="spruce"))
            rows = cursor.fetchall()
            assert rows, question.question
        cursor.execute(ANALYST_QUESTIONS[1].sql.format(dataset="spruce"))
        split = {direction: messages for direction, messages, _ in cursor.fetchall()}
    truth = simulator.ground_truth()["conversation_items"]
    assert split == dict(Counter(item["direction"] for item in truth))


def test_a_backfill_reloads_a_window_and_leaves_the_cursor_alone(
    spruce_sync_process: SpruceSync, simulator: Simulator
) -> None:
    assert spruce_sync_process("run", env=_env(simulator)).exit_code == 0
    before = _conversation_cursor(spruce_sync_process, simulator)
    result = spruce_sync_process("backfill", "--since", "2025-01-01", "--until", "2025-07-01",
                                 "--json", env=_env(simulator))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["backfill"] is True and summary["rows_per_table"]["conversations"] > 0
    assert _conversation_cursor(spruce_sync_process, simulator) == before


def _conversation_cursor(spruce_sync_process: SpruceSync, simulator: Simulator) -> str:
    status = json.loads(spruce_sync_process("status", "--json", env=_env(simulator)).stdout)
    return str(next(r["cursor"] for r in status["resources"] if r["name"] == "conversations"))


@pytest.mark.parametrize(
    ("hash_key", "exit_code"), [(None, 2), ("a-long-test-hmac-key-0123456789", 0)]
)
def test_the_deidentified_profile_keeps_names_out_of_the_file(
    spruce_sync_process: SpruceSync, simulator: Simulator, tmp_path: Path,
    hash_key: str | None, exit_code: int,
) -> None:  # fmt: skip
    folder = _shipped_config_with(tmp_path, "quick_deid: {extends: deidentified}")
    env = {**_env(simulator), **({"SOURCES__SPRUCE__PHI_HASH_KEY": hash_key} if hash_key else {})}
    result = spruce_sync_process("run", "--profile", "quick_deid", "--config", str(folder),
                                 "--json", env=env)
    assert result.exit_code == exit_code, result.output
    if hash_key is None:
        assert "phi_hash_key" in result.stderr.lower()
        return
    assert_no_leak(result, hash_key)
    database = json.loads(result.stdout)["location"]
    with duckdb.connect(database, read_only=True) as connection:
        stored = " ".join(str(row) for row in connection.execute(
            "SELECT * FROM spruce_deid.contacts").fetchall())
    names = [c["familyName"] for c in simulator.ground_truth()["contacts"] if c.get("familyName")]
    assert names and not [name for name in names if name in stored]


def _shipped_config_with(tmp_path: Path, profile: str) -> Path:
    """The shipped config/ plus one more profile, in a folder of the test's own."""
    folder = tmp_path / "shipped"
    folder.mkdir(exist_ok=True)
    shutil.copy(SHIPPED_CONFIG / "spruce-sync.yaml", folder)
    (folder / "extra.yaml").write_text(f"profiles:\n  {profile}\n", encoding="utf-8")
    return folder
