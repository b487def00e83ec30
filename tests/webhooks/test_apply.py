"""Applying inbox events to the tables: newest eventTime wins, deletes, restores, merges.

Each test runs into a DuckDB file and a fresh PostgreSQL database (the source's
``options``/``warehouse`` fixtures), through a real inbox file and `apply_pending`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.configuration.options import SyncOptions
from pipelines.webhooks.apply import mark_merged_away, opened_pipeline
from pipelines.webhooks.changes import BatchChanges, fold
from pipelines.webhooks.inbox import StoredEvent
from tests.source import conftest as source_fixtures
from tests.source.warehouse_reader import WarehouseReader
from tests.webhooks.applying import Events, at, contact, item, rows_of

# The source's end-to-end fixtures: each test runs into DuckDB and into PostgreSQL.
destination, options, warehouse = (
    source_fixtures.destination, source_fixtures.options, source_fixtures.warehouse)


@pytest.fixture
def events(options: SyncOptions, tmp_path: Path) -> Iterator[Events]:
    yield Events(tmp_path / "inbox.sqlite", options)


def test_an_update_lands_once_with_its_values(events: Events, warehouse: WarehouseReader) -> None:
    events.store("contact.created", contact("entity_1", "Ada", phones=1), at(0))
    events.store("contact.updated", contact("entity_1", "Adele", phones=2), at(1))
    report = events.apply()

    assert report.events == 2 and report.rows == {"contacts": 1}
    assert rows_of(warehouse, "contacts", "entity_1", "given_name", "deleted_at") == [
        ("Adele", None)]
    assert warehouse.table_counts()["contacts__phone_numbers"] == 2
    assert events.apply().events == 0  # applied events are not applied again


@pytest.mark.parametrize("one_batch", [True, False], ids=["one-batch", "two-batches"])
def test_update_then_delete_arriving_reversed_ends_deleted(
    events: Events, warehouse: WarehouseReader, one_batch: bool
) -> None:
    events.store("contact.deleted", contact("entity_2", "Bea"), at(20))
    if not one_batch:
        events.apply()
    events.store("contact.updated", contact("entity_2", "Beatrix"), at(10))
    events.apply()

    ((name, deleted_at),) = rows_of(warehouse, "contacts", "entity_2", "given_name", "deleted_at")
    assert name == "Bea" and deleted_at == at(20)


def test_an_old_event_replayed_after_a_newer_one_changes_nothing(
    events: Events, warehouse: WarehouseReader
) -> None:
    events.store("contact.updated", contact("entity_3", "New", phones=3), at(30))
    events.apply()
    before = warehouse.table_counts()
    events.store("contact.updated", contact("entity_3", "Old", phones=1), at(5))
    events.apply()

    assert rows_of(warehouse, "contacts", "entity_3", "given_name") == [("New",)]
    assert warehouse.table_counts() == before  # the child rows were left alone too


def test_a_deleted_item_is_a_placeholder_until_restored(
    events: Events, warehouse: WarehouseReader
) -> None:
    events.store("conversationItem.created", item("ti_1", "hello"), at(0))
    events.store("conversationItem.deleted", item("ti_1", ""), at(1))
    events.apply()
    ((text, deleted_at),) = rows_of(warehouse, "conversation_items", "ti_1", "text", "deleted_at")
    assert not text and deleted_at == at(1)  # PostgreSQL's csv load stores "" as null

    events.store("conversationItem.restored", item("ti_1", "hello"), at(2))
    events.apply()
    assert rows_of(warehouse, "conversation_items", "ti_1", "text", "deleted_at") == [
        ("hello", None)]
    assert "conversation__title" not in warehouse.columns("conversation_items")


def test_a_merge_keeps_the_winner_and_marks_the_merged_away_deleted(
    events: Events, warehouse: WarehouseReader, options: SyncOptions
) -> None:
    events.store("contact.created", contact("entity_loser", "Lou"), at(0))
    events.store("contact.merged", contact("entity_winner", "Win", phones=2), at(5))
    events.apply()
    changes = BatchChanges(merged_away={"entity_loser": at(5), "entity_never_loaded": at(5)})
    with opened_pipeline(options) as (pipeline, _):
        assert mark_merged_away(pipeline, changes) == 1
        # an older merge replayed does not move the deletion back
        assert mark_merged_away(pipeline, BatchChanges(merged_away={"entity_loser": at(1)})) == 0

    assert rows_of(warehouse, "contacts", "entity_winner", "given_name", "deleted_at") == [
        ("Win", None)]
    assert rows_of(warehouse, "contacts", "entity_loser", "given_name", "deleted_at") == [
        ("Lou", at(5))]


def test_a_batch_folds_to_the_newest_state_whatever_the_order() -> None:
    older = StoredEvent("k1", "default", "contact.updated", at(1), "entity_4",
                        contact("entity_4", "Older"), at(1))
    newer = StoredEvent("k2", "default", "contact.deleted", at(2), "entity_4",
                        contact("entity_4", "Newer"), at(2))

    for events in ([older, newer], [newer, older]):
        row = fold(events).rows["contacts"]["entity_4"]
        assert row["givenName"] == "Newer" and row["deleted_at"] == at(2)
