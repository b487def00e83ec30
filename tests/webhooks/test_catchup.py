"""The catch-up after receiver downtime, and syncs around applied events, against the
simulator over real HTTP, into DuckDB and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipelines.configuration.options import SyncOptions
from pipelines.runner.run import run_sync
from pipelines.webhooks.apply import apply_pending
from pipelines.webhooks.catchup import catch_up
from simulator import Simulator
from tests.fixtures.destinations import DestinationName
from tests.fixtures.postgres import with_password
from tests.fixtures.simulator import TEST_TOKEN
from tests.reliability.warehouse import (
    DuckDBWarehouse,
    PostgresWarehouse,
    Warehouse,
    differences,
    duplicate_ids,
)
from tests.source import conftest as source_fixtures
from tests.webhooks.applying import Events, ItemsAsListed, at, contact

# The endpoint the simulated organization has registered: its log records every change.
ENDPOINT_ID = "wde_007000000000"
# Changes whose events carry every value the ground truth holds. Not here: new items
# (they move their conversation's lastMessageAt, which only a conversation event or a
# sync carries) and merges (the inbox does not keep the merged-away ids yet).
BEFORE_DOWNTIME = {"edited_contacts": 3, "retitled_conversations": 2, "edited_items": 3,
                   "deleted_items": 3}
DURING_DOWNTIME = {"edited_contacts": 4, "deleted_contacts": 2, "archived_conversations": 2,
                   "edited_items": 2, "deleted_items": 2, "restored_items": 2}

destination = source_fixtures.destination


@pytest.fixture
def options(destination: DestinationName, tmp_path: Path) -> SyncOptions:
    return SyncOptions(destination=destination, pipelines_dir=tmp_path / "pipelines",
                       duckdb_path=tmp_path / "warehouse.duckdb",
                       webhook_endpoint_id=None)


@pytest.fixture
def warehouse(options: SyncOptions, request: pytest.FixtureRequest) -> Warehouse:
    if options.destination == "postgres":
        return PostgresWarehouse(with_password(request.getfixturevalue("postgres_dsn")))
    assert options.duckdb_path is not None
    return DuckDBWarehouse(options.duckdb_path)


def _catch_up(options: SyncOptions, inbox: Path, simulator: Simulator) -> None:
    credentials = {"api_token": TEST_TOKEN, "base_url": simulator.base_url}
    catch_up(options, inbox, ENDPOINT_ID, credentials=credentials)
    apply_pending(options, inbox)


def test_catch_up_after_downtime_leaves_the_warehouse_equal_to_the_truth(
    simulator: Simulator, options: SyncOptions, warehouse: Warehouse, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.sqlite"
    run_sync(options, api_token=TEST_TOKEN, base_url=simulator.base_url)
    simulator.advance(BEFORE_DOWNTIME)
    _catch_up(options, inbox, simulator)  # the receiver's first start: the whole log
    simulator.advance(DURING_DOWNTIME)    # nothing received: the receiver is down
    _catch_up(options, inbox, simulator)  # from the last applied event, less the overlap

    assert differences(ItemsAsListed(warehouse), simulator.ground_truth()) == []


def test_a_sync_after_apply_duplicates_nothing(
    simulator: Simulator, options: SyncOptions, warehouse: Warehouse, tmp_path: Path
) -> None:
    run_sync(options, api_token=TEST_TOKEN, base_url=simulator.base_url)
    known = simulator.ground_truth()["contacts"][0]
    events = Events(tmp_path / "inbox.sqlite", options)
    events.store("contact.updated", {**known, "givenName": "Applied"}, at(0))
    events.store("contact.created", contact("entity_only_in_events", "New"), at(1))
    events.apply()
    counts = {table: len(warehouse.rows(table)) for table in ("contacts", "conversations")}

    run_sync(replace(options), api_token=TEST_TOKEN, base_url=simulator.base_url)

    assert duplicate_ids(warehouse.rows("contacts")) == {}
    assert {table: len(warehouse.rows(table)) for table in counts} == counts
