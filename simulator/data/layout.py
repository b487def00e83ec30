"""The cheap skeleton of the data, computed at start for every scale.

Contacts and conversations are generated lazily, record by record, from (seed, index).
What must be known about all of them at once (times to sort by, item counts, which
contact a conversation belongs to) is computed here in one pass into compact arrays.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from dataclasses import dataclass
from random import Random

from simulator.data.context import OrgContext
from simulator.data.settings import (
    CONTACT_HISTORY_DAYS,
    CONVERSATION_HISTORY_DAYS,
    DAY_MS,
    HEAVY_ITEMS,
    HOUR_MS,
    MINUTE_MS,
    SECOND_MS,
    TIE_SHARE,
)

CONVERSATION_TYPES = ("phone", "secure", "email", "fax", "team", "note", "other")
TYPE_WEIGHTS = (45, 25, 10, 5, 7, 5, 3)
# Types whose conversations have an external participant (a contact).
EXTERNAL_TYPES = frozenset({"phone", "secure", "email", "fax", "other"})


@dataclass(frozen=True)
class Layout:
    """Per-record facts for every generated contact and conversation (by index)."""

    contact_created: array[int]  # ms, ascending with the index
    conversation_created: array[int]  # ms, ascending with the index
    conversation_last: array[int]  # ms of the newest generated item
    item_counts: array[int]
    conversation_types: array[int]  # index into CONVERSATION_TYPES
    conversation_contacts: array[int]  # contact index, -1 for internal conversations


def build_layout(context: OrgContext) -> Layout:
    """The layout of ``context``'s scale, deterministic from the seed."""
    rng = context.rng("layout")
    scale = context.scale
    contact_created = _sorted_times(rng, scale.contacts, context.anchor_ms, CONTACT_HISTORY_DAYS)
    created = _sorted_times(rng, scale.conversations, context.anchor_ms,
                            CONVERSATION_HISTORY_DAYS)
    counts = _item_counts(rng, scale.conversations, scale.items, scale.heavy_conversations)
    last = array("q", (_last_message(rng, start, count, context.anchor_ms)
                       for start, count in zip(created, counts)))
    _share_some_times(rng, created, last)
    types = array("b", rng.choices(range(len(CONVERSATION_TYPES)), TYPE_WEIGHTS,
                                   k=scale.conversations))
    contacts = array("q", (_contact_for(rng, contact_created, start, kind)
                           for start, kind in zip(created, types)))
    return Layout(contact_created, created, last, counts, types, contacts)


def _sorted_times(rng: Random, count: int, anchor_ms: int, history_days: int) -> array[int]:
    earliest = anchor_ms - history_days * DAY_MS
    latest = anchor_ms - 2 * HOUR_MS
    seconds = sorted(rng.randrange(earliest, latest) // SECOND_MS for _ in range(count))
    for index in range(1, count):
        if rng.random() < TIE_SHARE:
            seconds[index] = seconds[index - 1]
    return array("q", (second * SECOND_MS for second in seconds))


def _share_some_times(rng: Random, created: array[int], last: array[int]) -> None:
    # Busy practices see two threads answered in the same millisecond: ties to break by id.
    for index in range(1, len(last)):
        if rng.random() < TIE_SHARE and created[index] <= last[index - 1]:
            last[index] = last[index - 1]


def _item_counts(rng: Random, conversations: int, items: int, heavy: int) -> array[int]:
    heavy_indices = set(rng.sample(range(conversations), heavy)) if heavy else set()
    heavy_counts = {index: rng.randint(*HEAVY_ITEMS) for index in heavy_indices}
    light = max(conversations - heavy, 1)
    mean_extra = max((items - sum(heavy_counts.values())) / light - 1, 0.1)
    return array("q", (heavy_counts.get(index) or 1 + round(rng.expovariate(1 / mean_extra))
                       for index in range(conversations)))


def _last_message(rng: Random, created_ms: int, count: int, anchor_ms: int) -> int:
    if count == 1:
        return created_ms
    # Cubed: most threads go quiet soon, a few stay active up to the anchor.
    room = anchor_ms - MINUTE_MS - created_ms
    return created_ms + (int(room * rng.random() ** 3) // SECOND_MS) * SECOND_MS + count


def _contact_for(rng: Random, contact_created: array[int], created_ms: int, kind: int) -> int:
    if CONVERSATION_TYPES[kind] not in EXTERNAL_TYPES or not contact_created:
        return -1
    # A contact that already existed when the conversation started.
    known = bisect_right(contact_created, created_ms)
    return rng.randrange(known) if known else 0
