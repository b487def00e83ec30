"""Every kind of record validates against its OpenAPI component schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from simulator.contract import GetOperation, ListOperation
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import first_page

# List operation -> the component schema of one of its records.
LIST_SCHEMAS: dict[ListOperation, str] = {
    "ListContacts": "contact",
    "ContactFields": "contact_organizationContactFieldName",
    "ContactTags": "contact_tag",
    "ContactIntegrationLinks": "contact_integrationLink",
    "ContactConversations": "conversation",
    "ListConversations": "conversation",
    "ConversationItems": "conversationItem",
    "ListConversationScheduledMessages": "scheduledMessage",
    "ConversationTags": "conversation_tag",
    "InternalEndpoints": "internalEndpoint",
    "OrganizationMembers": "organizationMember",
    "TeamMembers": "organizationMember",
    "PhoneLines": "phoneline",
    "ListSavedMessages": "savedMessage",
    "ListScheduledMessages": "scheduledMessage",
    "ListWebhookEndpoints": "webhookDestinationEndpoint",
    "ListWebhookEndpointEvents": "webhookDestinationEndpointEvent",
}


def validator(spec: dict[str, Any], component: str) -> OAS30Validator:
    """A validator of ``component`` whose ``$ref``s resolve inside the document."""
    schema = {"$ref": f"#/components/schemas/{component}", "components": spec["components"]}
    return OAS30Validator(schema, format_checker=oas30_format_checker)


def parent_params(org: SimulatedOrganization, operation: ListOperation) -> dict[str, Any]:
    """Path ids of parents that have children: a contact with links or conversations."""
    world = org.world
    if operation == "ContactConversations":
        contact_id = next(conversation["associatedContactIds"][0]
                          for conversation in map(world.conversations.record,
                                                  range(world.conversations.count))
                          if conversation["associatedContactIds"])
    else:
        contact_id = next(world.contacts.record(index)["id"]
                          for index in range(world.contacts.count)
                          if world.contacts.record(index)["integrationLinks"])
    scheduled = world.scheduled_messages[0]
    return {
        "contactId": contact_id,
        "conversationId": scheduled["conversationId"],
        "teamId": world.people.teams[0]["id"],
        "endpointId": world.reference.webhook_endpoints[0]["id"],
        "orderBy": "created",
    }


def all_records(org: SimulatedOrganization, operation: ListOperation) -> list[dict[str, Any]]:
    """Every record of a listing, in one page."""
    return first_page(org, operation, AFTER_ANCHOR, None, **parent_params(org, operation)).records


def every_item(org: SimulatedOrganization) -> Iterator[dict[str, Any]]:
    """Every item of every conversation (so that every content shape is met)."""
    for index in range(org.world.conversations.count):
        conversation_id = org.world.conversations.record(index)["id"]
        yield from first_page(org, "ConversationItems", AFTER_ANCHOR, None,
                              conversationId=conversation_id).records


@pytest.mark.parametrize("operation", sorted(LIST_SCHEMAS))
def test_listed_records_validate(
    small_org: SimulatedOrganization, openapi_spec: dict[str, Any], operation: ListOperation
) -> None:
    records = all_records(small_org, operation)
    assert records, f"{operation} listed nothing to validate"
    check = validator(openapi_spec, LIST_SCHEMAS[operation])
    for record in records:
        check.validate(record)


def test_every_item_shape_validates(
    small_org: SimulatedOrganization, openapi_spec: dict[str, Any]
) -> None:
    check = validator(openapi_spec, "conversationItem")
    items = list(every_item(small_org))
    for item in items:
        check.validate(item)
    shapes = {"attachment": any(item["attachments"] for item in items),
              "call": any(item.get("event", {}).get("type") == "inboundCall" for item in items),
              "voicemail": any("voicemail" in item.get("event", {}).get("data", {})
                               for item in items),
              "internal note": any(item["isInternalNote"] for item in items),
              "page": any(item["pages"] for item in items)}
    assert all(shapes.values()), f"missing item shapes: {shapes}"


@pytest.mark.parametrize(
    ("operation", "component", "source"),
    [
        ("Contact", "contact", "ListContacts"),
        ("Conversation", "conversation", "ListConversations"),
        ("OrganizationMember", "organizationMember", "OrganizationMembers"),
        ("PhoneLine", "phoneline", "PhoneLines"),
        ("WebhookEndpoint", "webhookDestinationEndpoint", "ListWebhookEndpoints"),
    ],
)
def test_got_records_validate(
    small_org: SimulatedOrganization, openapi_spec: dict[str, Any], operation: GetOperation,
    component: str, source: ListOperation,
) -> None:
    listed = all_records(small_org, source)[0]
    record = small_org.get(operation, listed["id"], AFTER_ANCHOR)
    assert record == listed
    validator(openapi_spec, component).validate(record)


def test_transcription_validates(
    small_org: SimulatedOrganization, openapi_spec: dict[str, Any]
) -> None:
    recent = [item for item in every_item(small_org)
              if "voicemail" in item.get("event", {}).get("data", {})
              and item["createdAt"] >= "2025-11-01"]
    assert recent, "no voicemail after the legacy cutoff in the small scale"
    transcription_id = recent[0]["event"]["data"]["voicemail"]["transcription"]["id"]
    record = small_org.get("Transcription", transcription_id, AFTER_ANCHOR)
    validator(openapi_spec, "transcription").validate(record)


# Warehouse table of the ground truth -> the component schema of its rows.
TRUTH_SCHEMAS = {
    "contacts": "contact", "conversations": "conversation",
    "conversation_items": "conversationItem", "organization": "organization",
    "organization_members": "organizationMember", "scheduled_messages": "scheduledMessage",
    "webhook_events": "webhookDestinationEndpointEvent",
}
EVERY_CHANGE = {"new_contacts": 3, "edited_contacts": 5, "merged_contacts": 2,
                "new_conversations": 4, "new_items": 10, "late_items": 5,
                "retitled_conversations": 3, "archived_conversations": 3, "edited_items": 5,
                "deleted_items": 5}


def test_records_made_by_changes_still_validate(
    tiny_org: SimulatedOrganization, openapi_spec: dict[str, Any]
) -> None:
    tiny_org.advance(EVERY_CHANGE, AFTER_ANCHOR)
    tiny_org.advance({"restored_items": 2}, AFTER_ANCHOR)
    truth = tiny_org.ground_truth(AFTER_ANCHOR)
    for table, component in TRUTH_SCHEMAS.items():
        check = validator(openapi_spec, component)
        for row in truth[table]:
            # The event table adds endpointId; the schema allows extra properties.
            check.validate(row)


EVENT_OBJECT_SCHEMAS = {"contact": "contact", "conversation": "conversation",
                        "conversationItem": "conversationItem"}


def test_event_payloads_carry_schema_valid_resources(
    tiny_org: SimulatedOrganization, openapi_spec: dict[str, Any]
) -> None:
    tiny_org.advance({**EVERY_CHANGE, "deleted_contacts": 2}, AFTER_ANCHOR)
    payloads = [json.loads(event["data"])
                for event in tiny_org.ground_truth(AFTER_ANCHOR)["webhook_events"]]
    kinds = {payload["type"] for payload in payloads}
    assert {"contact.merged", "contact.deleted", "conversation.updated",
            "conversationItem.deleted"} <= kinds
    for payload in payloads:
        resource = payload["type"].split(".")[0]
        validator(openapi_spec, EVENT_OBJECT_SCHEMAS[resource]).validate(
            payload["data"]["object"])
