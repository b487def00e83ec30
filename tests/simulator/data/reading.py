"""Reading an organization the way a client does: page by page through list_page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulator.contract import JsonRecord, ListOperation, ListQuery, Page, SortKey
from simulator.organization import SimulatedOrganization


def read_all(org: SimulatedOrganization, operation: ListOperation, now: datetime,
             limit: int | None = 200, **params: Any) -> list[JsonRecord]:
    """Every record of a listing, following ``last_key`` until ``has_more`` is false."""
    return read_after(org, operation, now, limit, None, params)


def read_after(org: SimulatedOrganization, operation: ListOperation, now: datetime,
               limit: int | None, after: SortKey | None, params: dict[str, Any]
               ) -> list[JsonRecord]:
    """Every record of a listing after the key ``after`` (None: from the start)."""
    records: list[JsonRecord] = []
    while True:
        page = org.list_page(ListQuery(operation, after, limit, params, now))
        records.extend(page.records)
        if not page.has_more:
            return records
        assert page.last_key is not None, f"{operation}: has_more without a last_key"
        after = page.last_key


def first_page(org: SimulatedOrganization, operation: ListOperation, now: datetime,
               limit: int | None, **params: Any) -> Page:
    """The first page of a listing."""
    return org.list_page(ListQuery(operation, None, limit, params, now))


def ids(records: list[JsonRecord]) -> list[str]:
    return [str(record["id"]) for record in records]


def items_of(org: SimulatedOrganization, conversation_id: str, now: datetime,
             **params: Any) -> list[JsonRecord]:
    """Every listed item of a conversation (newest first unless ``order`` says otherwise)."""
    return read_all(org, "ConversationItems", now, conversationId=conversation_id, **params)


def conversation_ids(org: SimulatedOrganization, now: datetime, order_by: str = "created"
                     ) -> list[str]:
    return ids(read_all(org, "ListConversations", now, orderBy=order_by))


def moment(text: str) -> datetime:
    """An RFC 3339 string of a record as a datetime (to pass as startFrom)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def events(org: SimulatedOrganization, now: datetime, **params: Any) -> list[dict[str, Any]]:
    """The first webhook endpoint's events at ``now``, each with its payload parsed."""
    import json

    endpoint = org.world.reference.webhook_endpoints[0]["id"]
    listed = read_all(org, "ListWebhookEndpointEvents", now, limit=20, endpointId=endpoint,
                      **params)
    return [{**event, "payload": json.loads(event["data"])} for event in listed]


def events_since(org: SimulatedOrganization, before: int, now: datetime) -> list[dict[str, Any]]:
    """The payloads of events logged after the first ``before`` events."""
    return [event["payload"] for event in events(org, now)[before:]]
