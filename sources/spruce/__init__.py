"""The Spruce Health dlt source: contacts, conversations, their items and reference data.

Config and secrets arrive through dlt: ``SOURCES__SPRUCE__API_TOKEN`` (or ``api_token`` in
``.dlt/secrets.toml``) and ``SOURCES__SPRUCE__BASE_URL`` (default the public API). The
run's options come as a `SourcePlan`; a window's start as a `WindowStart`. The windows of
one run share a rate limiter and counters: `SpruceRun` (``sources.spruce.run``) builds
each window's source and reads back its `WindowReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import dlt
from dlt.extract.resource import DltResource

from sources.spruce import settings
from sources.spruce.arrow import (
    ITEMS_BATCH_RECORDS,
    ROOT_SYSTEM_COLUMNS,
    ArrowPages,
    arrow_pages_enabled,
)
from sources.spruce.client import SpruceClient
from sources.spruce.conversations import ConversationScan
from sources.spruce.cursors import advance_cursor, plan_window, read_cursor, write_cursor
from sources.spruce.events import applied_records, event_row
from sources.spruce.items import changed_conversation_items
from sources.spruce.listings import (
    CONTACTS,
    REFERENCE_LISTINGS,
    WEBHOOK_EVENTS,
    Listing,
    Record,
    read_listing,
)
from sources.spruce.options import SourceOptions
from sources.spruce.phi import PhiPolicy, protect_resources
from sources.spruce.plan import SourcePlan, rate_budget
from sources.spruce.stats import RunStats
from sources.spruce.throttle import RateBudget
from sources.spruce.window import WindowContext, WindowStart

__all__ = [
    "RESOURCE_NAMES", "PhiPolicy", "SourceOptions", "SourcePlan", "WindowStart", "spruce_source",
]

# The resources whose flat records go to dlt as Arrow tables: nine items in ten have no
# child rows (attachments, pages); nearly every contact and conversation has some (phone
# numbers, tags), and those go to dlt as dicts (see ``sources.spruce.arrow``).
ARROW_RESOURCES = frozenset({"conversation_items"})
RESOURCE_NAMES: tuple[str, ...] = (
    "contacts", "conversations", "conversation_items",
    *(listing.table for listing in REFERENCE_LISTINGS),
    "webhook_events",  # only when a webhook endpoint id is configured
)


@dlt.source(name="spruce")
def spruce_source(
    api_token: str = dlt.secrets.value,
    base_url: str = settings.DEFAULT_BASE_URL,
    options: SourceOptions | None = None,
    phi_policy: PhiPolicy | None = None,
    window: WindowContext | None = None,
    budget: RateBudget | None = None,
) -> list[DltResource]:
    """Every resource of one organization; select with ``.with_resources(...)``.

    A dlt user passes nothing, or ``options`` (`SourceOptions`) and a ``phi_policy``
    applied before anything is written (with none, signed URLs still lose their
    signature). Each run loads one window from the cursor, with a rate limiter of its own;
    `SpruceRun` passes a run's shared ``window`` and ``budget`` instead. The dlt setting
    ``SOURCES__SPRUCE__ARROW_PAGES=false`` hands dlt dicts, as before the Arrow path:
    kept to compare the two and to build a warehouse the old way in tests.
    """
    plan = _plan_of(options or SourceOptions())
    window = window or WindowContext(WindowStart(), RunStats())
    client = SpruceClient.for_plan(api_token, base_url, plan, budget or rate_budget(plan),
                                   window.stats)
    window.closables.append(client.close)
    resources = organization_resources(client, plan, window)
    protect_resources(resources, phi_policy or PhiPolicy())
    return with_arrow_pages(resources) if arrow_pages_enabled() else resources


def with_arrow_pages(resources: list[DltResource]) -> list[DltResource]:
    """Convert the flat records of `ARROW_RESOURCES` to Arrow, after the PHI policy's map
    (so that only protected values reach the tables)."""
    for resource in resources:
        if resource.name in ARROW_RESOURCES:
            resource.add_step(ArrowPages(resource.compute_table_schema()))
    return resources


def organization_resources(
    client: SpruceClient, plan: SourcePlan, window: WindowContext
) -> list[DltResource]:
    """The resources of one window, the webhook events only when an endpoint is named."""
    listed = conversations(client, plan, window)
    # Contacts and reference listings page in dlt's extract threads (``parallelize``): on
    # dlt's main thread each of their requests stalled the feeding of conversation pages to
    # the item readers (1.0 requests in flight for the first second of a latency-bound
    # sync, 6.2 of 8 over the fetch; now 7.0). Conversations stay on it: their cursor is
    # dlt resource state, which dlt finds through a context variable of the calling thread.
    resources = [
        contacts(client, plan, window).parallelize(),
        listed,
        listed | conversation_items(client, plan, window),
        *(reference_resource(client, listing, plan, window.stats)
          for listing in REFERENCE_LISTINGS),
    ]
    if plan.webhook_endpoint_id:
        resources.append(webhook_events(client, plan, window.stats, plan.webhook_endpoint_id))
    return resources


def _plan_of(options: SourceOptions) -> SourcePlan:
    """A run's plan as given, or one for options starting now."""
    if isinstance(options, SourcePlan):
        return options
    return SourcePlan.for_run(options, datetime.now(timezone.utc))


