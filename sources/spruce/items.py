"""Items of the conversations that changed, fetched concurrently through one limiter.

The window's item readers (`WindowContext.item_readers`, ``plan.concurrency`` threads)
read them for every page of conversations; the client bounds the requests in flight.

Each changed conversation's items are read from where that conversation already was in
the warehouse (its previous ``lastMessageAt``) minus the lookback; a conversation the
warehouse does not know is read whole; one listed again unchanged is not read. No
per-conversation position is kept in state.
A conversation deleted between the listing and its items (404) is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from sources.spruce.client import SpruceClient
from sources.spruce.cursors import format_timestamp, parse_timestamp
from sources.spruce.exceptions import SpruceNotFound
from sources.spruce.listings import ITEMS, Record, read_listing
from sources.spruce.plan import LoadedPosition, SourcePlan
from sources.spruce.window import WindowContext

ORDER_PARAMS = {"order": "oldest_first"}
# A conversation's items to read: all of them (None) or those from a time on.
ItemsRead = tuple[str, datetime | None]


def items_start(
    conversation_id: str, previous: Mapping[str, LoadedPosition], plan: SourcePlan
) -> datetime | None:
    """Where this conversation's items resume; None = all of them."""
    if plan.backfill_since is not None:
        return plan.backfill_since
    known = previous.get(conversation_id)
    return None if known is None else known.last_message_at - plan.lookback


def already_read(
    conversation: Record, previous: Mapping[str, LoadedPosition], plan: SourcePlan,
    window: WindowContext,
) -> bool:
    """Whether this listing shows the conversation as it was when its items were read,
    late enough that the lookback has nothing left to catch.

    The lookback lists the conversations active just before the cursor again, and re-reads
    items created up to ``lookback`` before each one's ``lastMessageAt``, for items that
    appear late. When that time has not moved and the items were read more than
    ``lookback`` after it, every such item was already visible then. A window also lists
    again the conversations where the last one stopped (``WindowStart.boundary``).
    """
    listed = conversation.get("lastMessageAt")
    if plan.is_backfill or not isinstance(listed, str):
        return False
    moment = parse_timestamp(listed)
    if window.start.boundary.get(conversation["id"]) == moment:
        return True
    known = previous.get(conversation["id"])
    if known is None or moment != known.last_message_at:
        return False
    return known.loaded_at - known.last_message_at >= plan.lookback


def positions_before_run(
    conversation_ids: list[str], plan: SourcePlan, window: WindowContext
) -> dict[str, LoadedPosition]:
    """Where the warehouse had these conversations before this run.

    Rows this run loaded are left out: a webhook event can write a conversation whose
    items no listing has read yet, and its ``lastMessageAt`` is no place to resume from.
    A first sync looks nothing up (the warehouse holds nothing worth a query per page).
    """
    if window.first_sync:
        return {}
    found = window.start.previous_positions(conversation_ids)
    return {
        conversation_id: position
        for conversation_id, position in found.items()
        if position.loaded_at < plan.run_started_at
    }


def items_to_read(
    conversations: list[Record], plan: SourcePlan, window: WindowContext
) -> list[ItemsRead]:
    """The conversations of one listing page whose items this window must read."""
    previous = positions_before_run([conversation["id"] for conversation in conversations],
                                    plan, window)  # fmt: skip
    return [
        (conversation["id"], items_start(conversation["id"], previous, plan))
        for conversation in conversations
        if not already_read(conversation, previous, plan, window)
    ]


def changed_conversation_items(
    conversations: list[Record], client: SpruceClient, plan: SourcePlan, window: WindowContext
) -> Iterator[list[Record]]:
    """Pages of items of ``conversations`` (one listing page of them), many in flight,
    in the order of the conversations.

    Closing this generator early cancels the reads of this page not yet started.
    """
    wanted = items_to_read(conversations, plan, window)
    readers = window.item_readers(plan.concurrency)
    for items in readers.map(lambda read: conversation_items(client, plan, window, *read),
                             wanted):  # fmt: skip
        if items:
            yield items


def conversation_items(
    client: SpruceClient, plan: SourcePlan, window: WindowContext, conversation_id: str,
    start: datetime | None,
) -> list[Record]:
    """Every item of one conversation from ``start``; [] when it was deleted meanwhile."""
    start_params = {"startFrom": format_timestamp(start)} if start is not None else {}
    path = ITEMS.path.format(id=conversation_id)
    try:
        return [
            item
            for page in read_listing(
                client, ITEMS, plan, window.stats, path=path, params=ORDER_PARAMS,
                start_params=start_params,
            )
            for item in page.records
        ]
    except SpruceNotFound:
        window.stats.record_skipped_conversation(conversation_id)
        return []
