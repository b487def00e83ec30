"""One handler per list operation: keyset pages over the world's records.

Sort keys (``Page.last_key``) per operation:
contacts ``[id]``; conversations ``[orderingTimeMs, index]``; conversation items
``[createdAtMs, sequence]``; webhook events ``[eventTimeMs, sequence]``; the small
reference lists ``[id]`` (they are listed by id).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from simulator.contract import InvalidParameter, JsonRecord, ListQuery, NotFound, Page
from simulator.data.clock import parse_rfc3339, to_ms
from simulator.data.items import Thread
from simulator.data.paging import TimeKey, ascending_from, count_from, descending_from, take
from simulator.data.search import created_time_matcher
from simulator.data.world import World

Handler = Callable[[World, ListQuery], Page]


def by_id_page(records: list[JsonRecord], query: ListQuery) -> Page:
    """A page of a small list sorted by id."""
    after = query.after[0] if query.after else None
    ordered = sorted(records, key=lambda record: str(record["id"]))
    remaining = [record for record in ordered if after is None or str(record["id"]) > after]
    chosen, has_more = take(remaining, query.limit)
    last_key = [chosen[-1]["id"]] if chosen else None
    return Page(chosen, last_key, has_more, len(records))


def everything(records: list[JsonRecord]) -> Page:
    """An unpaged list."""
    return Page(list(records), None, False, len(records))


def _time_key(query: ListQuery) -> TimeKey | None:
    return (int(query.after[0]), int(query.after[1])) if query.after else None


def _param_ms(query: ListQuery, name: str) -> int | None:
    value = query.params.get(name)
    if value is None:
        return None
    try:
        # The HTTP layer passes datetimes; a raw RFC 3339 string is accepted as well.
        return parse_rfc3339(value) if isinstance(value, str) else to_ms(value)
    except (AttributeError, TypeError, ValueError):
        raise InvalidParameter(
            f"{name} must be an RFC 3339 date-time with a timezone, such as "
            f"2026-04-01T00:00:00Z, not {value!r}") from None


def _after_contact(world: World, query: ListQuery) -> int:
    """The index of the contact a page resumes after (-1 for the first page)."""
    if not query.after:
        return -1
    index = world.context.codecs.contact.parse(str(query.after[0]))
    return -1 if index is None else index


def list_contacts(world: World, query: ListQuery) -> Page:
    contacts = world.contacts
    chosen, has_more = take(contacts.live_from(_after_contact(world, query) + 1), query.limit)
    records = [contacts.record(index) for index in chosen]
    last_key = [records[-1]["id"]] if records else None
    return Page(records, last_key, has_more, contacts.live_count)


def search_contacts(world: World, query: ListQuery) -> Page:
    contacts = world.contacts
    search = query.params.get("search") or {}
    matching = contacts.matching(orjson.dumps(search, option=orjson.OPT_SORT_KEYS).decode(),
                                 created_time_matcher(search))
    start = bisect_right(matching, _after_contact(world, query))
    chosen, has_more = take((matching[i] for i in range(start, len(matching))), query.limit)
    records = [contacts.record(index) for index in chosen]
    last_key = [records[-1]["id"]] if records else None
    return Page(records, last_key, has_more, len(matching))


def _parent(query: ListQuery, name: str, find: Callable[[str], int | None], kind: str) -> int:
    """The index of the listing's parent record named by path parameter ``name``."""
    parent_id = str(query.params.get(name, ""))
    index = find(parent_id)
    if index is None:
        raise NotFound(f"{kind} {parent_id} not found")
    return index


def _contact_index(world: World, query: ListQuery) -> int:
    return _parent(query, "contactId", world.contacts.index_of, "contact")


def contact_conversations(world: World, query: ListQuery) -> Page:
    contact_id = world.contacts.record(_contact_index(world, query))["id"]
    conversations = world.conversations
    now_ms = to_ms(query.now)
    return everything([conversations.record(index)
                       for index in conversations.of_contact(contact_id)
                       if conversations.is_visible(index, now_ms)])


def contact_integration_links(world: World, query: ListQuery) -> Page:
    return everything(world.contacts.record(_contact_index(world, query))["integrationLinks"])


def list_conversations(world: World, query: ListQuery) -> Page:
    conversations = world.conversations
    order_by = query.params.get("orderBy", "created")
    if order_by not in ("created", "last_message"):
        raise InvalidParameter(f"orderBy must be created or last_message, not {order_by!r}")
    keys = conversations.by_created if order_by == "created" else conversations.by_last
    start_ms, now_ms = _param_ms(query, "startFrom"), to_ms(query.now)
    candidates = ascending_from(keys, _time_key(query), start_ms, inclusive=True)
    shown = (key for key in candidates if conversations.is_visible(key[1], now_ms))
    chosen, has_more = take(shown, query.limit)
    records = [conversations.record(index) for _, index in chosen]
    hidden = sum(1 for index, shown_from in conversations.pending.items()
                 if shown_from > now_ms and _at_or_after(conversations, order_by, index, start_ms))
    total = count_from(keys, start_ms, inclusive=True) - hidden
    return Page(records, _last(chosen), has_more, total)


