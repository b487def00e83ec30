"""Keyset listing: every row once, in the documented order, whatever the page size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from simulator.contract import InvalidParameter, ListOperation, NotFound, SortKey
from simulator.organization import SimulatedOrganization
from tests.simulator.data.conftest import AFTER_ANCHOR
from tests.simulator.data.reading import (
    first_page,
    ids,
    items_of,
    moment,
    read_after,
    read_all,
)

PAGED: list[ListOperation] = ["ListContacts", "ContactFields", "ContactTags", "ConversationTags",
         "OrganizationMembers", "ListSavedMessages", "ListScheduledMessages"]


def parents(org: SimulatedOrganization) -> dict[str, str]:
    world = org.world
    return {"teamId": world.people.teams[0]["id"],
            "endpointId": world.reference.webhook_endpoints[0]["id"]}


@pytest.mark.parametrize("operation", [*PAGED, "TeamMembers", "ListWebhookEndpointEvents"])
@pytest.mark.parametrize("limit", [1, 7])
def test_small_pages_read_the_same_rows_as_one_page(
    small_org: SimulatedOrganization, operation: ListOperation, limit: int
) -> None:
    params = parents(small_org)
    whole = read_all(small_org, operation, AFTER_ANCHOR, limit=None, **params)
    paged = read_all(small_org, operation, AFTER_ANCHOR, limit=limit, **params)
    assert ids(paged) == ids(whole) and len(set(ids(paged))) == len(paged)
    assert first_page(small_org, operation, AFTER_ANCHOR, limit, **params).total_count == len(whole)


def test_contacts_by_id_in_two_pages_of_500(small_org: SimulatedOrganization) -> None:
    first = first_page(small_org, "ListContacts", AFTER_ANCHOR, 500)
    contacts = read_all(small_org, "ListContacts", AFTER_ANCHOR, limit=500)
    assert first.has_more and len(first.records) == 500
    assert ids(contacts) == sorted(ids(contacts)) and len(contacts) == first.total_count


@pytest.mark.parametrize(("order_by", "field"), [("created", "createdAt"),
                                                 ("last_message", "lastMessageAt")])
def test_conversations_ascend_by_time_then_id(
    small_org: SimulatedOrganization, order_by: str, field: str
) -> None:
    conversations = read_all(small_org, "ListConversations", AFTER_ANCHOR, limit=13,
                             orderBy=order_by)
    keys = [(c[field], c["id"]) for c in conversations]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert len({c[field] for c in conversations}) < len(conversations), "no ties to break"


@pytest.mark.parametrize(("order_by", "field"), [("created", "createdAt"),
                                                 ("last_message", "lastMessageAt")])
def test_conversations_start_from_is_inclusive(
    small_org: SimulatedOrganization, order_by: str, field: str
) -> None:
    everything = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy=order_by)
    pivot = everything[len(everything) // 2]
    start = small_org.get("Conversation", pivot["id"], AFTER_ANCHOR)[field]
    start_from = moment(start)
    listed = read_all(small_org, "ListConversations", AFTER_ANCHOR, orderBy=order_by,
                      startFrom=start_from)
    assert ids(listed) == [c["id"] for c in everything if c[field] >= start]
    assert pivot["id"] in ids(listed)
    page = first_page(small_org, "ListConversations", AFTER_ANCHOR, 5, orderBy=order_by,
                      startFrom=start_from)
    assert page.total_count == len(listed)


def heavy_conversation(org: SimulatedOrganization) -> str:
    world = org.world
    index = max(range(world.conversations.count), key=world.items.generated_count)
    return str(world.conversations.record(index)["id"])


def test_items_newest_first_by_default_and_oldest_first_on_request(
    small_org: SimulatedOrganization,
) -> None:
    conversation = heavy_conversation(small_org)
    newest = items_of(small_org, conversation, AFTER_ANCHOR)
    oldest = items_of(small_org, conversation, AFTER_ANCHOR, order="oldest_first")
    keys = [(item["createdAt"], item["id"]) for item in oldest]
    assert keys == sorted(keys) and len(oldest) > 400
    assert ids(newest) == list(reversed(ids(oldest)))
    assert first_page(small_org, "ConversationItems", AFTER_ANCHOR, 200,
                      conversationId=conversation).has_more


@pytest.mark.parametrize("order", ["newest_first", "oldest_first"])
def test_items_start_from_keeps_items_created_strictly_after(
    small_org: SimulatedOrganization, order: str
) -> None:
    conversation = heavy_conversation(small_org)
    everything = items_of(small_org, conversation, AFTER_ANCHOR, order="oldest_first")
    pivot = everything[len(everything) // 2]["createdAt"]
    start_from = moment(pivot)
    listed = items_of(small_org, conversation, AFTER_ANCHOR, order=order, startFrom=start_from)
    assert sorted(ids(listed)) == sorted(i["id"] for i in everything if i["createdAt"] > pivot)
    page = first_page(small_org, "ConversationItems", AFTER_ANCHOR, 10,
                      conversationId=conversation, order=order, startFrom=start_from)
    assert page.total_count == len(listed)


def test_contacts_added_while_paging_are_neither_skipped_nor_repeated(
    tiny_org: SimulatedOrganization,
) -> None:
    before = ids(read_all(tiny_org, "ListContacts", AFTER_ANCHOR))
    page = first_page(tiny_org, "ListContacts", AFTER_ANCHOR, 10)
    added = tiny_org.advance({"new_contacts": 3}, AFTER_ANCHOR)["contacts"]["created"]
    rest = read_all_after(tiny_org, "ListContacts", page.last_key)
    assert ids(page.records) + rest == before + added


def read_all_after(org: SimulatedOrganization, operation: ListOperation, after: SortKey | None,
                   **params: Any) -> list[str]:
    """The ids listed after ``after``, a minute later, 10 a page."""
    later = AFTER_ANCHOR + timedelta(minutes=1)
    return ids(read_after(org, operation, later, 10, after, params))


def test_items_added_while_paging_oldest_first_are_neither_skipped_nor_repeated(
    tiny_org: SimulatedOrganization,
) -> None:
    world = tiny_org.world
    index = max(range(world.conversations.count), key=world.items.generated_count)
    conversation = world.conversations.record(index)["id"]
    before = ids(items_of(tiny_org, conversation, AFTER_ANCHOR, order="oldest_first"))
    page = first_page(tiny_org, "ConversationItems", AFTER_ANCHOR, 3,
                      conversationId=conversation, order="oldest_first")
    for _ in range(3):
        tiny_org.advance({"new_items": 5}, AFTER_ANCHOR)
    rest = read_all_after(tiny_org, "ConversationItems", page.last_key,
                          conversationId=conversation, order="oldest_first")
    now_listed = ids(items_of(tiny_org, conversation, AFTER_ANCHOR + timedelta(minutes=1),
                              order="oldest_first"))
    assert ids(page.records) + rest == now_listed
    assert now_listed[: len(before)] == before


def test_a_conversation_with_a_new_message_moves_to_the_end_of_last_message_order(
    tiny_org: SimulatedOrganization,
) -> None:
    page = first_page(tiny_org, "ListConversations", AFTER_ANCHOR, 10, orderBy="last_message")
    summary = tiny_org.advance({"new_items": 30}, AFTER_ANCHOR)
    touched = {item["conversationId"] for item in
               (tiny_org.get("ConversationItem", item_id, AFTER_ANCHOR)
                for item_id in summary["conversation_items"]["created"])}
    moved = touched & set(ids(page.records))
    rest = read_all_after(tiny_org, "ListConversations", page.last_key, orderBy="last_message")
    assert moved, "no conversation of the first page got a message"
    # Read again, at the end: every conversation with a new message, the first page's too.
    assert set(rest[-len(touched):]) == touched


@pytest.mark.parametrize(("operation", "params"), [
    ("ConversationItems", {"conversationId": "t_nope"}),
    ("ContactConversations", {"contactId": "entity_nope"}),
    ("ContactIntegrationLinks", {"contactId": "entity_3ZZZ000000000"}),
    ("ListConversationScheduledMessages", {"conversationId": "t_00000000000Z"}),
    ("TeamMembers", {"teamId": "entity_nope"}),
    ("ListWebhookEndpointEvents", {"endpointId": "wde_nope"}),
])
def test_unknown_parent_is_not_found(
    small_org: SimulatedOrganization, operation: ListOperation, params: dict[str, str]
) -> None:
    with pytest.raises(NotFound):
        first_page(small_org, operation, AFTER_ANCHOR, 10, **params)


@pytest.mark.parametrize(("operation", "params", "message"), [
    ("ListConversations", {"orderBy": "newest"}, "orderBy must be created or last_message"),
    ("ConversationItems", {"order": "sideways"}, "order must be newest_first or oldest_first"),
    ("ListConversations", {"orderBy": "created", "startFrom": "yesterday"}, "startFrom"),
])
def test_bad_parameters_say_what_is_wrong(
    small_org: SimulatedOrganization, operation: ListOperation, params: dict[str, str],
    message: str,
) -> None:
    params = {"conversationId": heavy_conversation(small_org), **params}
    with pytest.raises(InvalidParameter, match=message):
        first_page(small_org, operation, AFTER_ANCHOR, 10, **params)
