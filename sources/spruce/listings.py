"""The list operations the source reads, and one reader for all of them.

A `Listing` names the table, the path, the key of the records in the response envelope
and how the operation pages; `read_listing` yields one `ListingPage` per page and
records, for the completeness check, what ``totalCount`` said next to what was read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sources.spruce import settings
from sources.spruce.client import JsonBody, SpruceClient
from sources.spruce.exceptions import PaginationTokenRejected, SpruceBadBody
from sources.spruce.paging import Paginator, QueryParams, SinglePage, TokenPaginator
from sources.spruce.plan import SourcePlan
from sources.spruce.stats import RunStats

logger = logging.getLogger(__name__)

Record = dict[str, Any]
Paging = Literal["sized", "token", "whole", "object"]


@dataclass(frozen=True)
class Listing:
    """One list operation of the contract and the table it fills."""

    table: str
    path: str
    envelope: str
    operation: str
    paging: Paging
    primary_key: str | None = "id"


CONTACTS = Listing("contacts", "/contacts", "contacts", "ListContacts", "sized")
CONVERSATIONS = Listing(
    "conversations", "/conversations", "conversations", "ListConversations", "sized"
)
ITEMS = Listing(
    "conversation_items", "/conversations/{id}/items", "conversationItems",
    "ConversationItems", "sized",
)
WEBHOOK_EVENTS = Listing(
    "webhook_events", "/webhooks/endpoints/{id}/events", "events",
    "ListWebhookEndpointEvents", "token",
)
# Small reference data: read whole every run and replaced, so deletions show too.
REFERENCE_LISTINGS: tuple[Listing, ...] = (
    Listing("contact_tags", "/contacts/tags", "tags", "ContactTags", "sized"),
    Listing("contact_fields", "/contacts/fields", "fields", "ContactFields", "sized"),
    Listing("conversation_tags", "/conversations/tags", "tags", "ConversationTags", "sized"),
    Listing("organization", "/organization", "organization", "Organization", "object"),
    Listing(
        "organization_members", "/organization/members", "members", "OrganizationMembers",
        "sized",
    ),
    Listing("phone_lines", "/phonelines", "phonelines", "PhoneLines", "whole"),
    Listing(
        "internal_endpoints", "/internalendpoints", "internalEndpoints", "InternalEndpoints",
        "whole", primary_key=None,
    ),
    Listing("saved_messages", "/savedmessages", "savedMessages", "ListSavedMessages", "sized"),
    Listing(
        "scheduled_messages", "/scheduledmessages", "scheduledMessages",
        "ListScheduledMessages", "token",
    ),
)


def paginator_for(
    listing: Listing, plan: SourcePlan, params: QueryParams, start_params: QueryParams
) -> Paginator:
    """The paging of ``listing``, at the largest page size it accepts (or the configured)."""
    if listing.paging in ("whole", "object"):
        return SinglePage(params)
    if listing.paging == "sized":
        params = {**params, "pageSize": plan.page_size(listing.operation)}
    return TokenPaginator(params, start_params)


@dataclass(frozen=True)
class ListingPage:
    """One page's records, and whether the listing said more pages follow."""

    records: list[Record]
    has_more: bool


def read_listing(
    client: SpruceClient,
    listing: Listing,
    plan: SourcePlan,
    stats: RunStats,
    path: str | None = None,
    params: QueryParams | None = None,
    start_params: QueryParams | None = None,
) -> Iterator[ListingPage]:
    """Every page; a rejected (expired) token restarts from the first page, at most
    `settings.LISTING_RESTARTS` times (merge on id removes what is read twice)."""
    for restart in range(settings.LISTING_RESTARTS + 1):
        try:
            yield from _read_once(client, listing, plan, stats, path, params, start_params)
            return
        except PaginationTokenRejected:
            if restart == settings.LISTING_RESTARTS:
                raise
            logger.warning("%s: pagination token rejected, restarting the listing", listing.table)


def _read_once(
    client: SpruceClient,
    listing: Listing,
    plan: SourcePlan,
    stats: RunStats,
    path: str | None,
    params: QueryParams | None,
    start_params: QueryParams | None,
) -> Iterator[ListingPage]:
    """One pass over a listing; a pass abandoned half-way records no completeness."""
    paginator = paginator_for(listing, plan, params or {}, start_params or {})
    expected: int | None = None
    read = 0
    for body in client.pages(path or listing.path, paginator, listing.table):
        records = page_records(body, listing)
        if expected is None and isinstance(body.get("totalCount"), int):
            expected = body["totalCount"]
        read += len(records)
        stats.record_page(listing.table, len(records))
        yield ListingPage(records, bool(body.get("hasMore")))
    if expected is not None:
        stats.record_listing(listing.table, path or listing.path, expected, read)


def page_records(body: JsonBody, listing: Listing) -> list[Record]:
    """The records of one response; a body without its envelope key is not a page."""
    records = body.get(listing.envelope)
    if listing.paging == "object" and isinstance(records, dict):
        return [records]
    if not isinstance(records, list):
        raise SpruceBadBody(
            f"GET {listing.path} answered without its {listing.envelope!r} list"
        )
    return records
