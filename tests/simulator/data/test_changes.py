"""advance: each kind of change shows in listings, gets, ground truth and the event log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from simulator.contract import NotFound
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import events, events_since, ids, items_of, read_all

NOW = AFTER_ANCHOR
NOW_TEXT = NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z")
LATER = NOW + timedelta(minutes=5)


def change(org: SimulatedOrganization, **keys: Any) -> tuple[dict[str, Any], list[Any]]:
    """Apply a change at NOW; its summary and the payloads of the events it logged."""
    before = len(events(org, NOW))
    summary = org.advance(keys, NOW)
    return summary, events_since(org, before, NOW)


def contact_ids(org: SimulatedOrganization) -> list[str]:
    return ids(read_all(org, "ListContacts", NOW))


def test_new_contacts_are_listed_last_and_logged(tiny_org: SimulatedOrganization) -> None:
    before = contact_ids(tiny_org)
    summary, logged = change(tiny_org, new_contacts=2)
    created = summary["contacts"]["created"]
    assert contact_ids(tiny_org) == before + created
    assert [event["type"] for event in logged] == ["contact.created"] * 2
    assert logged[0]["data"]["object"] == tiny_org.get("Contact", created[0], NOW)
    assert logged[0]["data"]["object"]["created"] == NOW_TEXT


def test_edited_contacts_change_and_log_the_whole_record(tiny_org: SimulatedOrganization
                                                         ) -> None:
    originals = {contact["id"]: contact for contact in read_all(tiny_org, "ListContacts", NOW)}
    summary, logged = change(tiny_org, edited_contacts=3)
    for contact_id, event in zip(summary["contacts"]["edited"], logged):
        current = tiny_org.get("Contact", contact_id, NOW)
        assert current != originals[contact_id] and current["id"] == contact_id
        assert event == {"object": "event", "type": "contact.updated", "eventTime": NOW_TEXT,
                         "data": {"object": current}}


def test_deleted_contacts_disappear(tiny_org: SimulatedOrganization) -> None:
    summary, logged = change(tiny_org, deleted_contacts=2)
    deleted = summary["contacts"]["deleted"]
    assert not set(deleted) & set(contact_ids(tiny_org))
    with pytest.raises(NotFound):
        tiny_org.get("Contact", deleted[0], NOW)
    assert {"id": deleted[0]} in tiny_org.ground_truth(NOW)["contacts_deleted"]
    assert [event["data"]["object"]["id"] for event in logged] == deleted
    assert {event["type"] for event in logged} == {"contact.deleted"}


def test_merged_contact_disappears_into_the_other(tiny_org: SimulatedOrganization) -> None:
    originals = {contact["id"]: contact for contact in read_all(tiny_org, "ListContacts", NOW)}
    summary, logged = change(tiny_org, merged_contacts=1)
    merge = summary["contacts"]["merged"][0]
    winner = tiny_org.get("Contact", merge["into"], NOW)
    loser_phones = {phone["id"] for phone in originals[merge["from"]]["phoneNumbers"]}
    assert merge["from"] not in contact_ids(tiny_org)
    assert loser_phones <= {phone["id"] for phone in winner["phoneNumbers"]}
    assert logged == [{"object": "event", "type": "contact.merged", "eventTime": NOW_TEXT,
                       "data": {"object": winner, "mergedContactIds": [merge["from"]]}}]


def test_new_conversations_come_with_items(tiny_org: SimulatedOrganization) -> None:
    summary, logged = change(tiny_org, new_conversations=2)
    created = summary["conversations"]["created"]
    listed = ids(read_all(tiny_org, "ListConversations", NOW, orderBy="created"))
    assert listed[-2:] == created
    for conversation_id in created:
        items = items_of(tiny_org, conversation_id, NOW)
        assert items and {item["createdAt"] for item in items} == {NOW_TEXT}
        assert tiny_org.get("Conversation", conversation_id, NOW)["lastMessageAt"] == NOW_TEXT
    types = [event["type"] for event in logged]
    assert types.count("conversation.created") == 2
    assert types.count("conversationItem.created") == len(
        summary["conversation_items"]["created"])


def test_new_items_move_last_message_at(tiny_org: SimulatedOrganization) -> None:
    summary, logged = change(tiny_org, new_items=3)
    for item_id, event in zip(summary["conversation_items"]["created"], logged):
        item = tiny_org.get("ConversationItem", item_id, NOW)
        conversation = tiny_org.get("Conversation", item["conversationId"], NOW)
        assert conversation["lastMessageAt"] == item["createdAt"] == NOW_TEXT
        assert items_of(tiny_org, conversation["id"], NOW)[0]["createdAt"] == NOW_TEXT
        assert event["type"] == "conversationItem.created"
        # Webhook payloads of items carry the parent conversation.
        assert event["data"]["object"]["conversation"]["id"] == conversation["id"]


def test_late_items_are_created_in_the_past(tiny_org: SimulatedOrganization) -> None:
    summary = tiny_org.advance({"late_items": 4, "late_by_seconds": 120}, NOW)
    earliest = (NOW - timedelta(seconds=120)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    for item_id in summary["conversation_items"]["created"]:
        item = tiny_org.get("ConversationItem", item_id, NOW)
        assert earliest <= item["createdAt"] < NOW_TEXT
        assert item_id in ids(items_of(tiny_org, item["conversationId"], NOW))


@pytest.mark.parametrize(("key", "field"), [("retitled_conversations", "title"),
                                            ("archived_conversations", "archived")])
def test_conversation_changes_without_a_message_keep_last_message_at(
    tiny_org: SimulatedOrganization, key: str, field: str
) -> None:
    order = ids(read_all(tiny_org, "ListConversations", NOW, orderBy="last_message"))
    originals = {c["id"]: c for c in read_all(tiny_org, "ListConversations", NOW,
                                              orderBy="created")}
    summary, logged = change(tiny_org, **{key: 2})
    for conversation_id in summary["conversations"]["edited"]:
        current = tiny_org.get("Conversation", conversation_id, NOW)
        assert current[field] != originals[conversation_id][field]
        assert current["lastMessageAt"] == originals[conversation_id]["lastMessageAt"]
    assert ids(read_all(tiny_org, "ListConversations", NOW, orderBy="last_message")) == order
    assert {event["type"] for event in logged} == {"conversation.updated"}


def test_edited_items_move_modified_at_only(tiny_org: SimulatedOrganization) -> None:
    summary, logged = change(tiny_org, edited_items=2)
    for item_id in summary["conversation_items"]["edited"]:
        item = tiny_org.get("ConversationItem", item_id, NOW)
        assert item["modifiedAt"] == NOW_TEXT and item["createdAt"] < NOW_TEXT
        assert item["text"].endswith("(edited ✏️)")
    assert {event["type"] for event in logged} == {"conversationItem.updated"}


def test_deleted_items_stay_listed_as_placeholders_until_restored(
    tiny_org: SimulatedOrganization,
) -> None:
    summary, deleted_events = change(tiny_org, deleted_items=1)
    item_id = summary["conversation_items"]["deleted"][0]
    placeholder = tiny_org.get("ConversationItem", item_id, NOW)
    listed = items_of(tiny_org, placeholder["conversationId"], NOW)
    assert placeholder in listed
    assert (placeholder["text"], placeholder["attachments"], placeholder["modifiedAt"]) == (
        "", [], NOW_TEXT)
    assert "event" not in placeholder and placeholder["canDelete"] is False
    assert deleted_events[0]["type"] == "conversationItem.deleted"

    restored = tiny_org.advance({"restored_items": 1}, LATER)
    assert restored["conversation_items"]["restored"] == [item_id]
    back = tiny_org.get("ConversationItem", item_id, LATER)
    assert back["modifiedAt"] > NOW_TEXT and back["createdAt"] == placeholder["createdAt"]
    assert back["text"] or back["attachments"] or "event" in back


def test_new_field_appears_on_every_record_of_the_resource(tiny_org: SimulatedOrganization
                                                           ) -> None:
    tiny_org.advance({"new_field": {"resource": "conversation_items",
                                    "name": "translatedText"}}, NOW)
    conversation = read_all(tiny_org, "ListConversations", NOW, orderBy="created")[0]
    items = items_of(tiny_org, conversation["id"], NOW)
    assert items and all("translatedText" in item for item in items)
    assert "translatedText" not in conversation


def test_type_change_applies_to_new_and_edited_records_only(tiny_org: SimulatedOrganization
                                                            ) -> None:
    untouched = read_all(tiny_org, "ListContacts", NOW)[0]
    summary = tiny_org.advance({"type_change": {"resource": "contacts", "field": "displayName"},
                                "new_contacts": 1, "edited_contacts": 1}, NOW)
    for contact_id in summary["contacts"]["created"] + summary["contacts"]["edited"]:
        assert isinstance(tiny_org.get("Contact", contact_id, NOW)["displayName"], dict)
    if untouched["id"] not in summary["contacts"]["edited"]:
        assert isinstance(tiny_org.get("Contact", untouched["id"], NOW)["displayName"], str)


def test_the_same_changes_choose_the_same_records() -> None:
    runs = []
    for _ in range(2):
        org = SimulatedOrganization(5, "tiny")
        runs.append([org.advance({"edited_contacts": 2, "new_items": 3, "deleted_items": 1},
                                 NOW + timedelta(minutes=minute)) for minute in range(3)])
    assert runs[0] == runs[1]
    assert json.loads(json.dumps(runs[0])) == runs[0]


@pytest.mark.parametrize(("bad", "message"), [
    ({"new_contact": 1}, r"unknown change keys \['new_contact'\]"),
    ({"new_items": -1}, "new_items must be a count"),
    ({"new_items": "3"}, "new_items must be a count"),
    ({"late_by_seconds": "soon"}, "late_by_seconds must be a number"),
    ({"new_field": "preferredName"}, 'new_field must be {"resource": ..., "name": ...}'),
    ({"new_field": {"resource": "patients", "name": "x"}}, "drift names resource 'patients'"),
])
def test_bad_changes_say_what_is_wrong(tiny_org: SimulatedOrganization, bad: dict[str, Any],
                                       message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tiny_org.advance(bad, NOW)
