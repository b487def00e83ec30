"""Ground truth: what a perfect sync has loaded at ``now``, keyed by warehouse table.

It reflects what listing returns at ``now``: conversations and items not yet visible
(eventual consistency) are left out, soft-deleted items are in as placeholders, and
webhook events are those each endpoint lists at ``now``, with ``endpointId`` added
(the events listing is per endpoint; the table holds all endpoints' events).
"""

from __future__ import annotations

from collections.abc import Iterator

from simulator.contract import JsonRecord
from simulator.data.world import World


def _visible_conversations(world: World, now_ms: int) -> Iterator[int]:
    conversations = world.conversations
    return (index for index in range(conversations.count)
            if conversations.is_visible(index, now_ms))


def _items(world: World, now_ms: int) -> Iterator[JsonRecord]:
    for index in _visible_conversations(world, now_ms):
        thread = world.items.thread(index)
        for _, sequence in thread.keys:
            if thread.is_visible(sequence, now_ms):
                yield thread.served(sequence, now_ms, world.drift, world.media_secret)


def _events(world: World, now_ms: int) -> Iterator[JsonRecord]:
    log = world.events
    for endpoint in world.reference.webhook_endpoints:
        index = log.endpoint_index(endpoint["id"])
        assert index is not None
        start, end = log.window(index, now_ms, None, None)
        for event in log.events[start:end]:
            yield {**log.record(index, event), "endpointId": endpoint["id"]}


def _reference_tables(world: World) -> dict[str, list[JsonRecord]]:
    reference, people = world.reference, world.people
    return {
        "contact_tags": list(reference.contact_tags),
        "contact_fields": list(reference.contact_fields),
        "conversation_tags": list(reference.conversation_tags),
        "organization": [people.organization],
        "organization_members": people.members,
        "phone_lines": list(reference.phone_lines),
        "internal_endpoints": list(reference.internal_endpoints),
        "saved_messages": list(reference.saved_messages),
        "scheduled_messages": list(world.scheduled_messages),
    }


def ground_truth(world: World, now_ms: int) -> dict[str, list[JsonRecord]]:
    """Every table's rows at ``now_ms`` (whole records; heavy at the large scale)."""
    contacts, conversations = world.contacts, world.conversations
    return {
        "contacts": [contacts.record(index) for index in contacts.live_from(0)],
        "contacts_deleted": [{"id": contacts.new_id(index)} for index in sorted(contacts.deleted)],
        "conversations": [conversations.record(index)
                          for index in _visible_conversations(world, now_ms)],
        "conversation_items": list(_items(world, now_ms)),
        **_reference_tables(world),
        "webhook_events": list(_events(world, now_ms)),
    }


def _item_ids(world: World, now_ms: int) -> Iterator[str]:
    make = world.context.codecs.item.make
    for index in _visible_conversations(world, now_ms):
        thread = world.items.pinned.get(index)
        if thread is None:
            # An unchanged generated thread: its ids follow from its item count alone.
            yield from (make(index, sequence)
                        for sequence in range(world.items.generated_count(index)))
            continue
        yield from (make(index, sequence) for _, sequence in thread.keys
                    if thread.is_visible(sequence, now_ms))


def ground_truth_ids(world: World, now_ms: int) -> dict[str, set[str]]:
    """The ids of ``ground_truth``'s rows per table, without building the records."""
    contacts = world.contacts
    make_contact, make_conversation = contacts.new_id, world.context.codecs.conversation.make
    ids = {
        "contacts": {make_contact(index) for index in contacts.live_from(0)},
        "contacts_deleted": {make_contact(index) for index in contacts.deleted},
        "conversations": {make_conversation(index)
                          for index in _visible_conversations(world, now_ms)},
        "conversation_items": set(_item_ids(world, now_ms)),
        "webhook_events": {str(event["id"]) for event in _events(world, now_ms)},
    }
    for table, rows in _reference_tables(world).items():
        ids[table] = {_row_id(row) for row in rows}
    return ids


def _row_id(row: JsonRecord) -> str:
    # Internal endpoints have no id of their own: their endpoint's id names them.
    return str(row["id"] if "id" in row else row["endpoint"]["id"])


def _item_count(world: World, index: int, now_ms: int) -> int:
    thread = world.items.pinned.get(index)
    if thread is None:
        return world.items.generated_count(index)
    return sum(1 for _, sequence in thread.keys if thread.is_visible(sequence, now_ms))


def _endpoint_ids(world: World) -> list[str]:
    return [str(endpoint["id"]) for endpoint in world.reference.webhook_endpoints]


def ground_truth_counts(world: World, now_ms: int) -> dict[str, int]:
    """The row count per table of ``ground_truth``: instant even at the large scale."""
    log = world.events
    counts = {
        "contacts": world.contacts.live_count,
        "contacts_deleted": len(world.contacts.deleted),
        "conversations": sum(1 for _ in _visible_conversations(world, now_ms)),
        "conversation_items": sum(_item_count(world, index, now_ms)
                                  for index in _visible_conversations(world, now_ms)),
        "webhook_events": sum(end - start for start, end in (
            log.window(index, now_ms, None, None)
            for index in map(log.endpoint_index, _endpoint_ids(world)) if index is not None)),
    }
    counts.update({table: len(rows) for table, rows in _reference_tables(world).items()})
    return counts
