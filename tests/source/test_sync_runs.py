"""How runs behave beyond the bar: windows, resume, backfill, errors, lock, check, status,
schema contracts and the PHI policy (DuckDB; the destination does not change these)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from typing import TypedDict

import pytest

from pipelines.configuration.options import SyncOptions, pipeline_name_of
from pipelines.runner.check import check_connection
from pipelines.runner.destinations import pipelines_dir
from pipelines.runner.errors import PipelineBusy
from pipelines.runner.lock import pipeline_lock
from pipelines.runner.run import run_sync
from pipelines.runner.status import pipeline_status
from simulator import FaultSettings, RateLimitSettings, Simulator
from sources.spruce.cursors import parse_timestamp
from sources.spruce.exceptions import InsecureBaseUrl, RateBudgetExhausted, SpruceAuthError
from sources.spruce.phi import parse_phi_policy
from tests.fixtures.simulator import TEST_TOKEN, SimulatorFactory
from tests.source.test_sync_bar import assert_equals_ground_truth, sync
from tests.source.warehouse_reader import WarehouseReader


class WindowOptions(TypedDict):
    """The ``SyncOptions`` fields that cut a first sync into windows."""

    window_conversations: int
    page_sizes: dict[str, int]


# Windows of one 50-conversation page each: a small organization's first sync takes four.
PAGED_WINDOWS: WindowOptions = {"window_conversations": 50, "page_sizes": {"ListConversations": 50}}


def test_a_first_sync_runs_in_windows_each_committed_on_its_own(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    summary = sync(simulator, replace(duckdb_options, **PAGED_WINDOWS))

    assert summary.windows > 2
    assert len(summary.load_ids) == summary.windows
    loads = duckdb_warehouse.query("SELECT load_id FROM {_dlt_loads} WHERE status = 0")
    assert {load_id for (load_id,) in loads} == set(summary.load_ids)
    assert_equals_ground_truth(duckdb_warehouse, simulator)
    # Each window lists on from where the last one stopped, and the conversation at the
    # boundary, listed twice, has its items read once.
    truth = simulator.ground_truth()
    requests = simulator.counters().by_operation
    items = Counter(item["conversationId"] for item in truth["conversation_items"])
    item_pages = sum(max(1, math.ceil(items[c["id"]] / 200)) for c in truth["conversations"])
    assert requests["ConversationItems"] == item_pages
    pages = math.ceil(len(truth["conversations"]) / 50)
    assert pages <= requests["ListConversations"] <= pages + summary.windows - 1


def test_a_full_refresh_of_conversations_reloads_every_window_in_one_run(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    sync(simulator, duckdb_options)

    refreshed = sync(simulator, replace(duckdb_options, full_refresh=("conversations",),
                                        **PAGED_WINDOWS))  # fmt: skip

    assert refreshed.windows > 2
    assert refreshed.rows_per_table["conversations"] >= len(
        simulator.ground_truth()["conversations"]
    )
    assert_equals_ground_truth(duckdb_warehouse, simulator)


def test_a_first_sync_stopped_half_way_resumes_from_the_last_finished_window(
    simulator_factory: SimulatorFactory, duckdb_options: SyncOptions,
    duckdb_warehouse: WarehouseReader,
) -> None:
    revoked = "token-revoked-mid-sync"
    simulator = simulator_factory(
        tokens=(revoked, TEST_TOKEN),
        faults=FaultSettings(revoke_after=80, revoke_token=revoked),
    )
    options = replace(duckdb_options, **PAGED_WINDOWS)
    with pytest.raises(SpruceAuthError):
        run_sync(options, api_token=revoked, base_url=simulator.base_url)
    cursor = pipeline_status(options).resources[1].cursor
    assert cursor is not None  # some windows were committed before the stop
    kept = set(duckdb_warehouse.column("conversations", "id"))
    simulator.reset_counters()

    resumed = run_sync(options, api_token=TEST_TOKEN, base_url=simulator.base_url)

    assert 0 < len(kept) < len(simulator.ground_truth()["conversations"])
    assert resumed.rows_per_table["conversations"] < len(simulator.ground_truth()["conversations"])
    assert_equals_ground_truth(duckdb_warehouse, simulator)


def test_a_backfill_merges_its_window_and_leaves_the_cursor_alone(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    first = sync(simulator, duckdb_options)
    truth = simulator.ground_truth()["conversations"]
    moments = sorted(parse_timestamp(c["lastMessageAt"]) for c in truth)
    since, until = moments[len(moments) // 4], moments[len(moments) // 2]
    simulator.reset_counters()

    backfill = sync(simulator, replace(duckdb_options, backfill_since=since, backfill_until=until))

    in_window = [c for c in truth if since <= parse_timestamp(c["lastMessageAt"]) < until]
    assert backfill.rows_per_table["conversations"] == len(in_window)
    assert backfill.conversation_cursor == first.conversation_cursor
    assert set(simulator.counters().by_operation) == {"ListConversations", "ConversationItems"}
    assert_equals_ground_truth(duckdb_warehouse, simulator)


def test_a_wrong_token_fails_at_once_without_the_token_and_writes_nothing(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    wrong = "sk-wrong-token-0123456789"
    with pytest.raises(SpruceAuthError) as refused:
        run_sync(duckdb_options, api_token=wrong, base_url=simulator.base_url)

    assert wrong not in str(refused.value) and "SOURCES__SPRUCE__API_TOKEN" in str(refused.value)
    assert simulator.counters().total_requests == 1
    assert duckdb_warehouse.table_counts() == {}


@pytest.mark.parametrize(
    "base_url", ["http://api.sprucehealth.com/v1", "http://10.0.0.5:8080/v1", "ftp://127.0.0.1/v1"]
)
def test_a_base_url_that_would_leak_the_token_is_refused(
    duckdb_options: SyncOptions, base_url: str
) -> None:
    with pytest.raises(InsecureBaseUrl, match="https"):
        run_sync(duckdb_options, api_token=TEST_TOKEN, base_url=base_url)


def test_a_second_instance_of_the_pipeline_refuses_before_any_request(
    simulator: Simulator, duckdb_options: SyncOptions
) -> None:
    lock = pipeline_lock(pipelines_dir(duckdb_options), pipeline_name_of(duckdb_options))
    with lock, pytest.raises(PipelineBusy, match="in progress"):
        sync(simulator, duckdb_options)
    assert simulator.counters().total_requests == 0


def test_check_reports_the_organization_and_its_rate_budget(
    simulator_factory: SimulatorFactory, duckdb_options: SyncOptions
) -> None:
    simulator = simulator_factory(rate_limit=RateLimitSettings(limit=100, daily_limit=5000))

    report = check_connection(duckdb_options, api_token=TEST_TOKEN, base_url=simulator.base_url)

    assert report.organization_id.startswith("entity_")
    assert report.rate_limit["limit"] == 100 and report.rate_limit["remaining"] == 99
    assert report.rate_limit["daily_limit"] == 5000
    assert simulator.counters().total_requests == 1


def test_status_shows_the_cursor_the_last_load_and_the_rows(
    simulator: Simulator, duckdb_options: SyncOptions
) -> None:
    summary = sync(simulator, duckdb_options)

    status = pipeline_status(duckdb_options)

    by_name = {resource.name: resource for resource in status.resources}
    assert by_name["conversations"].cursor == summary.conversation_cursor
    assert by_name["contacts"].last_load_id == summary.load_ids[-1]
    assert "since" in by_name["conversations"].next_run
    assert status.rows_per_table["conversations"] == len(simulator.ground_truth()["conversations"])


def test_a_changed_type_lands_beside_the_old_column_never_as_a_failed_load(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    sync(simulator, duckdb_options)
    changed = simulator.advance({
        "type_change": {"resource": "conversations", "field": "title"},
        "new_conversations": 3,  # records created from now on carry the new type
    })

    sync(simulator, duckdb_options)

    columns = duckdb_warehouse.columns("conversations")
    assert columns["title"] in ("varchar", "text")  # the old column keeps its type
    # A string that became an object is flattened by dlt (a scalar would get `title__v_*`).
    retyped = [name for name in columns if name.startswith("title__")]
    assert retyped
    new_ids = changed["conversations"]["created"]
    landed = duckdb_warehouse.query(
        f"SELECT count(*) FROM {{conversations}} WHERE {retyped[0]} IS NOT NULL"
        f" AND id IN ({', '.join(['%s'] * len(new_ids))})", *new_ids,
    )
    assert landed == [(len(new_ids),)]


def test_a_discarding_contract_keeps_a_new_field_out(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    options = replace(duckdb_options, schema_contracts={"contacts": "discard_value"})
    sync(simulator, options)
    simulator.advance({"new_field": {"resource": "contacts", "name": "preferredPharmacy"},
                       "edited_contacts": 5})  # fmt: skip

    sync(simulator, options)

    assert "preferred_pharmacy" not in duckdb_warehouse.columns("contacts")


def test_the_phi_policy_is_applied_before_the_load(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    policy = parse_phi_policy({"columns": {"contacts": {"date_of_birth": "drop"}}})

    sync(simulator, replace(duckdb_options, phi_policy=policy))

    assert "date_of_birth" not in duckdb_warehouse.columns("contacts")
    assert "display_name" in duckdb_warehouse.columns("contacts")


def test_signed_urls_are_stored_without_their_signature_even_with_no_policy(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    sync(simulator, duckdb_options)

    stored_urls = [
        url
        for table, columns in _text_columns(duckdb_warehouse).items()
        for column in columns if column.endswith("url")
        for url in duckdb_warehouse.column(table, column) if url
    ]
    assert stored_urls  # attachments and call recordings are there, as paths
    assert not [url for url in stored_urls if "Signature=" in url or "?" in url]


def _text_columns(warehouse: WarehouseReader) -> dict[str, list[str]]:
    rows = warehouse.query(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = %s AND data_type = 'VARCHAR'",
        warehouse.options.dataset_name,
    )
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    return columns


def test_webhook_events_apply_edits_that_do_not_move_the_cursor(
    simulator: Simulator, duckdb_options: SyncOptions, duckdb_warehouse: WarehouseReader
) -> None:
    options = replace(duckdb_options, webhook_endpoint_id="wde_007000000000")
    first = sync(simulator, options)
    changed = simulator.advance({"edited_items": 4, "retitled_conversations": 3,
                                 "deleted_contacts": 1})  # fmt: skip

    second = sync(simulator, options)

    truth = simulator.ground_truth()
    titles = dict(duckdb_warehouse.query("SELECT id, title FROM {conversations}"))
    assert {c["id"]: c["title"] for c in truth["conversations"]} == titles
    texts = dict(duckdb_warehouse.query("SELECT id, text FROM {conversation_items}"))
    assert {i["id"]: i.get("text") for i in truth["conversation_items"]} == texts
    events = set(duckdb_warehouse.column("webhook_events", "id"))
    assert events == {e["id"] for e in truth["webhook_events"]
                      if e["endpointId"] == "wde_007000000000"}  # fmt: skip
    # dlt's incremental on eventTime: the second run loads only the events made since.
    assert second.rows_per_table["webhook_events"] == len(events) - first.rows_per_table.get(
        "webhook_events", 0
    )
    assert set(changed["contacts"]["deleted"]) <= {row[0] for row in duckdb_warehouse.query(
        "SELECT id FROM {contacts} WHERE deleted_at IS NOT NULL")}  # fmt: skip


def test_a_daily_budget_too_small_stops_cleanly_with_progress_kept(
    simulator_factory: SimulatorFactory, duckdb_options: SyncOptions,
    duckdb_warehouse: WarehouseReader,
) -> None:
    simulator = simulator_factory(rate_limit=RateLimitSettings(limit=10_000, daily_limit=150))
    options = replace(duckdb_options, **PAGED_WINDOWS)

    with pytest.raises(RateBudgetExhausted) as stopped:
        sync(simulator, options)

    counters = simulator.counters()
    assert counters.throttled == 0 and counters.total_requests <= 150 - 30  # reserve kept
    assert stopped.value.resume_at > datetime.now(timezone.utc)
    assert pipeline_status(options).resources[1].cursor is not None  # finished windows kept
    assert duckdb_warehouse.column("conversations", "id")
