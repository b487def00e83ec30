"""Eventual consistency: new records are listed only after the delay, got by id at once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import first_page, ids, items_of, read_all

DELAY = timedelta(seconds=30)
BEFORE_VISIBLE = AFTER_ANCHOR + DELAY - timedelta(milliseconds=1)
VISIBLE = AFTER_ANCHOR + DELAY


@pytest.fixture
def delayed_org() -> SimulatedOrganization:
    return SimulatedOrganization(11, "tiny", consistency_delay=DELAY)


def test_new_conversation_appears_after_the_delay(delayed_org: SimulatedOrganization) -> None:
    summary = delayed_org.advance({"new_conversations": 1}, AFTER_ANCHOR)
    conversation_id = summary["conversations"]["created"][0]
    for order_by in ("created", "last_message"):
        early = read_all(delayed_org, "ListConversations", BEFORE_VISIBLE, orderBy=order_by)
        late = read_all(delayed_org, "ListConversations", VISIBLE, orderBy=order_by)
        assert conversation_id not in ids(early) and conversation_id in ids(late)
        assert first_page(delayed_org, "ListConversations", BEFORE_VISIBLE, 5,
                          orderBy=order_by).total_count == len(early)
    created = delayed_org.get("Conversation", conversation_id, AFTER_ANCHOR)["createdAt"]
    assert created == AFTER_ANCHOR.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_new_item_appears_after_the_delay_with_its_creation_time(
    delayed_org: SimulatedOrganization,
) -> None:
    summary = delayed_org.advance({"new_items": 1}, AFTER_ANCHOR)
    item = delayed_org.get("ConversationItem", summary["conversation_items"]["created"][0],
                           AFTER_ANCHOR)
    early = items_of(delayed_org, item["conversationId"], BEFORE_VISIBLE)
    late = items_of(delayed_org, item["conversationId"], VISIBLE)
    assert item["id"] not in ids(early) and item["id"] == late[0]["id"]
    assert first_page(delayed_org, "ConversationItems", BEFORE_VISIBLE, 5,
                      conversationId=item["conversationId"]).total_count == len(early)
    # The conversation already says it has a newer message: a cursor must look back.
    conversation = delayed_org.get("Conversation", item["conversationId"], BEFORE_VISIBLE)
    assert conversation["lastMessageAt"] == item["createdAt"]


def test_a_change_can_override_the_delay(delayed_org: SimulatedOrganization) -> None:
    summary = delayed_org.advance({"new_items": 1, "consistency_delay_seconds": 0}, AFTER_ANCHOR)
    item_id = summary["conversation_items"]["created"][0]
    conversation = delayed_org.get("ConversationItem", item_id, AFTER_ANCHOR)["conversationId"]
    assert item_id in ids(items_of(delayed_org, conversation, AFTER_ANCHOR))


def test_ground_truth_respects_visibility(delayed_org: SimulatedOrganization) -> None:
    summary = delayed_org.advance({"new_conversations": 1, "new_items": 2}, AFTER_ANCHOR)
    new_items = set(summary["conversation_items"]["created"])
    early = delayed_org.ground_truth_ids(BEFORE_VISIBLE)
    late = delayed_org.ground_truth_ids(VISIBLE)
    assert not new_items & early["conversation_items"]
    assert new_items <= late["conversation_items"]
    assert summary["conversations"]["created"][0] in late["conversations"] - early[
        "conversations"]


def test_seconds_are_accepted_as_the_delay() -> None:
    org = SimulatedOrganization(11, "tiny", consistency_delay=30.0)
    summary = org.advance({"new_items": 1}, AFTER_ANCHOR)
    assert summary["visibleFrom"] == VISIBLE.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_total_count_of_items_after_start_from_ignores_hidden_older_items(
    delayed_org: SimulatedOrganization,
) -> None:
    summary = delayed_org.advance({"late_items": 1, "late_by_seconds": 600}, AFTER_ANCHOR)
    item = delayed_org.get("ConversationItem", summary["conversation_items"]["created"][0],
                           AFTER_ANCHOR)
    after_the_late_item = AFTER_ANCHOR - timedelta(milliseconds=1)
    listed = items_of(delayed_org, item["conversationId"], BEFORE_VISIBLE,
                      startFrom=after_the_late_item)
    page = first_page(delayed_org, "ConversationItems", BEFORE_VISIBLE, 5,
                      conversationId=item["conversationId"], startFrom=after_the_late_item)
    assert item["createdAt"] < after_the_late_item.isoformat()
    assert page.total_count == len(listed)
