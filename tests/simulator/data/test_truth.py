"""Ground truth is exactly what a client reading every listing at ``now`` would get."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from simulator.contract import ListOperation
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import items_of, read_all

LATER = AFTER_ANCHOR + timedelta(minutes=10)
EVERY_CHANGE = {"new_contacts": 2, "edited_contacts": 2, "deleted_contacts": 1,
                "merged_contacts": 1, "new_conversations": 2, "new_items": 3, "late_items": 2,
                "retitled_conversations": 1, "archived_conversations": 1, "edited_items": 2,
                "deleted_items": 2}
SIMPLE_TABLES: dict[str, ListOperation] = {
    "contact_tags": "ContactTags", "contact_fields": "ContactFields",
    "conversation_tags": "ConversationTags", "organization_members": "OrganizationMembers",
    "phone_lines": "PhoneLines", "internal_endpoints": "InternalEndpoints",
    "saved_messages": "ListSavedMessages", "scheduled_messages": "ListScheduledMessages",
}


@pytest.fixture
def changed_org() -> SimulatedOrganization:
    org = SimulatedOrganization(13, "tiny", consistency_delay=timedelta(minutes=5))
    org.advance(EVERY_CHANGE, AFTER_ANCHOR)
    org.advance({"restored_items": 1, "new_items": 2}, LATER)  # not yet visible at LATER
    return org


def read_everything(org: SimulatedOrganization) -> dict[str, list[dict[str, Any]]]:
    conversations = read_all(org, "ListConversations", LATER, orderBy="created")
    endpoints = read_all(org, "ListWebhookEndpoints", LATER)
    return {
        "contacts": read_all(org, "ListContacts", LATER),
        "conversations": conversations,
        "conversation_items": [item for conversation in conversations
                               for item in items_of(org, conversation["id"], LATER,
                                                    order="oldest_first")],
        "organization": [org.get("OrganizationMember", org.organization_id, LATER)],
        "webhook_events": [{**event, "endpointId": endpoint["id"]} for endpoint in endpoints
                           for event in read_all(org, "ListWebhookEndpointEvents", LATER,
                                                 endpointId=endpoint["id"])],
        **{table: read_all(org, operation, LATER) for table, operation in SIMPLE_TABLES.items()},
    }


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(row.get("id") or row["endpoint"]["id"]): row for row in rows}


def test_ground_truth_equals_reading_every_listing(changed_org: SimulatedOrganization) -> None:
    truth = changed_org.ground_truth(LATER)
    read = read_everything(changed_org)
    for table, rows in read.items():
        assert by_id(truth[table]) == by_id(rows), table
    assert set(truth) == set(read) | {"contacts_deleted"}
    assert len(truth["contacts_deleted"]) == 2


def test_ground_truth_ids_match_the_records(changed_org: SimulatedOrganization) -> None:
    truth = changed_org.ground_truth(LATER)
    truth_ids = changed_org.ground_truth_ids(LATER)
    assert truth_ids == {table: set(by_id(rows)) for table, rows in truth.items()}


def test_ground_truth_counts_match_the_ids(changed_org: SimulatedOrganization) -> None:
    ids_per_table = changed_org.ground_truth_ids(LATER)
    assert changed_org.ground_truth_counts(LATER) == {
        table: len(ids) for table, ids in ids_per_table.items()}