@dlt.resource(
    name="contacts",
    write_disposition="merge",
    primary_key="id",
    columns={"deleted_at": {"data_type": "timestamp", "nullable": True}},
)
def contacts(client: SpruceClient, plan: SourcePlan, window: WindowContext) -> Iterator[Any]:
    """The whole contact listing (the API has no change cursor).

    ``deleted_at`` is set by the runner after the load, for contacts that a *complete*
    listing no longer returned; a listing that fails half-way infers nothing.
    """
    window.contacts_listing_complete = False
    window.contacts_listed = 0
    for page in read_listing(client, CONTACTS, plan, window.stats):
        window.contacts_listed += len(page.records)
        yield page.records
    window.contacts_listing_complete = True


# A record listed twice in one run (it moved to a later page meanwhile) keeps its newest
# version: dlt's merge sorts duplicates of a key by this column before keeping one.
@dlt.resource(
    name="conversations",
    write_disposition="merge",
    primary_key="id",
    columns={"last_message_at": {"dedup_sort": "desc"}},
)
def conversations(client: SpruceClient, plan: SourcePlan, window: WindowContext) -> Iterator[Any]:
    """Conversations whose last activity is in this window of ``lastMessageAt``.

    The cursor (one timestamp in this resource's state) moves to ``min(newest seen,
    run start - settle)``; a backfill reads its own range and leaves the cursor alone.
    A window that ends at its volume bound tells the runner where the next one starts.
    """
    state = dlt.current.resource_state()
    cursor = read_cursor(state)
    scan = ConversationScan(plan_window(cursor, plan, window.start.resume_from))
    if window.first_sync is None:
        window.first_sync = cursor is None
    yield from scan.pages(client, plan, window.stats)
    window.resume_from = scan.newest if scan.stopped_at_bound else None
    window.resume_boundary = dict(scan.at_newest) if scan.stopped_at_bound else {}
    if scan.window.moves_cursor:
        write_cursor(state, advance_cursor(cursor, scan.newest, plan))


@dlt.transformer(
    name="conversation_items",
    write_disposition="merge",
    primary_key="id",
    columns={"modified_at": {"dedup_sort": "desc"}, **ROOT_SYSTEM_COLUMNS},
)
def conversation_items(
    changed: list[Record], client: SpruceClient, plan: SourcePlan, window: WindowContext
) -> Iterator[Any]:
    """Items of each page of changed conversations, from where each one already was.

    They come in batches of up to `ITEMS_BATCH_RECORDS` records, not one small batch per
    conversation: each batch costs dlt a schema merge on the Arrow path.
    """
    batch: list[Record] = []
    for items in changed_conversation_items(changed, client, plan, window):
        batch += items
        if len(batch) >= ITEMS_BATCH_RECORDS:
            yield batch
            batch = []
    if batch:
        yield batch


# dlt's incremental on the events' time; the records routed to other tables have none.
EVENT_TIME: dlt.sources.incremental[str] = dlt.sources.incremental(
    "eventTime", on_cursor_value_missing="include"
)


@dlt.resource(name="webhook_events", write_disposition="merge", primary_key="id")
def webhook_events(
    client: SpruceClient,
    plan: SourcePlan,
    stats: RunStats,
    endpoint_id: str,
    event_time: dlt.sources.incremental[str] = EVENT_TIME,
) -> Iterator[Any]:
    """The endpoint's events since the last one loaded (dlt's incremental on
    ``eventTime``), and each contact, conversation or item event applied to its table."""
    start = {"startTime": event_time.start_value} if event_time.start_value else {}
    path = WEBHOOK_EVENTS.path.format(id=endpoint_id)
    for page in read_listing(client, WEBHOOK_EVENTS, plan, stats, path, start_params=start):
        for event in page.records:
            yield event_row(event, endpoint_id)
            yield from applied_records(event)


def reference_records(
    client: SpruceClient, listing: Listing, plan: SourcePlan, stats: RunStats
) -> Iterator[Any]:
    """Every record of a small reference listing."""
    for page in read_listing(client, listing, plan, stats):
        yield page.records


def reference_resource(
    client: SpruceClient, listing: Listing, plan: SourcePlan, stats: RunStats
) -> DltResource:
    """A replace-each-run resource for one reference listing."""
    resource = dlt.resource(
        reference_records,
        name=listing.table,
        write_disposition="replace",
        primary_key=listing.primary_key or (),
    )
    return resource(client, listing, plan, stats).parallelize()
