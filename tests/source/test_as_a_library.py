"""``spruce_source`` in a dlt user's own pipeline, configured by dlt's injection alone."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
import pytest

from simulator import Simulator
from sources.spruce import SourceOptions, spruce_source
from sources.spruce.phi import parse_phi_policy
from tests.fixtures.simulator import TEST_TOKEN

CONVERSATION_TABLES = ("contacts", "conversations", "conversation_items")


@pytest.fixture
def dlt_configured(simulator: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The token and the URL where a dlt user puts them: dlt's variables."""
    monkeypatch.setenv("SOURCES__SPRUCE__API_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("SOURCES__SPRUCE__BASE_URL", simulator.base_url)


def _pipeline(tmp_path: Path) -> dlt.Pipeline:
    return dlt.pipeline("a_users_pipeline", pipelines_dir=str(tmp_path / "pipelines"),
                        destination=dlt.destinations.duckdb(str(tmp_path / "mine.duckdb")),
                        dataset_name="spruce")


def _ids(tmp_path: Path, table: str) -> set[str]:
    with duckdb.connect(str(tmp_path / "mine.duckdb"), read_only=True) as connection:
        return {row[0] for row in connection.execute(f"SELECT id FROM spruce.{table}").fetchall()}


@pytest.mark.usefixtures("dlt_configured")
def test_a_plain_dlt_pipeline_loads_the_selected_resources(
    simulator: Simulator, tmp_path: Path
) -> None:
    _pipeline(tmp_path).run(spruce_source().with_resources(*CONVERSATION_TABLES))
    truth = simulator.ground_truth()
    for table in CONVERSATION_TABLES:
        assert _ids(tmp_path, table) == {record["id"] for record in truth[table]}, table


@pytest.mark.usefixtures("dlt_configured")
def test_its_cursor_lives_in_dlt_state_so_the_next_run_reads_only_what_changed(
    simulator: Simulator, tmp_path: Path
) -> None:
    selection = ("conversations", "conversation_items")
    _pipeline(tmp_path).run(spruce_source().with_resources(*selection))
    simulator.advance({"new_items": 10})
    simulator.reset_counters()
    _pipeline(tmp_path).run(spruce_source().with_resources(*selection))
    listed = simulator.counters().by_operation.get("ListConversations", 0)
    truth = simulator.ground_truth()
    assert _ids(tmp_path, "conversation_items") == {i["id"] for i in truth["conversation_items"]}
    assert listed == 1, "the incremental run lists one page from its cursor"


@pytest.mark.usefixtures("dlt_configured")
def test_options_and_a_phi_policy_are_arguments_of_the_source(
    simulator: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCES__SPRUCE__PHI_HASH_KEY", "a-long-test-hmac-key-0123456789")
    source = spruce_source(options=SourceOptions(page_sizes={"ListContacts": 50}),
                           phi_policy=parse_phi_policy("deidentified"))
    _pipeline(tmp_path).run(source.with_resources("contacts"))
    with duckdb.connect(str(tmp_path / "mine.duckdb"), read_only=True) as connection:
        names = connection.execute("SELECT family_name FROM spruce.contacts").fetchall()
    assert names and all(name is None or len(name) == 64 for (name,) in names), "hashed"
    pages = simulator.counters().page_sizes.get("ListContacts", {})
    assert set(pages) == {50}, "every contacts page asked for the configured size"
