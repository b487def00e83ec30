"""The issue's bar, against the simulator over HTTP, each on DuckDB and on PostgreSQL.

1. a full sync equals the ground truth; 2. a second run without changes adds nothing and
makes only the requests the incremental strategy needs; 3. after the data changes, one
run catches up; 4. under a short rate-limit window, with a noisy neighbour, no request is
throttled; 5. no 400s, and every list call uses the largest page size.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from pipelines.configuration.options import SyncOptions
from pipelines.fleet.ground_truth import TRUTH_KEYS
from pipelines.runner.run import run_sync
from pipelines.runner.summary import RunSummary
from simulator import RateLimitSettings, Simulator
from simulator.settings import FIXED_PAGE_SIZES, PAGE_SIZE_BOUNDS
from sources.spruce.cursors import parse_timestamp
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory
from tests.source.conftest import ids
from tests.source.warehouse_reader import WarehouseReader

# Table -> its key in the warehouse and in the ground truth (contacts: checked apart, the
# deleted ones kept and marked).
KEYS = {table: keys for table, keys in TRUTH_KEYS.items() if table != "contacts"}
REFERENCE_OPERATIONS = (
    "ContactTags", "ContactFields", "ConversationTags", "Organization", "OrganizationMembers",
    "PhoneLines", "InternalEndpoints", "ListSavedMessages", "ListScheduledMessages",
)


def sync(simulator: Simulator, options: SyncOptions) -> RunSummary:
    return run_sync(options, api_token=TEST_TOKEN, base_url=simulator.base_url)


def truth_ids(truth: dict[str, list[dict[str, Any]]], table: str) -> set[str]:
    key = KEYS[table][1]
    return {row[key]["id"] if isinstance(row[key], dict) else row[key] for row in truth[table]}


def assert_equals_ground_truth(
    warehouse: WarehouseReader, simulator: Simulator, deleted_before: set[str] | None = None
) -> None:
    """Same ids per table, one row per id, contacts gone from the API marked deleted."""
    truth = simulator.ground_truth()
    for table, (column, _) in KEYS.items():
        loaded = warehouse.column(table, column)
        assert len(loaded) == len(set(loaded)), f"duplicate ids in {table}"
        assert set(loaded) == truth_ids(truth, table), table
    live = warehouse.column("contacts", "id") if deleted_before is None else [
        row[0] for row in warehouse.query("SELECT id FROM {contacts} WHERE deleted_at IS NULL")
    ]
    assert len(live) == len(set(live))
    assert set(live) == ids(truth["contacts"])


def assert_values_and_child_rows(warehouse: WarehouseReader, simulator: Simulator) -> None:
    truth = simulator.ground_truth()
    names = dict(warehouse.query(
        "SELECT id, display_name FROM {contacts} WHERE deleted_at IS NULL"))  # fmt: skip
    assert {c["id"]: c.get("displayName") for c in truth["contacts"]} == names
    texts = dict(warehouse.query("SELECT id, text FROM {conversation_items}"))
    assert {i["id"]: i.get("text") for i in truth["conversation_items"]} == texts
    last = dict(warehouse.query("SELECT id, last_message_at FROM {conversations}"))
    assert {c["id"]: parse_timestamp(c["lastMessageAt"]) for c in truth["conversations"]} == last
    phones = warehouse.query(
        "SELECT c.id, p.value FROM {contacts__phone_numbers} p"
        " JOIN {contacts} c ON p._dlt_parent_id = c._dlt_id WHERE c.deleted_at IS NULL"
    )
    assert sorted(phones) == sorted(
        (c["id"], p["value"]) for c in truth["contacts"] for p in c.get("phoneNumbers", [])
    )


def assert_clean_requests(simulator: Simulator) -> None:
    """No 400 at all, and each list call at the largest page size the operation allows."""
    counters = simulator.counters()
    assert counters.bad_requests == 0
    for operation, sizes in counters.page_sizes.items():
        largest = FIXED_PAGE_SIZES.get(operation) or PAGE_SIZE_BOUNDS[operation][1]
        assert set(sizes) == {largest}, operation


def test_full_sync_equals_ground_truth(
    simulator: Simulator, options: SyncOptions, warehouse: WarehouseReader
) -> None:
    summary = sync(simulator, options)

    assert_equals_ground_truth(warehouse, simulator)
    assert_values_and_child_rows(warehouse, simulator)
    assert warehouse.columns("conversations")["last_message_at"].startswith("timestamp")
    assert warehouse.columns("conversation_items")["created_at"].startswith("timestamp")
    assert summary.completeness_gaps == [] and summary.throttled == 0
    assert_clean_requests(simulator)


def test_a_second_run_without_changes_adds_nothing_and_lists_only_what_it_needs(
    simulator: Simulator, options: SyncOptions, warehouse: WarehouseReader
) -> None:
    first = sync(simulator, options)
    before = warehouse.table_counts()
    simulator.reset_counters()

    second = sync(simulator, options)

    assert warehouse.table_counts() == before
    assert second.conversation_cursor == first.conversation_cursor
    cursor = parse_timestamp(first.conversation_cursor or "")
    loaded_at = datetime.fromtimestamp(float(first.load_ids[-1]), timezone.utc)
    assert simulator.counters().by_operation == incremental_requests(
        simulator.ground_truth(), cursor, options.lookback, loaded_at
    )
    assert_clean_requests(simulator)


def incremental_requests(
    truth: dict[str, list[dict[str, Any]]], cursor: datetime, lookback: timedelta,
    loaded_at: datetime,
) -> dict[str, int]:
    """What an incremental run without changes needs: the whole contact listing and
    reference data, one listing of conversations from cursor - lookback, and the items
    from lastMessageAt - lookback of those loaded less than a lookback after that time
    (``loaded_at``: the load that wrote them), where an item may still have come late."""
    start = (cursor - lookback).replace(microsecond=0)
    changed = [c for c in truth["conversations"] if parse_timestamp(c["lastMessageAt"]) >= start]
    items_pages = 0
    for conversation in changed:
        if loaded_at - parse_timestamp(conversation["lastMessageAt"]) >= lookback:
            continue
        since = (parse_timestamp(conversation["lastMessageAt"]) - lookback).replace(microsecond=0)
        count = sum(
            1 for item in truth["conversation_items"]
            if item["conversationId"] == conversation["id"]
            and parse_timestamp(item["createdAt"]) >= since
        )
        items_pages += max(1, math.ceil(count / PAGE_SIZE_BOUNDS["ConversationItems"][1]))
    expected = {operation: 1 for operation in REFERENCE_OPERATIONS}
    expected["ListContacts"] = math.ceil(len(truth["contacts"]) / 500)
    expected["ListConversations"] = max(1, math.ceil(len(changed) / 200))
    if items_pages:
        expected["ConversationItems"] = items_pages
    return expected


def test_one_run_after_changes_makes_the_warehouse_equal_the_ground_truth_again(
    simulator: Simulator, options: SyncOptions, warehouse: WarehouseReader
) -> None:
    # settle 0: the cursor then sits exactly on the newest message, so the late arrivals
    # below are older than the cursor and only the lookback can catch them.
    options = replace(options, settle=timedelta(0))
    sync(simulator, options)
    changed = simulator.advance({
        "new_contacts": 3, "edited_contacts": 3, "deleted_contacts": 2, "new_conversations": 2,
        "new_items": 12, "new_field": {"resource": "contacts", "name": "preferredPharmacy"},
    })
    sync(simulator, options)
    late = simulator.advance({"late_items": 3, "late_by_seconds": 120})

    third = sync(simulator, options)

    assert_equals_ground_truth(warehouse, simulator, deleted_before=set())
    assert_values_and_child_rows(warehouse, simulator)
    deleted = {row[0] for row in warehouse.query(
        "SELECT id FROM {contacts} WHERE deleted_at IS NOT NULL")}  # fmt: skip
    assert deleted == set(changed["contacts"]["deleted"]) - set(changed["contacts"]["created"])
    assert set(late["conversation_items"]["created"]) <= set(
        warehouse.column("conversation_items", "id")
    )
    assert parse_timestamp(third.conversation_cursor or "") < min(
        parse_timestamp(i["createdAt"]) for i in simulator.ground_truth()["conversation_items"]
        if i["id"] in late["conversation_items"]["created"]
    ) + options.lookback
    assert "preferred_pharmacy" in warehouse.columns("contacts")
    assert_clean_requests(simulator)


def test_a_short_rate_window_with_a_noisy_neighbour_throttles_nothing(
    simulator_factory: SimulatorFactory, options: SyncOptions, warehouse: WarehouseReader
) -> None:
    window = RateLimitSettings(limit=80, window_seconds=1.0, noisy_neighbour_share=0.15)
    simulator = simulator_factory(rate_limit=window)
    options = replace(options, rate_window=timedelta(seconds=1), reserve_share=0.2)

    summary = sync(simulator, options)

    counters = simulator.counters()
    assert counters.throttled == 0 and 429 not in counters.by_status
    assert summary.throttled == 0 and summary.retries == 0
    assert counters.neighbour_requests > 0  # the neighbour really spent the same budget
    assert_equals_ground_truth(warehouse, simulator)
