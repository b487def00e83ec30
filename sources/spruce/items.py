"""Items of the conversations that changed, fetched concurrently through one limiter.

Each changed conversation's items are read from where that conversation already was in
the warehouse (its previous ``lastMessageAt``) minus the lookback; a conversation the
warehouse does not know is read whole. No per-conversation position is kept in state.
A conversation deleted between the listing and its items (404) is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sources.spruce.client import SpruceClient
from sources.spruce.cursors import format_timestamp
from sources.spruce.exceptions import SpruceNotFound
from sources.spruce.listings import ITEMS, Record, read_listing
from sources.spruce.plan import SourcePlan, SyncSession

ORDER_PARAMS = {"order": "oldest_first"}


def items_start(
    conversation_id: str, previous: Mapping[str, datetime], plan: SourcePlan
) -> datetime | None:
    """Where this conversation's items resume; None = all of them."""
    if plan.backfill_since is not None:
        return plan.backfill_since
    known = previous.get(conversation_id)
    return None if known is None else known - plan.lookback


def changed_conversation_items(
    conversations: list[Record], client: SpruceClient, plan: SourcePlan, session: SyncSession
) -> Iterator[list[Record]]:
    """Pages of items of ``conversations`` (one listing page of them), many in flight."""
    ids = [conversation["id"] for conversation in conversations]
    previous = session.previous_positions(ids)
    starts = [items_start(conversation_id, previous, plan) for conversation_id in ids]
    with ThreadPoolExecutor(max_workers=plan.concurrency, thread_name_prefix="items") as pool:
        for items in pool.map(
            lambda args: conversation_items(client, plan, session, *args), zip(ids, starts)
        ):
            if items:
                yield items


def conversation_items(
    client: SpruceClient, plan: SourcePlan, session: SyncSession, conversation_id: str,
    start: datetime | None,
) -> list[Record]:
    """Every item of one conversation from ``start``; [] when it was deleted meanwhile."""
    start_params = {"startFrom": format_timestamp(start)} if start is not None else {}
    path = ITEMS.path.format(id=conversation_id)
    try:
        return [
            item
            for page in read_listing(
                client, ITEMS, plan, session.stats, path=path, params=ORDER_PARAMS,
                start_params=start_params,
            )
            for item in page
        ]
    except SpruceNotFound:
        session.stats.record_skipped_conversation(conversation_id)
        return []
