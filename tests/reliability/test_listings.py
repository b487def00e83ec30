"""Rows 9, 10, 13, 14, 15 and 25: listings that change, break or lie while being paged."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pipelines.runner.failures import ExitCode, classify
from simulator import FaultKind, FaultSettings
from sources.spruce.exceptions import PaginationLoopError
from tests.reliability.conftest import StartSimulator, SyncHarness, schedule
from tests.reliability.organizations import ChangeMidListing, ChangingOrganization, VanishingItems
from tests.reliability.warehouse import duplicate_ids

SMALL_PAGES = {"ListConversations": 5, "ConversationItems": 20, "ListContacts": 10}


@pytest.mark.parametrize("operation", ["ListConversations", "ConversationItems", "ListContacts"])
def test_row9_an_expired_pagination_token_restarts_the_listing(
    harness: SyncHarness, operation: str
) -> None:
    harness.simulator.set_faults(schedule("expired-token", operation))

    harness.run(page_sizes=SMALL_PAGES)

    assert harness.simulator.counters().faults_injected == {"expired-token": 1}
    assert harness.differences() == []


@pytest.mark.parametrize("fault", ["repeat-token", "has-more-without-token"])
@pytest.mark.parametrize("operation", ["ListConversations", "ListContacts"])
def test_row10_a_paging_loop_is_stopped_with_a_clear_error(
    harness: SyncHarness, fault: FaultKind, operation: str
) -> None:
    harness.simulator.set_faults(schedule(fault, operation))

    error = harness.fail(page_sizes=SMALL_PAGES)

    assert isinstance(error, PaginationLoopError), repr(error)
    assert classify(error)[0] == ExitCode.FAILURE
    assert harness.simulator.counters().faults_injected == {fault: 1}
    assert harness.load_ids() == []


def test_row13_items_of_a_conversation_deleted_meanwhile_are_skipped_and_counted(
    harness: SyncHarness, start_simulator: StartSimulator
) -> None:
    gone = harness.simulator.ground_truth()["conversations"][0]["id"]
    harness.simulator = start_simulator(wrap=lambda inner: VanishingItems(inner, gone))
    truth_items = harness.simulator.ground_truth()["conversation_items"]
    missing = sorted(item["id"] for item in truth_items if item["conversationId"] == gone)

    summary = harness.run()

    assert summary.skipped_conversations == [gone]
    assert missing and harness.differences() == [
        f"conversation_items: id {item!r} missing" for item in missing
    ]


def test_row14_a_late_arrival_older_than_the_cursor_is_caught_by_the_lookback(
    harness: SyncHarness,
) -> None:
    harness.run(settle=timedelta(0))
    harness.simulator.advance({"new_items": 3})
    cursor = datetime.fromisoformat(harness.run(settle=timedelta(0)).conversation_cursor or "")
    late = harness.simulator.advance({"late_items": 3, "late_by_seconds": 120})

    harness.run(settle=timedelta(0))

    late_ids = set(late["conversation_items"]["created"])
    items = harness.simulator.ground_truth()["conversation_items"]
    created = [datetime.fromisoformat(i["createdAt"]) for i in items if i["id"] in late_ids]
    assert min(created) < cursor, "the scenario needs an item older than the cursor"
    assert harness.differences() == []


def test_row15_a_row_that_moves_between_pages_is_kept_once_in_its_newest_version(
    harness: SyncHarness, start_simulator: StartSimulator
) -> None:
    """A late item (older than the run, newer than the conversation) moves a conversation
    of page 1 to a later page while the listing is being read: it is listed twice."""
    plan = ChangeMidListing("ListConversations", {"late_items": 8, "late_by_seconds": 3600})
    harness.simulator = start_simulator(wrap=lambda inner: ChangingOrganization(inner, plan))

    harness.run(page_sizes=SMALL_PAGES)

    assert plan.summary is not None
    moved = _conversations_of(harness, plan.summary["conversation_items"]["created"])
    assert moved & set(plan.first_page_ids), "a changed conversation must move off page 1"
    assert duplicate_ids(harness.warehouse.rows("conversations")) == {}
    assert harness.differences() == []



def _conversations_of(harness: SyncHarness, item_ids: list[str]) -> set[str]:
    items = harness.simulator.ground_truth()["conversation_items"]
    return {str(item["conversationId"]) for item in items if item["id"] in set(item_ids)}


def test_row25_no_deletion_is_inferred_from_a_partial_contact_listing(
    harness: SyncHarness,
) -> None:
    harness.run()
    deleted = harness.simulator.advance({"deleted_contacts": 1})["contacts"]["deleted"]
    harness.simulator.set_faults(schedule("repeat-token", "ListContacts"))

    harness.fail(page_sizes=SMALL_PAGES)

    contacts = harness.warehouse.rows("contacts")
    assert [row["id"] for row in contacts if row["deleted_at"] is not None] == []
    harness.simulator.set_faults(FaultSettings())
    summary = harness.run(page_sizes=SMALL_PAGES)
    marked = [row["id"] for row in harness.warehouse.rows("contacts") if row["deleted_at"]]
    assert (summary.contacts_marked_deleted, marked) == (1, deleted)
    assert harness.differences() == []


@pytest.mark.timeout(180)
def test_a_first_sync_that_commits_every_page_completes(harness: SyncHarness) -> None:
    """A window bound by time that every page reaches (0 s): each window must still move
    on to the next page (a window by days once listed the same month forever)."""
    summary = harness.run(window_duration=timedelta(0), page_sizes=SMALL_PAGES)

    assert summary.windows > 3
    assert harness.differences() == []