def _at_or_after(conversations: Any, order_by: str, index: int, start_ms: int | None) -> bool:
    times = conversations.created if order_by == "created" else conversations.last
    return start_ms is None or times[index] >= start_ms


def _last(chosen: list[TimeKey]) -> list[int] | None:
    return list(chosen[-1]) if chosen else None


def _conversation_index(world: World, query: ListQuery) -> int:
    return _parent(query, "conversationId", world.conversations.index_of, "conversation")


def conversation_items(world: World, query: ListQuery) -> Page:
    thread = world.items.thread(_conversation_index(world, query))
    start_ms, now_ms = _param_ms(query, "startFrom"), to_ms(query.now)
    candidates = _item_keys(thread, query, start_ms)
    if thread.pending:
        candidates = (key for key in candidates if thread.is_visible(key[1], now_ms))
    chosen, has_more = take(candidates, query.limit)
    records = [thread.served(sequence, now_ms, world.drift, world.media_secret)
               for _, sequence in chosen]
    total = count_from(thread.keys, start_ms, inclusive=False) - _hidden_items(
        thread, start_ms, now_ms)
    return Page(records, _last(chosen), has_more, total)


def _item_keys(thread: Thread, query: ListQuery, start_ms: int | None) -> Iterator[TimeKey]:
    """The thread's keys in the requested order, after the page key and ``startFrom``."""
    order = query.params.get("order") or "newest_first"
    if order == "oldest_first":
        return ascending_from(thread.keys, _time_key(query), start_ms, inclusive=False)
    if order == "newest_first":
        return descending_from(thread.keys, _time_key(query), start_ms)
    raise InvalidParameter(f"order must be newest_first or oldest_first, not {order!r}")


def _hidden_items(thread: Thread, start_ms: int | None, now_ms: int) -> int:
    """Items after ``start_ms`` that listings do not show yet (eventual consistency)."""
    return sum(1 for sequence, shown_from in thread.pending.items()
               if shown_from > now_ms and (start_ms is None or parse_rfc3339(
                   thread.records[sequence]["createdAt"]) > start_ms))


def conversation_scheduled_messages(world: World, query: ListQuery) -> Page:
    conversation_id = world.conversations.record(_conversation_index(world, query))["id"]
    return everything([message for message in world.scheduled_messages
                       if message["conversationId"] == conversation_id])


def team_members(world: World, query: ListQuery) -> Page:
    team_id = str(query.params.get("teamId", ""))
    member_ids = world.people.team_members.get(team_id)
    if member_ids is None:
        raise NotFound(f"team {team_id} not found")
    members = [teammate for teammate in world.people.teammates if teammate["id"] in member_ids]
    return by_id_page(members, query)


def webhook_endpoint_events(world: World, query: ListQuery) -> Page:
    endpoint_id = str(query.params.get("endpointId", ""))
    endpoint = world.events.endpoint_index(endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    start, end = world.events.window(endpoint, to_ms(query.now), _param_ms(query, "startTime"),
                                     _param_ms(query, "endTime"))
    log = world.events.events
    after = _time_key(query)
    candidates: Iterable[Any] = (
        log[position] for position in range(start, end)
        if after is None or (log[position].time_ms, log[position].sequence) > after
    )
    chosen, has_more = take(candidates, query.limit)
    records = [world.events.record(endpoint, event) for event in chosen]
    last_key = [chosen[-1].time_ms, chosen[-1].sequence] if chosen else None
    return Page(records, last_key, has_more, end - start)


HANDLERS: dict[str, Handler] = {
    "ListContacts": list_contacts,
    "SearchContacts": search_contacts,
    "ContactFields": lambda world, query: by_id_page(world.reference.contact_fields, query),
    "ContactTags": lambda world, query: by_id_page(world.reference.contact_tags, query),
    "ContactConversations": contact_conversations,
    "ContactIntegrationLinks": contact_integration_links,
    "ListConversations": list_conversations,
    "ConversationItems": conversation_items,
    "ListConversationScheduledMessages": conversation_scheduled_messages,
    "ConversationTags": lambda world, query: by_id_page(world.reference.conversation_tags,
                                                        query),
    "InternalEndpoints": lambda world, query: everything(world.reference.internal_endpoints),
    "OrganizationMembers": lambda world, query: by_id_page(world.people.members, query),
    "TeamMembers": team_members,
    "PhoneLines": lambda world, query: everything(world.reference.phone_lines),
    "ListSavedMessages": lambda world, query: by_id_page(world.reference.saved_messages, query),
    "ListScheduledMessages": lambda world, query: by_id_page(world.scheduled_messages, query),
    "ListWebhookEndpoints": lambda world, query: everything(world.reference.webhook_endpoints),
    "ListWebhookEndpointEvents": webhook_endpoint_events,
}
