"""The fewest requests the API needs to hand over some data.

A listing of ``n`` records in pages of at most ``p`` needs ``max(1, ceil(n / p))``
requests; the items of each conversation are a listing of their own, so the items floor
sums over conversations. After a change, the conversations that moved are one listing
(``startFrom`` the old cursor) and each needs only its new items; listings without a
cursor (contacts, reference data) are full every run. A ratio divides a pipeline's
requests by the floor of the operations it called (an operation with no floor counts as
pure excess).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from benchmarks.settings import (
    CONVERSATIONS_OPERATION,
    ITEMS_OPERATION,
    ITEMS_PAGE_SIZE,
    LISTINGS,
)

# operationId -> requests.
RequestFloor = dict[str, int]


@dataclass(frozen=True)
class ListingSnapshot:
    """What the floors are computed from: listing sizes and each conversation's mark."""

    listing_floor: RequestFloor
    # conversation id -> (lastMessageAt, items listed)
    conversation_marks: dict[str, tuple[Any, int]]

    @property
    def full_sync_floor(self) -> RequestFloor:
        """The floor of a first sync of everything."""
        floor = dict(self.listing_floor)
        floor[ITEMS_OPERATION] = sum(
            pages_needed(count, ITEMS_PAGE_SIZE) for _, count in self.conversation_marks.values()
        )
        return floor


def pages_needed(records: int, page_size: int | None) -> int:
    """Requests for one listing of ``records`` (an unpaged listing is one request)."""
    if page_size is None:
        return 1
    return max(1, math.ceil(records / page_size))


def snapshot_from_ground_truth(ground_truth: Mapping[str, list[dict[str, Any]]]) -> ListingSnapshot:
    """Reduce the simulator's ground truth to what the floors need (small to pickle)."""
    floor = {
        operation: pages_needed(len(ground_truth.get(table, ())), page_size)
        for operation, (table, page_size) in LISTINGS.items()
    }
    items = Counter(item["conversationId"] for item in ground_truth["conversation_items"])
    marks = {
        conversation["id"]: (conversation.get("lastMessageAt"), items[conversation["id"]])
        for conversation in ground_truth["conversations"]
    }
    return ListingSnapshot(floor, marks)


def change_floor(before: ListingSnapshot, after: ListingSnapshot) -> RequestFloor:
    """The floor of an incremental run that picks up what changed between two snapshots."""
    changed = {
        conversation_id: count - before.conversation_marks.get(conversation_id, (None, 0))[1]
        for conversation_id, (mark, count) in after.conversation_marks.items()
        if before.conversation_marks.get(conversation_id) != (mark, count)
    }
    floor = dict(after.listing_floor)
    floor[CONVERSATIONS_OPERATION] = pages_needed(
        len(changed), LISTINGS[CONVERSATIONS_OPERATION][1]
    )
    floor[ITEMS_OPERATION] = sum(
        pages_needed(new, ITEMS_PAGE_SIZE) for new in changed.values() if new > 0
    )
    return floor


def request_ratio(requests: Mapping[str, int], floor: Mapping[str, int]) -> float:
    """Requests made over the floor of the operations that were called."""
    needed = sum(floor.get(operation, 0) for operation in requests)
    return sum(requests.values()) / needed if needed else math.inf
